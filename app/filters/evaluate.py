"""Evaluate a parsed filter against one run in Python.

For a single changed run (a subscription deciding whether to tell its client) this
avoids a round trip to the database. It follows the SQL compiler's semantics; case
folding uses Python's `str.upper`, which agrees with the databases on ASCII.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from app.filters.fields import Kind, Op
from app.filters.parser import And, Comparison, FilterExpr, FilterValue, Not

if TYPE_CHECKING:
    from models import Run


def _field_value(c: Comparison, run: Run, tags: Mapping[str, str], now: dt.datetime) -> Any:
    if c.tag_key is not None:
        return tags.get(c.tag_key)
    name = c.field.name
    if name == "has_errors":
        return run.error_count > 0
    if name == "duration":
        if run.started_at is None:
            return None
        return ((run.finished_at or now) - run.started_at).total_seconds()
    assert c.field.column is not None
    value = getattr(run, c.field.column)
    if c.field.choices is not None and value is not None:
        return c.field.choices(value)
    if c.field.kind is Kind.ID and value is not None:
        return uuid.UUID(str(value))
    return value


def _compare(field: Any, op: Op, value: FilterValue, ignore_case: bool) -> bool:
    if op is Op.PR:
        return field is not None
    if value is None:
        return (field is None) == (op is Op.EQ)
    if op is Op.NE:
        return not _compare(field, Op.EQ, value, ignore_case)
    if field is None:
        return False
    if isinstance(value, enum.IntEnum):
        field, value = int(field), int(value)
    if op is Op.EQ:
        if ignore_case:
            return str(field).upper() == str(value).upper()
        return bool(field == value)
    if op in (Op.CO, Op.SW, Op.EW):
        haystack, needle = str(field).upper(), str(value).upper()
        if op is Op.CO:
            return needle in haystack
        return haystack.startswith(needle) if op is Op.SW else haystack.endswith(needle)
    if op is Op.GT:
        return bool(field > value)
    if op is Op.GE:
        return bool(field >= value)
    if op is Op.LT:
        return bool(field < value)
    return bool(field <= value)


def matches(expr: FilterExpr, run: Run, tags: Mapping[str, str], now: dt.datetime | None = None) -> bool:
    """Whether `run` (with its `tags`) satisfies `expr`, as the database would decide."""
    instant = now or dt.datetime.now(dt.UTC)
    if isinstance(expr, Comparison):
        field = _field_value(expr, run, tags, instant)
        return _compare(field, expr.op, expr.value, expr.field.eq_ignores_case)
    if isinstance(expr, Not):
        return not matches(expr.operand, run, tags, instant)
    if isinstance(expr, And):
        return all(matches(operand, run, tags, instant) for operand in expr.operands)
    return any(matches(operand, run, tags, instant) for operand in expr.operands)
