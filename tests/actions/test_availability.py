from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.actions.step_control import (
    approve_step,
    force_complete_step,
    reject_step,
    replay_subtree,
    retry_step,
    skip_step,
)
from app.auth import Principal
from app.availability import run_actions, step_actions, waiting_for
from app.enums import Role, RunAction, RunStatus, StepAction, StepStatus, StepType
from app.errors import InvalidTransition
from app.lifecycle import RUN, RunTransaction
from models import Run, StepRun
from tests.actions.factory import gid, make_project, make_run_in, principal, put_step, reload, step, step_of

A = RunAction
OPERATOR_RUN_ACTIONS = {
    RunStatus.PENDING: [A.CANCEL, A.TERMINATE, A.PAUSE, A.SIGNAL],
    RunStatus.BLOCKED: [A.CANCEL, A.TERMINATE, A.UNBLOCK, A.ABANDON, A.SIGNAL],
    RunStatus.RUNNING: [A.CANCEL, A.TERMINATE, A.PAUSE, A.SIGNAL],
    RunStatus.PAUSED: [A.CANCEL, A.TERMINATE, A.RESUME, A.SIGNAL],
    RunStatus.CANCELING: [A.TERMINATE],
    RunStatus.COMPLETED: [],
    RunStatus.FAILED: [A.RETRY],
    RunStatus.TIMED_OUT: [A.RETRY],
    RunStatus.CANCELED: [A.RETRY],
    RunStatus.TERMINATED: [A.RETRY],
    RunStatus.ABANDONED: [],
}
TERMINAL = {
    RunStatus.COMPLETED,
    RunStatus.FAILED,
    RunStatus.TIMED_OUT,
    RunStatus.CANCELED,
    RunStatus.TERMINATED,
    RunStatus.ABANDONED,
}


def caller(role: Role) -> Principal:
    project = None if role is Role.SUPERADMIN else uuid.uuid4()
    return Principal(key_id=uuid.uuid4(), name=role.name.lower(), role=role, project_id=project)


@pytest.mark.parametrize("status", list(RunStatus))
@pytest.mark.parametrize("role", list(Role))
def test_run_actions_for_every_status_and_role(status, role):
    expected = [] if role is Role.VIEWER else list(OPERATOR_RUN_ACTIONS[status])
    if role >= Role.ADMIN and status in TERMINAL:
        # RESTART sits between RETRY and UNBLOCK in the enum's order
        expected = [action for action in expected if action is A.RETRY] + [A.RESTART]
    assert run_actions(Run(status=status), caller(role)) == expected


S = StepAction


@pytest.mark.parametrize(
    ("step_type", "step_status", "run_status", "expected"),
    [
        (
            StepType.APPROVAL,
            StepStatus.WAITING,
            RunStatus.RUNNING,
            [S.APPROVE, S.REJECT, S.SKIP, S.FORCE_COMPLETE, S.REPLAY_SUBTREE],
        ),
        (
            StepType.APPROVAL,
            StepStatus.WAITING,
            RunStatus.PAUSED,
            [S.APPROVE, S.REJECT, S.SKIP, S.FORCE_COMPLETE, S.REPLAY_SUBTREE],
        ),
        (
            StepType.SIGNAL,
            StepStatus.WAITING,
            RunStatus.RUNNING,
            [S.SKIP, S.FORCE_COMPLETE, S.REPLAY_SUBTREE],
        ),
        (StepType.TASK, StepStatus.RUNNING, RunStatus.RUNNING, [S.FORCE_COMPLETE, S.REPLAY_SUBTREE]),
        (
            StepType.TASK,
            StepStatus.FAILED,
            RunStatus.FAILED,
            [S.SKIP, S.FORCE_COMPLETE, S.RETRY, S.REPLAY_SUBTREE],
        ),
        (StepType.TASK, StepStatus.CANCELED, RunStatus.FAILED, [S.FORCE_COMPLETE, S.RETRY, S.REPLAY_SUBTREE]),
        (StepType.TASK, StepStatus.COMPLETED, RunStatus.COMPLETED, [S.REPLAY_SUBTREE]),
        (StepType.TASK, StepStatus.SKIPPED, RunStatus.COMPLETED, [S.REPLAY_SUBTREE]),
        (StepType.TASK, StepStatus.PENDING, RunStatus.CANCELING, []),
        (StepType.TASK, StepStatus.CANCELED, RunStatus.CANCELED, []),
        (StepType.TASK, StepStatus.CANCELED, RunStatus.TERMINATED, []),
    ],
)
def test_step_actions(step_type, step_status, run_status, expected):
    target = StepRun(ref="s", type=step_type, status=step_status, depends_on=[])
    run = Run(status=run_status)
    assert step_actions(target, run, caller(Role.OPERATOR)) == expected
    assert step_actions(target, run, caller(Role.VIEWER)) == []


def test_an_iteration_is_replayed_through_its_loop():
    iteration = StepRun(
        ref="loop[0]", type=StepType.TASK, status=StepStatus.FAILED, parent_ref="loop", iteration=0
    )
    actions = step_actions(iteration, Run(status=RunStatus.RUNNING), caller(Role.OPERATOR))
    assert S.REPLAY_SUBTREE not in actions and S.RETRY in actions


ACTION_CALLS = {
    S.APPROVE: approve_step,
    S.REJECT: reject_step,
    S.SKIP: skip_step,
    S.RETRY: retry_step,
    S.REPLAY_SUBTREE: replay_subtree,
}


@pytest.mark.parametrize(
    "run_status", [RunStatus.RUNNING, RunStatus.FAILED, RunStatus.COMPLETED, RunStatus.CANCELED]
)
async def test_offered_step_actions_are_exactly_those_that_succeed(db, run_status):
    project = await make_project()
    operator = principal(project)
    for step_status in StepStatus:
        for action in StepAction:
            run = await make_run_in(project, RunStatus.RUNNING, [step("gate", StepType.APPROVAL)])
            await put_step(run, "gate", step_status)
            async with RunTransaction(run.id) as tx:
                if run_status is not RunStatus.RUNNING:
                    change = {RunStatus.FAILED: RUN.FAIL, RunStatus.COMPLETED: RUN.COMPLETE}.get(run_status)
                    if change is None:
                        await tx.change_run(RUN.REQUEST_CANCEL)
                        await tx.change_run(RUN.FINISH_CANCEL)
                    else:
                        await tx.change_run(change)
            run = await reload(run)
            offered = action in step_actions(await step_of(run, "gate"), run, operator)
            try:
                if action is S.FORCE_COMPLETE:
                    await force_complete_step(operator, gid(run), "gate", {}, None)
                else:
                    await ACTION_CALLS[action](operator, gid(run), "gate", None)
                succeeded = True
            except InvalidTransition:
                succeeded = False
            assert offered == succeeded, (step_status, action)


def _steps(*steps: StepRun) -> dict[str, StepRun]:
    return {s.ref: s for s in steps}


def _step(ref: str, step_type: StepType, status: StepStatus, *deps: str, **fields) -> StepRun:
    return StepRun(ref=ref, type=step_type, status=status, depends_on=list(deps), **fields)


def test_waiting_for_in_words():
    running_run = Run(status=RunStatus.RUNNING, max_parallel_steps=4)
    fetch = _step("fetch", StepType.TASK, StepStatus.RUNNING)
    parse = _step("parse", StepType.TASK, StepStatus.PENDING, "fetch")
    billing = _step("charge", StepType.TASK, StepStatus.QUEUED, queue="billing")
    at = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    nap = _step("nap", StepType.SLEEP, StepStatus.WAITING, due_at=at)
    gate = _step("gate", StepType.APPROVAL, StepStatus.WAITING)
    paid = _step("paid", StepType.SIGNAL, StepStatus.WAITING, config={"signal": "payment-received"})
    child = _step("child", StepType.SUBWORKFLOW, StepStatus.WAITING)
    steps = _steps(fetch, parse, billing, nap, gate, paid, child)

    assert waiting_for(parse, running_run, steps) == "dependency fetch"
    assert waiting_for(billing, running_run, steps) == "worker on queue billing"
    assert waiting_for(nap, running_run, steps) == "timer until 2026-11-24T10:00:00Z"
    assert waiting_for(gate, running_run, steps) == "approval"
    assert waiting_for(paid, running_run, steps) == "signal:payment-received"
    assert waiting_for(child, running_run, steps) == "child run"
    assert waiting_for(billing, Run(status=RunStatus.PAUSED, max_parallel_steps=4), steps) == "run paused"
    assert waiting_for(fetch, running_run, steps) is None


def test_waiting_for_a_slot_a_backoff_and_nothing_once_finished():
    run = Run(status=RunStatus.RUNNING, max_parallel_steps=2)
    busy = [_step(f"busy{i}", StepType.TASK, StepStatus.RUNNING) for i in range(2)]
    queued = _step("next", StepType.TASK, StepStatus.QUEUED)
    assert waiting_for(queued, run, _steps(*busy, queued)) == "a free slot (maxParallelSteps 2)"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    backing_off = _step("again", StepType.TASK, StepStatus.QUEUED, due_at=later, attempt=1)
    expected = f"retry backoff until {later.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    assert waiting_for(backing_off, run, _steps(backing_off)) == expected
    for status in (StepStatus.COMPLETED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELED):
        finished = _step("done", StepType.APPROVAL, status)
        assert waiting_for(finished, run, _steps(finished)) is None
