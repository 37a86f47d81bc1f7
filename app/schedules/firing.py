"""Firing a schedule: which fire times are due, the overlap decision, and the one transaction
that records a fire together with the run it starts.

Exactly once, whatever the number of engines: a fire is claimed by locking the schedule row
(`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers) and moving its
`next_fire_at` on by compare-and-set; the fire row is UNIQUE (schedule, fire instant) and the
run's idempotency key is derived from the same pair. The fire row, the schedule's counters and
the run are written in one transaction: an engine killed mid-fire either committed all of it
or nothing, and the next engine fires that time again.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app.actions.runs import Lineage, RunOptions, TriggerSpec, create_run, validate_options
from app.definitions import StepSpec
from app.enums import ScheduleFireOutcome, ScheduleOverlap, ScheduleState, TriggerSource
from app.errors import Conflict, FlowdeckError, NotFound, ValidationFailed
from app.lifecycle import NON_TERMINAL_RUN_STATUSES
from app.schedules.cron import Cron, parse_cron
from app.schedules.identity import schedule_actor, schedule_global_id
from models import Project, Run, Schedule, ScheduleFire, Workflow, WorkflowVersion

log = logging.getLogger("flowdeck.schedules")

# After a long outage only the newest missed fires are kept as rows (recentFires shows the
# latest ones); all of them are counted in missedCount.
MAX_MISSED_RECORDED = 50
# Fire times scanned in one catch-up before jumping to the start of the catch-up window:
# an every-minute schedule down for a year has 525,600 of them.
MAX_SCAN = 100_000
REPLAN_ATTEMPTS = 3

OpenRuns = Sequence[tuple[uuid.UUID, bool]]


class _Lost(Exception):
    """Another engine claimed this fire time, or the schedule changed under us: nothing written."""


class _Replan(Exception):
    """The schedule's open runs changed between the decision and the claim: decide again."""


# ---------------------------------------------------------------- what is due


@dataclasses.dataclass(frozen=True)
class DueFires:
    """The fire times from a schedule's `next_fire_at` up to now."""

    # the latest fire within the catch-up window: the one that runs (late if need be)
    act_on: dt.datetime | None
    # the newest missed fire times (at most MAX_MISSED_RECORDED), oldest first
    missed: list[dt.datetime]
    missed_count: int
    next_fire_at: dt.datetime


def due_fires(cron: Cron, first: dt.datetime, now: dt.datetime, catchup_window_seconds: int) -> DueFires:
    """Split the fire times in [first, now] into the one to act on and the missed ones."""
    window_start = now - dt.timedelta(seconds=catchup_window_seconds)
    missed: collections.deque[dt.datetime] = collections.deque(maxlen=MAX_MISSED_RECORDED)
    missed_count = 0
    latest: dt.datetime | None = None
    fires = cron.from_(first)
    scanned = 0
    while True:
        fire = next(fires)
        if fire > now:
            break
        if latest is not None:
            missed.append(latest)
            missed_count += 1
        latest = fire
        scanned += 1
        if scanned == MAX_SCAN and fire < window_start:
            # the fires between here and the window's start are counted no further
            fires = cron.from_(window_start)
    if latest is not None and latest < window_start:
        missed.append(latest)
        missed_count += 1
        latest = None
    return DueFires(act_on=latest, missed=list(missed), missed_count=missed_count, next_fire_at=fire)


# ---------------------------------------------------------------- the overlap decision


@dataclasses.dataclass(frozen=True)
class Placement:
    """What a new run of the schedule does given its runs not yet finished."""

    outcome: ScheduleFireOutcome  # STARTED, BUFFERED or SKIPPED
    # runs to cancel (or terminate) once the new run is committed
    stop: tuple[uuid.UUID, ...] = ()
    terminate: bool = False

    @property
    def hold(self) -> bool:
        return self.outcome is ScheduleFireOutcome.BUFFERED


def place(overlap: ScheduleOverlap, open_runs: OpenRuns) -> Placement:
    """Apply the overlap policy. `open_runs`: the schedule's runs not finished, as (id, held)."""
    if not open_runs or overlap is ScheduleOverlap.ALLOW_ALL:
        return Placement(ScheduleFireOutcome.STARTED)
    if overlap is ScheduleOverlap.SKIP:
        return Placement(ScheduleFireOutcome.SKIPPED)
    if overlap is ScheduleOverlap.BUFFER_ONE:
        already_waiting = any(held for _run, held in open_runs)
        return Placement(ScheduleFireOutcome.SKIPPED if already_waiting else ScheduleFireOutcome.BUFFERED)
    if overlap is ScheduleOverlap.BUFFER_ALL:
        return Placement(ScheduleFireOutcome.BUFFERED)
    return Placement(
        ScheduleFireOutcome.STARTED,
        stop=tuple(run_id for run_id, _held in open_runs),
        terminate=overlap is ScheduleOverlap.TERMINATE_OTHER,
    )


async def open_runs_of(schedule: Schedule, connection: BaseDBAsyncClient | None = None) -> list[tuple[uuid.UUID, bool]]:
    """The schedule's runs not finished, oldest fire first, as (id, held by the overlap policy)."""
    query = Run.filter(
        schedule_id=schedule_global_id(schedule.id),
        project_id=schedule.project_id,
        status__in=[status.value for status in NON_TERMINAL_RUN_STATUSES],
    )
    if connection is not None:
        query = query.using_db(connection)
    rows = await query.order_by("scheduled_at", "created_at").values_list("id", "schedule_hold")
    return [(uuid.UUID(str(run_id)), bool(held)) for run_id, held in rows]


async def stop_others(schedule: Schedule, placement: Placement) -> None:
    """CANCEL_OTHER / TERMINATE_OTHER: stop the previous runs, after the new one is committed."""
    # imported here: run_control imports the engine, whose loop imports this module
    from app.actions.run_control import stop_run_as

    verb, policy = ("terminated", "TERMINATE_OTHER") if placement.terminate else ("canceled", "CANCEL_OTHER")
    for run_id in placement.stop:
        await stop_run_as(
            run_id,
            schedule_actor(schedule),
            f"{verb} by schedule {schedule.key!r} (overlap {policy})",
            terminate=placement.terminate,
        )


# ---------------------------------------------------------------- starting a run


@dataclasses.dataclass(frozen=True)
class RunTarget:
    project: Project
    workflow: Workflow
    version: WorkflowVersion
    options: RunOptions


async def run_target(
    schedule: Schedule, scheduled_at: dt.datetime, *, idempotency_key: str | None, reason: str | None = None
) -> RunTarget:
    """What a run of the schedule is: its workflow version (latest unless pinned) and options.
    NotFound / ValidationFailed when the workflow or its input no longer fit."""
    project = await Project.get(id=schedule.project_id)
    workflow = await Workflow.get_or_none(id=schedule.workflow_id)
    if workflow is None:
        raise NotFound(f"the workflow of schedule {schedule.key!r} no longer exists")
    number = schedule.workflow_version if schedule.workflow_version is not None else workflow.version
    version = await WorkflowVersion.get_or_none(workflow_id=workflow.id, version=number)
    if version is None:
        raise NotFound(f"workflow {workflow.key!r} has no version {number}")
    options = RunOptions(
        input=schedule.input,
        priority=schedule.priority,
        tags=[(str(key), str(value)) for key, value in schedule.tags or []],
        trigger=TriggerSpec(source=TriggerSource.SCHEDULE, schedule_id=schedule_global_id(schedule.id)),
        scheduled_at=scheduled_at,
        idempotency_key=idempotency_key,
        reason=reason,
    )
    problems = validate_options(options, [StepSpec.from_json(data) for data in version.steps])
    if problems:
        raise ValidationFailed(problems[0].message, problems[0].field, problems=problems)
    return RunTarget(project, workflow, version, options)


async def start_run_of(
    schedule: Schedule,
    target: RunTarget,
    *,
    within: Callable[[BaseDBAsyncClient, Run], Awaitable[None]] | None = None,
    batch_id: str | None = None,
) -> Run:
    return await create_run(
        project=target.project,
        workflow=target.workflow,
        version=target.version,
        options=target.options,
        initiated_by=schedule_actor(schedule),
        lineage=Lineage(batch_id=batch_id),
        within=within,
    )


def fire_idempotency_key(schedule_id: uuid.UUID, instant: dt.datetime) -> str:
    return f"schedule:{schedule_id}:{instant.astimezone(dt.UTC).isoformat()}"


# ---------------------------------------------------------------- the fire transaction


async def lock_schedule(
    connection: BaseDBAsyncClient, schedule_id: uuid.UUID, *, skip_locked: bool, **conditions: object
) -> Schedule | None:
    """The schedule row locked for this transaction (PostgreSQL; SQLite serialises writers),
    or None when it does not match `conditions` or another transaction holds it (skip_locked)."""
    query = Schedule.filter(id=schedule_id, **conditions).using_db(connection)
    if connection.capabilities.dialect == "postgres":
        query = query.select_for_update(skip_locked=skip_locked)
    return await query.first()


@dataclasses.dataclass(frozen=True)
class FireRecord:
    nominal: dt.datetime
    outcome: ScheduleFireOutcome
    run_id: uuid.UUID | None = None
    error: str | None = None


async def _claim_and_record(
    connection: BaseDBAsyncClient,
    schedule: Schedule,
    due: DueFires,
    now: dt.datetime,
    record: FireRecord | None,
    expect: Placement | None,
) -> Schedule:
    """Inside the fire's transaction: claim the fire time, check the decision still holds,
    move `next_fire_at` on and write the fire rows. Raises _Lost or _Replan (nothing written)."""
    expected = schedule.next_fire_at
    row = await lock_schedule(
        connection, schedule.id, skip_locked=True, state=ScheduleState.ACTIVE.value, next_fire_at=expected
    )
    if row is None:
        raise _Lost()
    if expect is not None and place(row.overlap, await open_runs_of(row, connection)) != expect:
        raise _Replan()
    changes: dict[str, object] = {
        "next_fire_at": due.next_fire_at,
        "updated_at": now,
        "missed_count": F("missed_count") + due.missed_count,
    }
    if record is not None:
        changes["last_fired_at"] = record.nominal
        if record.outcome is ScheduleFireOutcome.SKIPPED:
            changes["skipped_count"] = F("skipped_count") + 1
    matched = await Schedule.filter(id=row.id, next_fire_at=expected).using_db(connection).update(**changes)
    if matched != 1:
        raise _Lost()
    rows = [
        ScheduleFire(schedule_id=row.id, nominal_time=instant, outcome=ScheduleFireOutcome.MISSED)
        for instant in due.missed
    ]
    if record is not None:
        rows.append(
            ScheduleFire(
                schedule_id=row.id,
                nominal_time=record.nominal,
                actual_time=now,
                outcome=record.outcome,
                run_id=record.run_id,
                error=record.error,
            )
        )
    if rows:
        await ScheduleFire.bulk_create(rows, using_db=connection)
    return row


async def _record_without_run(
    schedule: Schedule, due: DueFires, now: dt.datetime, record: FireRecord | None, expect: Placement | None
) -> None:
    async with in_transaction("default") as connection:
        await _claim_and_record(connection, schedule, due, now, record, expect)


async def fire_due(schedule: Schedule, now: dt.datetime) -> list[uuid.UUID]:
    """Act on the fire times of `schedule` that are due at `now`; the ids of runs created.

    Returns [] when another engine got there first.
    """
    assert schedule.next_fire_at is not None
    cron = parse_cron(schedule.cron, schedule.timezone)
    due = due_fires(cron, schedule.next_fire_at, now, schedule.catchup_window_seconds)
    for _attempt in range(REPLAN_ATTEMPTS):
        try:
            return await _fire_once(schedule, due, now)
        except _Replan:
            continue
        except (_Lost, IntegrityError):
            # IntegrityError: the UNIQUE fire row or the run's idempotency key says this fire
            # time was already acted on
            return []
    return []


async def _fire_once(schedule: Schedule, due: DueFires, now: dt.datetime) -> list[uuid.UUID]:
    if due.act_on is None:
        await _record_without_run(schedule, due, now, None, None)
        return []
    nominal = due.act_on
    placement = place(schedule.overlap, await open_runs_of(schedule))
    if placement.outcome is ScheduleFireOutcome.SKIPPED:
        await _record_without_run(schedule, due, now, FireRecord(nominal, placement.outcome), placement)
        return []
    try:
        target = await run_target(schedule, nominal, idempotency_key=fire_idempotency_key(schedule.id, nominal))
    except FlowdeckError as error:
        failed = FireRecord(nominal, ScheduleFireOutcome.FAILED_TO_START, error=error.message)
        await _record_without_run(schedule, due, now, failed, None)
        return []

    async def within(connection: BaseDBAsyncClient, run: Run) -> None:
        run.schedule_hold = placement.hold
        await _claim_and_record(
            connection, schedule, due, now, FireRecord(nominal, placement.outcome, run.id), placement
        )

    try:
        run = await start_run_of(schedule, target, within=within)
    except (_Lost, _Replan, IntegrityError):
        raise
    except Exception as error:
        log.exception("schedule %s could not start its run for %s", schedule.key, nominal.isoformat())
        failed = FireRecord(nominal, ScheduleFireOutcome.FAILED_TO_START, error=f"could not start the run: {error}")
        await _record_without_run(schedule, due, now, failed, None)
        return []
    await stop_others(schedule, placement)
    return [run.id]


# ---------------------------------------------------------------- trigger and backfill


async def trigger_now(schedule: Schedule, overlap: ScheduleOverlap, now: dt.datetime) -> Run:
    """One run now, placed by `overlap`; Conflict when the policy skips it."""
    for _attempt in range(REPLAN_ATTEMPTS):
        placement = place(overlap, await open_runs_of(schedule))
        if placement.outcome is ScheduleFireOutcome.SKIPPED:
            raise Conflict(
                f"schedule {schedule.key!r} has a run not finished and overlap {overlap.value} skips this one",
                ("input", "overlap"),
            )
        target = await run_target(
            schedule, now, idempotency_key=fire_idempotency_key(schedule.id, now), reason="triggered now"
        )

        async def within(connection: BaseDBAsyncClient, run: Run, placement: Placement = placement) -> None:
            row = await lock_schedule(connection, schedule.id, skip_locked=False)
            if row is None:
                raise NotFound(f"schedule {schedule.key!r} was deleted", ("input", "id"))
            if place(overlap, await open_runs_of(row, connection)) != placement:
                raise _Replan()
            run.schedule_hold = placement.hold
            await Schedule.filter(id=row.id).using_db(connection).update(last_fired_at=now, updated_at=now)
            await ScheduleFire.create(
                schedule_id=row.id,
                nominal_time=now,
                actual_time=now,
                outcome=placement.outcome,
                run_id=run.id,
                using_db=connection,
            )

        try:
            run = await start_run_of(schedule, target, within=within)
        except _Replan:
            continue
        await stop_others(schedule, placement)
        return run
    raise Conflict(f"schedule {schedule.key!r}: its runs kept changing; try again", ("input", "id"))


MAX_BACKFILL_RUNS = 1000


def backfill_times(cron: Cron, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The fire times in [start, end); at most MAX_BACKFILL_RUNS + 1 (to tell that there are more)."""
    times: list[dt.datetime] = []
    for fire in cron.from_(start):
        if fire >= end or len(times) > MAX_BACKFILL_RUNS:
            break
        times.append(fire)
    return times


async def backfill(
    schedule: Schedule, times: list[dt.datetime], overlap: ScheduleOverlap, reason: str
) -> tuple[str, list[Run]]:
    """One run per fire time, created now in order, sharing one batchId; each placed by `overlap`
    against the schedule's open runs and the backfill's earlier ones."""
    batch_id = uuid.uuid4().hex
    open_runs = await open_runs_of(schedule)
    if overlap in (ScheduleOverlap.CANCEL_OTHER, ScheduleOverlap.TERMINATE_OTHER):
        # each run would stop the one before it: only the last fire time's run would remain
        await stop_others(schedule, place(overlap, open_runs))
        times, open_runs = times[-1:], []
    targets = [await run_target(schedule, instant, idempotency_key=None, reason=reason) for instant in times]
    runs: list[Run] = []
    for target in targets:
        placement = place(overlap, open_runs)
        if placement.outcome is ScheduleFireOutcome.SKIPPED:
            continue

        async def hold(_connection: BaseDBAsyncClient, run: Run, placement: Placement = placement) -> None:
            run.schedule_hold = placement.hold

        run = await start_run_of(schedule, target, within=hold, batch_id=batch_id)
        runs.append(run)
        open_runs.append((run.id, placement.hold))
    return batch_id, runs
