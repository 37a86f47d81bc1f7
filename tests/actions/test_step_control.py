from __future__ import annotations

import pytest

from app.actions.step_control import (
    approve_step,
    force_complete_step,
    reject_step,
    replay_subtree,
    retry_step,
    skip_step,
)
from app.enums import ErrorCode, Role, RunStatus, StepStatus, StepType, Visibility
from app.errors import FlowdeckError, Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.ids import to_global_id
from app.lifecycle import RUN, STEP, RunTransaction, fail_run
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
    put_step,
    reload,
    step,
    step_of,
    task,
)

APPROVAL_FLOW = [task("fetch"), step("gate", StepType.APPROVAL, "fetch"), task("ship", "gate")]


async def approval_run(project):
    run = await make_run_in(project, RunStatus.RUNNING, APPROVAL_FLOW)
    await put_step(run, "fetch", StepStatus.COMPLETED, output={"n": 1})
    await put_step(run, "gate", StepStatus.WAITING)
    return run


async def test_approve_completes_the_waiting_approval(db):
    project = await make_project()
    run = await approval_run(project)
    before = await last_seq(run)

    approved, after_run = await approve_step(principal(project, name="alice"), gid(run), "gate", "looks fine")

    assert approved.status is StepStatus.COMPLETED
    assert approved.output == {"approvedBy": "apikey:alice", "reason": "looks fine"}
    assert (approved.actor, approved.reason) == ("apikey:alice", "looks fine")
    assert after_run.status is RunStatus.RUNNING
    stored = await step_of(run, "gate")
    assert stored.status is StepStatus.COMPLETED and stored.output == approved.output
    assert await events_after(run, before) == [(before + 1, "STEP_APPROVED", "gate")]
    event = await RunEvent.get(run_id=run.id, seq=before + 1)
    assert (event.actor, event.reason, event.data) == (
        "apikey:alice",
        "looks fine",
        {"approvedBy": "apikey:alice"},
    )


async def test_approve_only_an_approval_step_that_waits(db):
    project = await make_project()
    run = await make_run_in(
        project,
        RunStatus.RUNNING,
        [step("gate", StepType.APPROVAL), step("sig", StepType.SIGNAL, config={"signal": "x"})],
    )
    await put_step(run, "gate", StepStatus.QUEUED)
    await put_step(run, "sig", StepStatus.WAITING)
    before = await last_seq(run)
    with pytest.raises(InvalidTransition, match="cannot approve step 'gate': it is QUEUED"):
        await approve_step(principal(project), gid(run), "gate", None)
    with pytest.raises(InvalidTransition, match="it is a SIGNAL step"):
        await approve_step(principal(project), gid(run), "sig", None)
    with pytest.raises(InvalidTransition, match="cannot reject step 'gate': it is QUEUED"):
        await reject_step(principal(project), gid(run), "gate", None)
    assert await last_seq(run) == before
    assert (await step_of(run, "gate")).status is StepStatus.QUEUED


async def test_reject_fails_the_step_then_the_run_and_cancels_steps_in_flight(db):
    project = await make_project()
    steps = [
        step("gate", StepType.APPROVAL),
        task("side"),
        task("after", "gate"),
        task("cleanup", on_cancel=True),
    ]
    run = await make_run_in(project, RunStatus.RUNNING, steps)
    await put_step(run, "gate", StepStatus.WAITING)
    await put_step(run, "side", StepStatus.RUNNING)
    before = await last_seq(run)

    rejected, failed_run = await reject_step(principal(project, name="bob"), gid(run), "gate", "too risky")

    assert rejected.status is StepStatus.FAILED
    assert rejected.error == "rejected by apikey:bob: too risky"
    assert failed_run.status is RunStatus.FAILED
    stored = await reload(run)
    assert stored.status is RunStatus.FAILED
    assert (stored.error_type, stored.error_step_ref) == ("STEP_REJECTED", "gate")
    assert stored.error_count == 1 and stored.finished_at is not None
    assert (await step_of(run, "side")).status is StepStatus.CANCELED
    assert (await step_of(run, "after")).status is StepStatus.PENDING
    assert (await step_of(run, "cleanup")).status is StepStatus.SKIPPED
    assert await events_after(run, before) == [
        (before + 1, "STEP_REJECTED", "gate"),
        (before + 2, "STEP_CANCELED", "side"),
        (before + 3, "STEP_SKIPPED", "cleanup"),
        (before + 4, "RUN_FAILED", None),
    ]


@pytest.mark.parametrize(
    "status", [StepStatus.PENDING, StepStatus.QUEUED, StepStatus.WAITING, StepStatus.FAILED]
)
async def test_skip_from_each_allowed_status(db, status):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [step("wait", StepType.SLEEP), task("next", "wait")])
    await put_step(run, "wait", status)
    before = await last_seq(run)

    skipped, after_run = await skip_step(principal(project), gid(run), "wait", "not needed")

    assert skipped.status is StepStatus.SKIPPED and skipped.reason == "not needed"
    assert after_run.status is RunStatus.RUNNING
    assert await events_after(run, before) == [(before + 1, "STEP_SKIPPED", "wait")]


@pytest.mark.parametrize(
    "status", [StepStatus.RUNNING, StepStatus.COMPLETED, StepStatus.SKIPPED, StepStatus.CANCELED]
)
async def test_skip_from_a_forbidden_status_changes_nothing(db, status):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [task("a")])
    await put_step(run, "a", status)
    before = await last_seq(run)
    with pytest.raises(InvalidTransition, match=f"cannot skip step 'a': it is {status.value}") as caught:
        await skip_step(principal(project), gid(run), "a", None)
    assert caught.value.code is ErrorCode.INVALID_TRANSITION
    assert await last_seq(run) == before
    assert (await step_of(run, "a")).status is status


async def test_skipping_the_failed_step_of_a_failed_run_reopens_it(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [task("a"), task("b", "a")])
    await put_step(run, "a", StepStatus.FAILED)
    async with RunTransaction(run.id) as tx:
        await fail_run(tx, error="boom", error_type="STEP_FAILED", step_ref="a")
    before = await last_seq(run)

    skipped, reopened = await skip_step(principal(project), gid(run), "a", "ignore it")

    assert skipped.status is StepStatus.SKIPPED
    assert reopened.status is RunStatus.RUNNING
    stored = await reload(run)
    assert stored.status is RunStatus.RUNNING
    assert (stored.error_message, stored.finished_at) == (None, None)
    assert await events_after(run, before) == [
        (before + 1, "STEP_SKIPPED", "a"),
        (before + 2, "RUN_RESUMED", None),
    ]
    resumed = await RunEvent.get(run_id=run.id, seq=before + 2)
    assert resumed.data == {"reopenedBy": "skipStep"}


@pytest.mark.parametrize("status", [s for s in StepStatus if s is not StepStatus.COMPLETED])
async def test_force_complete_from_any_status_but_completed(db, status):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [task("a")])
    await put_step(run, "a", status)
    before = await last_seq(run)

    forced, _ = await force_complete_step(principal(project), gid(run), "a", {"manual": True}, "done by hand")

    assert forced.status is StepStatus.COMPLETED and forced.output == {"manual": True}
    stored = await step_of(run, "a")
    assert stored.output == {"manual": True} and stored.actor == "apikey:ops"
    assert await events_after(run, before) == [(before + 1, "STEP_FORCE_COMPLETED", "a")]


async def test_force_complete_a_completed_step_is_refused(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [task("a")])
    await put_step(run, "a", StepStatus.COMPLETED, output={"x": 1})
    with pytest.raises(InvalidTransition, match="cannot force-complete step 'a': it is COMPLETED"):
        await force_complete_step(principal(project), gid(run), "a", {"y": 2}, None)
    assert (await step_of(run, "a")).output == {"x": 1}


@pytest.mark.parametrize("status", [StepStatus.FAILED, StepStatus.CANCELED])
async def test_retry_puts_the_step_back_in_the_queue(db, status):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [task("a"), task("b")])
    await put_step(run, "a", status, error="boom")
    before = await last_seq(run)

    retried, _ = await retry_step(principal(project), gid(run), "a", "try again")

    # LIFECYCLE.md: retryStep -> QUEUED with attempt + 1, so the payload already shows the next number
    assert retried.status is StepStatus.QUEUED
    assert retried.attempt == 2 and retried.error is None
    stored = await step_of(run, "a")
    assert (stored.status, stored.attempt, stored.error, stored.finished_at) == (StepStatus.QUEUED, 2, None, None)
    assert await events_after(run, before) == [(before + 1, "STEP_RESET", "a")]
    event = await RunEvent.get(run_id=run.id, seq=before + 1)
    assert event.data == {"nextAttempt": 2}


@pytest.mark.parametrize(
    "status",
    [
        StepStatus.PENDING,
        StepStatus.QUEUED,
        StepStatus.RUNNING,
        StepStatus.WAITING,
        StepStatus.COMPLETED,
        StepStatus.SKIPPED,
    ],
)
async def test_retry_from_a_forbidden_status(db, status):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [task("a")])
    await put_step(run, "a", status)
    with pytest.raises(InvalidTransition, match=f"cannot retry step 'a': it is {status.value}"):
        await retry_step(principal(project), gid(run), "a", None)


async def test_retry_on_a_failed_run_reopens_it(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, [task("a")])
    await put_step(run, "a", StepStatus.FAILED)
    async with RunTransaction(run.id) as tx:
        await fail_run(tx, error="boom", error_type="STEP_FAILED", step_ref="a")
    before = await last_seq(run)
    _, reopened = await retry_step(principal(project), gid(run), "a", None)
    assert reopened.status is RunStatus.RUNNING
    assert [event[1] for event in await events_after(run, before)] == ["STEP_RESET", "RUN_RESUMED"]
    assert (await RunEvent.get(run_id=run.id, seq=before + 2)).data == {"reopenedBy": "retryStep"}


DIAMOND = [
    task("fetch"),
    task("parse", "fetch"),
    task("load", "parse"),
    task("report", "load", "fetch"),
    task("other"),
]


async def test_replay_subtree_resets_the_step_and_its_dependents_and_reopens_a_completed_run(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, DIAMOND)
    for ref in ("fetch", "parse", "load", "report", "other"):
        await put_step(run, ref, StepStatus.COMPLETED, output={"ref": ref})
    async with RunTransaction(run.id) as tx:
        await tx.change_run(RUN.COMPLETE, fields={"output": {"done": True}})
    before = await last_seq(run)

    reopened, reset = await replay_subtree(principal(project), gid(run), "parse", "bad parse")

    assert reset == 3
    assert reopened.status is RunStatus.RUNNING
    statuses = {s.ref: (s.status, s.output, s.attempt) for s in await StepRun.filter(run_id=run.id)}
    assert statuses == {
        "fetch": (StepStatus.COMPLETED, {"ref": "fetch"}, 1),
        "parse": (StepStatus.QUEUED, None, 0),
        "load": (StepStatus.PENDING, None, 0),
        "report": (StepStatus.PENDING, None, 0),
        "other": (StepStatus.COMPLETED, {"ref": "other"}, 1),
    }
    assert (await reload(run)).output is None
    assert await events_after(run, before) == [
        (before + 1, "STEP_RESET", "parse"),
        (before + 2, "STEP_RESET", "load"),
        (before + 3, "STEP_RESET", "report"),
        (before + 4, "RUN_RESUMED", None),
    ]
    assert (await RunEvent.get(run_id=run.id, seq=before + 4)).data == {"reopenedBy": "replaySubtree"}
    assert await all_seqs(run) == list(range(1, before + 5))


async def test_replay_of_a_step_whose_dependency_is_open_leaves_it_pending(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, DIAMOND)
    await put_step(run, "fetch", StepStatus.RUNNING)
    _, reset = await replay_subtree(principal(project), gid(run), "parse", None)
    assert reset == 3
    assert (await step_of(run, "parse")).status is StepStatus.PENDING


@pytest.mark.parametrize(
    "run_status",
    [RunStatus.CANCELING, RunStatus.CANCELED, RunStatus.TERMINATED, RunStatus.TIMED_OUT, RunStatus.ABANDONED],
)
async def test_step_actions_on_a_closed_run_are_refused(db, run_status):
    project = await make_project()
    run = await make_run_in(project, run_status, [task("a")])
    before = await last_seq(run)
    for action in (skip_step, retry_step, replay_subtree):
        with pytest.raises(InvalidTransition, match=f"the run is {run_status.value}"):
            await action(principal(project), gid(run), "a", None)
    assert await last_seq(run) == before


async def test_only_replay_reopens_a_completed_run(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.COMPLETED, [task("a")])
    with pytest.raises(InvalidTransition, match="cannot skip step 'a': the run is COMPLETED"):
        await skip_step(principal(project), gid(run), "a", None)
    _, reset = await replay_subtree(principal(project), gid(run), "a", None)
    assert reset == 1 and (await reload(run)).status is RunStatus.RUNNING


ACTIONS = [
    ("approveStep", approve_step),
    ("rejectStep", reject_step),
    ("skipStep", skip_step),
    ("retryStep", retry_step),
    ("replaySubtree", replay_subtree),
]


@pytest.mark.parametrize(("operation", "action"), ACTIONS)
async def test_a_viewer_is_forbidden(db, operation, action):
    project = await make_project()
    run = await approval_run(project)
    with pytest.raises(Forbidden, match=f"{operation} needs role OPERATOR"):
        await action(principal(project, Role.VIEWER), gid(run), "gate", None)
    with pytest.raises(Forbidden):
        await force_complete_step(principal(project, Role.VIEWER), gid(run), "gate", None, None)


@pytest.mark.parametrize(("operation", "action"), ACTIONS)
async def test_runs_the_caller_cannot_see_are_not_found(db, operation, action):
    project = await make_project()
    elsewhere = await make_project("elsewhere")
    run = await approval_run(project)
    private = await make_run_in(
        project, RunStatus.RUNNING, APPROVAL_FLOW, visibility=Visibility.PRIVATE, initiated_by="apikey:carol"
    )
    await put_step(private, "gate", StepStatus.WAITING)
    for caller, target in ((principal(elsewhere), run), (principal(project, name="dave"), private)):
        with pytest.raises(NotFound, match="no Run with id") as caught:
            await action(caller, gid(target), "gate", None)
        assert caught.value.field == ("input", "runId")
    with pytest.raises(NotFound):
        await action(principal(project), to_global_id("StepRun", run.id), "gate", None)
    with pytest.raises(NotFound):
        await action(principal(project), "not-an-id", "gate", None)
    assert (await step_of(run, "gate")).status is StepStatus.WAITING


async def test_the_initiator_and_a_superadmin_act_on_a_private_run(db):
    project = await make_project()
    private = await make_run_in(
        project, RunStatus.RUNNING, APPROVAL_FLOW, visibility=Visibility.PRIVATE, initiated_by="apikey:carol"
    )
    await put_step(private, "gate", StepStatus.WAITING)
    await put_step(private, "ship", StepStatus.QUEUED)
    approved, _ = await approve_step(principal(project, name="carol"), gid(private), "gate", None)
    assert approved.status is StepStatus.COMPLETED
    skipped, _ = await skip_step(SUPERADMIN, gid(private), "ship", None)
    assert skipped.status is StepStatus.SKIPPED


async def test_an_unknown_step_ref_is_a_validation_error(db):
    project = await make_project()
    run = await approval_run(project)
    with pytest.raises(ValidationFailed, match="run has no step 'nope'") as caught:
        await skip_step(principal(project), gid(run), "nope", None)
    assert caught.value.field == ("input", "stepRef")


async def test_a_lost_race_is_an_invalid_transition_and_writes_nothing(db):
    project = await make_project()
    run = await approval_run(project)
    approved, _ = await approve_step(principal(project), gid(run), "gate", None)
    before = await last_seq(run)
    with pytest.raises(FlowdeckError) as caught:
        await reject_step(principal(project), gid(run), "gate", None)
    assert caught.value.code is ErrorCode.INVALID_TRANSITION
    assert "it is COMPLETED" in caught.value.message
    assert await last_seq(run) == before
    assert approved.status is StepStatus.COMPLETED


def test_the_step_table_matches_the_spec():
    # guards the rows these actions rely on against an accidental edit of the tables
    assert STEP.SKIP.sources == {StepStatus.PENDING, StepStatus.QUEUED, StepStatus.WAITING, StepStatus.FAILED}
    assert STEP.RETRY.sources == {StepStatus.FAILED, StepStatus.CANCELED}
