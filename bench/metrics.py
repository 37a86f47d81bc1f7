"""What a /metrics scrape costs on a loaded database: the figures read from the database at
scrape time (runs by status, the engine's and workers' queues, export jobs) and the whole
exposition text, timed in-process on the shared dataset.

    .venv/bin/python bench/metrics.py [--backends sqlite,postgres] [--runs 100000] [--scrapes 30]

Prints, per backend, the median and the slowest of `--scrapes` scrapes, after one warm-up.
The dataset is loaded (once, kept under bench/data/) by bench/load_dataset.py.
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

from app.db import close_db, init_db, migrate_db  # noqa: E402
from app.observability.metrics import database_gauges, render  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.load_dataset import DATA_DIR, CachedPostgres, postgres_url, sqlite_url  # noqa: E402


async def time_scrapes(url: str, scrapes: int) -> tuple[list[float], list[float], int]:
    settings = Settings(database_url=url, log_level="warning")
    await migrate_db(settings)
    await init_db(settings)
    try:
        families = await database_gauges()  # warm-up
        queries, whole = [], []
        for _ in range(scrapes):
            started = time.perf_counter()
            families = await database_gauges()
            queries.append(time.perf_counter() - started)
            text = render(families)
            whole.append(time.perf_counter() - started)
        runs = sum(
            int(sample.value) for family in families if family.name == "flowdeck_runs" for sample in family.samples
        )
        assert runs > 0 and text
        return queries, whole, runs
    finally:
        await close_db()


def report(backend: str, queries: list[float], whole: list[float], runs: int) -> None:
    ms = 1000
    print(
        f"{backend:9} {runs:>9,} runs  database figures p50 {statistics.median(queries) * ms:7.1f} ms"
        f"  max {max(queries) * ms:7.1f} ms   whole scrape p50 {statistics.median(whole) * ms:7.1f} ms"
        f"  max {max(whole) * ms:7.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--scrapes", type=int, default=30)
    args = parser.parse_args()
    for backend in [name.strip() for name in args.backends.split(",") if name.strip()]:
        if backend == "sqlite":
            report(backend, *asyncio.run(time_scrapes(sqlite_url(args.runs), args.scrapes)))
        else:
            server = CachedPostgres(f"postgres-{args.runs}").start()
            try:
                report(backend, *asyncio.run(time_scrapes(postgres_url(server, args.runs), args.scrapes)))
            finally:
                server.stop()
    print(f"(data under {DATA_DIR})")


if __name__ == "__main__":
    main()
