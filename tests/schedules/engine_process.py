"""One engine process for the exactly-once test: `python -m tests.schedules.engine_process
DATABASE_URL CLOCK_FILE NAME [KILL_FILE]`.

Its schedules' clock reads an ISO instant from CLOCK_FILE (the test moves time forward by
rewriting it). With KILL_FILE given, the process SIGKILLs itself in the middle of its first
fire: after the fire rows are written, before the transaction commits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from pathlib import Path
from typing import Any

from app.db import close_db, init_db
from app.engine import Engine
from app.schedules import clock, firing
from app.settings import Settings, set_settings


def _install_clock(path: Path) -> None:
    def now() -> dt.datetime:
        return dt.datetime.fromisoformat(path.read_text().strip())

    clock.now = now


def _install_kill_mid_fire() -> None:
    claim = firing._claim_and_record

    async def claim_then_die(*args: Any, **kwargs: Any) -> Any:
        row = await claim(*args, **kwargs)
        print("killing myself mid-fire", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        return row

    firing._claim_and_record = claim_then_die  # type: ignore[assignment]


async def _serve(url: str, name: str) -> None:
    settings = Settings(database_url=url, engine_poll=0.05)
    set_settings(settings)
    await init_db(settings)
    engine = Engine(settings, name=name)
    await engine.start()
    print("engine started", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await engine.stop()
        await close_db()


def main(argv: list[str]) -> None:
    url, clock_file, name, *kill = argv
    _install_clock(Path(clock_file))
    if kill:
        _install_kill_mid_fire()
    asyncio.run(_serve(url, name))


if __name__ == "__main__":
    main(sys.argv[1:])
