"""Workflow definitions: create a workflow, publish a new version."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app.actions.accounts import resolve_project
from app.auth import Principal
from app.definitions import KEY_PATTERN, ChangeLimitSpec, StepSpec, validate_run_settings, validate_steps
from app.enums import ErrorCode, Role, StepType
from app.errors import NotFound, Problem, ValidationFailed
from models import Workflow, WorkflowVersion


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems[0].message, problems[0].field, problems=problems)


async def _check_subworkflows(project_id: uuid.UUID, own_key: str, steps: Sequence[StepSpec]) -> list[Problem]:
    keys = {
        (index, step.config["workflowKey"])
        for index, step in enumerate(steps)
        if step.type is StepType.SUBWORKFLOW
        and isinstance(step.config, dict)
        and isinstance(step.config.get("workflowKey"), str)
    }
    if not keys:
        return []
    existing = set(
        await Workflow.filter(project_id=project_id, key__in=[key for _, key in keys]).values_list("key", flat=True)
    )
    return [
        Problem(
            ErrorCode.VALIDATION,
            f"SUBWORKFLOW step refers to unknown workflow {key!r}",
            ("input", "steps", str(index), "config", "workflowKey"),
        )
        for index, key in sorted(keys)
        if key not in existing and key != own_key
    ]


async def create_workflow(
    principal: Principal,
    *,
    project_key: str | None,
    key: str,
    name: str,
    description: str | None,
    steps: Sequence[StepSpec],
    max_parallel_steps: int,
    timeout_seconds: int | None,
    change_limit: ChangeLimitSpec | None,
) -> Workflow:
    """A new workflow with its version 1 (ADMIN)."""
    principal.require(Role.ADMIN, "createWorkflow")
    project = await resolve_project(principal, project_key, ("input", "project"))
    problems: list[Problem] = []
    if not KEY_PATTERN.match(key):
        problems.append(
            Problem(
                ErrorCode.VALIDATION,
                "key must be lowercase letters, digits, '_', '.', '-', starting with a letter or digit",
                ("input", "key"),
            )
        )
    if not name.strip():
        problems.append(Problem(ErrorCode.VALIDATION, "name must not be empty", ("input", "name")))
    problems += validate_steps(steps)
    problems += validate_run_settings(
        max_parallel_steps=max_parallel_steps, timeout_seconds=timeout_seconds, change_limit=change_limit
    )
    problems += await _check_subworkflows(project.id, key, steps)
    _raise_if(problems)
    try:
        async with in_transaction() as connection:
            workflow = await Workflow.create(
                id=uuid.uuid4(),
                project=project,
                key=key,
                name=name.strip(),
                description=description,
                version=1,
                change_limit_max_runs=change_limit.max_runs if change_limit else None,
                change_limit_window_seconds=change_limit.window_seconds if change_limit else None,
                using_db=connection,
            )
            await WorkflowVersion.create(
                id=uuid.uuid4(),
                workflow=workflow,
                version=1,
                steps=[step.to_json() for step in steps],
                max_parallel_steps=max_parallel_steps,
                timeout_seconds=timeout_seconds,
                created_by=principal.actor,
                using_db=connection,
            )
    except IntegrityError:
        raise ValidationFailed(
            f"a workflow with key {key!r} already exists in project {project.key!r}", ("input", "key")
        ) from None
    return workflow


async def publish_workflow_version(
    principal: Principal,
    *,
    project_key: str | None,
    workflow_key: str,
    steps: Sequence[StepSpec],
    max_parallel_steps: int | None,
    timeout_seconds: int | None,
    change_limit: ChangeLimitSpec | None,
) -> Workflow:
    """Publish the next version of a workflow (ADMIN). Omitted settings carry over."""
    principal.require(Role.ADMIN, "publishWorkflowVersion")
    project = await resolve_project(principal, project_key, ("input", "project"))
    workflow = await Workflow.get_or_none(project_id=project.id, key=workflow_key)
    if workflow is None:
        raise NotFound(f"no workflow {workflow_key!r} in project {project.key!r}", ("input", "workflowKey"))
    problems = validate_steps(steps)
    problems += validate_run_settings(
        max_parallel_steps=max_parallel_steps, timeout_seconds=timeout_seconds, change_limit=change_limit
    )
    problems += await _check_subworkflows(project.id, workflow_key, steps)
    _raise_if(problems)
    async with in_transaction() as connection:
        # lock the workflow so two publishers cannot both take the same number
        locked = Workflow.filter(id=workflow.id).using_db(connection)
        if connection.capabilities.dialect == "postgres":
            locked = locked.select_for_update()
        current = await locked.get()
        previous = (
            await WorkflowVersion.filter(workflow_id=workflow.id, version=current.version).using_db(connection).get()
        )
        next_version = current.version + 1
        await WorkflowVersion.create(
            id=uuid.uuid4(),
            workflow_id=workflow.id,
            version=next_version,
            steps=[step.to_json() for step in steps],
            max_parallel_steps=max_parallel_steps if max_parallel_steps is not None else previous.max_parallel_steps,
            timeout_seconds=timeout_seconds if timeout_seconds is not None else previous.timeout_seconds,
            created_by=principal.actor,
            using_db=connection,
        )
        changes: dict[str, object] = {"version": next_version}
        if change_limit is not None:
            changes["change_limit_max_runs"] = change_limit.max_runs
            changes["change_limit_window_seconds"] = change_limit.window_seconds
        await Workflow.filter(id=workflow.id).using_db(connection).update(**changes)
    await workflow.refresh_from_db()
    return workflow


async def get_workflow(principal: Principal, key: str, project_key: str | None) -> Workflow | None:
    """The workflow named `key` in a project the caller can see, or None."""
    try:
        project = await resolve_project(principal, project_key, ("project",))
    except (NotFound, ValidationFailed):
        return None
    return await Workflow.get_or_none(project_id=project.id, key=key)
