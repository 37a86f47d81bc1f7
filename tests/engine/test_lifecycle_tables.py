"""The lifecycle tables, without GraphQL: every allowed and every forbidden transition.

The expected tables are LIFECYCLE.md's, written out here as plain strings, independently of
`app.lifecycle`: each row names the change (the code's attribute name), the statuses it may
start from, the status it leads to and the events it appends. A wrong row in the code, or a
change the contract does not list, fails here.
"""

from __future__ import annotations

import uuid

import pytest

from app.enums import RunStatus, StepStatus, StepType
from app.errors import InvalidTransition
from app.lifecycle import RUN, STEP, RunChange, RunTransaction, StepChange
from models import RunEvent, StepRun
from tests.engine.factory import make_workflow, start, step

# LIFECYCLE.md, "Run": change -> (from, to, events)
NON_TERMINAL_RUNS = "PENDING BLOCKED RUNNING PAUSED CANCELING"
CONTRACT_RUN_TABLE: dict[str, tuple[str, str, str]] = {
    "START": ("PENDING", "RUNNING", "RUN_STARTED"),
    "COMPLETE": ("RUNNING", "COMPLETED", "RUN_COMPLETED"),
    "FAIL": ("RUNNING", "FAILED", "RUN_FAILED"),
    "TIME_OUT": ("RUNNING PAUSED", "TIMED_OUT", "RUN_TIMED_OUT"),
    "PAUSE": ("PENDING RUNNING", "PAUSED", "RUN_PAUSED"),
    "RESUME": ("PAUSED", "RUNNING", "RUN_RESUMED"),
    "REQUEST_CANCEL": ("PENDING BLOCKED RUNNING PAUSED", "CANCELING", "RUN_CANCEL_REQUESTED"),
    "FINISH_CANCEL": ("CANCELING", "CANCELED", "RUN_CANCELED"),
    "TERMINATE": (NON_TERMINAL_RUNS, "TERMINATED", "RUN_TERMINATED"),
    "UNBLOCK": ("BLOCKED", "PENDING", "RUN_UNBLOCKED"),
    "ABANDON": ("BLOCKED", "ABANDONED", "RUN_ABANDONED"),
    # a step action on a FAILED run, or replaySubtree on a COMPLETED one
    "REOPEN": ("FAILED COMPLETED", "RUNNING", "RUN_RESUMED"),
}

ALL_STEPS = "PENDING QUEUED RUNNING WAITING COMPLETED FAILED SKIPPED CANCELED"
# LIFECYCLE.md, "Step": change -> (from, to, events)
CONTRACT_STEP_TABLE: dict[str, tuple[str, str, str]] = {
    # "A step is QUEUED when all its dependencies are COMPLETED or SKIPPED"
    "QUEUE": ("PENDING", "QUEUED", "STEP_QUEUED"),
    "START": ("QUEUED", "RUNNING", "STEP_STARTED"),
    "WAIT": ("QUEUED", "WAITING", "STEP_WAITING"),
    # RUNNING: a handler returns / completeStep; WAITING: a SLEEP ends or a SUBWORKFLOW's child completes
    "COMPLETE": ("RUNNING WAITING", "COMPLETED", "STEP_COMPLETED"),
    # no attempt left or retryable=false; WAITING: a SUBWORKFLOW's child run failed
    "FAIL": ("RUNNING WAITING", "FAILED", "STEP_FAILED"),
    "RETRY_LATER": ("RUNNING", "QUEUED", "STEP_FAILED STEP_RETRY_SCHEDULED"),
    "APPROVE": ("WAITING", "COMPLETED", "STEP_APPROVED"),
    "REJECT": ("WAITING", "FAILED", "STEP_REJECTED"),
    "RECEIVE_SIGNAL": ("WAITING", "COMPLETED", "SIGNAL_RECEIVED STEP_COMPLETED"),
    "SKIP": ("PENDING QUEUED WAITING FAILED", "SKIPPED", "STEP_SKIPPED"),
    "FORCE_COMPLETE": ("PENDING QUEUED RUNNING WAITING FAILED SKIPPED CANCELED", "COMPLETED", "STEP_FORCE_COMPLETED"),
    "RETRY": ("FAILED CANCELED", "QUEUED", "STEP_RESET"),
    # replaySubtree: the step and its dependents, whatever their status
    "RESET": (ALL_STEPS, "PENDING", "STEP_RESET"),
    # run canceled or terminated
    "CANCEL": ("PENDING QUEUED RUNNING WAITING", "CANCELED", "STEP_CANCELED"),
    # an onCancel step that never started, when the run ends any other way than CANCELED
    "SKIP_CLEANUP": ("PENDING QUEUED", "SKIPPED", "STEP_SKIPPED"),
}


def _code_changes(table: type, kind: type) -> dict[str, object]:
    return {name: value for name, value in vars(table).items() if isinstance(value, kind)}


def test_the_code_has_exactly_the_contract_rows():
    assert sorted(_code_changes(RUN, RunChange)) == sorted(CONTRACT_RUN_TABLE)
    assert sorted(_code_changes(STEP, StepChange)) == sorted(CONTRACT_STEP_TABLE)


async def _events(run_id: uuid.UUID) -> list[tuple[int, str]]:
    return [(e.seq, e.type.value) for e in await RunEvent.filter(run_id=run_id).order_by("seq")]


@pytest.mark.parametrize("name", sorted(CONTRACT_RUN_TABLE))
async def test_run_change_from_every_status(project, name: str):
    sources_text, target_text, events_text = CONTRACT_RUN_TABLE[name]
    sources = {RunStatus(value) for value in sources_text.split()}
    change: RunChange = getattr(RUN, name)
    workflow, version = await make_workflow(project, "table", [step("a")])
    run = await start(project, workflow, version)
    for status in RunStatus:
        await type(run).filter(id=run.id).update(status=status.value)
        before = await _events(run.id)
        if status in sources:
            async with RunTransaction(run.id) as tx:
                await tx.change_run(change)
            assert (await type(run).get(id=run.id)).status.value == target_text, status
            after = await _events(run.id)
            assert after[: len(before)] == before
            assert [kind for _seq, kind in after[len(before) :]] == events_text.split()
            assert [seq for seq, _kind in after] == list(range(1, len(after) + 1))
        else:
            with pytest.raises(InvalidTransition, match=f"cannot {change.name} a run that is {status.value}$"):
                async with RunTransaction(run.id) as tx:
                    await tx.change_run(change)
            assert (await type(run).get(id=run.id)).status == status
            assert await _events(run.id) == before


@pytest.mark.parametrize("name", sorted(CONTRACT_STEP_TABLE))
async def test_step_change_from_every_status(project, name: str):
    sources_text, target_text, events_text = CONTRACT_STEP_TABLE[name]
    sources = {StepStatus(value) for value in sources_text.split()}
    change: StepChange = getattr(STEP, name)
    workflow, version = await make_workflow(project, "table", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    for status in StepStatus:
        await StepRun.filter(run_id=run.id).update(status=status.value)
        before = await _events(run.id)
        target = await StepRun.get(run_id=run.id, ref="a")
        if status in sources:
            async with RunTransaction(run.id) as tx:
                await tx.change_step(target, change)
            assert (await StepRun.get(run_id=run.id, ref="a")).status.value == target_text, status
            added = (await _events(run.id))[len(before) :]
            assert [kind for _seq, kind in added] == events_text.split()
        else:
            with pytest.raises(InvalidTransition, match=f"cannot {change.name} step 'a': it is {status.value}$"):
                async with RunTransaction(run.id) as tx:
                    await tx.change_step(target, change)
            assert (await StepRun.get(run_id=run.id, ref="a")).status == status
            assert await _events(run.id) == before


async def test_a_compare_and_set_that_loses_the_race_writes_nothing(project):
    workflow, version = await make_workflow(project, "race", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    stale = await StepRun.get(run_id=run.id, ref="a")  # read while PENDING
    await StepRun.filter(id=stale.id).update(status=StepStatus.CANCELED.value)  # someone else moved it
    with pytest.raises(InvalidTransition, match="cannot queue step 'a': it is CANCELED"):
        async with RunTransaction(run.id) as tx:
            await tx.change_step(stale, STEP.QUEUE)
    assert await _events(run.id) == [(1, "RUN_CREATED")]
