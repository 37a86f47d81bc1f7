"""Listing a run's events (pages by seq, ascending; the cursor is the seq itself) and its updates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from app.enums import RunStatus
from app.errors import ValidationFailed
from app.queries.pages import Page, page_window
from app.statements import placeholders
from models import Run, RunEvent, RunUpdate


async def list_run_events(
    run_id: uuid.UUID,
    *,
    after: int | None = None,
    first: int | None = None,
    max_page_size: int = 100,
) -> Page[RunEvent]:
    """The events of one run with seq > `after`, oldest first. The caller checks visibility."""
    window = page_window(first, None, max_page_size)
    if after is not None and after < 0:
        raise ValidationFailed(f"after must be a seq (0 or more), got {after}", ("after",))
    query = RunEvent.filter(run_id=run_id)
    if after is not None:
        query = query.filter(seq__gt=after)
    rows = await query.order_by("seq").limit(window.size + 1)

    async def count() -> int:
        return await RunEvent.filter(run_id=run_id).count()

    page = rows[: window.size]
    return Page(
        items=page,
        cursors=[str(event.seq) for event in page],
        has_next_page=len(rows) > window.size,
        # seqs start at 1 without gaps, so any seq <= after exists
        has_previous_page=after is not None and after >= 1,
        count=count,
    )


async def list_run_updates(run_id: uuid.UUID, *, since: dt.datetime | None, limit: int) -> list[RunUpdate]:
    """The progress messages of one run posted after `since` (all when None), oldest first,
    at most `limit`. The caller checks visibility."""
    query = RunUpdate.filter(run_id=run_id)
    if since is not None:
        query = query.filter(at__gt=since)
    return list(await query.order_by("seq").limit(limit))


_FOLLOW_SQL: dict[tuple[str, str], str] = {}


async def run_status_and_news(
    model: type[RunEvent] | type[RunUpdate], run_id: uuid.UUID, after: int, limit: int
) -> tuple[RunStatus | None, list[Any]]:
    """One statement for a follower of a run: the run's status (None when there is no such run)
    and its events (or updates) with seq > `after`, oldest first, at most `limit`.

    Both come from one snapshot, so when the status is terminal the rows include every event
    committed with it: what a follower needs to end without a gap, for half the statements of
    reading the status and then the rows."""
    connection = model._meta.db
    dialect = connection.capabilities.dialect
    sql = _FOLLOW_SQL.get((model._meta.db_table, dialect))
    if sql is None:
        seq_marker, run_marker, limit_marker = placeholders(connection, 3)
        sql = _FOLLOW_SQL[(model._meta.db_table, dialect)] = (
            f'SELECT r."status" AS "flowdeck_run_status", e.* FROM "{Run._meta.db_table}" r '
            f'LEFT JOIN "{model._meta.db_table}" e ON e."run_id" = r."id" AND e."seq" > {seq_marker} '
            f'WHERE r."id" = {run_marker} ORDER BY e."seq" LIMIT {limit_marker}'
        )
    params = [after, Run._meta.pk.to_db_value(run_id, Run), limit]
    _count, rows = await connection.execute_query(sql, params)
    if not rows:
        return None, []
    status = RunStatus(rows[0]["flowdeck_run_status"])
    items = []
    for row in rows:
        record = dict(row)
        del record["flowdeck_run_status"]
        if record["id"] is not None:  # the LEFT JOIN's one row when there is nothing new
            items.append(model._init_from_db(**record))
    return status, items


async def runs_status_and_events(
    wanted: list[tuple[uuid.UUID, int]], limit: int
) -> list[tuple[RunStatus | None, list[RunEvent]]]:
    """`run_status_and_news` of RunEvent for several (run, after) at once, in one statement: for
    each pair, in order, the run's status (None when there is no such run) and its events with
    seq > after, oldest first, at most `limit`. The statement is the single-run statement once
    per pair (`UNION ALL`), so each part reads the run by its primary key and its events by the
    (run_id, seq) index as that one does; all parts come from one snapshot."""
    connection = RunEvent._meta.db
    markers = placeholders(connection, 3 * len(wanted))
    parts = []
    for index in range(len(wanted)):
        seq_marker, run_marker, limit_marker = markers[3 * index : 3 * index + 3]
        parts.append(
            f'SELECT * FROM (SELECT {index} AS "flowdeck_part", r."status" AS "flowdeck_run_status", e.* '
            f'FROM "{Run._meta.db_table}" r LEFT JOIN "{RunEvent._meta.db_table}" e '
            f'ON e."run_id" = r."id" AND e."seq" > {seq_marker} '
            f'WHERE r."id" = {run_marker} ORDER BY e."seq" LIMIT {limit_marker}) AS "p{index}"'
        )
    params: list[Any] = []
    for run_id, after in wanted:
        params += [after, Run._meta.pk.to_db_value(run_id, Run), limit]
    _count, rows = await connection.execute_query(" UNION ALL ".join(parts), params)
    found: list[tuple[RunStatus | None, list[RunEvent]]] = [(None, []) for _ in wanted]
    for row in rows:
        record = dict(row)
        part = int(record.pop("flowdeck_part"))
        status = RunStatus(record.pop("flowdeck_run_status"))
        if found[part][0] is None:
            found[part] = (status, [])
        if record["id"] is not None:  # the LEFT JOIN's one row when there is nothing new
            found[part][1].append(RunEvent._init_from_db(**record))
    for _status, events in found:
        events.sort(key=lambda event: event.seq)  # each part is in order; UNION ALL keeps no promise
    return found
