"""Workflows and runs for the engine tests, made through the same code the API uses."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from app.actions.runs import RunOptions, create_run
from app.auth import Principal
from app.definitions import RetrySpec, StepSpec
from app.enums import Role, RunStatus, StepType
from app.ids import to_global_id
from models import Project, Run, RunEvent, StepRun, Workflow, WorkflowVersion


def step(
    ref: str,
    type: StepType = StepType.TASK,
    *,
    depends_on: Sequence[str] = (),
    handler: str | None = None,
    queue: str | None = None,
    config: dict[str, Any] | None = None,
    retry: RetrySpec | None = None,
    timeout_seconds: int | None = None,
    on_cancel: bool = False,
) -> StepSpec:
    if type is StepType.TASK and handler is None:
        handler = "noop"
    return StepSpec(
        ref=ref,
        type=type,
        depends_on=tuple(depends_on),
        handler=handler,
        queue=queue,
        config=config,
        retry=retry,
        timeout_seconds=timeout_seconds,
        on_cancel=on_cancel,
    )


def chain(count: int, handler: str = "noop") -> list[StepSpec]:
    return [step(f"s{i}", handler=handler, depends_on=[f"s{i - 1}"] if i else []) for i in range(count)]


async def make_project(key: str = "proj") -> Project:
    return await Project.create(id=uuid.uuid4(), key=key, name=key.title())


def principal_for(project: Project, role: Role = Role.ADMIN, name: str = "tester") -> Principal:
    return Principal(key_id=None, name=name, role=role, project_id=uuid.UUID(str(project.id)))


async def make_workflow(
    project: Project,
    key: str,
    steps: Iterable[StepSpec],
    *,
    max_parallel_steps: int = 4,
    timeout_seconds: int | None = None,
) -> tuple[Workflow, WorkflowVersion]:
    workflow = await Workflow.create(id=uuid.uuid4(), project=project, key=key, name=key.title(), version=1)
    version = await WorkflowVersion.create(
        id=uuid.uuid4(),
        workflow=workflow,
        version=1,
        steps=[s.to_json() for s in steps],
        max_parallel_steps=max_parallel_steps,
        timeout_seconds=timeout_seconds,
        created_by="test",
    )
    return workflow, version


async def start(
    project: Project,
    workflow: Workflow,
    version: WorkflowVersion,
    **options: Any,
) -> Run:
    return await create_run(
        project=project,
        workflow=workflow,
        version=version,
        options=RunOptions(**options),
        initiated_by="apikey:tester",
    )


def gid(run: Run) -> str:
    return to_global_id("Run", run.id)


async def wait_for_status(run_id: Any, *statuses: RunStatus, timeout: float = 15.0) -> Run:
    """Poll until the run is in one of `statuses`; fail with its history otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        run = await Run.get(id=run_id)
        if run.status in statuses:
            return run
        if loop.time() > deadline:
            wanted = [s.value for s in statuses]
            raise AssertionError(f"run is {run.status.value}, not {wanted}; events: {await history(run_id)}")
        await asyncio.sleep(0.02)


async def wait_for_step(run_id: Any, ref: str, *statuses: Any, timeout: float = 15.0) -> StepRun:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await StepRun.get_or_none(run_id=run_id, ref=ref)
        if found is not None and found.status in statuses:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"step {ref} is {found and found.status}; events: {await history(run_id)}")
        await asyncio.sleep(0.02)


async def history(run_id: Any) -> list[tuple[str, str | None]]:
    """The run's events in seq order as (type, step ref)."""
    events = await RunEvent.filter(run_id=run_id).order_by("seq")
    return [(e.type.value, e.step_ref) for e in events]


async def seqs(run_id: Any) -> list[int]:
    return list(await RunEvent.filter(run_id=run_id).order_by("seq").values_list("seq", flat=True))


def step_events(events: list[tuple[str, str | None]], ref: str) -> list[str]:
    return [kind for kind, step_ref in events if step_ref == ref]


def run_events(events: list[tuple[str, str | None]]) -> list[str]:
    return [kind for kind, step_ref in events if step_ref is None]
