"""The run types: runs, their steps, history events, updates, signals, connection and stats."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from strawberry.scalars import JSON

from app.enums import StepStatus as StepStatusValue
from app.ids import to_global_id
from app.lifecycle import utcnow
from app.queries import Row, list_run_events, list_run_updates
from app.queries.counts import COUNT_LIMIT, ESTIMATE_BOUND, RARE_MATCHES, WALK_ROWS
from models import Run as RunModel
from models import RunEvent as RunEventModel
from models import RunUpdate as RunUpdateModel
from models import Signal as SignalModel
from models import StepRun as StepRunModel
from schema.accounts import Project, load_project
from schema.context import Context, Info, principal_of
from schema.enums import (
    Priority,
    RunAction,
    RunEventType,
    RunStatus,
    StepAction,
    StepStatus,
    StepType,
    TriggerSource,
    Visibility,
)
from schema.errors import query_or_raise
from schema.execution.inline import inline
from schema.loaders import map_loaded
from schema.node import Node, PageInfo, check_page_size, page_info

if TYPE_CHECKING:
    from schema.workflows import Workflow

PENDING_STEP_STATUSES = (StepStatusValue.RUNNING, StepStatusValue.QUEUED, StepStatusValue.WAITING)

# The one edge from runs to workflows. schema.workflows imports this package (Workflow.runs
# is a run connection), so this direction is resolved lazily, when the schema is built.
LazyWorkflow = Annotated["Workflow", strawberry.lazy("schema.workflows")]

R = TypeVar("R")

# the walk of a count with a substring or tag test (app.queries.counts.WALK_ROWS)
WALKED_COUNT = (
    "With a substring test (co/sw/ew), a search or, on SQLite, a tag test, the matches among the newest "
    f"{WALK_ROWS:,} runs are counted first: when they are at least {RARE_MATCHES}, older runs "
    "remain and their share times the runs in scope estimates more than "
    f"{ESTIMATE_BOUND:,} matches, that count is the answer, meaning at least that many (a rarer "
    "term, or a common one in a smaller scope, is counted over all its runs)."
)


@strawberry.type
class Trigger:
    source: TriggerSource
    key: str | None = strawberry.field(description="event or extraction key that caused the trigger")
    audience_key: str | None
    schedule_id: str | None
    cancellation_key: str | None


@strawberry.type(description="Who or what the run is for: an identity, a recipient, a document.")
class Subject:
    type: str
    id: str
    name: str | None
    collection: str | None


@strawberry.type
class Tag:
    key: str
    value: str


@strawberry.type
class RunError:
    message: str
    type: str | None
    step_ref: str | None


@strawberry.type
class RunEvent:
    seq: int = strawberry.field(description="1, 2, 3 ... per run, no gaps")
    at: dt.datetime
    type: RunEventType
    run_id: strawberry.ID
    step_ref: str | None
    step_type: StepType | None
    attempt: int | None
    ok: bool = strawberry.field(description="false for error events")
    actor: str | None
    reason: str | None
    data: JSON | None

    @classmethod
    def from_model(cls, event: RunEventModel) -> RunEvent:
        return cls(
            seq=event.seq,
            at=event.at,
            type=event.type,
            run_id=strawberry.ID(to_global_id("Run", event.run_id)),
            step_ref=event.step_ref,
            step_type=event.step_type,
            attempt=event.attempt,
            ok=event.ok,
            actor=event.actor,
            reason=event.reason,
            data=event.data,
        )


@strawberry.type
class RunEventEdge:
    cursor: str
    node: RunEvent


@strawberry.type
class RunEventConnection:
    edges: list[RunEventEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(description="A progress message posted by a workflow or worker (seq is per run, no gaps).")
class RunUpdate:
    seq: int
    run_id: strawberry.ID
    at: dt.datetime
    type: str
    message: str
    details: JSON | None
    workstream_id: str | None

    @classmethod
    def from_model(cls, update: RunUpdateModel) -> RunUpdate:
        return cls(
            seq=update.seq,
            run_id=strawberry.ID(to_global_id("Run", update.run_id)),
            at=update.at,
            type=update.type,
            message=update.message,
            details=update.details,
            workstream_id=update.workstream_id,
        )


@strawberry.type
class Signal:
    name: str
    payload: JSON | None
    received_at: dt.datetime
    sent_by: str
    consumed_by: str | None = strawberry.field(description="the step that consumed it, null while buffered")

    @classmethod
    def from_model(cls, signal: SignalModel) -> Signal:
        return cls(
            name=signal.name,
            payload=signal.payload,
            received_at=signal.received_at,
            sent_by=signal.sent_by,
            consumed_by=signal.consumed_by,
        )


def _duration(started: dt.datetime | None, finished: dt.datetime | None) -> float | None:
    if started is None:
        return None
    return ((finished or utcnow()) - started).total_seconds()


async def visible_run(info: Info, run_id: object) -> Run | None:
    """The run with this id as the caller may see it, or None (missing, or out of reach)."""
    if run_id is None:
        return None
    run = await info.context.loaders.run.load(str(run_id))
    if run is None or not principal_of(info).can_see_run(run.project_id, run.visibility, run.initiated_by):
        return None
    return Run.from_model(run)


@strawberry.type(
    description=(
        "One attempt of a step, from the run's history (STEP_STARTED or STEP_WAITING to the event that ended it)."
    )
)
class StepAttempt:
    attempt: int
    status: StepStatus = strawberry.field(description="RUNNING or WAITING while open, then how it ended")
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error: str | None


@strawberry.type
class StepRun(Node):
    id: strawberry.ID
    ref: str
    name: str | None
    type: StepType
    status: StepStatus
    attempt: int
    depends_on: list[str]
    input: JSON | None
    output: JSON | None
    error: str | None
    queue: str | None
    handler: str | None = strawberry.field(description="TASK: the handler a worker or the engine runs")
    job_run_id: str | None = strawberry.field(
        description="the worker (or engine) execution that holds it now or held it last"
    )
    iteration: int | None = strawberry.field(description="FOR_EACH iterations: index, and the loop step's ref")
    parent_ref: str | None
    reused: bool = strawberry.field(description="carried over, with its output, from the run that this run retries")
    reason: str | None
    actor: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    lease_expires_at: dt.datetime | None
    # the step's row (app.queries.rows) or model: what its resolvers read
    model: strawberry.Private[StepRunModel | Row]

    @classmethod
    def from_model(cls, step: StepRunModel | Row) -> StepRun:
        return cls(
            id=strawberry.ID(to_global_id("StepRun", step.id)),
            ref=step.ref,
            name=step.name,
            type=step.type,
            status=step.status,
            attempt=step.attempt,
            depends_on=list(step.depends_on or []),
            input=step.input,
            output=step.output,
            error=step.error,
            queue=step.queue,
            handler=step.handler,
            job_run_id=step.job_run_id,
            iteration=step.iteration,
            parent_ref=step.parent_ref,
            reused=step.reused,
            reason=step.reason,
            actor=step.actor,
            created_at=step.created_at,
            started_at=step.started_at,
            finished_at=step.finished_at,
            lease_expires_at=step.lease_expires_at,
            model=step,
        )

    async def _siblings(self, info: Info) -> dict[str, Row]:
        steps = await info.context.loaders.steps_by_run.load(str(self.model.run_id))
        return {step.ref: step for step in steps}

    async def _run_model(self, info: Info) -> RunModel:
        run = await info.context.loaders.run.load(str(self.model.run_id))
        assert run is not None
        return run

    @strawberry.field
    async def run(self, info: Info) -> Run:
        return Run.from_model(await self._run_model(info))

    @strawberry.field
    async def deps_completed(self, info: Info) -> int:
        siblings = await self._siblings(info)
        done = {StepStatusValue.COMPLETED, StepStatusValue.SKIPPED}
        return sum(1 for ref in self.depends_on if ref in siblings and siblings[ref].status in done)

    @strawberry.field
    def deps_required(self) -> int:
        return len(self.depends_on)

    @strawberry.field(
        description=(
            'while not finished, what it waits for, e.g. "approval", "signal:payment-received", "worker on queue '
            'billing", "a free slot (maxParallelSteps 4)", "dependency fetch", "timer until 2026-11-24T10:00:00Z", '
            '"run paused"'
        )
    )
    async def waiting_for(self, info: Info) -> str | None:
        from app.availability import waiting_for

        return waiting_for(self.model, await self._run_model(info), await self._siblings(info))

    @strawberry.field(description="every attempt so far, oldest first (a retried step has one per try)")
    async def attempts(self, info: Info) -> list[StepAttempt]:
        by_ref = await info.context.loaders.attempts_by_run.load(str(self.model.run_id))
        return [
            StepAttempt(
                attempt=item.attempt,
                status=item.status,
                started_at=item.started_at,
                finished_at=item.finished_at,
                error=item.error,
            )
            for item in by_ref.get(self.ref, [])
        ]

    @strawberry.field(
        description="what the caller may do to this step now: derived from its status, its type and the caller's role"
    )
    async def available_actions(self, info: Info) -> list[StepAction]:
        from app.availability import step_actions

        return step_actions(self.model, await self._run_model(info), principal_of(info))


@strawberry.type
class Run(Node):
    id: strawberry.ID
    workflow_version: int
    status: RunStatus
    triggered_by: TriggerSource
    trigger: Trigger
    initiated_by: str = strawberry.field(
        description="actor that started it: apikey:<name>, user:<id>, system, run:<id>"
    )
    subject: Subject | None
    tenant: str | None
    batch_id: str | None = strawberry.field(
        description="shared by every run that one trigger fanned out over several subjects"
    )
    priority: Priority
    dry_run: bool
    visibility: Visibility
    reason: str | None
    manually_triggered: bool
    change_limit_reached: bool
    disregard_change_limit: bool
    max_parallel_steps: int
    input: JSON | None
    output: JSON | None
    error: RunError | None
    error_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    scheduled_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None
    # the run's row (app.queries.rows) or model: what its resolvers read
    model: strawberry.Private[RunModel | Row]
    # the only columns of its steps that its selection reads (None: all), set by a page of runs
    # that proved it (schema.runs.connection.step_columns); its steps then come from a loader
    # that reads only those
    step_columns: strawberry.Private[frozenset[str] | None] = None

    @classmethod
    def from_model(cls, run: RunModel | Row) -> Run:
        subject = None
        if run.subject_id is not None:
            subject = Subject(
                type=run.subject_type or "", id=run.subject_id, name=run.subject_name, collection=run.subject_collection
            )
        return cls(
            id=strawberry.ID(to_global_id("Run", run.id)),
            workflow_version=run.workflow_version,
            status=run.status,
            triggered_by=run.triggered_by,
            trigger=Trigger(
                source=run.triggered_by,
                key=run.trigger_key,
                audience_key=run.audience_key,
                schedule_id=run.schedule_id,
                cancellation_key=run.cancellation_key,
            ),
            initiated_by=run.initiated_by,
            subject=subject,
            tenant=run.tenant,
            batch_id=run.batch_id,
            priority=run.priority,
            dry_run=run.dry_run,
            visibility=run.visibility,
            reason=run.reason,
            manually_triggered=run.manually_triggered,
            change_limit_reached=run.change_limit_reached,
            disregard_change_limit=run.disregard_change_limit,
            max_parallel_steps=run.max_parallel_steps,
            input=run.input,
            output=run.output,
            error=RunError(message=run.error_message, type=run.error_type, step_ref=run.error_step_ref)
            if run.error_message is not None
            else None,
            error_count=run.error_count,
            created_at=run.created_at,
            updated_at=run.updated_at,
            scheduled_at=run.scheduled_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
            expires_at=run.expires_at,
            model=run,
        )

    @strawberry.field(metadata=inline(lambda run, context: run_duration(run)))
    def duration_seconds(self) -> float | None:
        return run_duration(self)

    # The fields over the steps and the workflow are plain functions that return a value
    # when the page preloaded it and an awaitable otherwise (see `map_loaded`).

    # `inline`: a compiled plan calls these functions without a resolve info (schema.execution.inline)

    @strawberry.field(graphql_type=LazyWorkflow, metadata=inline(lambda run, context: run_workflow(run, context)))
    def workflow(self, info: Info) -> Workflow | Awaitable[Workflow]:
        return run_workflow(self, info.context)

    @strawberry.field
    async def project(self, info: Info) -> Project:
        project = await load_project(info, self.model.project_id)
        assert project is not None
        return project

    @strawberry.field
    async def tags(self, info: Info) -> list[Tag]:
        return [Tag(key=t.key, value=t.value) for t in await info.context.loaders.tags_by_run.load(str(self.model.id))]

    @strawberry.field(description="the run this one retries from its first failed step")
    async def retry_of(self, info: Info) -> Run | None:
        return await visible_run(info, self.model.retry_of_id)

    @strawberry.field(description="the run this one restarts from scratch")
    async def restart_of(self, info: Info) -> Run | None:
        return await visible_run(info, self.model.restart_of_id)

    @strawberry.field
    async def parent_run(self, info: Info) -> Run | None:
        return await visible_run(info, self.model.parent_run_id)

    @strawberry.field
    async def parent_step(self, info: Info) -> StepRun | None:
        if self.model.parent_step_id is None or await visible_run(info, self.model.parent_run_id) is None:
            return None
        step = await info.context.loaders.step.load(str(self.model.parent_step_id))
        return StepRun.from_model(step) if step else None

    @strawberry.field
    async def child_runs(self, info: Info) -> list[Run]:
        principal = principal_of(info)
        children = await info.context.loaders.children_by_run.load(str(self.model.id))
        return [
            Run.from_model(child)
            for child in children
            if principal.can_see_run(child.project_id, child.visibility, child.initiated_by)
        ]

    def _with_steps(self, info: Info, convert: Callable[[list[Row]], R]) -> R | Awaitable[R]:
        return map_loaded(info.context.loaders.steps_reading(self.step_columns), str(self.model.id), convert)

    @strawberry.field(
        graphql_type=list[StepRun], metadata=inline(lambda run, context, **a: run_steps(run, context, **a))
    )
    def steps(
        self, info: Info, include_loop_iterations: bool | None = False
    ) -> list[StepRun] | Awaitable[list[StepRun]]:
        return run_steps(self, info.context, include_loop_iterations=include_loop_iterations)

    @strawberry.field(graphql_type=StepRun | None)
    def step(self, info: Info, ref: str) -> StepRun | Awaitable[StepRun | None] | None:
        return self._with_steps(info, lambda steps: next((StepRun.from_model(s) for s in steps if s.ref == ref), None))

    @strawberry.field(graphql_type=list[StepRun], description="steps RUNNING, QUEUED or WAITING")
    def pending_steps(self, info: Info) -> list[StepRun] | Awaitable[list[StepRun]]:
        return self._with_steps(
            info, lambda steps: [StepRun.from_model(s) for s in steps if s.status in PENDING_STEP_STATUSES]
        )

    @strawberry.field
    async def events(self, info: Info, after: int | None = None, first: int | None = None) -> RunEventConnection:
        check_page_size(info, first=first)
        page = await query_or_raise(
            list_run_events(self.model.id, after=after, first=first, max_page_size=info.context.settings.max_page_size)
        )
        return RunEventConnection(
            edges=[
                RunEventEdge(cursor=cursor, node=RunEvent.from_model(event))
                for event, cursor in zip(page.items, page.cursors, strict=True)
            ],
            page_info=page_info(page),
            total_count=await page.count(),
        )

    @strawberry.field
    async def updates(self, info: Info, since: dt.datetime | None = None, first: int | None = None) -> list[RunUpdate]:
        check_page_size(info, first=first)
        limit = first if first is not None else info.context.settings.max_page_size
        rows = await list_run_updates(self.model.id, since=since, limit=limit)
        return [RunUpdate.from_model(row) for row in rows]

    @strawberry.field
    async def signals(self, info: Info) -> list[Signal]:
        return [Signal.from_model(s) for s in await info.context.loaders.signals_by_run.load(str(self.model.id))]

    @strawberry.field(
        description="what the caller may do to this run now: derived from its status and the caller's role"
    )
    def available_actions(self, info: Info) -> list[RunAction]:
        from app.availability import run_actions

        return run_actions(self.model, principal_of(info))


def run_duration(run: Run) -> float | None:
    """Run.durationSeconds."""
    return _duration(run.started_at, run.finished_at)


def run_workflow(run: Run, context: Context) -> Workflow | Awaitable[Workflow]:
    """Run.workflow: the row its page preloaded, or the loader's awaitable."""
    from schema.workflows import Workflow  # loaded by now: the schema is built from both

    def convert(workflow: Row | None) -> Workflow:
        assert workflow is not None, "a run's workflow is never deleted"
        return Workflow.from_model(workflow)

    return map_loaded(context.loaders.workflow, str(run.model.workflow_id), convert)


def run_steps(
    run: Run, context: Context, include_loop_iterations: bool | None = False
) -> list[StepRun] | Awaitable[list[StepRun]]:
    """Run.steps: from the rows its page preloaded, or the loader's awaitable."""
    return map_loaded(
        context.loaders.steps_reading(run.step_columns),
        str(run.model.id),
        lambda steps: [StepRun.from_model(step) for step in steps if include_loop_iterations or step.iteration is None],
    )


@strawberry.type
class RunEdge:
    cursor: str
    node: Run


@strawberry.type
class RunConnection:
    edges: list[RunEdge]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    count_is_exact: strawberry.Private[Callable[[], Awaitable[bool]]]

    @strawberry.field(
        description="How many runs match. Without filter, where or search it is exact (kept by counters); "
        f"otherwise it is exact up to {COUNT_LIMIT:,} and past that it is {COUNT_LIMIT:,}, meaning at least "
        f"that many. {WALKED_COUNT} See totalCountIsExact."
    )
    async def total_count(self) -> int:
        return int(await self.count())

    @strawberry.field(
        description=f"False when totalCount is a lower bound: more than {COUNT_LIMIT:,} runs match a filter, "
        "where or search, or the count was of the newest runs alone (see totalCount)."
    )
    async def total_count_is_exact(self) -> bool:
        return bool(await self.count_is_exact())


@strawberry.type
class StatusCount:
    status: RunStatus
    count: int


@strawberry.type
class RunStats:
    total: int = strawberry.field(
        description=f"Exact without filter or where (kept by counters); with one, exact up to {COUNT_LIMIT:,} "
        f"runs and otherwise {COUNT_LIMIT:,}, meaning at least that many. {WALKED_COUNT} See exact."
    )
    by_status: list[StatusCount] = strawberry.field(
        description="every RunStatus, zero counts included, in the enum's order"
    )
    exact: bool = strawberry.field(
        description=f"False when total is a lower bound: more than {COUNT_LIMIT:,} runs match the filter or "
        f"where (total is then {COUNT_LIMIT:,}, taken over the first {COUNT_LIMIT:,} runs found), or the count "
        "was of the newest runs alone (see total); each count is then a lower bound too."
    )
