"""Listing workflows: a keyset page by key (then id), within what the principal may see."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from pypika_tortoise.terms import Tuple, ValueWrapper
from tortoise.expressions import Q

from app.filters import CriterionQ
from app.queries.pages import Page, decode_cursor, encode_cursor, invalid_cursor, page_window
from models import Workflow

if TYPE_CHECKING:
    from app.auth import Principal


def visible_workflows_q(principal: Principal, project_key: str | None = None) -> Q:
    """The workflows of the principal's project (every project's for SUPERADMIN), within `project_key`."""
    conditions: list[Q] = []
    if project_key is not None:
        conditions.append(Q(project__key=project_key))
    if not principal.is_superadmin:
        if principal.project_id is None:
            return Q(id__in=[])
        conditions.append(Q(project_id=principal.project_id))
    return Q(*conditions) if conditions else Q()


def _position(argument: str, cursor: str) -> tuple[str, str]:
    payload = decode_cursor(argument, cursor)
    position = payload.get("w")
    try:
        key, raw_id = position  # type: ignore[misc]
        if not isinstance(key, str):
            raise TypeError("key")
        return key, str(uuid.UUID(raw_id))
    except (TypeError, ValueError, AttributeError):
        raise invalid_cursor(argument, cursor, "not a workflow cursor this server issued") from None


async def list_workflows(
    principal: Principal,
    *,
    project: str | None = None,
    first: int | None = None,
    after: str | None = None,
    max_page_size: int = 100,
) -> Page[Workflow]:
    """One page of the workflows `principal` may see, by key then id."""
    window = page_window(first, None, max_page_size)
    condition = visible_workflows_q(principal, project)
    query = Workflow.filter(condition)
    if after is not None:
        key, workflow_id = _position("after", after)
        query = query.filter(
            CriterionQ(
                lambda table, dialect: Tuple(table.key, table.id) > Tuple(ValueWrapper(key), ValueWrapper(workflow_id))
            )
        )
    rows = await query.order_by("key", "id").limit(window.size + 1)

    async def count() -> int:
        return await Workflow.filter(condition).count()

    page = rows[: window.size]
    return Page(
        items=page,
        cursors=[encode_cursor({"w": [w.key, str(w.id)]}) for w in page],
        has_next_page=len(rows) > window.size,
        has_previous_page=after is not None,
        count=count,
    )
