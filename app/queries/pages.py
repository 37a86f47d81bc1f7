"""Pages of a keyset connection: the page, its size arguments, and opaque cursors."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from app.errors import ValidationFailed

T = TypeVar("T")


@dataclasses.dataclass
class Page(Generic[T]):
    """One page of a connection; `cursors[i]` is the cursor of `items[i]`."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    # totalCount: a second statement, run only when called
    count: Callable[[], Awaitable[int]]
    # whether `count` is exact (a bounded count of runs says "at least" past its limit)
    count_is_exact: Callable[[], Awaitable[bool]] = dataclasses.field(default_factory=lambda: _exact)

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@dataclasses.dataclass(frozen=True)
class Window:
    """How many rows a page takes, and from which end of the range."""

    size: int
    backward: bool


def page_window(first: int | None, last: int | None, max_page_size: int) -> Window:
    """Validate `first`/`last`; a page of `max_page_size` from the start when neither is given."""
    if first is not None and last is not None:
        raise ValidationFailed("pass either first or last, not both", ("last",))
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= max_page_size:
            raise ValidationFailed(f"{name} must be between 0 and {max_page_size}, got {value}", (name,))
    if last is not None:
        return Window(last, backward=True)
    return Window(max_page_size if first is None else first, backward=False)


def encode_cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def invalid_cursor(argument: str, cursor: str, why: str) -> ValidationFailed:
    shown = cursor if len(cursor) <= 60 else cursor[:57] + "..."
    return ValidationFailed(f"invalid cursor {shown!r} for {argument}: {why}", (argument,))


def decode_cursor(argument: str, cursor: str) -> dict[str, Any]:
    """The payload of a cursor this server issued; ValidationFailed naming `argument` otherwise."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid_cursor(argument, cursor, "not a cursor this server issued") from None
    if not isinstance(payload, dict):
        raise invalid_cursor(argument, cursor, "not a cursor this server issued")
    return payload


async def _exact() -> bool:
    return True


async def no_rows() -> int:
    return 0
