"""What a schedule does when one of its runs ends; called by the lifecycle inside the
transaction that ends the run, so it commits (or not) with that status change.

- pauseOnFailure: a run that ends FAILED or TIMED_OUT pauses the schedule, with a note.
- BUFFER_ONE / BUFFER_ALL: once none of the schedule's runs is running, the oldest run held
  back by the policy is released (the engine starts it).

The schedule row is locked first, so two runs ending at once release one held run, not none.
"""

from __future__ import annotations

import datetime as dt
import uuid

from tortoise.backends.base.client import BaseDBAsyncClient

from app.enums import RunStatus, ScheduleState, TriggerSource
from app.ids import to_global_id
from app.schedules.identity import schedule_global_id, schedule_id_of
from models import Run, Schedule
from models.runs import TERMINAL_RUN_STATUSES

PAUSING_RUN_STATUSES = frozenset({RunStatus.FAILED, RunStatus.TIMED_OUT})


async def schedule_run_ended(connection: BaseDBAsyncClient, run: Run) -> list[uuid.UUID]:
    """Apply the schedule's reaction to `run` ending; the ids of held runs it released."""
    if run.triggered_by != TriggerSource.SCHEDULE:
        return []
    schedule_id = schedule_id_of(run.schedule_id)
    if schedule_id is None:
        return []
    query = Schedule.filter(id=schedule_id, project_id=run.project_id).using_db(connection)
    if connection.capabilities.dialect == "postgres":
        query = query.select_for_update()
    schedule = await query.first()
    if schedule is None:
        return []
    now = dt.datetime.now(dt.UTC)
    if schedule.pause_on_failure and run.status in PAUSING_RUN_STATUSES and schedule.state is ScheduleState.ACTIVE:
        await (
            Schedule.filter(id=schedule.id)
            .using_db(connection)
            .update(
                state=ScheduleState.PAUSED.value,
                note=f"paused because run {to_global_id('Run', run.id)} ended {run.status.value}",
                updated_at=now,
            )
        )
    released = await release_next_held(connection, schedule)
    return [released] if released is not None else []


async def release_next_held(connection: BaseDBAsyncClient, schedule: Schedule) -> uuid.UUID | None:
    """Release the oldest held run of the schedule when none of its other runs is open."""
    rows = (
        await Run.filter(
            schedule_id=schedule_global_id(schedule.id),
            project_id=schedule.project_id,
            status__not_in=[status.value for status in TERMINAL_RUN_STATUSES],
        )
        .using_db(connection)
        .order_by("scheduled_at", "created_at")
        .values_list("id", "schedule_hold")
    )
    if any(not held for _run_id, held in rows):
        return None
    for run_id, _held in rows:
        matched = (
            await Run.filter(id=run_id, schedule_hold=True)
            .using_db(connection)
            .update(schedule_hold=False, updated_at=dt.datetime.now(dt.UTC))
        )
        if matched:
            return uuid.UUID(str(run_id))
    return None
