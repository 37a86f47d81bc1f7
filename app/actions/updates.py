"""postRunUpdate: progress messages of a run (LIFECYCLE.md "Updates")."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from app import pubsub
from app.auth import Principal
from app.enums import Role
from app.errors import NotFound, ValidationFailed
from app.ids import expect_global_id
from app.lifecycle import utcnow
from app.settings import get_settings
from models import Run, RunUpdate

MAX_TYPE_LENGTH = 64


async def post_run_update(
    principal: Principal | None,
    run_id: str,
    type: str,
    message: str,
    details: Any = None,
    workstream_id: str | None = None,
) -> RunUpdate:
    """Append a RunUpdate with the run's next update seq; drop the oldest beyond the limits.

    `principal` None is the engine posting for a handler (`ctx.update`): no role or
    visibility check. A caller who cannot see the run gets NOT_FOUND.
    """
    if principal is not None:
        principal.require(Role.OPERATOR, "postRunUpdate")
    raw_id = expect_global_id(run_id, "Run", ("input", "runId"))
    update_type = (type or "UPDATE").strip()
    if not update_type or len(update_type) > MAX_TYPE_LENGTH:
        raise ValidationFailed(f"type must be 1 to {MAX_TYPE_LENGTH} characters", ("input", "type"))
    settings = get_settings()
    now = utcnow()
    async with in_transaction("default") as connection:
        run = (
            await Run.filter(id=raw_id)
            .using_db(connection)
            .only("id", "project_id", "visibility", "initiated_by")
            .first()
        )
        if run is None or (
            principal is not None and not principal.can_see_run(run.project_id, run.visibility, run.initiated_by)
        ):
            raise NotFound(f"no Run with id {run_id!r}", ("input", "runId"))
        # The increment takes the row lock (PostgreSQL) or the write lock (SQLite) until
        # commit, so two concurrent posts never read the same seq.
        await Run.filter(id=raw_id).using_db(connection).update(update_seq=F("update_seq") + 1)
        seq_rows = await Run.filter(id=raw_id).using_db(connection).values_list("update_seq", flat=True)
        seq = int(str(seq_rows[0]))
        update = RunUpdate(
            run_id=raw_id,
            seq=seq,
            at=now,
            type=update_type,
            message=message or "",
            details=details,
            workstream_id=workstream_id,
        )
        await update.save(using_db=connection, force_create=True)
        await _prune(connection, raw_id, seq, settings.updates_max_per_run, settings.updates_max_age_days, now)
    await pubsub.publish(pubsub.run_updates_topic(str(raw_id)), {"run": str(raw_id), "seq": seq})
    return update


async def _prune(
    connection: Any, run_id: uuid.UUID, last_seq: int, max_per_run: int, max_age_days: int, now: dt.datetime
) -> None:
    """Keep at most `max_per_run` updates of the run, none older than `max_age_days`."""
    if last_seq > max_per_run:
        await RunUpdate.filter(run_id=run_id, seq__lte=last_seq - max_per_run).using_db(connection).delete()
    await RunUpdate.filter(run_id=run_id, at__lt=now - dt.timedelta(days=max_age_days)).using_db(connection).delete()
