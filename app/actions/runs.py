"""Starting runs: startRun, triggerWorkflow, and the run creation that retries, restarts and
child runs share. Also the lookup of one run with visibility applied."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from app.actions.accounts import resolve_project
from app.auth import Principal
from app.definitions import StepSpec
from app.enums import (
    ErrorCode,
    Priority,
    Role,
    RunEventType,
    RunStatus,
    StepStatus,
    StepType,
    TriggerSource,
    Visibility,
)
from app.errors import NotFound, Problem, ValidationFailed
from app.ids import expect_global_id, to_global_id
from app.lifecycle import RunTransaction, utcnow
from app.statements import new_row
from models import Project, Run, RunTag, StepRun, Workflow, WorkflowVersion

MAX_TAGS = 50
MAX_SUBJECTS = 1000


@dataclasses.dataclass(frozen=True)
class SubjectSpec:
    type: str
    id: str
    name: str | None = None
    collection: str | None = None


@dataclasses.dataclass(frozen=True)
class TriggerSpec:
    source: TriggerSource = TriggerSource.API
    key: str | None = None
    audience_key: str | None = None
    schedule_id: str | None = None
    cancellation_key: str | None = None


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """What a caller may choose about a new run (StartRunInput without workflowKey/project/version)."""

    input: Any = None
    subject: SubjectSpec | None = None
    tenant: str | None = None
    priority: Priority = Priority.NORMAL
    tags: Sequence[tuple[str, str]] = ()
    dry_run: bool = False
    visibility: Visibility = Visibility.PROJECT
    trigger: TriggerSpec | None = None
    reason: str | None = None
    scheduled_at: dt.datetime | None = None
    timeout_seconds: int | None = None
    max_parallel_steps: int | None = None
    disregard_change_limit: bool = False
    idempotency_key: str | None = None


@dataclasses.dataclass(frozen=True)
class Lineage:
    """Where a run comes from, beyond the caller: a retry, a restart, a parent step."""

    triggered_by: TriggerSource | None = None
    batch_id: str | None = None
    retry_of: uuid.UUID | None = None
    restart_of: uuid.UUID | None = None
    parent_run: uuid.UUID | None = None
    parent_step_id: uuid.UUID | None = None
    # refs of steps carried over COMPLETED from the retried run, with their outputs
    reused_outputs: Mapping[str, Any] | None = None


def _problem(message: str, *path: str) -> Problem:
    return Problem(ErrorCode.VALIDATION, message, tuple(path))


def validate_options(
    options: RunOptions, steps: Sequence[StepSpec], path: tuple[str, ...] = ("input",)
) -> list[Problem]:
    """Every problem of a new run's options, checked before anything is written."""
    problems: list[Problem] = []
    if options.input is not None and not isinstance(options.input, dict):
        problems.append(_problem("input must be a JSON object", *path, "input"))
    run_input = options.input if isinstance(options.input, dict) else {}
    for index, step in enumerate(steps):
        if step.type is StepType.FOR_EACH and isinstance(step.config, dict):
            key = step.config.get("items")
            if not isinstance(run_input.get(key), list):
                problems.append(
                    _problem(
                        f"step {step.ref!r} loops over input.{key}, which must be a list (step {index})",
                        *path,
                        "input",
                    )
                )
    seen: set[str] = set()
    if len(options.tags) > MAX_TAGS:
        problems.append(_problem(f"at most {MAX_TAGS} tags", *path, "tags"))
    for index, (key, _value) in enumerate(options.tags):
        if not key.strip():
            problems.append(_problem("a tag key must not be empty", *path, "tags", str(index), "key"))
        elif key in seen:
            problems.append(_problem(f"tag {key!r} given twice", *path, "tags", str(index), "key"))
        seen.add(key)
    if options.subject is not None:
        if not options.subject.type.strip():
            problems.append(_problem("subject.type must not be empty", *path, "subject", "type"))
        if not options.subject.id.strip():
            problems.append(_problem("subject.id must not be empty", *path, "subject", "id"))
    if options.timeout_seconds is not None and options.timeout_seconds < 1:
        problems.append(_problem("timeoutSeconds must be at least 1", *path, "timeoutSeconds"))
    if options.max_parallel_steps is not None and not 1 <= options.max_parallel_steps <= 1000:
        problems.append(_problem("maxParallelSteps must be between 1 and 1000", *path, "maxParallelSteps"))
    if options.idempotency_key is not None and not options.idempotency_key.strip():
        problems.append(_problem("idempotencyKey must not be empty", *path, "idempotencyKey"))
    return problems


async def _blocked_by_change_limit(connection: BaseDBAsyncClient, workflow: Workflow, now: dt.datetime) -> bool:
    """Whether one more run would exceed the workflow's change limit. Locks the workflow row
    on PostgreSQL so that concurrent starts count one another."""
    if workflow.change_limit_max_runs is None or workflow.change_limit_window_seconds is None:
        return False
    locked = Workflow.filter(id=workflow.id).using_db(connection)
    if connection.capabilities.dialect == "postgres":
        locked = locked.select_for_update()
    await locked.first()
    since = now - dt.timedelta(seconds=workflow.change_limit_window_seconds)
    counted = (
        await Run.filter(
            workflow_id=workflow.id,
            created_at__gte=since,
            status__not_in=[RunStatus.BLOCKED.value, RunStatus.ABANDONED.value],
        )
        .using_db(connection)
        .count()
    )
    return counted + 1 > workflow.change_limit_max_runs


async def create_run(
    *,
    project: Project,
    workflow: Workflow,
    version: WorkflowVersion,
    options: RunOptions,
    initiated_by: str,
    lineage: Lineage = Lineage(),
    within: Callable[[BaseDBAsyncClient, Run], Awaitable[None]] | None = None,
) -> Run:
    """Insert a run and its step rows, PENDING (or BLOCKED by the change limit), with its events.

    The caller has validated `options`; this only writes, in one transaction. `within`, when
    given, runs first inside that transaction (a schedule claims its fire time there, so the
    fire and its run commit together or not at all); an exception from it writes nothing.
    """
    now = utcnow()
    trigger = options.trigger or TriggerSpec()
    subject = options.subject
    steps = [StepSpec.from_json(data) for data in version.steps]
    run = Run(
        id=uuid.uuid4(),
        project_id=project.id,
        workflow_id=workflow.id,
        workflow_key=workflow.key,
        workflow_name=workflow.name,
        workflow_version=version.version,
        status=RunStatus.PENDING,
        triggered_by=lineage.triggered_by or trigger.source,
        trigger_key=trigger.key,
        audience_key=trigger.audience_key,
        schedule_id=trigger.schedule_id,
        cancellation_key=trigger.cancellation_key,
        initiated_by=initiated_by,
        subject_type=subject.type if subject else None,
        subject_id=subject.id if subject else None,
        subject_name=subject.name if subject else None,
        subject_collection=subject.collection if subject else None,
        tenant=options.tenant,
        batch_id=lineage.batch_id,
        priority=options.priority,
        dry_run=options.dry_run,
        visibility=options.visibility,
        reason=options.reason,
        manually_triggered=trigger.source is TriggerSource.MANUAL,
        disregard_change_limit=options.disregard_change_limit,
        max_parallel_steps=options.max_parallel_steps or version.max_parallel_steps,
        timeout_seconds=options.timeout_seconds if options.timeout_seconds is not None else version.timeout_seconds,
        idempotency_key=options.idempotency_key,
        input=options.input,
        created_at=now,
        updated_at=now,
        scheduled_at=options.scheduled_at,
        retry_of_id=lineage.retry_of,
        restart_of_id=lineage.restart_of,
        parent_run_id=lineage.parent_run,
        parent_step_id=lineage.parent_step_id,
    )
    blocked = False

    async def before_insert(connection: BaseDBAsyncClient) -> None:
        nonlocal blocked
        if within is not None:
            await within(connection, run)
        if not options.disregard_change_limit:
            blocked = await _blocked_by_change_limit(connection, workflow, now)
        if blocked:
            run.status = RunStatus.BLOCKED
            run.change_limit_reached = True

    reused = lineage.reused_outputs or {}
    limited = (
        not options.disregard_change_limit
        and workflow.change_limit_max_runs is not None
        and workflow.change_limit_window_seconds is not None
    )
    # nothing to check or claim first: the run is written by one statement (on PostgreSQL)
    checks = before_insert if within is not None or limited else None
    async with RunTransaction.create(run, before_insert=checks) as tx:
        await tx.insert_rows(
            [
                new_row(
                    StepRun,
                    id=uuid.uuid4(),
                    run_id=run.id,
                    ref=step.ref,
                    position=position,
                    name=step.name,
                    type=step.type,
                    status=StepStatus.COMPLETED if step.ref in reused else StepStatus.PENDING,
                    output=reused.get(step.ref),
                    reused=step.ref in reused,
                    finished_at=now if step.ref in reused else None,
                    attempt=0,
                    depends_on=list(step.depends_on),
                    handler=step.handler,
                    queue=step.queue,
                    config=step.config,
                    retry=step.retry.to_json() if step.retry else None,
                    timeout_seconds=step.timeout_seconds,
                    on_cancel=step.on_cancel,
                    created_at=now,
                )
                for position, step in enumerate(steps)
            ],
            StepRun,
        )
        if options.tags:
            tags = [new_row(RunTag, run_id=run.id, key=key, value=value) for key, value in options.tags]
            await tx.insert_rows(tags, RunTag)
        data: dict[str, Any] = {"workflowKey": workflow.key, "version": version.version}
        for name, value in (
            ("retryOf", lineage.retry_of),
            ("restartOf", lineage.restart_of),
            ("parentRun", lineage.parent_run),
        ):
            if value is not None:
                data[name] = to_global_id("Run", value)
        tx.record(RunEventType.RUN_CREATED, actor=initiated_by, reason=options.reason, data=data)
        if blocked:
            tx.record(
                RunEventType.RUN_BLOCKED,
                ok=False,
                actor="system",
                data={
                    "maxRuns": workflow.change_limit_max_runs,
                    "windowSeconds": workflow.change_limit_window_seconds,
                },
            )
    return run


async def _workflow_and_version(
    project: Project, workflow_key: str, version_number: int | None
) -> tuple[Workflow, WorkflowVersion]:
    workflow = await Workflow.get_or_none(project_id=project.id, key=workflow_key)
    if workflow is None:
        raise NotFound(f"no workflow {workflow_key!r} in project {project.key!r}", ("input", "workflowKey"))
    number = version_number if version_number is not None else workflow.version
    version = await WorkflowVersion.get_or_none(workflow_id=workflow.id, version=number)
    if version is None:
        raise NotFound(
            f"workflow {workflow_key!r} has no version {number} (latest is {workflow.version})", ("input", "version")
        )
    return workflow, version


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems[0].message, problems[0].field, problems=problems)


async def start_run(
    principal: Principal,
    *,
    workflow_key: str,
    project_key: str | None,
    version: int | None,
    options: RunOptions,
) -> Run:
    """startRun: one new run, or the existing one for a repeated idempotency key (OPERATOR)."""
    principal.require(Role.OPERATOR, "startRun")
    project = await resolve_project(principal, project_key, ("input", "project"))
    if options.idempotency_key:
        existing = await Run.get_or_none(project_id=project.id, idempotency_key=options.idempotency_key)
        if existing is not None:
            return existing
    workflow, version_row = await _workflow_and_version(project, workflow_key, version)
    steps = [StepSpec.from_json(data) for data in version_row.steps]
    _raise_if(validate_options(options, steps))
    try:
        return await create_run(
            project=project, workflow=workflow, version=version_row, options=options, initiated_by=principal.actor
        )
    except IntegrityError:
        # a concurrent startRun with the same idempotency key won the insert
        if options.idempotency_key:
            existing = await Run.get_or_none(project_id=project.id, idempotency_key=options.idempotency_key)
            if existing is not None:
                return existing
        raise


async def trigger_workflow(
    principal: Principal,
    *,
    workflow_key: str,
    project_key: str | None,
    subjects: Sequence[SubjectSpec],
    options: RunOptions,
) -> tuple[str, list[Run]]:
    """triggerWorkflow: one run per subject, sharing one batchId (OPERATOR)."""
    principal.require(Role.OPERATOR, "triggerWorkflow")
    project = await resolve_project(principal, project_key, ("input", "project"))
    workflow, version_row = await _workflow_and_version(project, workflow_key, None)
    steps = [StepSpec.from_json(data) for data in version_row.steps]
    problems = validate_options(options, steps)
    if not subjects:
        problems.append(_problem("give at least one subject", "input", "subjects"))
    if len(subjects) > MAX_SUBJECTS:
        problems.append(_problem(f"at most {MAX_SUBJECTS} subjects in one trigger", "input", "subjects"))
    for index, subject in enumerate(subjects):
        if not subject.type.strip():
            problems.append(_problem("subject.type must not be empty", "input", "subjects", str(index), "type"))
        if not subject.id.strip():
            problems.append(_problem("subject.id must not be empty", "input", "subjects", str(index), "id"))
    _raise_if(problems)
    batch_id = uuid.uuid4().hex
    runs = [
        await create_run(
            project=project,
            workflow=workflow,
            version=version_row,
            options=dataclasses.replace(options, subject=subject),
            initiated_by=principal.actor,
            lineage=Lineage(batch_id=batch_id),
        )
        for subject in subjects
    ]
    return batch_id, runs


async def get_visible_run(principal: Principal, run_id: str, field: tuple[str, ...] | None = ("id",)) -> Run:
    """The run with this global id if the caller may see it; NotFound otherwise (no existence leak)."""
    raw_id = expect_global_id(run_id, "Run", field)
    run = await Run.get_or_none(id=raw_id)
    if run is None or not principal.can_see_run(run.project_id, run.visibility, run.initiated_by):
        raise NotFound(f"no Run with id {run_id!r}", field)
    return run
