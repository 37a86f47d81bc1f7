"""The lifecycle tables, without GraphQL: every allowed and every forbidden transition."""

from __future__ import annotations

import uuid

import pytest

from app.enums import RunStatus, StepStatus, StepType
from app.errors import InvalidTransition
from app.lifecycle import RUN, STEP, RunChange, RunTransaction, StepChange
from models import RunEvent, StepRun
from tests.engine.factory import make_workflow, start, step

RUN_CHANGES = [value for value in vars(RUN).values() if isinstance(value, RunChange)]
STEP_CHANGES = [value for value in vars(STEP).values() if isinstance(value, StepChange)]


async def _events(run_id: uuid.UUID) -> list[tuple[int, str]]:
    return [(e.seq, e.type.value) for e in await RunEvent.filter(run_id=run_id).order_by("seq")]


@pytest.mark.parametrize("change", RUN_CHANGES, ids=lambda change: change.name)
async def test_run_change_from_every_status(project, change: RunChange):
    workflow, version = await make_workflow(project, "table", [step("a")])
    run = await start(project, workflow, version)
    for status in RunStatus:
        await type(run).filter(id=run.id).update(status=status.value)
        before = await _events(run.id)
        if status in change.sources:
            async with RunTransaction.begin(run.id) as tx:
                await tx.change_run(change)
            assert (await type(run).get(id=run.id)).status == change.target, status
            after = await _events(run.id)
            assert after[: len(before)] == before
            assert [kind for _seq, kind in after[len(before) :]] == [e.value for e in change.events]
            assert [seq for seq, _kind in after] == list(range(1, len(after) + 1))
        else:
            with pytest.raises(
                InvalidTransition, match=f"cannot {change.name} a run that is {status.value}$"
            ):
                async with RunTransaction.begin(run.id) as tx:
                    await tx.change_run(change)
            assert (await type(run).get(id=run.id)).status == status
            assert await _events(run.id) == before


@pytest.mark.parametrize("change", STEP_CHANGES, ids=lambda change: change.name)
async def test_step_change_from_every_status(project, change: StepChange):
    workflow, version = await make_workflow(project, "table", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    for status in StepStatus:
        await StepRun.filter(run_id=run.id).update(status=status.value)
        before = await _events(run.id)
        target = await StepRun.get(run_id=run.id, ref="a")
        if status in change.sources:
            async with RunTransaction.begin(run.id) as tx:
                await tx.change_step(target, change)
            assert (await StepRun.get(run_id=run.id, ref="a")).status == change.target, status
            added = (await _events(run.id))[len(before) :]
            assert [kind for _seq, kind in added] == [e.value for e in change.events]
        else:
            with pytest.raises(
                InvalidTransition, match=f"cannot {change.name} step 'a': it is {status.value}$"
            ):
                async with RunTransaction.begin(run.id) as tx:
                    await tx.change_step(target, change)
            assert (await StepRun.get(run_id=run.id, ref="a")).status == status
            assert await _events(run.id) == before


async def test_a_compare_and_set_that_loses_the_race_writes_nothing(project):
    workflow, version = await make_workflow(project, "race", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    stale = await StepRun.get(run_id=run.id, ref="a")  # read while PENDING
    await StepRun.filter(id=stale.id).update(status=StepStatus.CANCELED.value)  # someone else moved it
    with pytest.raises(InvalidTransition, match="cannot queue step 'a': it is CANCELED"):
        async with RunTransaction.begin(run.id) as tx:
            await tx.change_step(stale, STEP.QUEUE)
    assert await _events(run.id) == [(1, "RUN_CREATED")]
