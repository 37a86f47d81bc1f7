"""Listing a run's events (pages by seq, ascending; the cursor is the seq itself) and its updates."""

from __future__ import annotations

import datetime as dt
import uuid

from app.errors import ValidationFailed
from app.queries.pages import Page, page_window
from models import RunEvent, RunUpdate


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
