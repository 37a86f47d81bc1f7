"""Schedules (JOBS.md): the Schedule type, Query.schedules / schedule, and the schedule mutations."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.auth import Principal
from app.enums import ScheduleFireOutcome, ScheduleOverlap, ScheduleState
from app.errors import NotFound, ValidationFailed
from app.schedules import actions
from app.schedules.actions import ScheduleSettings
from app.schedules.identity import schedule_global_id
from models import Schedule as ScheduleModel
from models import ScheduleFire as ScheduleFireModel
from schema.accounts import Project, load_project
from schema.context import Authenticated, Info, principal_of
from schema.enums import Priority
from schema.errors import UserError, attempt, query_or_raise
from schema.node import Node, PageInfo, check_page_size, page_info, validation_error
from schema.runs import Run, RunConnection, RunConnectionArgs, RunPayload, Tag, TagInput, resolve_run_connection
from schema.runs.types import visible_run
from schema.workflows import Workflow

strawberry.enum(ScheduleOverlap, description="what a schedule does when its previous run has not finished")
strawberry.enum(ScheduleFireOutcome)
strawberry.enum(ScheduleState)


@strawberry.type
class ScheduleFire:
    nominal_time: dt.datetime = strawberry.field(
        description="the fire time the cron gave (runs started by it carry it as scheduledAt)"
    )
    actual_time: dt.datetime | None = strawberry.field(description="when it was acted on; null for MISSED")
    outcome: ScheduleFireOutcome
    error: str | None
    model: strawberry.Private[ScheduleFireModel]

    @classmethod
    def from_model(cls, fire: ScheduleFireModel) -> ScheduleFire:
        return cls(
            nominal_time=fire.nominal_time,
            actual_time=fire.actual_time,
            outcome=fire.outcome,
            error=fire.error,
            model=fire,
        )

    @strawberry.field
    async def run(self, info: Info) -> Run | None:
        return await visible_run(info, self.model.run_id)


@strawberry.type(
    description="Starts runs of a workflow on a calendar (JOBS.md). Its runs have triggeredBy SCHEDULE,\n"
    'trigger.scheduleId = this id, initiatedBy "schedule:<key>".'
)
class Schedule(Node):
    id: strawberry.ID
    key: str
    workflow_version: int | None = strawberry.field(description="null: the workflow's latest version at each fire time")
    cron: str = strawberry.field(
        description="5-field cron (minute hour day-of-month month day-of-week), or @hourly @daily @weekly @monthly"
    )
    timezone: str = strawberry.field(description="IANA time zone the cron is evaluated in")
    input: JSON | None
    tags: list[Tag]
    priority: Priority
    overlap: ScheduleOverlap
    catchup_window_seconds: int = strawberry.field(
        description=(
            "after downtime, the latest fire missed within this window is started late; earlier ones count as missed"
        )
    )
    pause_on_failure: bool = strawberry.field(
        description="pause the schedule (with a note) when a run it started fails"
    )
    state: ScheduleState
    note: str | None
    last_fired_at: dt.datetime | None
    skipped_count: int = strawberry.field(description="fires skipped by the overlap policy")
    missed_count: int = strawberry.field(description="fires missed beyond the catch-up window")
    created_at: dt.datetime
    updated_at: dt.datetime
    model: strawberry.Private[ScheduleModel]

    @classmethod
    def from_model(cls, schedule: ScheduleModel) -> Schedule:
        return cls(
            id=strawberry.ID(schedule_global_id(schedule.id)),
            key=schedule.key,
            workflow_version=schedule.workflow_version,
            cron=schedule.cron,
            timezone=schedule.timezone,
            input=schedule.input,
            tags=[Tag(key=str(key), value=str(value)) for key, value in schedule.tags or []],
            priority=schedule.priority,
            overlap=schedule.overlap,
            catchup_window_seconds=schedule.catchup_window_seconds,
            pause_on_failure=schedule.pause_on_failure,
            state=schedule.state,
            note=schedule.note,
            last_fired_at=schedule.last_fired_at,
            skipped_count=schedule.skipped_count,
            missed_count=schedule.missed_count,
            created_at=schedule.created_at,
            updated_at=schedule.updated_at,
            model=schedule,
        )

    @strawberry.field
    async def project(self, info: Info) -> Project:
        project = await load_project(info, self.model.project_id)
        assert project is not None
        return project

    @strawberry.field
    async def workflow(self, info: Info) -> Workflow:
        workflow = await info.context.loaders.workflow.load(str(self.model.workflow_id))
        assert workflow is not None, "a schedule is deleted with its workflow"
        return Workflow.from_model(workflow)

    @strawberry.field(description="the coming fire times, at most 100")
    async def next_fire_times(self, count: int | None = 5) -> list[dt.datetime]:
        try:
            return actions.next_fire_times(self.model, 5 if count is None else count)
        except ValidationFailed as error:
            raise validation_error(error) from error

    @strawberry.field(description="the latest fires, newest first: nominal and actual time, what happened")
    async def recent_fires(self, info: Info, first: int | None = 20) -> list[ScheduleFire]:
        count = 20 if first is None else first

        async def load() -> list[ScheduleFireModel]:
            actions.check_recent_fires(count)
            return await info.context.loaders.recent_fires.load((str(self.model.id), count))

        fires = await query_or_raise(load())
        return [ScheduleFire.from_model(fire) for fire in fires]

    @strawberry.field
    async def runs(
        self, info: Info, first: int | None = None, after: str | None = None, filter: str | None = None
    ) -> RunConnection:
        args = RunConnectionArgs(filter=filter, first=first, after=after)
        return await resolve_run_connection(info, args, base=actions.schedule_runs_q(self.model))


@strawberry.type
class ScheduleEdge:
    cursor: str
    node: Schedule


@strawberry.type
class ScheduleConnection:
    edges: list[ScheduleEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class SchedulePayload:
    schedule: Schedule | None
    errors: list[UserError]


@strawberry.type
class BackfillPayload:
    schedule: Schedule | None
    runs: list[Run] = strawberry.field(
        description="the runs started or buffered, at most 1,000; they share one batchId"
    )
    batch_id: str | None
    errors: list[UserError]


@strawberry.input
class CreateScheduleInput:
    key: str
    project: str | None = None
    workflow_key: str
    workflow_version: int | None = None
    cron: str
    timezone: str | None = "UTC"
    input: JSON | None = None
    tags: list[TagInput] | None = None
    priority: Priority | None = Priority.NORMAL
    overlap: ScheduleOverlap | None = ScheduleOverlap.SKIP
    catchup_window_seconds: int | None = actions.DEFAULT_CATCHUP_WINDOW_SECONDS
    pause_on_failure: bool | None = False
    paused: bool | None = False
    note: str | None = None

    def to_settings(self) -> ScheduleSettings:
        defaults = ScheduleSettings(cron=self.cron)
        return ScheduleSettings(
            cron=self.cron,
            timezone=self.timezone if self.timezone is not None else defaults.timezone,
            input=self.input,
            tags=[(tag.key, tag.value) for tag in self.tags or []],
            priority=self.priority if self.priority is not None else defaults.priority,
            overlap=self.overlap if self.overlap is not None else defaults.overlap,
            catchup_window_seconds=(
                self.catchup_window_seconds
                if self.catchup_window_seconds is not None
                else defaults.catchup_window_seconds
            ),
            pause_on_failure=bool(self.pause_on_failure),
            workflow_version=self.workflow_version,
        )


@strawberry.input(description="only the fields given change")
class UpdateScheduleInput:
    id: strawberry.ID
    cron: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    input: JSON | None = strawberry.UNSET
    tags: list[TagInput] | None = strawberry.UNSET
    priority: Priority | None = strawberry.UNSET
    overlap: ScheduleOverlap | None = strawberry.UNSET
    catchup_window_seconds: int | None = strawberry.UNSET
    pause_on_failure: bool | None = strawberry.UNSET
    workflow_version: int | None = strawberry.UNSET

    def changes(self) -> dict[str, Any]:
        """The fields given. `input` and `workflowVersion` may be set to null (no input; the
        latest version); the others keep their value when null."""
        given: dict[str, Any] = {}
        for field in dataclasses.fields(ScheduleSettings):
            value = getattr(self, field.name)
            if value is strawberry.UNSET:
                continue
            if value is None and field.name not in ("input", "workflow_version"):
                continue
            given[field.name] = [(tag.key, tag.value) for tag in value] if field.name == "tags" else value
        return given


@strawberry.input
class ScheduleActionInput:
    id: strawberry.ID
    note: str | None = None


@strawberry.input
class TriggerScheduleInput:
    id: strawberry.ID
    overlap: ScheduleOverlap | None = strawberry.field(
        default=strawberry.UNSET, description="null: the schedule's own policy"
    )


@strawberry.input
class BackfillScheduleInput:
    id: strawberry.ID
    from_: dt.datetime = strawberry.field(name="from")
    to: dt.datetime
    overlap: ScheduleOverlap | None = strawberry.field(
        default=ScheduleOverlap.BUFFER_ALL,
        description="how the backfilled runs overlap each other and the schedule's own runs",
    )


async def visible_schedule(principal: Principal, global_id: str) -> Schedule | None:
    """The schedule, or null when it does not exist or the caller cannot see it (`node`)."""
    try:
        return Schedule.from_model(await actions.get_visible_schedule(principal, global_id))
    except NotFound:
        return None


def _payload(schedule: ScheduleModel | None, errors: list[UserError]) -> SchedulePayload:
    return SchedulePayload(schedule=Schedule.from_model(schedule) if schedule else None, errors=errors)


@strawberry.type
class ScheduleQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def schedules(
        self, info: Info, project: str | None = None, first: int | None = None, after: str | None = None
    ) -> ScheduleConnection:
        check_page_size(info, first=first)
        page = await query_or_raise(
            actions.list_schedules(
                principal_of(info),
                project=project,
                first=first,
                after=after,
                max_page_size=info.context.settings.max_page_size,
            )
        )
        return ScheduleConnection(
            edges=[
                ScheduleEdge(cursor=cursor, node=Schedule.from_model(row))
                for row, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page_info(page),
            total_count=await page.count(),
        )

    @strawberry.field(permission_classes=[Authenticated])
    async def schedule(self, info: Info, key: str, project: str | None = None) -> Schedule | None:
        found = await actions.get_schedule(principal_of(info), key, project)
        return Schedule.from_model(found) if found else None


@strawberry.type
class ScheduleMutations:
    @strawberry.mutation(permission_classes=[Authenticated], description="ADMIN")
    async def create_schedule(self, info: Info, input: CreateScheduleInput) -> SchedulePayload:
        return _payload(
            *await attempt(
                actions.create_schedule(
                    principal_of(info),
                    key=input.key,
                    project_key=input.project,
                    workflow_key=input.workflow_key,
                    settings=input.to_settings(),
                    paused=bool(input.paused),
                    note=input.note,
                )
            )
        )

    @strawberry.mutation(permission_classes=[Authenticated], description="ADMIN")
    async def update_schedule(self, info: Info, input: UpdateScheduleInput) -> SchedulePayload:
        return _payload(*await attempt(actions.update_schedule(principal_of(info), input.id, input.changes())))

    @strawberry.mutation(permission_classes=[Authenticated])
    async def pause_schedule(self, info: Info, input: ScheduleActionInput) -> SchedulePayload:
        return _payload(*await attempt(actions.pause_schedule(principal_of(info), input.id, input.note)))

    @strawberry.mutation(permission_classes=[Authenticated])
    async def resume_schedule(self, info: Info, input: ScheduleActionInput) -> SchedulePayload:
        return _payload(*await attempt(actions.resume_schedule(principal_of(info), input.id, input.note)))

    @strawberry.mutation(
        permission_classes=[Authenticated], description="one run now; the schedule's overlap policy applies"
    )
    async def trigger_schedule(self, info: Info, input: TriggerScheduleInput) -> RunPayload:
        overlap = input.overlap if input.overlap is not strawberry.UNSET else None
        run, errors = await attempt(actions.trigger_schedule(principal_of(info), input.id, overlap))
        return RunPayload(run=Run.from_model(run) if run else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[Authenticated], description="ADMIN; one run per fire time in [from, to), at most 1,000"
    )
    async def backfill_schedule(self, info: Info, input: BackfillScheduleInput) -> BackfillPayload:
        result, errors = await attempt(
            actions.backfill_schedule(
                principal_of(info),
                input.id,
                input.from_,
                input.to,
                input.overlap or ScheduleOverlap.BUFFER_ALL,
            )
        )
        if result is None:
            return BackfillPayload(schedule=None, runs=[], batch_id=None, errors=errors)
        schedule, batch_id, runs = result
        return BackfillPayload(
            schedule=Schedule.from_model(schedule),
            runs=[Run.from_model(run) for run in runs],
            batch_id=batch_id,
            errors=[],
        )

    @strawberry.mutation(permission_classes=[Authenticated], description="ADMIN; its runs stay")
    async def delete_schedule(self, info: Info, input: ScheduleActionInput) -> SchedulePayload:
        return _payload(*await attempt(actions.delete_schedule(principal_of(info), input.id)))


__all__ = ["Schedule", "ScheduleMutations", "ScheduleQueries"]
