"""Which errors say "the database cannot be reached right now" (answered UNAVAILABLE, logged as
one line): SERVER.md's outage behaviour, not a fault of the request."""

from __future__ import annotations

import asyncpg
import pytest
from tortoise.exceptions import OperationalError

from app.db import database_unreachable

LEFT_MID_OPERATION = "cannot switch to state 12; another operation (2) is in progress"


def wrapped(error: BaseException) -> BaseException:
    try:
        try:
            raise error
        except BaseException as inner:
            raise OperationalError("query failed") from inner
    except OperationalError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connection refused"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        # a pooled connection the server terminated while it consumed its last error, handed out again
        asyncpg.exceptions.InternalClientError(LEFT_MID_OPERATION),
    ],
)
def test_an_outage_is_recognised_directly_and_through_the_orm(error: BaseException):
    assert database_unreachable(error)
    assert database_unreachable(wrapped(error))


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.InternalClientError("a different internal error"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        ValueError("bad input"),
    ],
)
def test_other_failures_are_not_an_outage(error: BaseException):
    assert not database_unreachable(error)
    assert not database_unreachable(wrapped(error))
