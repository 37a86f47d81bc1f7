"""Listing a run's events (pages by seq, ascending; the cursor is the seq itself) and its updates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from app.enums import RunStatus
from app.errors import ValidationFailed
from app.queries.pages import Page, page_window
from app.queries.rows import RowReader
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


# reads nothing: the run of the parts that only pad a statement to its size
NO_RUN = uuid.UUID(int=0)


def statement_parts(count: int) -> int:
    """The parts of the statement that reads `count` (run, after) pairs: the next power of two.

    The driver keeps a prepared statement per text (asyncpg: the last 100 per connection), and a
    text it does not have costs a round trip to prepare it and the server's planning of all its
    parts. Padded to powers of two, the reads of 1 to 256 runs are 9 texts, which stay prepared;
    a padding part reads a run that does not exist (one index probe)."""
    return 1 << max(count - 1, 0).bit_length()


async def runs_status_and_news(
    model: type[RunEvent] | type[RunUpdate], wanted: list[tuple[uuid.UUID, int]], limit: int
) -> list[tuple[RunStatus | None, list[Any]]]:
    """What the followers of runs read, for several (run, after) at once, in one statement: for
    each pair, in order, the run's status (None when there is no such run) and its events (or
    updates: `model`) with seq > after, oldest first, at most `limit`, as plain rows
    (`app.queries.rows`: the model's attributes and values, no model object built per event).

    The status and the rows come from one snapshot, so when the status is terminal the rows
    include every one committed with it: what a follower needs to end without a gap. The
    statement is the single-run statement once per pair (`UNION ALL`), so each part reads the
    run by its primary key and its rows by the (run_id, seq) index as that one would."""
    connection = model._meta.db
    parts_count = statement_parts(len(wanted))
    markers = placeholders(connection, 3 * parts_count)
    parts = []
    for index in range(parts_count):
        seq_marker, run_marker, limit_marker = markers[3 * index : 3 * index + 3]
        parts.append(
            f'SELECT * FROM (SELECT {index} AS "flowdeck_part", r."status" AS "flowdeck_run_status", e.* '
            f'FROM "{Run._meta.db_table}" r LEFT JOIN "{model._meta.db_table}" e '
            f'ON e."run_id" = r."id" AND e."seq" > {seq_marker} '
            f'WHERE r."id" = {run_marker} ORDER BY e."seq" LIMIT {limit_marker}) AS "p{index}"'
        )
    params: list[Any] = []
    for run_id, after in wanted + [(NO_RUN, 0)] * (parts_count - len(wanted)):
        params += [after, Run._meta.pk.to_db_value(run_id, Run), limit]
    _count, records = await connection.execute_query(" UNION ALL ".join(parts), params)
    found: list[tuple[RunStatus | None, list[Any]]] = [(None, []) for _ in wanted]
    reader = RowReader.of(model)
    for record in records:
        part = int(record["flowdeck_part"])
        if found[part][0] is None:
            found[part] = (RunStatus(record["flowdeck_run_status"]), [])
        if record["id"] is not None:  # the LEFT JOIN's one row when there is nothing new
            found[part][1].append(reader.from_record(record))
    for _status, items in found:
        items.sort(key=lambda item: item.seq)  # each part is in order; UNION ALL keeps no promise
    return found
