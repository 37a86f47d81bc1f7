"""Engine benchmark: throughput of 1,000 runs of a 5-step noop chain, and single-run latency.

    .venv/bin/python bench/engine.py [--runs 1000] [--singles 100] [--backends sqlite,postgres]
    .venv/bin/python bench/engine.py --database-url postgres://postgres@127.0.0.1:55432/fd_engine

For each backend (SQLite in a temporary file; PostgreSQL in a throwaway cluster, as the
tests use, which runs with fsync=off and synchronous_commit=off) it prints the figures below.
`--database-url` runs against a database you name instead (emptied first), e.g. the peers'
cluster with PostgreSQL's durable defaults, where DBOS is measured (bench/engine_vs_dbos.py).
On PostgreSQL it also prints statements per step (pg_stat_statements, when the server preloads
it), WAL flushes (durable commits, pg_stat_wal) and BEGIN...COMMIT transactions. It prints:
  - runs/s and steps/s for N runs started together (creation included: the clock starts
    before the first run is created and stops when the last one is COMPLETED);
  - p50/p99 start-to-finish latency of single runs, one at a time (create_run, as startRun
    does, to RUN_COMPLETED committed), every event written.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import pubsub
from app.actions.runs import RunOptions, create_run
from app.db import close_db, init_db, migrate_db
from app.definitions import StepSpec
from app.engine import Engine
from app.enums import RunStatus, StepType
from app.settings import Settings, set_settings
from models import Project, Run, RunEvent, Workflow, WorkflowVersion
from tests.servers import PostgresServer, postgres_bin

STEPS = 5


async def _workflow() -> tuple[Project, Workflow, WorkflowVersion]:
    project = await Project.create(id=uuid.uuid4(), key=f"bench-{uuid.uuid4().hex[:6]}", name="Bench")
    workflow = await Workflow.create(id=uuid.uuid4(), project=project, key="chain", name="Chain", version=1)
    steps = [
        StepSpec(ref=f"s{i}", type=StepType.TASK, handler="noop", depends_on=(f"s{i - 1}",) if i else ())
        for i in range(STEPS)
    ]
    version = await WorkflowVersion.create(
        id=uuid.uuid4(), workflow=workflow, version=1, steps=[s.to_json() for s in steps], created_by="bench"
    )
    return project, workflow, version


class Finishes:
    """Wakes a waiter when a run's RUN_COMPLETED is committed (the in-process pub/sub)."""

    def __init__(self) -> None:
        self.done: dict[str, asyncio.Event] = {}
        self.finished_at: dict[str, float] = {}

    def __call__(self, topic: str, message: dict[str, Any]) -> None:
        if topic == pubsub.RUNS_TOPIC and message.get("status") == RunStatus.COMPLETED.value:
            run_id = message["run"]
            self.finished_at[run_id] = time.perf_counter()
            event = self.done.get(run_id)
            if event is not None:
                event.set()


async def bench_backend(name: str, url: str, runs: int, singles: int, profile: int = 0) -> None:
    settings = Settings(database_url=url, engine_poll=0.5, log_level="warning")
    set_settings(settings)
    await migrate_db(settings)
    await init_db(settings)
    finishes = Finishes()
    pubsub.add_local_listener(finishes)
    engine = Engine(settings, name=f"bench-{name}")
    await engine.start()
    try:
        project, workflow, version = await _workflow()

        async def one() -> str:
            run = await create_run(
                project=project,
                workflow=workflow,
                version=version,
                options=RunOptions(),
                initiated_by="bench",
            )
            return str(run.id)

        # warm-up
        for _ in range(5):
            run_id = await one()
            while run_id not in finishes.finished_at:
                await asyncio.sleep(0.01)

        started = time.perf_counter()
        ids = await asyncio.gather(*(one() for _ in range(runs)))
        for run_id in ids:  # each waits on its own event: no polling loop in the harness
            if run_id not in finishes.finished_at:
                await finishes.done.setdefault(run_id, asyncio.Event()).wait()
        elapsed = max(finishes.finished_at[run_id] for run_id in ids) - started
        completed = await Run.filter(id__in=ids, status=RunStatus.COMPLETED.value).count()
        events = await RunEvent.filter(run_id__in=ids).count()
        print(
            f"{name:8s} throughput: {runs} runs x {STEPS} noop steps in {elapsed:.2f}s = "
            f"{runs / elapsed:.0f} runs/s, {runs * STEPS / elapsed:.0f} steps/s "
            f"({completed} COMPLETED, {events} events)"
        )

        stats = await StatementStats.open(url)
        latencies: list[float] = []
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        cpu_started = time.process_time()
        for _ in range(singles):
            t0 = time.perf_counter()
            run = await create_run(
                project=project,
                workflow=workflow,
                version=version,
                options=RunOptions(),
                initiated_by="bench",
            )
            run_id = str(run.id)
            done = finishes.done.setdefault(run_id, asyncio.Event())
            if run_id not in finishes.finished_at:
                await done.wait()
            latencies.append((finishes.finished_at[run_id] - t0) * 1000)
        cpu_per_step = (time.process_time() - cpu_started) * 1000 / (singles * STEPS)
        if profiler is not None:
            profiler.disable()
            report = pstats.Stats(profiler)
            calls = report.total_calls  # type: ignore[attr-defined]
            print(f"{name:8s} Python function calls per step (cProfile, single runs): {calls / (singles * STEPS):.0f}")
            report.sort_stats("tottime").print_stats(profile)
            dump = Path(tempfile.gettempdir()) / f"bench-engine-{name}.prof"
            report.dump_stats(dump)
            print(f"(the whole profile: {dump}, e.g. for `python -m pstats`)")
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"{name:8s} latency of a single {STEPS}-step run ({singles} runs): "
            f"p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms; "
            f"this process's CPU {cpu_per_step:.2f} ms per step"
        )
        if stats is not None:
            await stats.report(name, singles * STEPS)
    finally:
        await engine.stop()
        pubsub.remove_local_listener(finishes)
        await close_db()


async def empty_database(url: str) -> None:
    """Drop every table of a PostgreSQL database named on the command line, so it migrates afresh."""
    if not url.startswith("postgres"):
        return
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


class StatementStats:
    """Statements and commits per step on PostgreSQL, from pg_stat_statements (reset at open)."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.commits_before = 0

    @classmethod
    async def open(cls, url: str) -> StatementStats | None:
        if not url.startswith("postgres"):
            return None
        import asyncpg

        connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            await connection.execute("SELECT pg_stat_statements_reset()")
        except Exception as exc:  # not preloaded (e.g. the throwaway test cluster)
            print(f"(no statement counts: {exc})")
            await connection.close()
            return None
        stats = cls(connection)
        stats.commits_before = await stats.commits()
        return stats

    async def commits(self) -> int:
        """WAL flushes so far (pg_stat_wal, the whole server): each durable commit of a write
        is one (a read-only transaction flushes nothing; with synchronous_commit on, each write
        commit waits for its flush; commits at the same moment may share one)."""
        await self.connection.execute("SELECT pg_stat_clear_snapshot()")
        value = await self.connection.fetchval("SELECT wal_sync FROM pg_stat_wal")
        return int(value)

    async def report(self, name: str, steps: int) -> None:
        # backends report their statistics when idle (at most about a second later)
        await asyncio.sleep(1.5)
        committed = await self.commits() - self.commits_before
        rows = await self.connection.fetch(
            "SELECT query, calls FROM pg_stat_statements WHERE dbid = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC"
        )
        await self.connection.close()
        ignore = ("pg_stat_statements", "CREATE EXTENSION")
        counted = [(row["query"], row["calls"]) for row in rows if not row["query"].startswith(ignore)]
        total = sum(calls for _query, calls in counted)
        transactions = sum(calls for query, calls in counted if query.strip().upper().startswith("BEGIN"))
        print(
            f"{name:8s} per step: {total / steps:.1f} statements, {committed / steps:.2f} WAL flushes "
            f"(durable commits, pg_stat_wal), {transactions / steps:.2f} BEGIN...COMMIT transactions"
        )
        for query, calls in counted[:12]:
            print(f"    {calls / steps:5.2f}/step  {' '.join(query.split())[:110]}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--database-url", help="run against this database instead (emptied first)")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="profile the single runs (cProfile) and print the N functions with the most own time",
    )
    args = parser.parse_args()
    if args.database_url:
        name = "sqlite" if args.database_url.startswith("sqlite") else "postgres"
        await empty_database(args.database_url)
        await bench_backend(name, args.database_url, args.runs, args.singles, args.profile)
        return
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    with tempfile.TemporaryDirectory(prefix="flowdeck-bench-") as root:
        if "sqlite" in backends:
            await bench_backend("sqlite", f"sqlite://{Path(root) / 'bench.db'}", args.runs, args.singles, args.profile)
        if "postgres" in backends:
            if postgres_bin() is None:
                print("postgres: server binaries not installed; skipped")
                return
            server = PostgresServer().start()
            try:
                await bench_backend("postgres", server.create_database("bench"), args.runs, args.singles, args.profile)
            finally:
                server.stop()


if __name__ == "__main__":
    asyncio.run(main())
