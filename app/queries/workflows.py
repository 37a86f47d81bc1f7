"""Listing workflows (and schedules): a keyset page by key (then id), within what the principal may see."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, TypeVar

from pypika_tortoise.terms import Tuple, ValueWrapper
from tortoise.expressions import Q
from tortoise.models import Model

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


K = TypeVar("K", bound=Model)


def _position(argument: str, cursor: str, tag: str, noun: str) -> tuple[str, str]:
    payload = decode_cursor(argument, cursor)
    position = payload.get(tag)
    try:
        key, raw_id = position  # type: ignore[misc]
        if not isinstance(key, str):
            raise TypeError("key")
        return key, str(uuid.UUID(raw_id))
    except (TypeError, ValueError, AttributeError):
        raise invalid_cursor(argument, cursor, f"not a {noun} cursor this server issued") from None


async def page_by_key(
    model: type[K],
    condition: Q,
    *,
    first: int | None,
    after: str | None,
    max_page_size: int,
    tag: str,
    noun: str,
) -> Page[K]:
    """One keyset page of `model` rows matching `condition`, by key then id (workflows, schedules).
    `tag` marks the cursors, so one kind's cursor is refused by another kind's list."""
    window = page_window(first, None, max_page_size)
    query = model.filter(condition)
    if after is not None:
        key, row_id = _position("after", after, tag, noun)
        query = query.filter(
            CriterionQ(
                lambda table, dialect: Tuple(table.key, table.id) > Tuple(ValueWrapper(key), ValueWrapper(row_id))
            )
        )
    rows = await query.order_by("key", "id").limit(window.size + 1)

    async def count() -> int:
        return await model.filter(condition).count()

    page = rows[: window.size]
    return Page(
        items=page,
        cursors=[encode_cursor({tag: [row.key, str(row.id)]}) for row in page],  # type: ignore[attr-defined]
        has_next_page=len(rows) > window.size,
        has_previous_page=after is not None,
        count=count,
    )


async def list_workflows(
    principal: Principal,
    *,
    project: str | None = None,
    first: int | None = None,
    after: str | None = None,
    max_page_size: int = 100,
) -> Page[Workflow]:
    """One page of the workflows `principal` may see, by key then id."""
    return await page_by_key(
        Workflow,
        visible_workflows_q(principal, project),
        first=first,
        after=after,
        max_page_size=max_page_size,
        tag="w",
        noun="workflow",
    )
