"""Bulk jobs at scale and across real processes: a `flowdeck engine` SIGKILLed in the middle
of a job and another finishing it, every run acted on exactly once; 100,000 runs canceled by
one job with the memory of the process flat (JOBS.md "Bulk jobs")."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from app.auth import Principal
from app.engine.bulk_jobs import BulkJobRunner
from app.enums import BulkAction, BulkJobStatus, Role, RunEventType, RunStatus
from app.settings import Settings
from models import BulkJob, Project, Run, RunEvent
from tests.actions.factory import clone_runs, make_project, make_run, make_run_in, task
from tests.engine.test_bulk_jobs import background
from tests.servers import flowdeck_command, spawn

RUNS = 600


def start_engine(settings: Settings, root: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    """A `flowdeck engine` process on the tests' database, with a one-second lease."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLOWDECK_")}
    env.update(
        FLOWDECK_DATABASE_URL=settings.database_url,
        FLOWDECK_ENGINE_LEASE="1",
        FLOWDECK_ENGINE_POLL="0.1",
        FLOWDECK_EXPORT_DIR=str(root / "exports"),
    )
    log = root / f"{name}.log"
    with log.open("wb") as output:
        process = spawn(
            [*flowdeck_command(), "engine"],
            env=env,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return process, log


async def wait_for(condition, what: str, logs: list[Path], timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while True:
        value = await condition()
        if value:
            return value
        if time.monotonic() > deadline:
            output = "\n".join(log.read_text(errors="replace")[-3000:] for log in logs if log.exists())
            raise AssertionError(f"{what}: not within {timeout}s\n{output}")
        await asyncio.sleep(0.05)


async def test_a_job_whose_engine_is_killed_is_finished_by_another_acting_on_each_run_once(db, tmp_path):
    project: Project = await make_project()
    # PAUSED runs: an engine leaves them alone, so every change to them is the job's
    template = await make_run_in(project, RunStatus.PAUSED)
    await clone_runs(template, RUNS - 1)
    operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=project.id)
    job = await background(operator, BulkAction.TERMINATE, filter='status eq "PAUSED"', max_per_second=150.0)

    first, first_log = start_engine(db, tmp_path, "first")
    try:

        async def some_done() -> bool:
            return (await BulkJob.get(id=job.id)).processed >= 60

        await wait_for(some_done, "the first engine never got going", [first_log])
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = (await BulkJob.get(id=job.id)).processed
        assert killed_at < RUNS, "the first engine finished before it was killed"
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)

    second, second_log = start_engine(db, tmp_path, "second")
    try:

        async def finished() -> BulkJob | None:
            current = await BulkJob.get(id=job.id)
            return current if current.status is not BulkJobStatus.RUNNING else None

        done = await wait_for(finished, "the second engine did not finish the job", [first_log, second_log])
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    assert (done.status, done.matched, done.processed, done.succeeded, done.failed) == (
        BulkJobStatus.COMPLETED,
        RUNS,
        RUNS,
        RUNS,
        0,
    )
    # taken over once, from the process that was killed
    assert done.takeovers == 1 and done.claimed_by is None
    assert await Run.filter(status=RunStatus.TERMINATED).count() == RUNS
    terminated = await RunEvent.filter(type=RunEventType.RUN_TERMINATED).values_list("run_id", flat=True)
    assert len(terminated) == RUNS and len(set(terminated)) == RUNS  # each run exactly once


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# every run is a real cancel with its events and counters, a batch of runs per transaction (app/run_batches.py):
# about two minutes on a loaded 2-core box, at least 20 s at 5,000 a second
@pytest.mark.timeout(3600)
async def test_100000_runs_canceled_by_a_background_job_with_flat_memory(postgres_db):
    project = await make_project()
    template = await make_run(project, [task("a")])
    await clone_runs(template, 99_999)
    operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=project.id)
    job = await background(operator, BulkAction.CANCEL, filter='status eq "PENDING"', max_per_second=5000.0)

    gc.collect()
    baseline = peak = rss_bytes()
    runner = BulkJobRunner(name="big")
    work = asyncio.create_task(runner.run_due())
    while not work.done():
        peak = max(peak, rss_bytes())
        await asyncio.wait({work}, timeout=0.2)
    assert await work == 1

    done = await BulkJob.get(id=job.id)
    assert (done.status, done.matched, done.processed, done.succeeded, done.failed) == (
        BulkJobStatus.COMPLETED,
        100_000,
        100_000,
        100_000,
        0,
    )
    assert await Run.filter(status=RunStatus.CANCELED).count() == 100_000
    # 100,000 Run rows held at once take well over 150 MB in this process; the job holds a batch
    growth = peak - baseline
    assert growth < 60_000_000, f"RSS grew by {growth:,} bytes"
