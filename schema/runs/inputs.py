"""The run inputs: filters, ordering, and what starting or triggering a run takes."""

from __future__ import annotations

import dataclasses
import datetime as dt

import strawberry
from strawberry.scalars import JSON

from app.actions.runs import RunOptions, SubjectSpec, TriggerSpec
from app.queries import RunOrderSpec, RunWhereSpec
from schema.enums import Priority, RunOrderField, RunStatus, SortDirection, TriggerSource, Visibility


@strawberry.input
class TagInput:
    key: str
    value: str


@strawberry.input(description="Structured filter; every field given must match (AND). Combined with `filter` by AND.")
class RunWhere:
    ids: list[strawberry.ID] | None = None
    workflow_key: str | None = None
    status: list[RunStatus] | None = None
    triggered_by: list[TriggerSource] | None = None
    initiated_by: str | None = None
    tenant: str | None = None
    subject_id: str | None = None
    subject_type: str | None = None
    batch_id: str | None = None
    has_errors: bool | None = None
    dry_run: bool | None = None
    priority: list[Priority] | None = None
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    tags: list[TagInput] | None = strawberry.field(
        default=None, description="every given tag must be present with that value"
    )

    def to_spec(self) -> RunWhereSpec:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(RunWhereSpec) if hasattr(self, f.name)}
        values["ids"] = [str(i) for i in self.ids] if self.ids is not None else None
        values["tags"] = [(t.key, t.value) for t in self.tags] if self.tags is not None else None
        return RunWhereSpec(**values)


@strawberry.input
class RunOrder:
    field: RunOrderField
    direction: SortDirection = SortDirection.DESC

    def to_spec(self) -> RunOrderSpec:
        return RunOrderSpec(field=self.field, direction=self.direction)


@strawberry.input
class SubjectInput:
    type: str
    id: str
    name: str | None = None
    collection: str | None = None

    def to_spec(self) -> SubjectSpec:
        return SubjectSpec(type=self.type, id=self.id, name=self.name, collection=self.collection)


@strawberry.input
class TriggerInput:
    source: TriggerSource = TriggerSource.API
    key: str | None = None
    audience_key: str | None = None
    schedule_id: str | None = None
    cancellation_key: str | None = None

    def to_spec(self) -> TriggerSpec:
        return TriggerSpec(
            source=self.source,
            key=self.key,
            audience_key=self.audience_key,
            schedule_id=self.schedule_id,
            cancellation_key=self.cancellation_key,
        )


@strawberry.input
class StartRunInput:
    workflow_key: str
    project: str | None = None
    version: int | None = strawberry.field(default=None, description="defaults to the latest")
    input: JSON | None = None
    subject: SubjectInput | None = None
    tenant: str | None = None
    priority: Priority | None = Priority.NORMAL
    tags: list[TagInput] | None = None
    dry_run: bool | None = False
    visibility: Visibility | None = Visibility.PROJECT
    trigger: TriggerInput | None = None
    reason: str | None = None
    scheduled_at: dt.datetime | None = None
    timeout_seconds: int | None = strawberry.field(
        default=None,
        description="the run TIMED_OUT if not finished this many seconds after it starts; default: the workflow's",
    )
    max_parallel_steps: int | None = None
    disregard_change_limit: bool | None = False
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="a second startRun with the same key in the same project returns the first run, creating nothing",
    )

    def to_options(self) -> RunOptions:
        return RunOptions(
            input=self.input,
            subject=self.subject.to_spec() if self.subject else None,
            tenant=self.tenant,
            priority=self.priority if self.priority is not None else Priority.NORMAL,
            tags=[(t.key, t.value) for t in self.tags or []],
            dry_run=bool(self.dry_run),
            visibility=self.visibility or Visibility.PROJECT,
            trigger=self.trigger.to_spec() if self.trigger else None,
            reason=self.reason,
            scheduled_at=self.scheduled_at,
            timeout_seconds=self.timeout_seconds,
            max_parallel_steps=self.max_parallel_steps,
            disregard_change_limit=bool(self.disregard_change_limit),
            idempotency_key=self.idempotency_key,
        )


@strawberry.input
class TriggerWorkflowInput:
    workflow_key: str
    project: str | None = None
    subjects: list[SubjectInput] = strawberry.field(description="one run per subject, all sharing one batchId")
    input: JSON | None = None
    tenant: str | None = None
    priority: Priority | None = Priority.NORMAL
    tags: list[TagInput] | None = None
    dry_run: bool | None = False
    trigger: TriggerInput | None = None
    reason: str | None = None

    def to_options(self) -> RunOptions:
        return RunOptions(
            input=self.input,
            tenant=self.tenant,
            priority=self.priority if self.priority is not None else Priority.NORMAL,
            tags=[(t.key, t.value) for t in self.tags or []],
            dry_run=bool(self.dry_run),
            trigger=self.trigger.to_spec() if self.trigger else None,
            reason=self.reason,
        )
