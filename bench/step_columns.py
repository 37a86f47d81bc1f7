"""The steps of a Q1 page read with every column against only the columns Q1's selection reads
(issue 9): the statement `steps_by_run` sends for 50 runs (~250 step rows), alternating between
the two ways, in one process on the same data.

    .venv/bin/python bench/step_columns.py [--backend postgres|sqlite] [-n 300]

Printed per way: the median wall time, and the CPU time per read: this process's
(`process_time`: the driver decoding, the rows) plus, on PostgreSQL, the server's processes'
(bench/scale.py's schedstat reading), the load-independent figure; and the bytes of the rows.
The dataset is bench/queries.py's (bench/load_dataset.py; loaded once, then reused).
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
from app.queries import rows_grouped  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench import scale  # noqa: E402
from bench.load_dataset import loaded_database  # noqa: E402
from models import Run, StepRun  # noqa: E402
from schema import build_schema  # noqa: E402
from schema.loaders import STEP_ORDER  # noqa: E402
from schema.runs.connection import STEP_KEY_COLUMNS, _step_field_columns  # noqa: E402

N_RUNS = 100_000
# Q1's selection of each run's steps (bench/queries.py)
Q1_STEP_FIELDS = ("id", "ref", "type", "status", "attempt", "output", "error", "createdAt", "startedAt", "finishedAt")


async def measure(url: str, n: int) -> dict[str, tuple[float, float]]:
    settings = Settings(database_url=url)
    build_schema(settings)  # the Strawberry types the column map reads
    await init_db(settings)
    try:
        ids = [str(i) for i in await Run.all().order_by("-created_at", "-id").limit(50).values_list("id", flat=True)]
        known = _step_field_columns()
        narrow = frozenset(STEP_KEY_COLUMNS.union(*(known[name] for name in Q1_STEP_FIELDS)))
        ways = {"every column": None, "Q1's columns": narrow}
        samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in ways}
        for _ in range(20):  # warm-up: prepared statements, generated readers
            for columns in ways.values():
                await rows_grouped(StepRun, "run_id", STEP_ORDER, ids, plain=True, columns=columns)
        for _ in range(n):
            for name, columns in ways.items():
                cpu = scale._clock(starting=True)
                wall = time.perf_counter()
                groups = await rows_grouped(StepRun, "run_id", STEP_ORDER, ids, plain=True, columns=columns)
                samples[name][0].append(time.perf_counter() - wall)
                samples[name][1].append(scale._clock(starting=False) - cpu)
        rows = sum(map(len, groups))
        print(f"{rows} step rows of {len(ids)} runs; Q1's columns: {len(narrow)} of {len(StepRun._meta.db_fields)}")
        return {name: (statistics.median(w) * 1000, statistics.median(c) * 1000) for name, (w, c) in samples.items()}
    finally:
        await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("-n", type=int, default=300, help="reads per way")
    args = parser.parse_args()
    scale.CLOCK[0] = time.process_time
    with loaded_database(args.backend, N_RUNS) as (url, postgres):
        if postgres is not None:
            scale.SERVER_PID[:] = [int((postgres.root / "data" / "postmaster.pid").read_text().split()[0])]
        figures = asyncio.run(measure(url, args.n))
    print(f"\n{args.backend}, {args.n} reads per way, alternating (median ms per read)")
    print("| steps read with | wall | CPU (this process + the database's) |")
    print("|---|---:|---:|")
    for name, (wall, cpu) in figures.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    (_, every), (_, narrow) = figures.values()
    print(f"CPU ratio Q1's columns / every column: {narrow / every:.2f}")


if __name__ == "__main__":
    main()
