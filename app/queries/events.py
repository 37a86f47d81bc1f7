"""Listing a run's events: pages by seq, ascending; the cursor is the seq itself."""

from __future__ import annotations

import uuid

from app.errors import ValidationFailed
from app.queries.pages import Page, page_window
from models import RunEvent


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
