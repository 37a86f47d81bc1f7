"""What an export selects: the caller's filter, where and order, stored with the job as JSON.

A job outlives the request that made it (it may be finished by another process after a
restart), so everything needed to select its runs again is kept in its row, and the
runs are read the way `runs(...)` reads them: `app.queries.list_runs`, page by page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from app.auth import Principal
from app.enums import Priority, Role, RunOrderField, RunStatus, SortDirection, TriggerSource
from app.queries import RunOrderSpec, RunWhereSpec, list_runs, run_condition
from models import ExportJob, Run

_TIMES = ("created_after", "created_before", "started_after", "started_before")
_TEXTS = ("workflow_key", "initiated_by", "tenant", "subject_id", "subject_type", "batch_id")
_FLAGS = ("has_errors", "dry_run")


def where_to_json(where: RunWhereSpec | None) -> dict[str, Any] | None:
    """A RunWhere as the JSON stored in `ExportJob.where` (snake_case; enums by name)."""
    if where is None:
        return None
    stored: dict[str, Any] = {}
    for field in dataclasses.fields(RunWhereSpec):
        value = getattr(where, field.name)
        if value is None:
            continue
        if field.name in _TIMES:
            stored[field.name] = value.astimezone(dt.UTC).isoformat()
        elif field.name in ("status", "triggered_by", "priority"):
            stored[field.name] = [item.name for item in value]
        elif field.name == "tags":
            stored[field.name] = [[key, tag_value] for key, tag_value in value]
        else:
            stored[field.name] = list(value) if field.name == "ids" else value
    return stored


def where_from_json(stored: dict[str, Any] | None) -> RunWhereSpec | None:
    """The RunWhere `where_to_json` stored."""
    if stored is None:
        return None
    values: dict[str, Any] = {name: stored.get(name) for name in (*_TEXTS, *_FLAGS)}
    values["ids"] = stored.get("ids")
    for name in _TIMES:
        values[name] = dt.datetime.fromisoformat(stored[name]) if stored.get(name) is not None else None
    enums: dict[str, Any] = {"status": RunStatus, "triggered_by": TriggerSource, "priority": Priority}
    for name, enum_type in enums.items():
        values[name] = [enum_type[item] for item in stored[name]] if stored.get(name) is not None else None
    values["tags"] = [(key, value) for key, value in stored["tags"]] if stored.get("tags") is not None else None
    return RunWhereSpec(**values)


def order_to_json(order_by: Sequence[RunOrderSpec] | None) -> list[dict[str, str]] | None:
    if not order_by:
        return None
    return [{"field": spec.field.value, "direction": spec.direction.value} for spec in order_by]


def order_from_json(stored: list[dict[str, str]] | None) -> list[RunOrderSpec] | None:
    if not stored:
        return None
    return [RunOrderSpec(RunOrderField(item["field"]), SortDirection(item["direction"])) for item in stored]


ACTOR_PREFIX = "apikey:"


def job_principal(job: ExportJob) -> Principal:
    """The caller the job exports for, rebuilt from the job's row.

    Which runs a caller sees depends only on its project (none: SUPERADMIN) and its actor
    name (its PRIVATE runs), both kept with the job, so the export selects what the caller
    saw when asking, even if its key is revoked or deleted meanwhile.
    """
    if not job.created_by.startswith(ACTOR_PREFIX):
        raise ValueError(f"export job {job.id} was made by {job.created_by!r}, not an API key")
    principal = Principal(
        key_id=uuid.UUID(str(job.api_key_id)) if job.api_key_id is not None else None,
        name=job.created_by.removeprefix(ACTOR_PREFIX),
        role=Role.SUPERADMIN if job.project_id is None else Role.OPERATOR,
        project_id=uuid.UUID(str(job.project_id)) if job.project_id is not None else None,
    )
    assert principal.actor == job.created_by, "Principal.actor and ACTOR_PREFIX disagree"
    return principal


@dataclasses.dataclass(frozen=True)
class JobQuery:
    """The runs one job exports, and the instant durations of unfinished runs are measured to."""

    principal: Principal
    filter: str | None
    where: RunWhereSpec | None
    order_by: list[RunOrderSpec] | None
    now: dt.datetime

    @classmethod
    def of(cls, job: ExportJob, now: dt.datetime) -> JobQuery:
        return cls(
            principal=job_principal(job),
            filter=job.filter_text,
            where=where_from_json(job.where),
            order_by=order_from_json(job.order_by),
            now=now,
        )

    async def count(self) -> int:
        """How many runs match now (the denominator of the job's progress)."""
        condition = run_condition(self.principal, filter=self.filter, where=self.where, now=self.now)
        return await Run.filter(condition).count()

    async def chunks(self, size: int) -> AsyncIterator[tuple[list[Run], bool]]:
        """The matching runs in order, `size` at a time, each with whether more follow.

        Keyset pages: one bounded SELECT each, whatever the total, and runs created
        meanwhile neither shift nor repeat a row.
        """
        after: str | None = None
        while True:
            page = await list_runs(
                self.principal,
                filter=self.filter,
                where=self.where,
                order_by=self.order_by,
                first=size,
                after=after,
                max_page_size=size,
                now=self.now,
            )
            yield page.items, page.has_next_page
            if not page.has_next_page:
                return
            after = page.end_cursor
