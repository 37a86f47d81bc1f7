"""The export runner on its own: taking over abandoned jobs, never racing a live owner, waking at once."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
import uuid

import pytest

from app.actions.exports import export_file
from app.auth import Principal
from app.enums import ExportFormat, ExportStatus, Role
from app.errors import NotFound
from app.exporter import ExportRunner
from app.exporter.runner import delete_expired_files
from app.ids import expect_global_id, to_global_id
from app.lifecycle import utcnow
from app.settings import ConfigError, load_settings
from models import ExportJob, Project, Run
from tests.exports.test_export_runs import EXPORT, csv_ids, file_of, gid, workflow_of
from tests.queries.factory import at, make_run, new_run


async def abandoned_job(project: Project, *, lease_left: float) -> ExportJob:
    """A job as a runner leaves it RUNNING, its lease `lease_left` seconds from now (negative: ran out)."""
    return await ExportJob.create(
        id=uuid.uuid4(),
        project=project,
        created_by="apikey:acme-operator",
        status=ExportStatus.RUNNING,
        format=ExportFormat.CSV,
        row_count=500,
        progress=0.4,
        claimed_by="exporter:dead-host:4242:abcdef",
        lease_expires_at=utcnow() + dt.timedelta(seconds=lease_left),
    )


async def test_a_job_whose_runner_died_is_written_again_by_another(acme, runner):
    project = await Project.get(key="acme")
    workflow = await workflow_of("acme")
    first = await make_run(project, workflow, created_at=at(1))
    second = await make_run(project, workflow, created_at=at(2))
    dead = await abandoned_job(project, lease_left=-1)
    alive = await abandoned_job(project, lease_left=3600)

    assert await runner.run_due() == 1
    done = await ExportJob.get(id=dead.id)
    assert (done.status, done.row_count, done.progress, done.claimed_by) == (ExportStatus.COMPLETED, 2, 1.0, None)
    assert csv_ids(await file_of(gid_of(done))) == [gid(second), gid(first)]
    # a job whose owner still renews its lease is left alone
    untouched = await ExportJob.get(id=alive.id)
    assert (untouched.status, untouched.claimed_by) == (ExportStatus.RUNNING, "exporter:dead-host:4242:abcdef")


async def test_a_runner_that_lost_its_job_stops_without_touching_it(acme, db):
    project = await Project.get(key="acme")
    await make_run(project, await workflow_of("acme"))
    payload = (await acme.operator.data(EXPORT, {"input": {}}))["exportRuns"]
    stalled = ExportRunner(db, name="stalled", lease_seconds=0)
    successor = ExportRunner(db, name="successor")

    [claimed] = await stalled.claim_due()
    # the stalled runner's lease has run out: the successor takes the job over
    [taken] = await successor.claim_due()
    assert taken.id == claimed.id
    await stalled.write(claimed)
    job = await ExportJob.get(id=claimed.id)
    assert (job.status, job.claimed_by, job.path) == (ExportStatus.RUNNING, "exporter:successor", None)

    await successor.write(taken)
    job = await ExportJob.get(id=claimed.id)
    assert (job.status, job.row_count) == (ExportStatus.COMPLETED, 1)
    assert len(csv_ids(await file_of(payload["job"]["id"]))) == 1
    assert sorted(path.name for path in db.export_dir.iterdir()) == [f"{job.id}.csv"]


async def test_a_started_runner_writes_a_new_job_without_waiting_for_its_poll(acme, db):
    await make_run(await Project.get(key="acme"), await workflow_of("acme"))
    # polls so rare that only the wake-up on the new job can start it within the test
    runner = ExportRunner(db, name="awake", poll_seconds=3600, lease_seconds=3600)
    await runner.start()
    try:
        job_id = (await acme.operator.data(EXPORT, {"input": {"format": "JSONL"}}))["exportRuns"]["job"]["id"]
        deadline = time.monotonic() + 20
        while (job := await ExportJob.get(id=raw(job_id))).status is not ExportStatus.COMPLETED:
            assert time.monotonic() < deadline, f"still {job.status}"
            await asyncio.sleep(0.02)
    finally:
        await runner.stop()
    assert job.row_count == 1 and job.path is not None and job.path.endswith(".jsonl")


def raw(global_id: str) -> uuid.UUID:
    return expect_global_id(global_id, "ExportJob")


def gid_of(job: ExportJob) -> str:
    return to_global_id("ExportJob", job.id)


async def test_a_stopped_runner_hands_its_job_over_at_once(acme, db):
    project = await Project.get(key="acme")
    workflow = await workflow_of("acme")
    await Run.bulk_create([new_run(project, workflow, created_at=at(i)) for i in range(1000)], batch_size=500)
    # one run per chunk: slow enough to be stopped in the middle
    stopping = ExportRunner(db, name="stopping", chunk_size=1, lease_seconds=3600)
    await stopping.start()
    try:
        job_id = raw((await acme.operator.data(EXPORT, {"input": {}}))["exportRuns"]["job"]["id"])
        deadline = time.monotonic() + 20
        while (await ExportJob.get(id=job_id)).row_count == 0:
            assert time.monotonic() < deadline, "the runner never started writing"
            await asyncio.sleep(0.01)
    finally:
        await stopping.stop()

    job = await ExportJob.get(id=job_id)
    assert job.status is ExportStatus.RUNNING and 0 < job.row_count < 1000
    assert job.lease_expires_at is not None and job.lease_expires_at <= utcnow()
    assert list(db.export_dir.iterdir()) == []  # its part file is gone
    # the next runner need not wait out the hour-long lease
    assert await ExportRunner(db, name="next").run_due() == 1
    finished = await ExportJob.get(id=job_id)
    assert (finished.status, finished.row_count) == (ExportStatus.COMPLETED, 1000)
    # a clean hand-over is not a takeover: it does not count towards giving the job up
    assert finished.takeovers == 0


async def test_a_job_whose_process_dies_every_time_is_given_up_after_three_takeovers(acme, db):
    project = await Project.get(key="acme")
    await make_run(project, await workflow_of("acme"))
    job_id = raw((await acme.operator.data(EXPORT, {"input": {}}))["exportRuns"]["job"]["id"])
    # each runner claims the job and "dies" at once: a lease of 0 seconds is never renewed
    owners = []
    for index in range(4):
        [claimed] = await ExportRunner(db, name=f"dies-{index}", lease_seconds=0).claim_due()
        owners.append((claimed.claimed_by, (await ExportJob.get(id=job_id)).takeovers))
    assert owners == [("exporter:dies-0", 0), ("exporter:dies-1", 1), ("exporter:dies-2", 2), ("exporter:dies-3", 3)]

    # the fourth death: nobody takes it again, it ends FAILED with the reason
    assert await ExportRunner(db, name="fifth").run_due() == 0
    job = await ExportJob.get(id=job_id)
    assert job.status is ExportStatus.FAILED
    assert job.error == (
        "given up after 3 takeovers: the process working on this export stopped each time (see the server logs)"
    )
    assert (job.claimed_by, job.lease_expires_at) == (None, None) and job.finished_at is not None
    read = "query ($id: ID!) { exportJob(id: $id) { status error url } }"
    payload = await acme.viewer.data(read, {"id": gid_of(job)})
    assert payload["exportJob"] == {"status": "FAILED", "error": job.error, "url": None}


async def test_files_are_deleted_after_the_retention_and_their_jobs_say_so(acme, db):
    project = await Project.get(key="acme")
    await make_run(project, await workflow_of("acme"))
    job_id = raw((await acme.operator.data(EXPORT, {"input": {}}))["exportRuns"]["job"]["id"])
    runner = ExportRunner(dataclasses.replace(db, export_retention_hours=2), name="tests")
    assert await runner.run_due() == 1
    job = await ExportJob.get(id=job_id)
    assert job.expires_at is not None and job.finished_at is not None
    assert job.expires_at - job.finished_at == dt.timedelta(hours=2)
    principal = Principal(key_id=None, name="acme-viewer", role=Role.VIEWER, project_id=uuid.UUID(str(project.id)))
    _, path = await export_file(principal, gid_of(job))
    assert path.is_file()

    # an hour later the file is still there; past the retention it is gone
    assert await delete_expired_files(job.finished_at + dt.timedelta(hours=1)) == 0
    assert path.is_file()
    assert await delete_expired_files(job.finished_at + dt.timedelta(hours=2, seconds=1)) == 1
    assert not path.exists()
    expired = await ExportJob.get(id=job_id)
    assert (expired.status, expired.path, expired.expires_at) == (ExportStatus.COMPLETED, None, job.expires_at)
    with pytest.raises(NotFound, match="it was deleted after the retention period"):
        await export_file(principal, gid_of(job))
    assert await delete_expired_files(job.finished_at + dt.timedelta(days=1)) == 0


def test_the_retention_is_read_from_the_environment():
    assert load_settings({}).export_retention_hours == 24
    assert load_settings({"FLOWDECK_EXPORT_RETENTION_HOURS": "6"}).export_retention_hours == 6
    with pytest.raises(ConfigError, match="FLOWDECK_EXPORT_RETENTION_HOURS: must be at least 1, got 0"):
        load_settings({"FLOWDECK_EXPORT_RETENTION_HOURS": "0"})
