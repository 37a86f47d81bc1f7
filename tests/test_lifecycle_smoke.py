from __future__ import annotations

import uuid

import pytest

from app.enums import RunEventType, RunStatus
from app.errors import InvalidTransition, NotFound
from app.lifecycle import RUN, RunTransaction, utcnow
from models import Project, Run, RunEvent, Workflow


async def test_rejected_change_writes_nothing(db):
    project = await Project.create(id=uuid.uuid4(), key="p", name="P")
    workflow = await Workflow.create(id=uuid.uuid4(), project=project, key="wf", name="WF")
    now = utcnow()
    run = Run(
        id=uuid.uuid4(), project=project, workflow=workflow, workflow_key="wf", workflow_name="WF",
        workflow_version=1, initiated_by="test", created_at=now, updated_at=now,
    )
    async with RunTransaction.create(run) as tx:
        tx.record(RunEventType.RUN_CREATED)
    with pytest.raises(InvalidTransition, match="cannot unblock a run that is PAUSED"):
        async with RunTransaction(run.id) as tx:
            await tx.change_run(RUN.PAUSE)
            await tx.change_run(RUN.UNBLOCK)
    stored = await Run.get(id=run.id)
    assert stored.status == RunStatus.PENDING
    assert await RunEvent.filter(run_id=run.id).values_list("seq", flat=True) == [1]


async def test_run_transaction_is_an_async_context_manager(db):
    project = await Project.create(id=uuid.uuid4(), key="p", name="P")
    workflow = await Workflow.create(id=uuid.uuid4(), project=project, key="wf", name="WF")
    now = utcnow()
    run = Run(
        id=uuid.uuid4(), project=project, workflow=workflow, workflow_key="wf", workflow_name="WF",
        workflow_version=1, initiated_by="test", created_at=now, updated_at=now,
    )
    async with RunTransaction.create(run) as created:
        created.record(RunEventType.RUN_CREATED)
    transaction = RunTransaction(run.id)
    async with transaction as tx:
        assert tx is transaction
        assert tx.run.status == RunStatus.PENDING
        await tx.change_run(RUN.PAUSE)
    assert (await Run.get(id=run.id)).status == RunStatus.PAUSED
    assert await RunEvent.filter(run_id=run.id).order_by("seq").values_list("type", flat=True) == [
        RunEventType.RUN_CREATED,
        RunEventType.RUN_PAUSED,
    ]
    with pytest.raises(RuntimeError, match="entered once"):
        async with transaction:
            pass
    missing = uuid.uuid4()
    with pytest.raises(NotFound, match=f"no run with id {missing}"):
        async with RunTransaction(missing):
            pass
