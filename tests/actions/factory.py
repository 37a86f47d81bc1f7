"""Runs for the action tests: real rows made through `create_run`, and statuses set
through RunTransaction changes (the lifecycle tables), never raw updates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tortoise import Tortoise

from app.actions.runs import RunOptions, create_run
from app.auth import Principal
from app.definitions import RetrySpec, StepSpec
from app.enums import BulkAction, Priority, Role, RunStatus, StepStatus, StepType, Visibility
from app.ids import to_global_id
from app.lifecycle import RUN, STEP, RunChange, RunTransaction, StepChange, start_step, utcnow
from models import BulkJob, Project, Run, RunEvent, StepRun, Workflow, WorkflowVersion

SUPERADMIN = Principal(key_id=None, name="root", role=Role.SUPERADMIN, project_id=None)


def principal(project: Project, role: Role = Role.OPERATOR, name: str = "ops") -> Principal:
    return Principal(key_id=uuid.uuid4(), name=name, role=role, project_id=uuid.UUID(str(project.id)))


async def make_project(key: str = "acme") -> Project:
    return await Project.create(id=uuid.uuid4(), key=key, name=key.title())


def task(ref: str, *depends_on: str, queue: str | None = None, **options: Any) -> StepSpec:
    return StepSpec(
        ref=ref, type=StepType.TASK, handler="noop", queue=queue, depends_on=depends_on, **options
    )


def step(ref: str, step_type: StepType, *depends_on: str, **options: Any) -> StepSpec:
    return StepSpec(ref=ref, type=step_type, depends_on=depends_on, **options)


def retry(max_attempts: int, backoff_seconds: float = 0.0, backoff_factor: float = 2.0) -> RetrySpec:
    return RetrySpec(
        max_attempts=max_attempts, backoff_seconds=backoff_seconds, backoff_factor=backoff_factor
    )


async def make_run(
    project: Project,
    steps: Sequence[StepSpec],
    *,
    input: Any = None,
    max_parallel_steps: int = 4,
    visibility: Visibility = Visibility.PROJECT,
    initiated_by: str = "apikey:ops",
    priority: Priority = Priority.NORMAL,
    blocked: bool = False,
) -> Run:
    """A PENDING run (BLOCKED when `blocked`: a change limit of 1 already used by another run)."""
    key = f"wf-{uuid.uuid4().hex[:8]}"
    workflow = await Workflow.create(
        id=uuid.uuid4(),
        project=project,
        key=key,
        name=key,
        change_limit_max_runs=1 if blocked else None,
        change_limit_window_seconds=3600 if blocked else None,
    )
    version = await WorkflowVersion.create(
        id=uuid.uuid4(),
        workflow=workflow,
        version=1,
        steps=[spec.to_json() for spec in steps],
        max_parallel_steps=max_parallel_steps,
        created_by="test",
    )
    options = RunOptions(
        input=input, visibility=visibility, priority=priority, max_parallel_steps=max_parallel_steps
    )
    if blocked:
        await create_run(
            project=project, workflow=workflow, version=version, options=options, initiated_by="test"
        )
    run = await create_run(
        project=project, workflow=workflow, version=version, options=options, initiated_by=initiated_by
    )
    assert run.status is (RunStatus.BLOCKED if blocked else RunStatus.PENDING)
    return run


# the changes that take a freshly created run to each status
_RUN_PATHS: dict[RunStatus, tuple[RunChange, ...]] = {
    RunStatus.PENDING: (),
    RunStatus.RUNNING: (RUN.START,),
    RunStatus.PAUSED: (RUN.START, RUN.PAUSE),
    RunStatus.CANCELING: (RUN.START, RUN.REQUEST_CANCEL),
    RunStatus.CANCELED: (RUN.START, RUN.REQUEST_CANCEL, RUN.FINISH_CANCEL),
    RunStatus.TERMINATED: (RUN.START, RUN.TERMINATE),
    RunStatus.COMPLETED: (RUN.START, RUN.COMPLETE),
    RunStatus.FAILED: (RUN.START, RUN.FAIL),
    RunStatus.TIMED_OUT: (RUN.START, RUN.TIME_OUT),
    RunStatus.ABANDONED: (RUN.ABANDON,),
    RunStatus.BLOCKED: (),
}


async def put_run(run: Run, status: RunStatus) -> Run:
    """Move a new run (BLOCKED for BLOCKED/ABANDONED) to `status` through the lifecycle."""
    async with RunTransaction(run.id) as tx:
        path = list(_RUN_PATHS[status])
        # a run already part of the way there skips the changes behind it
        while path and tx.run.status not in path[0].sources:
            path.pop(0)
        for change in path:
            fields = {"started_at": utcnow()} if change is RUN.START else None
            await tx.change_run(change, fields=fields)
    assert tx.run.status is status
    return tx.run


async def make_run_in(
    project: Project, status: RunStatus, steps: Sequence[StepSpec] = (), **options: Any
) -> Run:
    blocked = status in (RunStatus.BLOCKED, RunStatus.ABANDONED)
    run = await make_run(project, steps or [task("a")], blocked=blocked, **options)
    return await put_run(run, status)


_STEP_PATHS: dict[StepStatus, tuple[StepChange, ...]] = {
    StepStatus.PENDING: (),
    StepStatus.QUEUED: (STEP.QUEUE,),
    StepStatus.RUNNING: (STEP.QUEUE, STEP.START),
    StepStatus.WAITING: (STEP.QUEUE, STEP.WAIT),
    StepStatus.COMPLETED: (STEP.QUEUE, STEP.START, STEP.COMPLETE),
    StepStatus.FAILED: (STEP.QUEUE, STEP.START, STEP.FAIL),
    StepStatus.SKIPPED: (STEP.SKIP,),
    StepStatus.CANCELED: (STEP.QUEUE, STEP.START, STEP.CANCEL),
}


async def put_step(run: Run, ref: str, status: StepStatus, *, output: Any = None, **fields: Any) -> StepRun:
    """Move a PENDING step to `status` through the lifecycle (engine-style, no worker)."""
    async with RunTransaction(run.id) as tx:
        target = await StepRun.get(run_id=run.id, ref=ref).using_db(tx.connection)
        for change in _STEP_PATHS[status]:
            if change is STEP.START:
                await start_step(tx, target)
            elif change is STEP.COMPLETE:
                await tx.change_step(target, change, fields={"output": output, **fields})
            else:
                await tx.change_step(target, change, fields=fields or None)
    assert target.status is status
    return target


async def step_of(run: Run, ref: str) -> StepRun:
    return await StepRun.get(run_id=run.id, ref=ref)


async def reload(run: Run) -> Run:
    return await Run.get(id=run.id)


async def last_seq(run: Run) -> int:
    return (await reload(run)).event_seq


async def events_after(run: Run, seq: int) -> list[tuple[int, str, str | None]]:
    """(seq, type, stepRef) of the events appended after `seq`, in order."""
    rows = await RunEvent.filter(run_id=run.id, seq__gt=seq).order_by("seq")
    return [(row.seq, row.type.value, row.step_ref) for row in rows]


async def all_seqs(run: Run) -> list[int]:
    return list(await RunEvent.filter(run_id=run.id).order_by("seq").values_list("seq", flat=True))


def gid(run: Run) -> str:
    return to_global_id("Run", run.id)


def step_gid(step_run: StepRun) -> str:
    return to_global_id("StepRun", step_run.id)


async def clone_runs(template: Run, count: int, **overrides: Any) -> None:
    """Insert `count` copies of `template` with new ids in one statement (bulk fixtures, no API).

    `overrides` set columns to constants (e.g. status="FAILED"). The copies have no steps
    and no events of their own: enough for bulk actions, which act on the run row.
    """
    connection = Tortoise.get_connection("default")
    postgres = connection.capabilities.dialect == "postgres"
    columns = [name for name in Run._meta.db_fields if name != "id"]
    values = []
    params: list[Any] = []
    for name in columns:
        if name in overrides:
            params.append(overrides[name])
            values.append(f"${len(params)}" if postgres else "?")
        else:
            values.append(f"template.{name}")
    params.append(str(template.id))
    template_param = f"${len(params)}" if postgres else "?"
    if postgres:
        new_id = "gen_random_uuid()"
        series = f"generate_series(1, {int(count)})"
    else:
        new_id = (
            "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) "
            "|| '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' "
            "|| hex(randomblob(6)))"
        )
        series = (
            f"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(count)}) "
            "SELECT i FROM n)"
        )
    await connection.execute_query(
        f"INSERT INTO runs (id, {', '.join(columns)}) SELECT {new_id}, {', '.join(values)} "
        f"FROM runs AS template, {series} AS copies WHERE template.id = {template_param}",
        params,
    )


async def make_bulk_job(project: Project) -> BulkJob:
    """A PENDING background CANCEL of an operator's key with 4 runs matched, as a row (for the
    tests of what follows a job)."""
    return await BulkJob.create(
        id=uuid.uuid4(),
        project=project,
        key_name="ops",
        role=Role.OPERATOR,
        initiated_by="apikey:ops",
        action=BulkAction.CANCEL,
        max_per_second=10.0,
        matched=4,
    )
