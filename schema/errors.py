"""Error mapping, done once: domain failures to payload `errors`, auth failures to top-level errors."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable
from typing import TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from app.db import database_unreachable, one_line
from app.enums import ErrorCode
from app.errors import BadFilter, FlowdeckError, Forbidden, Unauthenticated
from app.input_faults import input_fault
from app.observability import metrics
from schema.enums import ErrorCode as ErrorCodeEnum

T = TypeVar("T")

log = logging.getLogger("flowdeck.graphql")

UNEXPECTED_ERROR = "Unexpected error."
# A top-level error code of its own: the request may be retried as it is.
UNAVAILABLE = "UNAVAILABLE"
DATABASE_UNAVAILABLE = "The database is unavailable; retry in a moment."


@strawberry.type
class UserError:
    code: ErrorCodeEnum
    message: str
    field: list[str] | None = strawberry.field(
        default=None, description='path to the input field at fault, e.g. ["input", "stepRef"]'
    )


def top_level_error(code: str, message: str, **extensions: object) -> GraphQLError:
    """A top-level GraphQL error with `extensions.code` (never masked)."""
    return GraphQLError(message, extensions={"code": code, **extensions})


def database_unavailable(error: BaseException, context: object) -> GraphQLError:
    """The top-level UNAVAILABLE error for a request that found the database unreachable.

    Logged once per request (the context's `unavailable_logged`), as one WARNING line (the log
    filter adds the request id); the traceback only at DEBUG. An outage is no bug: one line
    per failed request says what happened without burying the log in tracebacks.
    """
    if not getattr(context, "unavailable_logged", False):
        with contextlib.suppress(AttributeError):
            context.unavailable_logged = True  # type: ignore[attr-defined]
        log.warning("%s: the database is unavailable (%s)", UNAVAILABLE, one_line(error))
    log.debug("database unavailable", exc_info=error)
    return top_level_error(UNAVAILABLE, DATABASE_UNAVAILABLE)


def unauthenticated(error: Unauthenticated) -> GraphQLError:
    return top_level_error("UNAUTHENTICATED", str(error))


def forbidden(error: Forbidden) -> GraphQLError:
    return top_level_error(ErrorCode.FORBIDDEN.value, error.message)


def bad_filter(error: BadFilter) -> GraphQLError:
    return top_level_error(ErrorCode.BAD_FILTER.value, error.message, position=error.position)


def user_errors(error: FlowdeckError) -> list[UserError]:
    """The payload errors for a domain failure; a role failure is re-raised as top-level FORBIDDEN."""
    if isinstance(error, Forbidden):
        raise forbidden(error) from error
    for problem in error.problems:
        metrics.ERRORS.labels(code=problem.code.value, where="payload").inc()
    return [
        UserError(code=problem.code, message=problem.message, field=list(problem.field) if problem.field else None)
        for problem in error.problems
    ]


async def attempt(call: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Await a domain action for a mutation: its result, or the payload errors it failed with."""
    try:
        return await call, []
    except Exception as error:
        fault = input_fault(error)
        if fault is None:
            raise
        return None, user_errors(fault)


async def query_or_raise(call: Awaitable[T]) -> T:
    """Await a domain read for a query: domain failures become top-level errors with their code."""
    try:
        return await call
    except Exception as error:
        fault = input_fault(error)
        if fault is None:
            raise
        raise top_level(fault) from error


def top_level(error: FlowdeckError) -> GraphQLError:
    """The top-level GraphQL error for a domain failure in a query (or a bad input anywhere)."""
    if isinstance(error, BadFilter):
        return bad_filter(error)
    if isinstance(error, Forbidden):
        return forbidden(error)
    return top_level_error(error.code.value, error.message)


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask only faults: our own top-level errors carry an extensions.code."""
    if error.extensions and "code" in error.extensions:
        return False
    # parse, validation and variable-coercion errors have no path: they name the caller's own mistake
    return error.original_error is not None and bool(error.path)


class MaskUnexpectedErrors(MaskErrors):
    """Answers a fault as "Unexpected error." (logged once, here), and a bad input's exception as its code.

    An exception a bad input caused deep down (a database refusing a value, an overflow) is
    mapped by `app.input_faults` to a top-level error with its code; only the rest, real
    faults, are masked. Each is logged once, with its traceback, while the request is being
    served, so the request's id is on the line.
    """

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message=UNEXPECTED_ERROR)

    def _process_result(self, result: object) -> None:
        # Strawberry's tests `isinstance(result, <a runtime-checkable Protocol>)`: ~15 us on
        # CPython 3.11 for every result (every request, every event of every live feed); an
        # attribute read is the same test
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if error.original_error is not None and database_unreachable(error.original_error):
            # the database went away while the request was served: no fault of the request's
            unavailable = database_unavailable(error.original_error, self.execution_context.context)
            return GraphQLError(
                unavailable.message,
                nodes=error.nodes,
                positions=error.positions,
                path=error.path,
                extensions=unavailable.extensions,
            )
        fault = input_fault(error.original_error) if error.original_error is not None else None
        if fault is not None:
            mapped = top_level(fault)
            return GraphQLError(
                mapped.message,
                nodes=error.nodes,
                positions=error.positions,
                path=error.path,
                extensions=mapped.extensions,
            )
        path = ".".join(str(part) for part in error.path or ())
        log.error("unexpected error in %s", path, exc_info=error.original_error)
        return super().anonymise_error(error)
