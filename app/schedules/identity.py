"""How a schedule names itself on the runs it starts."""

from __future__ import annotations

import uuid

from app.ids import parse_global_id, to_global_id
from models import Schedule

TYPE_NAME = "Schedule"


def schedule_global_id(schedule_id: uuid.UUID | str) -> str:
    """The schedule's global id: its runs carry it as trigger.scheduleId."""
    return to_global_id(TYPE_NAME, schedule_id)


def schedule_id_of(global_id: str | None) -> uuid.UUID | None:
    """The schedule uuid inside a run's trigger.scheduleId, or None when it names no schedule."""
    parsed = parse_global_id(global_id) if global_id else None
    if parsed is None or parsed[0] != TYPE_NAME:
        return None
    return parsed[1]


def schedule_actor(schedule: Schedule) -> str:
    """initiatedBy of the runs a schedule starts."""
    return f"schedule:{schedule.key}"
