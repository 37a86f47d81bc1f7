"""Domain failures. Raised in `app`, mapped once in `schema/` to payload `errors`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from app.enums import ErrorCode


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: what the payload's UserError shows."""

    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


class FlowdeckError(Exception):
    """An expected failure; carries one or more problems for the payload's `errors`."""

    code: ErrorCode = ErrorCode.VALIDATION

    def __init__(self, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = tuple(field) if field is not None else None

    @property
    def problems(self) -> list[Problem]:
        return [Problem(self.code, self.message, self.field)]


class NotFound(FlowdeckError):
    code = ErrorCode.NOT_FOUND


class InvalidTransition(FlowdeckError):
    code = ErrorCode.INVALID_TRANSITION


class ValidationFailed(FlowdeckError):
    """Bad input. May hold several problems, each with the path of the input at fault."""

    code = ErrorCode.VALIDATION

    def __init__(
        self,
        message: str,
        field: Sequence[str] | None = None,
        *,
        problems: Sequence[Problem] | None = None,
    ) -> None:
        super().__init__(message, field)
        self._problems = list(problems) if problems else None

    @property
    def problems(self) -> list[Problem]:
        return self._problems or super().problems


class BadFilter(FlowdeckError):
    """A malformed filter expression; `position` is the 0-based offset FILTER.md defines."""

    code = ErrorCode.BAD_FILTER

    def __init__(self, message: str, position: int, field: Sequence[str] | None = None) -> None:
        super().__init__(message, field)
        self.position = position


class Conflict(FlowdeckError):
    code = ErrorCode.CONFLICT


class LimitReached(FlowdeckError):
    code = ErrorCode.LIMIT_REACHED


class Forbidden(FlowdeckError):
    """The caller's role is below what the operation needs: a top-level error, not a payload one."""

    code = ErrorCode.FORBIDDEN


class Unauthenticated(Exception):
    """No key, an unknown key, or a revoked key: a top-level UNAUTHENTICATED error."""
