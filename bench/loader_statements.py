"""What the cached text of the loaders' statements saves (issue 9): the steps and the workflows
of Q1's page, read as a page's DataLoaders read them (app.queries.batches, plain rows, Q1's step
columns), with the statement's text built by Tortoise each time (the cache cleared before each
read) and taken from the cache, alternating in one process.

    .venv/bin/python bench/loader_statements.py [--backend sqlite|postgres] [-n 100] [--rounds 8]

Prints this process's CPU ms per pair of reads (on SQLite the database's work is in it too).
The dataset is bench/queries.py's (bench/load_dataset.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import close_db, init_db  # noqa: E402
from app.queries import batches  # noqa: E402
from app.settings import Settings, set_settings  # noqa: E402
from bench.load_dataset import loaded_database  # noqa: E402
from models import Run, StepRun, Workflow  # noqa: E402

N_RUNS = 100_000
# Q1's step columns (schema.runs.connection.step_columns) and the steps' order (schema/loaders.py)
STEP_COLUMNS = {"id", "run_id", "ref", "status", "iteration", "type", "attempt", "output", "error"} | {
    "created_at",
    "started_at",
    "finished_at",
}
STEP_ORDER = ("position", "iteration", "created_at")


async def measure(url: str, n: int, rounds: int) -> tuple[float, float]:
    set_settings(settings := Settings(database_url=url, log_level="warning"))
    await init_db(settings)
    try:
        runs = [str(i) for i in await Run.all().order_by("-created_at").limit(50).values_list("id", flat=True)]
        workflows = [str(i) for i in await Workflow.all().values_list("id", flat=True)]

        async def reads() -> None:
            await batches.rows_grouped(StepRun, "run_id", STEP_ORDER, runs, plain=True, columns=STEP_COLUMNS)
            await batches.rows_by_id(Workflow, workflows, plain=True)

        for _ in range(50):
            await reads()
        cpu: dict[bool, list[float]] = {True: [], False: []}
        for turn in range(rounds):
            for cached in (True, False) if turn % 2 == 0 else (False, True):
                started = time.process_time()
                for _ in range(n):
                    if not cached:
                        batches._STATEMENTS.clear()
                    await reads()
                cpu[cached].append((time.process_time() - started) * 1000 / n)
        return statistics.median(cpu[False]), statistics.median(cpu[True])
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("-n", type=int, default=100, help="pairs of reads per round and way")
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with loaded_database(args.backend, N_RUNS) as (url, _postgres):
        built, cached = asyncio.run(measure(url, args.n, args.rounds))
    print(
        f"{args.backend}: the steps and workflows of a page, CPU ms per pair of reads (medians of {args.rounds} rounds)"
    )
    print("| statement built each time | text cached | saved |")
    print("|---:|---:|---:|")
    print(f"| {built:.3f} | {cached:.3f} | {built - cached:.3f} |")


if __name__ == "__main__":
    main()
