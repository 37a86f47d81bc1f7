"""The Node interface and the PageInfo of every connection."""

from __future__ import annotations

from typing import Any

import strawberry

from app.errors import ValidationFailed
from app.queries import Page
from schema.context import Info
from schema.errors import top_level_error


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info(page: Page[Any]) -> PageInfo:
    """The PageInfo of a keyset page from app.queries."""
    return PageInfo(
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


def check_page_size(info: Info, **sizes: int | None) -> None:
    """Reject a page size over FLOWDECK_MAX_PAGE_SIZE (or below 0) with a top-level VALIDATION error."""
    limit = info.context.settings.max_page_size
    for name, value in sizes.items():
        if value is None:
            continue
        if value < 0:
            raise top_level_error("VALIDATION", f"{name} must not be negative, got {value}")
        if value > limit:
            raise top_level_error(
                "VALIDATION", f"{name} is {value}, above the largest page size {limit} (FLOWDECK_MAX_PAGE_SIZE)"
            )


def validation_error(error: ValidationFailed) -> Exception:
    return top_level_error("VALIDATION", error.message)
