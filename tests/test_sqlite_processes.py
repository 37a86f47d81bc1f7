"""Several processes on one SQLite file (`flowdeck serve` beside `flowdeck engine`): a transaction
that reads and then writes must wait for another process's write, never fail with "database is
locked". In WAL mode a deferred BEGIN's read snapshot cannot be upgraded once another process has
committed, and SQLite answers that at once, without the busy timeout; flowdeck's transactions on
SQLite take the write lock when they begin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import spawn

ROOT = Path(__file__).resolve().parents[1]
TRANSACTIONS = 150
WRITERS = 3

# Each process: TRANSACTIONS read-then-write transactions through flowdeck's own connection setup.
WRITER = """
import asyncio, sys
from tortoise import Tortoise
from tortoise.transactions import in_transaction
from app.db import close_db, init_db
from app.settings import Settings

async def main(url, count):
    await init_db(Settings(database_url=url))
    for _ in range(count):
        async with in_transaction() as connection:
            _, rows = await connection.execute_query("SELECT n FROM tally")
            await connection.execute_query("UPDATE tally SET n = ?", [rows[0]["n"] + 1])
    await close_db()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


@pytest.mark.timeout(120)
def test_processes_sharing_a_sqlite_file_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    database = tmp_path / "shared.db"
    setup = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('PRAGMA journal_mode=WAL'); c.execute('CREATE TABLE tally (n INTEGER)'); "
            "c.execute('INSERT INTO tally VALUES (0)'); c.commit()",
            str(database),
        ],
        check=True,
    )
    assert setup.returncode == 0
    writers = [
        spawn(
            [sys.executable, "-c", WRITER, f"sqlite://{database}", str(TRANSACTIONS)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(WRITERS)
    ]
    outputs = [writer.communicate(timeout=60)[0].decode(errors="replace") for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * WRITERS, "\n".join(outputs)
    import sqlite3

    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT n FROM tally").fetchone() == (WRITERS * TRANSACTIONS,)
