"""Bulk jobs run by the engines' runner (JOBS.md "Bulk jobs"), without GraphQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid

import pytest

from app.actions import bulk, bulk_jobs
from app.auth import Principal
from app.engine import bulk_jobs as runner_module
from app.engine.bulk_jobs import BulkJobRunner, purge_bulk_jobs
from app.enums import BulkAction, BulkJobStatus, ErrorCode, Role, RunEventType, RunStatus, TriggerSource
from app.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.ids import to_global_id
from app.lifecycle import utcnow
from models import BulkJob, BulkTarget, Run, RunEvent
from tests.actions.factory import clone_runs, make_project, make_run, make_run_in, task

PENDING_FILTER = 'status eq "PENDING"'


def principal(project, role: Role = Role.OPERATOR, name: str = "ops") -> Principal:
    # no key row behind it (a job keeps its key's id only while the key exists)
    return Principal(key_id=None, name=name, role=role, project_id=uuid.UUID(str(project.id)))


async def pending_runs(project, count: int) -> Run:
    """`count` PENDING runs of one workflow (copies of one real run, which is among them)."""
    template = await make_run(project, [task("a")])
    await clone_runs(template, count - 1)
    return template


async def background(who, action: BulkAction = BulkAction.CANCEL, **options) -> BulkJob:
    values = {"ids": None, "filter": PENDING_FILTER, "where": None, "reason": "cleanup", "dry_run": False}
    values.update(options)
    result = await bulk.bulk_run_action(who, action=action, background=True, **values)
    assert result.job is not None and (result.matched, result.succeeded) == (0, 0)
    return result.job


def gid(job: BulkJob) -> str:
    return to_global_id("BulkJob", job.id)


async def events_per_run(event_type: RunEventType) -> dict[str, int]:
    counts: dict[str, int] = {}
    for run_id in await RunEvent.filter(type=event_type).values_list("run_id", flat=True):
        counts[str(run_id)] = counts.get(str(run_id), 0) + 1
    return counts


async def test_a_background_cancel_freezes_its_target_then_acts_on_each_run_once(db):
    project = await make_project()
    await pending_runs(project, 30)
    operator = principal(project)
    job = await background(operator)

    # recorded PENDING, its target not resolved yet
    stored = await BulkJob.get(id=job.id)
    assert (bulk_jobs.shown_status(stored), stored.matched, stored.initiated_by) == (
        BulkJobStatus.PENDING,
        0,
        "apikey:ops",
    )
    assert stored.max_per_second == 500.0
    # a run created before the runner freezes the target is part of it
    await make_run(project, [task("a")])

    assert await BulkJobRunner(name="t").run_due() == 1
    done = await BulkJob.get(id=job.id)
    assert (done.status, done.matched, done.processed, done.succeeded, done.failed) == (
        BulkJobStatus.COMPLETED,
        31,
        31,
        31,
        0,
    )
    assert bulk_jobs.job_progress(done) == 1.0
    assert done.started_at is not None and done.finished_at is not None and done.claimed_by is None
    assert await Run.filter(status=RunStatus.CANCELED).count() == 31
    canceled = await events_per_run(RunEventType.RUN_CANCELED)
    assert len(canceled) == 31 and set(canceled.values()) == {1}
    event = await RunEvent.filter(type=RunEventType.RUN_CANCEL_REQUESTED).first()
    assert (event.actor, event.reason) == ("apikey:ops", "cleanup")
    assert await BulkTarget.all().count() == 0  # a finished job's target is dropped


async def test_runs_that_moved_on_are_failures_and_a_retry_job_tags_its_runs(db, monkeypatch):
    project = await make_project()
    failed = [await make_run_in(project, RunStatus.FAILED) for _ in range(3)]
    job = await background(principal(project), BulkAction.RETRY, filter='status eq "FAILED"')
    runner = BulkJobRunner(name="t")
    # one of them moves on once the target is frozen: the job meets it as a failure
    real_freeze = runner_module.freeze_target

    async def freeze_then_retry_one(*args, **options):
        frozen = await real_freeze(*args, **options)
        await Run.filter(id=failed[0].id).update(status=RunStatus.COMPLETED)
        return frozen

    monkeypatch.setattr(runner_module, "freeze_target", freeze_then_retry_one)
    await runner.run_due()

    done = await BulkJob.get(id=job.id)
    assert (done.status, done.matched, done.succeeded, done.failed) == (BulkJobStatus.COMPLETED, 3, 2, 1)
    assert done.failures == [
        {"run_id": str(failed[0].id), "code": "INVALID_TRANSITION", "message": "cannot retry a run that is COMPLETED"}
    ]
    retries = await Run.filter(triggered_by=TriggerSource.RETRY)
    assert {run.batch_id for run in retries} == {gid(job)}
    assert sorted(str(run.retry_of_id) for run in retries) == sorted(str(run.id) for run in failed[1:])


async def test_more_than_1000_matched_runs_become_a_job_and_1000_do_not(db):
    project = await make_project()
    operator = principal(project)
    template = await pending_runs(project, 1000)
    dry = await bulk.bulk_run_action(
        operator, action=BulkAction.PAUSE, ids=None, filter=PENDING_FILTER, where=None, reason=None, dry_run=True
    )
    assert (dry.matched, dry.job) == (1000, None)
    await clone_runs(template, 1)
    result = await bulk.bulk_run_action(
        operator, action=BulkAction.CANCEL, ids=None, filter=PENDING_FILTER, where=None, reason=None, dry_run=False
    )
    assert result.job is not None and result.matched == 0
    assert await Run.filter(status=RunStatus.PENDING).count() == 1001  # nothing done in the request


async def test_relative_times_are_measured_from_the_jobs_creation(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING)
    job = await background(principal(project), BulkAction.PAUSE, filter="duration lt 1200")
    # the job was created an hour ago; the run had been running for 15 minutes then
    now = utcnow()
    await BulkJob.filter(id=job.id).update(created_at=now - dt.timedelta(hours=1))
    await Run.filter(id=run.id).update(started_at=now - dt.timedelta(minutes=75))
    await BulkJobRunner(name="t").run_due()
    done = await BulkJob.get(id=job.id)
    assert (done.matched, done.succeeded) == (1, 1)
    assert (await Run.get(id=run.id)).status is RunStatus.PAUSED


async def test_max_per_second_holds_the_pace(db):
    project = await make_project()
    await pending_runs(project, 21)
    job = await background(principal(project), max_per_second=20.0)
    started = time.monotonic()
    await BulkJobRunner(name="t").run_due()
    elapsed = time.monotonic() - started
    assert (await BulkJob.get(id=job.id)).succeeded == 21
    # 21 runs at 20 a second: the last starts no sooner than 20 intervals after the first
    assert elapsed >= 1.0, elapsed


@pytest.mark.parametrize("value", [0.0, -1.0, 5000.5, float("inf")])
async def test_max_per_second_out_of_range_is_a_validation_error(db, value):
    project = await make_project()
    await pending_runs(project, 2)
    with pytest.raises(ValidationFailed) as caught:
        await background(principal(project), max_per_second=value)
    assert caught.value.field == ("input", "maxPerSecond")
    assert "at most 5,000" in caught.value.message
    assert await BulkJob.all().count() == 0


async def test_cancel_stops_the_job_after_the_run_in_hand(db):
    project = await make_project()
    await pending_runs(project, 200)
    operator = principal(project, name="canceler")
    job = await background(operator, max_per_second=20.0)
    # one run in hand at a time (PostgreSQL's default is several at once, each stopping the same way)
    runner = BulkJobRunner(name="t", poll_seconds=0.05, parallel=1)
    await runner.start()
    try:
        deadline = time.monotonic() + 30
        while (await BulkJob.get(id=job.id)).processed < 3:
            assert time.monotonic() < deadline, "the job never got going"
            await asyncio.sleep(0.02)
        canceled = await bulk_jobs.cancel_bulk_job(operator, gid(job))
        while (await BulkJob.get(id=job.id)).status is BulkJobStatus.RUNNING:
            assert time.monotonic() < deadline, "the job did not stop"
            await asyncio.sleep(0.02)
    finally:
        await runner.stop()
    done = await BulkJob.get(id=job.id)
    assert (done.status, done.canceled_by) == (BulkJobStatus.CANCELED, "apikey:canceler")
    assert canceled.processed <= done.processed <= canceled.processed + 1
    assert await Run.filter(status=RunStatus.CANCELED).count() == done.processed < 200
    with pytest.raises(InvalidTransition, match="cannot cancel a bulk job that is CANCELED"):
        await bulk_jobs.cancel_bulk_job(operator, gid(job))


async def test_a_pending_job_is_canceled_at_once(db):
    project = await make_project()
    await pending_runs(project, 2)
    operator = principal(project)
    job = await background(operator)
    canceled = await bulk_jobs.cancel_bulk_job(operator, gid(job))
    assert (canceled.status, canceled.canceled_by, canceled.processed) == (BulkJobStatus.CANCELED, "apikey:ops", 0)
    assert await BulkJobRunner(name="t").run_due() == 0
    assert await Run.filter(status=RunStatus.PENDING).count() == 2


async def test_at_most_two_jobs_of_a_project_run_at_once(db):
    acme, globex = await make_project("acme"), await make_project("globex")
    await pending_runs(acme, 2)
    await pending_runs(globex, 2)
    first, second, third = [await background(principal(acme), BulkAction.PAUSE) for _ in range(3)]
    other = await background(principal(globex), BulkAction.PAUSE)
    runner = BulkJobRunner(name="t", concurrency=10)
    claimed = await runner.claim_due()
    assert {job.id for job in claimed} == {first.id, second.id, other.id}
    assert (await BulkJob.get(id=third.id)).status is BulkJobStatus.PENDING
    # once one ends, the third may start
    await runner.leases.finish(claimed[0], BulkJobStatus.COMPLETED)
    assert [job.id for job in await BulkJobRunner(name="u").claim_due()] == [third.id]


async def test_an_idempotency_key_returns_the_job_it_created(db):
    acme, globex = await make_project("acme"), await make_project("globex")
    await pending_runs(acme, 2)
    first = await background(principal(acme), idempotency_key="nightly-1")
    again = await background(principal(acme), BulkAction.PAUSE, idempotency_key="nightly-1")
    elsewhere = await background(principal(globex), idempotency_key="nightly-1")
    assert again.id == first.id and again.action is BulkAction.CANCEL
    assert elsewhere.id != first.id
    assert await BulkJob.all().count() == 2


async def test_roles_and_projects(db):
    acme, globex = await make_project("acme"), await make_project("globex")
    await pending_runs(acme, 2)
    viewer, operator, admin = (principal(acme, role) for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN))
    with pytest.raises(Forbidden):
        await background(viewer)
    with pytest.raises(Forbidden):
        await background(operator, BulkAction.RESTART)
    restart = await background(admin, BulkAction.RESTART, filter='status eq "CANCELED"')
    with pytest.raises(Forbidden) as caught:
        await bulk_jobs.cancel_bulk_job(operator, gid(restart))
    assert caught.value.code is ErrorCode.FORBIDDEN and "ADMIN" in caught.value.message
    assert (await bulk_jobs.cancel_bulk_job(admin, gid(restart))).status is BulkJobStatus.CANCELED
    job = await background(operator)
    assert (await bulk_jobs.get_bulk_job(viewer, gid(job))).id == job.id
    stranger = principal(globex, Role.ADMIN)
    for call in (bulk_jobs.get_bulk_job, bulk_jobs.cancel_bulk_job):
        with pytest.raises(NotFound):
            await call(stranger, gid(job))
    assert (await bulk_jobs.list_bulk_jobs(stranger)).items == []
    page = await bulk_jobs.list_bulk_jobs(viewer)
    assert [item.id for item in page.items] == [job.id, restart.id]  # newest first
    only_canceled = await bulk_jobs.list_bulk_jobs(viewer, statuses=[BulkJobStatus.CANCELED])
    assert [item.id for item in only_canceled.items] == [restart.id]


async def test_a_target_over_the_cap_fails_the_job(db, monkeypatch):
    project = await make_project()
    await pending_runs(project, 6)
    monkeypatch.setattr(runner_module, "MAX_TARGET", 5)
    job = await background(principal(project))
    await BulkJobRunner(name="t").run_due()
    done = await BulkJob.get(id=job.id)
    assert (done.status, done.error) == (
        BulkJobStatus.FAILED,
        "the target has more than 5 runs; narrow the filter and try again",
    )
    assert await Run.filter(status=RunStatus.PENDING).count() == 6
    assert await BulkTarget.all().count() == 0


async def test_a_target_that_cannot_be_resolved_fails_after_three_tries(db, monkeypatch):
    project = await make_project()
    await pending_runs(project, 2)
    job = await background(principal(project))

    async def broken(*args, **options):
        raise ConnectionError("database went away")

    monkeypatch.setattr(runner_module, "freeze_target", broken)
    runner = BulkJobRunner(name="t")
    statuses = []
    for _ in range(3):
        assert await runner.run_due() == 1
        statuses.append((await BulkJob.get(id=job.id)).status)
    assert statuses == [BulkJobStatus.RUNNING, BulkJobStatus.RUNNING, BulkJobStatus.FAILED]
    done = await BulkJob.get(id=job.id)
    assert done.error == (
        "the target could not be resolved after 3 tries (ConnectionError; the server log has the details)"
    )
    assert done.takeovers == 0  # handed back between tries, not abandoned
    assert await runner.run_due() == 0


async def test_a_job_whose_process_dies_every_time_is_given_up(db):
    project = await make_project()
    await pending_runs(project, 2)
    job = await background(principal(project))
    for index in range(4):
        # claimed, then never renewed: its process "died"
        [claimed] = await BulkJobRunner(name=f"dies-{index}", lease_seconds=0).claim_due()
        assert claimed.id == job.id
    assert await BulkJobRunner(name="next").run_due() == 0
    done = await BulkJob.get(id=job.id)
    assert (done.status, done.takeovers) == (BulkJobStatus.FAILED, 3)
    assert done.error == (
        "given up after 3 takeovers: the process working on this bulk job stopped each time (see the server logs)"
    )


async def test_finished_jobs_are_kept_30_days(db):
    project = await make_project()
    await pending_runs(project, 1)
    old, recent, running = [await background(principal(project)) for _ in range(3)]
    now = utcnow()
    await BulkJob.filter(id=old.id).update(status=BulkJobStatus.COMPLETED, finished_at=now - dt.timedelta(days=31))
    await BulkJob.filter(id=recent.id).update(status=BulkJobStatus.FAILED, finished_at=now - dt.timedelta(days=29))
    # a synchronous action's snapshot left by a process that died two hours ago, and a live one
    stale = uuid.UUID(fields=(0, 0, 0x1000, 0x80, 0, 1))  # a uuid1 of 1582
    await BulkTarget.create(snapshot_id=stale, run_id=uuid.uuid4())
    live = uuid.uuid1()
    await BulkTarget.create(snapshot_id=live, run_id=uuid.uuid4())
    assert await purge_bulk_jobs(now) == 1
    assert {job.id for job in await BulkJob.all()} == {recent.id, running.id}
    assert [uuid.UUID(str(s)) for s in await BulkTarget.all().values_list("snapshot_id", flat=True)] == [live]


async def test_stop_lets_a_poll_under_way_finish_its_statement(db):
    """A runner stopped while its poll is in the middle of a statement lets that statement end
    (cancelled mid-query, asyncpg would cancel it on a connection of its own and keep the pooled
    connection checked out until the server answered: closing the pool then waited 10 s)."""
    polling = asyncio.Event()
    outcomes: list[str] = []

    class SlowPoll(BulkJobRunner):
        async def claim_due(self) -> list[BulkJob]:
            polling.set()
            try:
                await asyncio.sleep(0.2)  # stands for a statement under way
            except asyncio.CancelledError:
                outcomes.append("cancelled")
                raise
            outcomes.append("ended")
            return []

    runner = SlowPoll(name="t", poll_seconds=0.05)
    await runner.start()
    await polling.wait()
    await runner.stop()
    assert outcomes == ["ended"]
