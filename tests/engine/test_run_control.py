"""Run-level actions: cancel, terminate, pause, resume, retry, restart."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from app.actions.run_control import cancel_run, pause_run, restart_run, resume_run, retry_run, terminate_run
from app.enums import Role, RunStatus, StepStatus, StepType, TriggerSource
from app.errors import Forbidden, InvalidTransition, NotFound
from app.ids import to_global_id
from app.lifecycle import utcnow
from models import Run, RunEvent, StepRun
from tests.engine.factory import (
    gid,
    history,
    make_project,
    make_workflow,
    principal_for,
    run_events,
    seqs,
    start,
    step,
    step_events,
    wait_for_status,
    wait_for_step,
)


async def _running_with_cleanup(project):
    steps = [
        step("work", handler="sleep", config={"seconds": 30}),
        step("next", depends_on=["work"]),
        step("cleanup", handler="echo", on_cancel=True),
    ]
    workflow, version = await make_workflow(project, "with-cleanup", steps)
    run = await start(project, workflow, version)
    await wait_for_step(run.id, "work", StepStatus.RUNNING)
    return run


async def test_cancel_runs_the_cleanup_steps_then_cancels(project, engine):
    run = await _running_with_cleanup(project)
    returned = await cancel_run(principal_for(project), gid(run), "no longer needed")
    assert returned.status == RunStatus.CANCELING
    finished = await wait_for_status(run.id, RunStatus.CANCELED)
    assert finished.finished_at is not None
    statuses = dict(await StepRun.filter(run_id=run.id).values_list("ref", "status"))
    assert statuses == {
        "work": StepStatus.CANCELED,
        "next": StepStatus.CANCELED,
        "cleanup": StepStatus.COMPLETED,
    }
    events = await history(run.id)
    assert run_events(events) == ["RUN_CREATED", "RUN_STARTED", "RUN_CANCEL_REQUESTED", "RUN_CANCELED"]
    assert step_events(events, "cleanup") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]
    assert events.index(("STEP_COMPLETED", "cleanup")) < events.index(("RUN_CANCELED", None))
    cancel_event = await RunEvent.get(run_id=run.id, type="RUN_CANCEL_REQUESTED")
    assert (cancel_event.actor, cancel_event.reason) == ("apikey:tester", "no longer needed")
    assert await seqs(run.id) == list(range(1, len(events) + 1))


async def test_cancel_with_nothing_to_clean_up_is_immediate(project, engine):
    workflow, version = await make_workflow(
        project, "plain", [step("work", handler="sleep", config={"seconds": 30})]
    )
    run = await start(project, workflow, version)
    await wait_for_step(run.id, "work", StepStatus.RUNNING)
    returned = await cancel_run(principal_for(project), gid(run), None)
    assert returned.status == RunStatus.CANCELED
    assert run_events(await history(run.id))[-2:] == ["RUN_CANCEL_REQUESTED", "RUN_CANCELED"]


async def test_canceling_a_run_that_never_started_skips_its_cleanup(project, engine):
    steps = [step("work"), step("cleanup", on_cancel=True)]
    workflow, version = await make_workflow(project, "later", steps)
    run = await start(project, workflow, version, scheduled_at=utcnow() + dt.timedelta(hours=1))
    returned = await cancel_run(principal_for(project), gid(run), None)
    assert returned.status == RunStatus.CANCELED
    statuses = dict(await StepRun.filter(run_id=run.id).values_list("ref", "status"))
    assert statuses == {"work": StepStatus.CANCELED, "cleanup": StepStatus.SKIPPED}


async def test_terminate_cancels_open_steps_and_skips_cleanup(project, engine):
    run = await _running_with_cleanup(project)
    returned = await terminate_run(principal_for(project), gid(run), "stop now")
    assert returned.status == RunStatus.TERMINATED
    statuses = dict(await StepRun.filter(run_id=run.id).values_list("ref", "status"))
    assert statuses == {
        "work": StepStatus.CANCELED,
        "next": StepStatus.CANCELED,
        "cleanup": StepStatus.SKIPPED,
    }
    assert (await history(run.id))[-1] == ("RUN_TERMINATED", None)
    # a terminated run takes no other action
    with pytest.raises(InvalidTransition, match="cannot cancel a run that is TERMINATED"):
        await cancel_run(principal_for(project), gid(run), None)


async def test_pause_holds_new_steps_and_resume_goes_on(project, engine):
    steps = [step("a", handler="sleep", config={"seconds": 0.3}), step("b", depends_on=["a"])]
    workflow, version = await make_workflow(project, "pausable", steps)
    run = await start(project, workflow, version)
    await wait_for_step(run.id, "a", StepStatus.RUNNING)
    assert (await pause_run(principal_for(project), gid(run), None)).status == RunStatus.PAUSED
    await wait_for_step(run.id, "a", StepStatus.COMPLETED)  # a running step finishes
    await asyncio.sleep(0.2)
    assert (await StepRun.get(run_id=run.id, ref="b")).status == StepStatus.PENDING
    assert (await Run.get(id=run.id)).status == RunStatus.PAUSED
    assert (await resume_run(principal_for(project), gid(run), None)).status == RunStatus.RUNNING
    assert (await wait_for_status(run.id, RunStatus.COMPLETED)).output == {"a": {}, "b": {}}
    kinds = run_events(await history(run.id))
    assert kinds == ["RUN_CREATED", "RUN_STARTED", "RUN_PAUSED", "RUN_RESUMED", "RUN_COMPLETED"]


async def test_a_paused_run_that_never_started_resumes_to_pending(project, engine):
    workflow, version = await make_workflow(project, "later2", [step("a")])
    run = await start(project, workflow, version, scheduled_at=utcnow() + dt.timedelta(hours=1))
    await pause_run(principal_for(project), gid(run), None)
    assert (await resume_run(principal_for(project), gid(run), None)).status == RunStatus.PENDING


async def test_an_illegal_action_changes_nothing_and_names_the_status(project, engine):
    workflow, version = await make_workflow(project, "quick", [step("a")])
    run = await start(project, workflow, version)
    await wait_for_status(run.id, RunStatus.COMPLETED)
    before = await seqs(run.id)
    for action, verb in (
        (pause_run, "pause"),
        (resume_run, "resume"),
        (cancel_run, "cancel"),
        (terminate_run, "terminate"),
        (retry_run, "retry"),
    ):
        with pytest.raises(InvalidTransition, match=f"cannot {verb} a run that is COMPLETED"):
            await action(principal_for(project), gid(run), None)
    assert await seqs(run.id) == before


async def test_retry_reuses_completed_steps_and_reruns_the_rest(project, engine):
    steps = [
        step("a", handler="echo"),
        step("b", handler="fail", depends_on=["a"]),
        step("c", depends_on=["b"]),
    ]
    workflow, version = await make_workflow(project, "retryable", steps)
    old = await start(project, workflow, version, input={"k": 1})
    await wait_for_status(old.id, RunStatus.FAILED)
    new = await retry_run(principal_for(project, Role.OPERATOR), gid(old), "try again")
    assert new.retry_of_id == old.id and new.triggered_by == TriggerSource.RETRY
    assert new.input == {"k": 1}
    a = await StepRun.get(run_id=new.id, ref="a")
    old_a = await StepRun.get(run_id=old.id, ref="a")
    assert (a.status, a.reused, a.output) == (StepStatus.COMPLETED, True, old_a.output)
    await wait_for_status(new.id, RunStatus.FAILED)
    b = await StepRun.get(run_id=new.id, ref="b")
    assert (b.reused, b.attempt) == (False, 1)
    assert step_events(await history(new.id), "a") == []  # carried over, not run again
    retried = await RunEvent.get(run_id=old.id, type="RUN_RETRIED")
    assert retried.data == {"newRunId": to_global_id("Run", new.id)}
    assert (await Run.get(id=old.id)).status == RunStatus.FAILED


async def test_restart_needs_admin_and_runs_everything_again(project, engine):
    workflow, version = await make_workflow(project, "restartable", [step("a", handler="echo")])
    old = await start(project, workflow, version, input={"k": 2})
    await wait_for_status(old.id, RunStatus.COMPLETED)
    with pytest.raises(Forbidden):
        await restart_run(principal_for(project, Role.OPERATOR), gid(old), None)
    new = await restart_run(principal_for(project, Role.ADMIN), gid(old), None)
    assert new.restart_of_id == old.id and new.triggered_by == TriggerSource.RESTART
    assert (new.workflow_version, new.input) == (old.workflow_version, old.input)
    finished = await wait_for_status(new.id, RunStatus.COMPLETED)
    assert finished.output == {"a": {"input": {"k": 2}, "steps": {}, "config": None}}
    assert not (await StepRun.get(run_id=new.id, ref="a")).reused
    assert (await history(old.id))[-1] == ("RUN_RESTARTED", None)


async def test_actions_on_runs_the_caller_cannot_see_are_not_found(project, engine):
    workflow, version = await make_workflow(project, "hidden", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    stranger = principal_for(await make_project("other"), Role.ADMIN)
    for action in (cancel_run, terminate_run, pause_run, resume_run, retry_run, restart_run):
        with pytest.raises(NotFound):
            await action(stranger, gid(run), None)
    with pytest.raises(Forbidden):
        await cancel_run(principal_for(project, Role.VIEWER), gid(run), None)


async def test_canceling_or_terminating_a_parent_closes_its_open_child_runs(project, engine):
    from app.actions.run_control import cancel_run, terminate_run
    from app.enums import StepType
    from models import Run
    from tests.engine.factory import gid, make_workflow, principal_for, start, step, wait_for_status

    await make_workflow(project, "waiting-child", [step("ask", StepType.APPROVAL)])
    workflow, version = await make_workflow(
        project, "parent-of-waiting", [step("sub", StepType.SUBWORKFLOW, config={"workflowKey": "waiting-child"})]
    )
    operator = principal_for(project)
    for action, expected in ((cancel_run, RunStatus.CANCELED), (terminate_run, RunStatus.TERMINATED)):
        parent = await start(project, workflow, version)
        await wait_for_status(parent.id, RunStatus.RUNNING)
        child = await _wait_for_child(parent.id)
        await wait_for_status(child.id, RunStatus.RUNNING)
        closed = await action(operator, gid(parent), "not needed")
        assert closed.status == expected
        child = await wait_for_status(child.id, expected)
        event = await RunEvent.filter(run_id=child.id, type__in=["RUN_CANCEL_REQUESTED", "RUN_TERMINATED"]).first()
        assert event.actor == f"run:{gid(parent)}" and event.reason == "not needed"
        assert await Run.filter(parent_run_id=parent.id).count() == 1


async def _wait_for_child(parent_id):
    import asyncio

    from models import Run

    for _ in range(200):
        child = await Run.get_or_none(parent_run_id=parent_id)
        if child is not None:
            return child
        await asyncio.sleep(0.025)
    raise AssertionError("no child run was started")
