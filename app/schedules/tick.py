"""The firing tick each engine runs every FLOWDECK_ENGINE_POLL and at the next fire time."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from app.enums import ScheduleState
from app.schedules import clock
from app.schedules.firing import fire_due
from models import Schedule

log = logging.getLogger("flowdeck.schedules")

# schedules fired per tick; the rest wait for the next tick (due ones are first)
TICK_BATCH = 100


async def fire_due_schedules() -> tuple[list[uuid.UUID], dt.datetime | None]:
    """Fire every active schedule whose next fire time has come (`clock.now()`).

    Returns the ids of the runs created and the next fire time of any active schedule.
    A schedule that fails to fire is logged and tried again at the next tick.
    """
    now = clock.now()
    due = (
        await Schedule.filter(state=ScheduleState.ACTIVE.value, next_fire_at__lte=now)
        .order_by("next_fire_at")
        .limit(TICK_BATCH)
    )
    started: list[uuid.UUID] = []
    for schedule in due:
        try:
            started += await fire_due(schedule, now)
        except Exception:
            log.exception("schedule %s (%s) could not fire; trying again at the next tick", schedule.key, schedule.id)
    upcoming = (
        await Schedule.filter(state=ScheduleState.ACTIVE.value, next_fire_at__isnull=False)
        .order_by("next_fire_at")
        .first()
        .values_list("next_fire_at", flat=True)
    )
    return started, upcoming  # type: ignore[return-value]
