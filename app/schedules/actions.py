"""The schedule actions (JOBS.md "Schedules"): create, update, pause, resume, trigger, backfill,
delete, and the reads. Roles: VIEWER reads; OPERATOR pauses, resumes and triggers; ADMIN
creates, updates, deletes and backfills. A schedule of another project is NOT_FOUND."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.actions.accounts import resolve_project
from app.actions.runs import RunOptions, validate_options
from app.auth import Principal
from app.definitions import KEY_PATTERN, StepSpec
from app.enums import ErrorCode, Priority, Role, ScheduleOverlap, ScheduleState
from app.errors import InvalidTransition, LimitReached, NotFound, Problem, ValidationFailed
from app.ids import expect_global_id
from app.queries import Page, page_by_key, visible_workflows_q
from app.schedules import clock
from app.schedules.cron import cron_problems, parse_cron
from app.schedules.firing import MAX_BACKFILL_RUNS, backfill, backfill_times, lock_schedule, trigger_now
from app.schedules.identity import TYPE_NAME, schedule_global_id
from app.statements import placeholders
from models import Project, Run, Schedule, ScheduleFire, Workflow, WorkflowVersion

DEFAULT_CATCHUP_WINDOW_SECONDS = 365 * 24 * 3600
MAX_RECENT_FIRES = 100
MAX_NOTE_LENGTH = 2000


@dataclasses.dataclass(frozen=True)
class ScheduleSettings:
    """What createSchedule sets and updateSchedule may change."""

    cron: str
    timezone: str = "UTC"
    input: Any = None
    tags: Sequence[tuple[str, str]] = ()
    priority: Priority = Priority.NORMAL
    overlap: ScheduleOverlap = ScheduleOverlap.SKIP
    catchup_window_seconds: int = DEFAULT_CATCHUP_WINDOW_SECONDS
    pause_on_failure: bool = False
    workflow_version: int | None = None


# updateSchedule's fields, named as in ScheduleSettings
UPDATABLE_FIELDS = frozenset(field.name for field in dataclasses.fields(ScheduleSettings))


def _settings_of(schedule: Schedule) -> ScheduleSettings:
    return ScheduleSettings(
        cron=schedule.cron,
        timezone=schedule.timezone,
        input=schedule.input,
        tags=[(str(key), str(value)) for key, value in schedule.tags or []],
        priority=schedule.priority,
        overlap=schedule.overlap,
        catchup_window_seconds=schedule.catchup_window_seconds,
        pause_on_failure=schedule.pause_on_failure,
        workflow_version=schedule.workflow_version,
    )


async def _check(workflow: Workflow, settings: ScheduleSettings, note: str | None = None) -> None:
    """Every problem of the settings against the workflow, raised together (VALIDATION / NOT_FOUND)."""
    number = settings.workflow_version if settings.workflow_version is not None else workflow.version
    version = await WorkflowVersion.get_or_none(workflow_id=workflow.id, version=number)
    if version is None:
        raise NotFound(
            f"workflow {workflow.key!r} has no version {number} (latest is {workflow.version})",
            ("input", "workflowVersion"),
        )
    problems: list[Problem] = cron_problems(settings.cron, settings.timezone)
    if settings.catchup_window_seconds < 0:
        problems.append(
            Problem(
                ErrorCode.VALIDATION, "catchupWindowSeconds must not be negative", ("input", "catchupWindowSeconds")
            )
        )
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        problems.append(Problem(ErrorCode.VALIDATION, f"note is over {MAX_NOTE_LENGTH} characters", ("input", "note")))
    options = RunOptions(input=settings.input, tags=settings.tags, priority=settings.priority)
    problems += validate_options(options, [StepSpec.from_json(data) for data in version.steps])
    if problems:
        raise ValidationFailed(problems[0].message, problems[0].field, problems=problems)


def _first_fire_after(settings: ScheduleSettings, instant: dt.datetime) -> dt.datetime:
    return parse_cron(settings.cron, settings.timezone).next_after(instant)


def _columns(settings: ScheduleSettings) -> dict[str, Any]:
    return {
        "cron": " ".join(settings.cron.split()),
        "timezone": settings.timezone,
        "input": settings.input,
        "tags": [list(tag) for tag in settings.tags],
        "priority": settings.priority,
        "overlap": settings.overlap,
        "catchup_window_seconds": settings.catchup_window_seconds,
        "pause_on_failure": settings.pause_on_failure,
        "workflow_version": settings.workflow_version,
    }


async def create_schedule(
    principal: Principal,
    *,
    key: str,
    project_key: str | None,
    workflow_key: str,
    settings: ScheduleSettings,
    paused: bool = False,
    note: str | None = None,
) -> Schedule:
    """createSchedule (ADMIN): its first fire is the first fire time after now."""
    principal.require(Role.ADMIN, "createSchedule")
    project = await resolve_project(principal, project_key, ("input", "project"))
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(
            "key must be lowercase letters, digits, '_', '.', '-', starting with a letter or digit", ("input", "key")
        )
    workflow = await Workflow.get_or_none(project_id=project.id, key=workflow_key)
    if workflow is None:
        raise NotFound(f"no workflow {workflow_key!r} in project {project.key!r}", ("input", "workflowKey"))
    await _check(workflow, settings, note)
    now = clock.now()
    try:
        return await Schedule.create(
            id=uuid.uuid4(),
            project_id=project.id,
            workflow_id=workflow.id,
            key=key,
            state=ScheduleState.PAUSED if paused else ScheduleState.ACTIVE,
            note=note,
            next_fire_at=_first_fire_after(settings, now),
            created_by=principal.actor,
            created_at=now,
            updated_at=now,
            **_columns(settings),
        )
    except IntegrityError:
        raise ValidationFailed(
            f"a schedule with key {key!r} already exists in project {project.key!r}", ("input", "key")
        ) from None


async def get_visible_schedule(
    principal: Principal, global_id: str, field: tuple[str, ...] = ("input", "id")
) -> Schedule:
    """The schedule with this global id in a project the caller sees; NotFound otherwise."""
    raw_id = expect_global_id(global_id, TYPE_NAME, field)
    schedule = await Schedule.get_or_none(id=raw_id)
    if schedule is None or not principal.can_see_project(schedule.project_id):
        raise NotFound(f"no Schedule with id {global_id!r}", field)
    return schedule


async def update_schedule(principal: Principal, global_id: str, changes: Mapping[str, Any]) -> Schedule:
    """updateSchedule (ADMIN): only the given fields change. A new cron or zone fires next at
    its first fire time after now, so a time already fired never fires again."""
    principal.require(Role.ADMIN, "updateSchedule")
    unknown = set(changes) - UPDATABLE_FIELDS
    assert not unknown, f"not updatable: {unknown}"
    schedule = await get_visible_schedule(principal, global_id)
    settings = dataclasses.replace(_settings_of(schedule), **changes)
    workflow = await Workflow.get(id=schedule.workflow_id)
    await _check(workflow, settings)
    now = clock.now()
    columns = _columns(settings)
    if settings.cron != schedule.cron or settings.timezone != schedule.timezone:
        columns["next_fire_at"] = _first_fire_after(settings, now)
    async with in_transaction("default") as connection:
        if await lock_schedule(connection, schedule.id, skip_locked=False) is None:
            raise NotFound(f"no Schedule with id {global_id!r}", ("input", "id"))
        await Schedule.filter(id=schedule.id).using_db(connection).update(updated_at=now, **columns)
    return await Schedule.get(id=schedule.id)


async def _change_state(
    principal: Principal, global_id: str, note: str | None, *, to: ScheduleState, operation: str
) -> Schedule:
    principal.require(Role.OPERATOR, operation)
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise ValidationFailed(f"note is over {MAX_NOTE_LENGTH} characters", ("input", "note"))
    schedule = await get_visible_schedule(principal, global_id)
    source = ScheduleState.ACTIVE if to is ScheduleState.PAUSED else ScheduleState.PAUSED
    now = clock.now()
    columns: dict[str, Any] = {"state": to.value, "note": note, "updated_at": now}
    if to is ScheduleState.ACTIVE:
        # the fires that fell while paused are never caught up
        columns["next_fire_at"] = _first_fire_after(_settings_of(schedule), now)
    matched = await Schedule.filter(id=schedule.id, state=source.value).update(**columns)
    if matched != 1:
        raise InvalidTransition(f"cannot {operation} schedule {schedule.key!r}: it is {to.value} already")
    return await Schedule.get(id=schedule.id)


async def pause_schedule(principal: Principal, global_id: str, note: str | None) -> Schedule:
    """pauseSchedule (OPERATOR): no fire until resumed; the note is shown on the schedule."""
    return await _change_state(principal, global_id, note, to=ScheduleState.PAUSED, operation="pauseSchedule")


async def resume_schedule(principal: Principal, global_id: str, note: str | None) -> Schedule:
    """resumeSchedule (OPERATOR): fires again from the first fire time after now."""
    return await _change_state(principal, global_id, note, to=ScheduleState.ACTIVE, operation="resumeSchedule")


async def trigger_schedule(principal: Principal, global_id: str, overlap: ScheduleOverlap | None) -> Run:
    """triggerSchedule (OPERATOR): one run now, placed by `overlap` or the schedule's own policy."""
    principal.require(Role.OPERATOR, "triggerSchedule")
    schedule = await get_visible_schedule(principal, global_id)
    return await trigger_now(schedule, overlap or schedule.overlap, clock.now())


async def backfill_schedule(
    principal: Principal, global_id: str, start: dt.datetime, end: dt.datetime, overlap: ScheduleOverlap
) -> tuple[Schedule, str, list[Run]]:
    """backfillSchedule (ADMIN): one run per fire time in [start, end), at most 1,000, all
    created now (PENDING, in order) with one batchId; `overlap` holds or skips them."""
    principal.require(Role.ADMIN, "backfillSchedule")
    schedule = await get_visible_schedule(principal, global_id)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("from and to need a UTC offset", ("input", "from"))
    if end <= start:
        raise ValidationFailed("to must be after from", ("input", "to"))
    times = backfill_times(parse_cron(schedule.cron, schedule.timezone), start, end)
    if len(times) > MAX_BACKFILL_RUNS:
        raise LimitReached(
            f"[from, to) holds more than {MAX_BACKFILL_RUNS:,} fire times of {schedule.cron!r}: "
            "backfill a shorter range",
            ("input", "to"),
        )
    batch_id, runs = await backfill(schedule, times, overlap, reason=f"backfill by {principal.actor}")
    return schedule, batch_id, runs


async def delete_schedule(principal: Principal, global_id: str) -> Schedule:
    """deleteSchedule (ADMIN): no more fires; its runs stay, and those its policy held back are
    let go (nothing would release them any more)."""
    principal.require(Role.ADMIN, "deleteSchedule")
    schedule = await get_visible_schedule(principal, global_id)
    async with in_transaction("default") as connection:
        if await lock_schedule(connection, schedule.id, skip_locked=False) is None:
            raise NotFound(f"no Schedule with id {global_id!r}", ("input", "id"))
        await (
            Run.filter(schedule_id=schedule_global_id(schedule.id), project_id=schedule.project_id, schedule_hold=True)
            .using_db(connection)
            .update(schedule_hold=False, updated_at=clock.now())
        )
        await Schedule.filter(id=schedule.id).using_db(connection).delete()
    return schedule


async def get_schedule(principal: Principal, key: str, project_key: str | None) -> Schedule | None:
    """The schedule named `key` in a project the caller can see, or None."""
    try:
        project = await resolve_project(principal, project_key, ("project",))
    except (NotFound, ValidationFailed):
        return None
    return await Schedule.get_or_none(project_id=project.id, key=key)


async def list_schedules(
    principal: Principal, *, project: str | None, first: int | None, after: str | None, max_page_size: int
) -> Page[Schedule]:
    """One page of the schedules the caller may see, by key then id."""
    return await page_by_key(
        Schedule,
        visible_workflows_q(principal, project),
        first=first,
        after=after,
        max_page_size=max_page_size,
        tag="s",
        noun="schedule",
    )


def schedule_runs_q(schedule: Schedule) -> Q:
    """The runs a schedule started (Schedule.runs)."""
    return Q(schedule_id=schedule_global_id(schedule.id), project_id=schedule.project_id)


def next_fire_times(schedule: Schedule, count: int) -> list[dt.datetime]:
    """The coming fire times after now (at most 100)."""
    return parse_cron(schedule.cron, schedule.timezone).next_times(clock.now(), count)


def check_recent_fires(first: int) -> None:
    if not 0 <= first <= MAX_RECENT_FIRES:
        raise ValidationFailed(f"first must be between 0 and {MAX_RECENT_FIRES}, got {first}", ("first",))


async def recent_fires(schedule_ids: Sequence[str], first: int) -> dict[str, list[ScheduleFire]]:
    """The latest `first` fires of each schedule, newest first, in one statement whatever the
    number of schedules (a window function over the UNIQUE (schedule, nominal_time) index), so
    that a page of schedules with their recentFires costs what one schedule costs."""
    check_recent_fires(first)
    if not schedule_ids or first == 0:
        return {schedule_id: [] for schedule_id in schedule_ids}
    connection = connections.get(ScheduleFire._meta.default_connection or "default")
    meta = ScheduleFire._meta
    columns = ", ".join(f'"{column}"' for column in meta.fields_db_projection.values())
    markers = placeholders(connection, len(schedule_ids) + 1)
    sql = (
        f"SELECT {columns} FROM (SELECT {columns}, row_number() OVER (PARTITION BY schedule_id"
        f" ORDER BY nominal_time DESC, id DESC) AS newest FROM {meta.db_table}"
        f" WHERE schedule_id IN ({', '.join(markers[:-1])})) AS ranked WHERE newest <= {markers[-1]}"
        " ORDER BY nominal_time DESC, id DESC"
    )
    params: list[Any] = [Schedule._meta.pk.to_db_value(schedule_id, Schedule) for schedule_id in schedule_ids]
    params.append(first)
    _count, rows = await connection.execute_query(sql, params)
    found: dict[str, list[ScheduleFire]] = {str(schedule_id): [] for schedule_id in schedule_ids}
    for row in rows:
        fire = ScheduleFire._init_from_db(**dict(row))
        found[str(fire.schedule_id)].append(fire)
    return found


async def project_of(schedule: Schedule) -> Project:
    return await Project.get(id=schedule.project_id)
