"""Exceptions a bad input can cause below the domain layer, recognised as the input's fault.

The input limits (`app.limits`) stop most bad values before anything runs; this is the
net under them. A database that refuses a value (too long, out of range, not valid text,
a constraint) or a value Python cannot convert (an overflowing number or date) is the
caller's mistake, answered as VALIDATION, never as
"Unexpected error.". Anything else stays a real fault. The messages name the kind of
problem, never the SQL or the database's own text.
"""

from __future__ import annotations

import sqlite3

import asyncpg
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.exceptions import ValidationError as TortoiseValidationError

from app.errors import FlowdeckError, ValidationFailed

_ASYNCPG_DATA_MESSAGES: tuple[tuple[type[BaseException], str], ...] = (
    (asyncpg.exceptions.StringDataRightTruncationError, "a value is too long"),
    (asyncpg.exceptions.NumericValueOutOfRangeError, "a number is out of range"),
    (asyncpg.exceptions.DatetimeFieldOverflowError, "a date or duration is out of range"),
    (asyncpg.exceptions.CharacterNotInRepertoireError, "a value holds characters that cannot be stored"),
    (asyncpg.exceptions.UntranslatableCharacterError, "a value holds characters that cannot be stored"),
    (asyncpg.exceptions.InvalidTextRepresentationError, "a value is not valid for its type"),
    (asyncpg.exceptions.DataError, "a value cannot be stored"),
)


def _database_cause(error: BaseException) -> BaseException:
    # Tortoise wraps the driver's exception: raised `from` it (asyncpg) or holding it (sqlite)
    if error.__cause__ is not None:
        return error.__cause__
    if error.args and isinstance(error.args[0], BaseException):
        return error.args[0]
    return error


def input_fault(error: BaseException) -> FlowdeckError | None:
    """The expected failure `error` stands for when a bad input caused it; None for a real fault."""
    if isinstance(error, FlowdeckError):
        return error
    if isinstance(error, TortoiseValidationError):
        return ValidationFailed(f"invalid value: {_tortoise_field_problem(error)}")
    if isinstance(error, IntegrityError):
        return ValidationFailed("the change conflicts with existing data (a value that must be unique is taken)")
    if isinstance(error, OverflowError):
        return ValidationFailed("a number, date or duration is out of range")
    if isinstance(error, (UnicodeEncodeError, UnicodeDecodeError)):
        return ValidationFailed("a value is not valid Unicode text")
    cause = _database_cause(error) if isinstance(error, OperationalError) else error
    for kind, message in _ASYNCPG_DATA_MESSAGES:
        if isinstance(cause, kind):
            return ValidationFailed(message)
    if isinstance(cause, sqlite3.DataError):
        return ValidationFailed("a value cannot be stored (too long or out of range)")
    return None


def _tortoise_field_problem(error: TortoiseValidationError) -> str:
    # "name: Length of 'x...' 1000001 > 200": keep the field and the figures, drop the value
    text = str(error)
    field, _, problem = text.partition(":")
    if "Length of" in problem and ">" in problem:
        return f"{field.strip()} is too long (at most {problem.rsplit('>', 1)[1].strip()} characters)"
    return f"{field.strip()} is not accepted"
