"""Error mapping, done once: domain failures to payload `errors`, auth failures to top-level errors."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry
from graphql import GraphQLError

from app.enums import ErrorCode
from app.errors import BadFilter, FlowdeckError, Forbidden, Unauthenticated
from app.observability import metrics
from schema.enums import ErrorCode as ErrorCodeEnum

T = TypeVar("T")


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
    except FlowdeckError as error:
        return None, user_errors(error)


async def query_or_raise(call: Awaitable[T]) -> T:
    """Await a domain read for a query: domain failures become top-level errors with their code."""
    try:
        return await call
    except BadFilter as error:
        raise bad_filter(error) from error
    except Forbidden as error:
        raise forbidden(error) from error
    except FlowdeckError as error:
        raise top_level_error(error.code.value, error.message) from error
