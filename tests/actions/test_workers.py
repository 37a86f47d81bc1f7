from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from app.actions import workers
from app.actions.step_control import force_complete_step
from app.actions.workers import claim_steps, complete_step, fail_step, heartbeat_step
from app.enums import Priority, Role, RunStatus, StepStatus, StepType, Visibility
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.lifecycle import utcnow
from models import RunEvent, StepRun
from tests.actions.factory import (
    SUPERADMIN,
    all_seqs,
    events_after,
    gid,
    last_seq,
    make_project,
    make_run_in,
    principal,
    put_run,
    put_step,
    reload,
    retry,
    step,
    step_gid,
    step_of,
    task,
)


async def billing_run(project, **options):
    """A RUNNING run whose `charge` step (queue billing) is QUEUED, after `fetch` completed."""
    steps = options.pop("steps", None) or [
        task("fetch"),
        task(
            "charge", "fetch", queue="billing", config={"currency": "EUR"}, retry=options.pop("retry", None)
        ),
    ]
    run = await make_run_in(project, RunStatus.RUNNING, steps, input={"order": 7}, **options)
    await put_step(run, "fetch", StepStatus.COMPLETED, output={"total": 12})
    await put_step(run, "charge", StepStatus.QUEUED)
    return run


async def test_claim_starts_the_step_for_the_worker_with_its_input(db):
    project = await make_project()
    run = await billing_run(project)
    before = await last_seq(run)

    [claimed] = await claim_steps(
        principal(project, name="w"), "billing", "worker-1", limit=5, lease_seconds=30
    )

    assert claimed.ref == "charge" and claimed.status is StepStatus.RUNNING
    stored = await step_of(run, "charge")
    assert (stored.status, stored.worker_id, stored.attempt) == (StepStatus.RUNNING, "worker-1", 1)
    assert stored.job_run_id and stored.job_run_id == claimed.job_run_id
    remaining = stored.lease_expires_at - utcnow()
    assert dt.timedelta(seconds=25) < remaining <= dt.timedelta(seconds=30)
    assert stored.input == {
        "input": {"order": 7},
        "steps": {"fetch": {"total": 12}},
        "config": {"currency": "EUR"},
    }
    assert await events_after(run, before) == [(before + 1, "STEP_STARTED", "charge")]
    started = await RunEvent.get(run_id=run.id, seq=before + 1)
    assert (started.attempt, started.actor) == (1, "apikey:w")
    assert started.data == {"workerId": "worker-1", "jobRunId": stored.job_run_id}
    # nothing left to claim
    assert await claim_steps(principal(project), "billing", "worker-2") == []


async def test_claim_takes_only_what_is_due_in_running_runs_of_its_queue_and_project(db):
    project = await make_project()
    elsewhere = await make_project("elsewhere")
    paused = await billing_run(project)
    await put_run(paused, RunStatus.PAUSED)
    other_queue = await billing_run(project, steps=[task("fetch"), task("charge", "fetch", queue="mail")])
    ready = await billing_run(project)
    foreign = await billing_run(elsewhere)
    private = await billing_run(project, visibility=Visibility.PRIVATE, initiated_by="apikey:carol")

    claimed = await claim_steps(principal(project), "billing", "w1", limit=10)

    # the PRIVATE run is in the worker's project: a queue serves the whole project
    assert sorted(str(s.run_id) for s in claimed) == sorted([str(ready.id), str(private.id)])
    assert (await step_of(paused, "charge")).status is StepStatus.QUEUED
    assert (await step_of(other_queue, "charge")).status is StepStatus.QUEUED
    assert (await step_of(foreign, "charge")).status is StepStatus.QUEUED
    [from_elsewhere] = await claim_steps(SUPERADMIN, "billing", "w2", limit=10)
    assert str(from_elsewhere.run_id) == str(foreign.id)


async def test_claim_respects_max_parallel_steps_and_priority(db):
    project = await make_project()
    steps = [task(f"t{i}", queue="q") for i in range(4)]
    low = await make_run_in(project, RunStatus.RUNNING, steps, max_parallel_steps=2, priority=Priority.LOW)
    high = await make_run_in(project, RunStatus.RUNNING, steps, max_parallel_steps=2, priority=Priority.HIGH)
    for run in (low, high):
        for i in range(4):
            await put_step(run, f"t{i}", StepStatus.QUEUED)

    first = await claim_steps(principal(project), "q", "w", limit=3)

    assert [(str(s.run_id), s.ref) for s in first] == [
        (str(high.id), "t0"),
        (str(high.id), "t1"),
        (str(low.id), "t0"),
    ]
    second = await claim_steps(principal(project), "q", "w", limit=10)
    assert [(str(s.run_id), s.ref) for s in second] == [(str(low.id), "t1")]
    assert await StepRun.filter(status=StepStatus.RUNNING).count() == 4


@pytest.mark.parametrize(
    ("limit", "lease", "field"),
    [(0, 60, "limit"), (101, 60, "limit"), (1, 0, "leaseSeconds")],
)
async def test_claim_input_is_validated(db, limit, lease, field):
    project = await make_project()
    with pytest.raises(ValidationFailed) as caught:
        await claim_steps(principal(project), "billing", "w", limit=limit, lease_seconds=lease)
    assert caught.value.field == ("input", field)


async def test_worker_actions_need_operator(db):
    project = await make_project()
    run = await billing_run(project)
    viewer = principal(project, Role.VIEWER)
    with pytest.raises(Forbidden, match="claimSteps needs role OPERATOR"):
        await claim_steps(viewer, "billing", "w")
    charge = await step_of(run, "charge")
    with pytest.raises(Forbidden, match="completeStep"):
        await complete_step(viewer, step_gid(charge), "w", {})
    with pytest.raises(Forbidden, match="failStep"):
        await fail_step(viewer, step_gid(charge), "w", "x")
    with pytest.raises(Forbidden, match="heartbeatStep"):
        await heartbeat_step(viewer, step_gid(charge), "w")


async def test_heartbeat_extends_the_lease_of_the_holder_only(db):
    project = await make_project()
    run = await billing_run(project)
    [claimed] = await claim_steps(principal(project), "billing", "w1", lease_seconds=5)

    extended, _ = await heartbeat_step(principal(project), step_gid(claimed), "w1", lease_seconds=300)
    assert extended.lease_expires_at - utcnow() > dt.timedelta(seconds=250)

    with pytest.raises(Conflict, match="held by another worker"):
        await heartbeat_step(principal(project), step_gid(claimed), "w2", lease_seconds=300)
    await force_complete_step(principal(project), gid(run), "charge", {"manual": True}, None)
    with pytest.raises(Conflict, match="it is COMPLETED"):
        await heartbeat_step(principal(project), step_gid(claimed), "w1")


async def test_a_lost_lease_is_a_conflict(db):
    project = await make_project()
    await billing_run(project)
    [claimed] = await claim_steps(principal(project), "billing", "w1", lease_seconds=1)
    # the lease runs out (moved back rather than waited for)
    await StepRun.filter(id=claimed.id).update(lease_expires_at=utcnow() - dt.timedelta(seconds=1))
    for attempt in (
        heartbeat_step(principal(project), step_gid(claimed), "w1"),
        complete_step(principal(project), step_gid(claimed), "w1", {}),
    ):
        with pytest.raises(Conflict, match=r"lease .* has expired"):
            await attempt
    assert (await StepRun.get(id=claimed.id)).status is StepStatus.RUNNING


async def test_complete_by_the_holder_and_conflict_for_anyone_else(db):
    project = await make_project()
    run = await billing_run(project)
    [claimed] = await claim_steps(principal(project), "billing", "w1")
    before = await last_seq(run)

    with pytest.raises(Conflict):
        await complete_step(principal(project), step_gid(claimed), "w2", {"stolen": True})
    with pytest.raises(Conflict):
        await fail_step(principal(project), step_gid(claimed), "w2", "nope")
    assert await last_seq(run) == before

    done, after_run = await complete_step(principal(project), step_gid(claimed), "w1", {"charged": 12})
    assert (done.status, done.output) == (StepStatus.COMPLETED, {"charged": 12})
    assert after_run.status is RunStatus.RUNNING
    assert await events_after(run, before) == [(before + 1, "STEP_COMPLETED", "charge")]
    with pytest.raises(Conflict, match="it is COMPLETED"):
        await complete_step(principal(project), step_gid(claimed), "w1", {"again": True})
    assert (await step_of(run, "charge")).output == {"charged": 12}


async def test_complete_after_force_complete_is_a_conflict(db):
    project = await make_project()
    run = await billing_run(project)
    [claimed] = await claim_steps(principal(project), "billing", "w1")
    await force_complete_step(principal(project), gid(run), "charge", {"manual": True}, "ops did it")
    with pytest.raises(Conflict):
        await complete_step(principal(project), step_gid(claimed), "w1", {"late": True})
    assert (await step_of(run, "charge")).output == {"manual": True}


async def test_worker_actions_on_steps_of_other_projects_are_not_found(db):
    project = await make_project()
    elsewhere = await make_project("elsewhere")
    run = await billing_run(project)
    [claimed] = await claim_steps(principal(project), "billing", "w1")
    with pytest.raises(NotFound) as caught:
        await complete_step(principal(elsewhere), step_gid(claimed), "w1", {})
    assert caught.value.field == ("input", "stepRunId")
    with pytest.raises(NotFound):  # a Run id where a StepRun id belongs
        await heartbeat_step(principal(project), gid(run), "w1")
    assert (await step_of(run, "charge")).status is StepStatus.RUNNING


async def test_fail_follows_the_retry_policy_then_fails_the_run(db):
    project = await make_project()
    steps = [
        task("fetch"),
        task("charge", "fetch", queue="billing", retry=retry(2, backoff_seconds=0)),
        task("audit", "fetch"),
    ]
    run = await billing_run(project, steps=steps)
    await put_step(run, "audit", StepStatus.RUNNING)
    [first] = await claim_steps(principal(project), "billing", "w1")
    before = await last_seq(run)

    retried, _ = await fail_step(principal(project), step_gid(first), "w1", "card declined", True)

    # LIFECYCLE.md: a failed attempt with attempts left -> QUEUED after backoff, attempt + 1
    assert (retried.status, retried.attempt, retried.error) == (StepStatus.QUEUED, 2, "card declined")
    assert retried.due_at is not None
    assert await events_after(run, before) == [
        (before + 1, "STEP_FAILED", "charge"),
        (before + 2, "STEP_RETRY_SCHEDULED", "charge"),
    ]
    failed_event = await RunEvent.get(run_id=run.id, seq=before + 1)
    assert failed_event.attempt == 1  # the attempt that failed
    scheduled = await RunEvent.get(run_id=run.id, seq=before + 2)
    assert scheduled.data["nextAttempt"] == 2 and scheduled.attempt == 2 and not scheduled.ok

    [second] = await claim_steps(principal(project), "billing", "w2")
    assert second.attempt == 2
    before = await last_seq(run)
    failed, failed_run = await fail_step(principal(project), step_gid(second), "w2", "declined again", True)

    assert failed.status is StepStatus.FAILED
    assert failed_run.status is RunStatus.FAILED
    stored = await reload(run)
    assert (stored.error_message, stored.error_step_ref, stored.error_count) == (
        "declined again",
        "charge",
        2,
    )
    assert (await step_of(run, "audit")).status is StepStatus.CANCELED
    assert await events_after(run, before) == [
        (before + 1, "STEP_FAILED", "charge"),
        (before + 2, "STEP_CANCELED", "audit"),
        (before + 3, "RUN_FAILED", None),
    ]
    assert await all_seqs(run) == list(range(1, before + 4))


async def test_a_retry_waits_for_its_backoff(db):
    project = await make_project()
    steps = [task("fetch"), task("charge", "fetch", queue="billing", retry=retry(3, backoff_seconds=60))]
    run = await billing_run(project, steps=steps)
    [claimed] = await claim_steps(principal(project), "billing", "w1")
    retried, _ = await fail_step(principal(project), step_gid(claimed), "w1", "timeout", True)
    assert dt.timedelta(seconds=55) < retried.due_at - utcnow() <= dt.timedelta(seconds=60)
    assert await claim_steps(principal(project), "billing", "w1") == []
    assert (await step_of(run, "charge")).status is StepStatus.QUEUED


async def test_a_failure_that_is_not_retryable_fails_at_once(db):
    project = await make_project()
    steps = [task("fetch"), task("charge", "fetch", queue="billing", retry=retry(5))]
    run = await billing_run(project, steps=steps)
    [claimed] = await claim_steps(principal(project), "billing", "w1")
    before = await last_seq(run)
    failed, failed_run = await fail_step(principal(project), step_gid(claimed), "w1", "card stolen", False)
    assert failed.status is StepStatus.FAILED and failed_run.status is RunStatus.FAILED
    assert [event[1] for event in await events_after(run, before)] == ["STEP_FAILED", "RUN_FAILED"]


async def test_concurrent_claimers_never_share_a_step(db):
    project = await make_project()
    runs = []
    for _ in range(6):
        run = await make_run_in(project, RunStatus.RUNNING, [task(f"t{i}", queue="q") for i in range(5)])
        for i in range(5):
            await put_step(run, f"t{i}", StepStatus.QUEUED)
        runs.append(run)
    worker = principal(project)

    async def claimer(name: str) -> list[str]:
        mine: list[str] = []
        while True:
            batch = await claim_steps(worker, "q", name, limit=2)
            if not batch:
                return mine
            mine += [str(s.id) for s in batch]

    results = await asyncio.gather(*(claimer(f"w{i}") for i in range(8)))

    claimed = [step_id for mine in results for step_id in mine]
    assert len(claimed) == len(set(claimed)) == 24  # maxParallelSteps 4 in each of 6 runs
    holders = {str(s.id): s.worker_id for s in await StepRun.filter(status=StepStatus.RUNNING)}
    for name, mine in zip((f"w{i}" for i in range(8)), results, strict=True):
        assert all(holders[step_id] == name for step_id in mine)
    for run in runs:
        seqs = await all_seqs(run)
        assert seqs == list(range(1, len(seqs) + 1))
        assert await StepRun.filter(run_id=run.id, status=StepStatus.RUNNING).count() == 4


async def test_a_running_loop_step_takes_no_slot(db):
    project = await make_project()
    loop = step(
        "loop", StepType.FOR_EACH, config={"items": "xs", "body": {"type": "TASK", "handler": "noop"}}
    )
    run = await make_run_in(project, RunStatus.RUNNING, [loop, task("t", queue="q")], max_parallel_steps=1)
    await put_step(run, "loop", StepStatus.RUNNING)
    await put_step(run, "t", StepStatus.QUEUED)
    [claimed] = await claim_steps(principal(project), "q", "w")
    assert claimed.ref == "t"
    assert await claim_steps(principal(project), "q", "w") == []


async def test_runs_at_their_limit_do_not_hide_claimable_steps_behind_them(db, monkeypatch):
    monkeypatch.setattr(workers, "CANDIDATE_PAGE", 1)  # pages of limit * 4 = 4 candidates
    project = await make_project()
    for _ in range(3):
        full = await make_run_in(
            project, RunStatus.RUNNING, [task(f"t{i}", queue="q") for i in range(3)], max_parallel_steps=1
        )
        await put_step(full, "t0", StepStatus.RUNNING)
        await put_step(full, "t1", StepStatus.QUEUED)
        await put_step(full, "t2", StepStatus.QUEUED)
    behind = await make_run_in(project, RunStatus.RUNNING, [task("t0", queue="q")])
    await put_step(behind, "t0", StepStatus.QUEUED)

    [claimed] = await claim_steps(principal(project), "q", "w", limit=1)

    assert str(claimed.run_id) == str(behind.id)
