"""Bulk job benchmark: a background CANCEL (or TERMINATE) of N PENDING runs, one run per
transaction (the per-run path) beside many per transaction (the batched path), in one invocation.

    .venv/bin/python bench/bulk_cancel.py [--runs 20000] [--paths per-run,batched] [--action CANCEL]
                                          [--max-per-second 5000] [--steps 1]

Each path gets a fresh database on one throwaway PostgreSQL cluster (as the tests use: fsync
off), N runs of one workflow (each with `--steps` PENDING steps), and a job canceling them run
by a BulkJobRunner in this process (as an engine runs it). Printed per path: the job's wall
time, this process's CPU time per run (the engine's side: Python), the PostgreSQL backends' CPU
time per run, events written per run, and the figures of the job. The job is paced at
`--max-per-second` (JOBS.md's cap is 5,000), so the wall time is at least N / that.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tortoise import Tortoise

from app import pubsub
from app.actions.bulk import bulk_run_action
from app.auth import Principal
from app.db import close_db, init_db, migrate_db
from app.engine.bulk_jobs import BulkJobRunner
from app.enums import BulkAction, Role
from app.settings import Settings, set_settings
from models import BulkJob, Run, RunEvent, StepRun
from tests.actions.factory import clone_runs, make_project, make_run, task
from tests.servers import PostgresServer, postgres_bin

TICKS = os.sysconf("SC_CLK_TCK")


def postgres_cpu(server: PostgresServer) -> float:
    """CPU seconds (user + system) of the cluster's live backends (the postmaster's children)."""
    postmaster = int((server.root / "data" / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


async def make_runs(count: int, steps: int) -> None:
    """`count` PENDING runs, each with `steps` PENDING steps (copies of one real run)."""
    project = await make_project()
    template = await make_run(project, [task(f"s{index}") for index in range(steps)])
    await clone_runs(template, count - 1)
    if steps:
        columns = [name for name in StepRun._meta.db_fields if name not in ("id", "run_id")]
        copied = ", ".join(f"s.{name}" for name in columns)
        await Tortoise.get_connection("default").execute_query(
            f"INSERT INTO step_runs (id, run_id, {', '.join(columns)}) SELECT gen_random_uuid(), r.id, {copied} "
            "FROM runs r, step_runs s WHERE s.run_id = $1 AND r.id <> $1",
            [str(template.id)],
        )
    return None


async def bench_path(server: PostgresServer, path: str, args: argparse.Namespace) -> dict[str, float]:
    url = server.create_database(f"bulk_{path.replace('-', '_')}_{uuid.uuid4().hex[:6]}")
    settings = Settings(database_url=url, log_level="warning")
    set_settings(settings)
    await migrate_db(settings)
    await init_db(settings)
    pubsub.set_broadcast(None)
    try:
        await make_runs(args.runs, args.steps)
        project_id = (await Run.first()).project_id  # type: ignore[union-attr]
        operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=uuid.UUID(str(project_id)))
        events_before = await RunEvent.all().count()
        result = await bulk_run_action(
            operator,
            action=BulkAction(args.action),
            ids=None,
            filter='status eq "PENDING"',
            where=None,
            reason="bench",
            dry_run=False,
            background=True,
            max_per_second=args.max_per_second,
        )
        assert result.job is not None
        runner = BulkJobRunner(name=path, batched=path == "batched")
        pg_before, cpu_before, wall_before = postgres_cpu(server), time.process_time(), time.perf_counter()
        assert await runner.run_due() == 1
        wall = time.perf_counter() - wall_before
        cpu = time.process_time() - cpu_before
        pg = postgres_cpu(server) - pg_before
        job = await BulkJob.get(id=result.job.id)
        events = await RunEvent.all().count() - events_before
    finally:
        await close_db()
    figures = {
        "wall_s": wall,
        "python_cpu_us_per_run": cpu / args.runs * 1e6,
        "postgres_cpu_us_per_run": pg / args.runs * 1e6,
        "events_per_run": events / args.runs,
    }
    print(
        f"{path:>8}: {args.runs:,} runs {args.action} in {wall:6.1f} s wall; CPU per run: "
        f"{figures['python_cpu_us_per_run']:6.0f} us in this process, {figures['postgres_cpu_us_per_run']:5.0f} us "
        f"in PostgreSQL; {figures['events_per_run']:.2f} events per run; job {job.status.value} "
        f"matched {job.matched:,} processed {job.processed:,} succeeded {job.succeeded:,} failed {job.failed:,}",
        flush=True,
    )
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=1, help="PENDING steps per run (0: run rows only)")
    parser.add_argument("--paths", default="per-run,batched")
    parser.add_argument("--action", default="CANCEL", choices=["CANCEL", "TERMINATE"])
    parser.add_argument("--max-per-second", type=float, default=5000.0)
    args = parser.parse_args()
    if postgres_bin() is None:
        raise SystemExit("PostgreSQL server binaries are not installed")
    print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    server = PostgresServer().start()
    try:
        results = {path: await bench_path(server, path, args) for path in args.paths.split(",")}
    finally:
        server.stop()
    if {"per-run", "batched"} <= results.keys():
        before, after = results["per-run"], results["batched"]
        print(
            "batched / per-run: wall {:.2f}x, CPU per run in this process {:.2f}x, in PostgreSQL {:.2f}x".format(
                after["wall_s"] / before["wall_s"],
                after["python_cpu_us_per_run"] / before["python_cpu_us_per_run"],
                after["postgres_cpu_us_per_run"] / before["postgres_cpu_us_per_run"],
            )
        )
    print(f"load average at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
