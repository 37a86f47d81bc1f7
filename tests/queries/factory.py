"""Rows for the read-side tests, made directly with the models (no engine, no API)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from app.auth import Principal
from app.enums import Role, RunStatus
from app.run_counts import count_change
from models import Project, Run, RunTag, Workflow

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    """A time `seconds` after T0."""
    return T0 + dt.timedelta(seconds=seconds)


async def make_project(key: str = "acme") -> Project:
    return await Project.create(id=uuid.uuid4(), key=key, name=key.title())


async def make_workflow(project: Project, key: str = "billing-sync", name: str = "Billing sync") -> Workflow:
    return await Workflow.create(id=uuid.uuid4(), project=project, key=key, name=name)


def new_run(project: Project, workflow: Workflow, **fields: Any) -> Run:
    """An unsaved Run with sensible defaults; `fields` override them."""
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "project": project,
        "workflow": workflow,
        "workflow_key": workflow.key,
        "workflow_name": workflow.name,
        "workflow_version": 1,
        "initiated_by": "apikey:someone",
        "created_at": T0,
        "updated_at": T0,
    }
    values.update(fields)
    if "updated_at" not in fields:
        values["updated_at"] = values["created_at"]
    return Run(**values)


async def make_run(project: Project, workflow: Workflow, tags: dict[str, str] | None = None, **fields: Any) -> Run:
    run = new_run(project, workflow, **fields)
    await run.save(force_create=True)
    # made around the lifecycle, so counted here as the lifecycle would
    await count_change(Run._meta.db, run, None, run.status)
    if tags:
        await RunTag.bulk_create([RunTag(run=run, key=k, value=v) for k, v in tags.items()])
    return run


async def set_status(runs: list[Run], status: RunStatus) -> None:
    """Put `runs` in `status` directly (no transition, no event), keeping the counters exact."""
    for run in runs:
        await Run.filter(id=run.id).update(status=status)
        await count_change(Run._meta.db, run, run.status, status)
        run.status = status


async def save_runs(runs: list[Run]) -> None:
    await Run.bulk_create(runs)
    for run in runs:
        await count_change(Run._meta.db, run, None, run.status)


def member(project: Project, name: str = "tester", role: Role = Role.VIEWER) -> Principal:
    return Principal(key_id=uuid.uuid4(), name=name, role=role, project_id=project.id)


def superadmin() -> Principal:
    return Principal(key_id=uuid.uuid4(), name="root", role=Role.SUPERADMIN, project_id=None)


class StatementLog(logging.Handler):
    """The SQL statements Tortoise sends while active (it logs each at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.lstrip().split(" ", 1)[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}:
            self.statements.append(message)

    def __enter__(self) -> StatementLog:
        logger = logging.getLogger("tortoise.db_client")
        self._level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logger = logging.getLogger("tortoise.db_client")
        logger.removeHandler(self)
        logger.setLevel(self._level)
