"""Keyset ordering of runs: sort keys, ORDER BY, the cursor condition, cursor values.

A run's position is the tuple of its sort-key values ending with its id. NULL (a
run not yet started or finished) sorts after every value, as PostgreSQL does by
default, so an ascending and a descending walk of a (project_id, col, id) index both
serve the order. The condition "after this cursor" is a row-value comparison
`(a, b, id) < (?, ?, ?)` when every key is non-null and all go one way (what lets
PostgreSQL start the index scan at the cursor), and the expanded OR form otherwise.
After PRIORITY, STATUS or WORKFLOW_KEY as the last field comes CREATED_AT, then the
id, both in the last field's direction. A duration is measured to the instant of the walk's
first page, which its cursors carry (`instant`); DURATION alone is read by app.queries.durations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pypika_tortoise import Table
from pypika_tortoise.terms import Criterion, Term, Tuple, ValueWrapper

from app.enums import RunOrderField, SortDirection
from app.filters.sql import duration_as_of
from app.queries.pages import decode_cursor, encode_cursor, invalid_cursor

DURATION_ALIAS = "_order_duration"


class Ordering(enum.Enum):
    """ORDER BY directions; pypika writes `.value` after the term."""

    ASC = "ASC"
    DESC = "DESC"
    # NULL is greater than every value, on SQLite as on PostgreSQL
    ASC_NULLS_LAST = "ASC NULLS LAST"
    DESC_NULLS_FIRST = "DESC NULLS FIRST"


@dataclasses.dataclass(frozen=True)
class SortKey:
    """One column (or expression) of a run's position."""

    name: str
    nullable: bool
    kind: str  # "time", "int", "str", "seconds", "id"
    column: str | None  # None for duration

    def term(self, table: Table, dialect: str, now: dt.datetime) -> Term:
        if self.column is None:
            return duration_as_of(table, dialect, now)
        return table[self.column]


_KEYS: dict[str, SortKey] = {
    RunOrderField.CREATED_AT.value: SortKey("CREATED_AT", False, "time", "created_at"),
    RunOrderField.UPDATED_AT.value: SortKey("UPDATED_AT", False, "time", "updated_at"),
    RunOrderField.STARTED_AT.value: SortKey("STARTED_AT", True, "time", "started_at"),
    RunOrderField.FINISHED_AT.value: SortKey("FINISHED_AT", True, "time", "finished_at"),
    RunOrderField.PRIORITY.value: SortKey("PRIORITY", False, "int", "priority"),
    # by the status's name: what the (project_id, status, created_at) index holds
    RunOrderField.STATUS.value: SortKey("STATUS", False, "str", "status"),
    RunOrderField.WORKFLOW_KEY.value: SortKey("WORKFLOW_KEY", False, "str", "workflow_key"),
    RunOrderField.DURATION.value: SortKey("DURATION", True, "seconds", None),
}
ID_KEY = SortKey("ID", False, "id", "id")
# Fields with few distinct values: created_at orders the runs within each.
_GROUPING_KEYS = frozenset({"PRIORITY", "STATUS", "WORKFLOW_KEY"})


@dataclasses.dataclass(frozen=True)
class RunOrdering:
    """The resolved orderBy: the keys (ending with the id) and whether each ascends."""

    keys: tuple[SortKey, ...]
    ascending: tuple[bool, ...]

    @classmethod
    def of(cls, fields: Sequence[tuple[RunOrderField, SortDirection]]) -> RunOrdering:
        chosen = list(fields) or [(RunOrderField.CREATED_AT, SortDirection.DESC)]
        keys: list[SortKey] = []
        ascending: list[bool] = []
        for field, direction in chosen:
            key = _KEYS[RunOrderField(field).value]
            if key in keys:  # a repeated field adds nothing to the order
                continue
            keys.append(key)
            ascending.append(SortDirection(direction) is SortDirection.ASC)
        created = _KEYS[RunOrderField.CREATED_AT.value]
        if keys[-1].name in _GROUPING_KEYS and created not in keys:
            # Newest (or oldest) first within a status, priority or workflow: what the
            # (project_id, <field>, created_at) indexes hold, so PostgreSQL sorts little.
            keys.append(created)
            ascending.append(ascending[-1])
        # the id breaks ties, in the direction of the last field
        return cls((*keys, ID_KEY), (*ascending, ascending[-1]))

    @property
    def signature(self) -> str:
        return ",".join(f"{k.name}:{'ASC' if a else 'DESC'}" for k, a in zip(self.keys, self.ascending, strict=True))

    @property
    def uses_duration(self) -> bool:
        return any(key.column is None for key in self.keys)

    def reversed(self) -> RunOrdering:
        return RunOrdering(self.keys, tuple(not a for a in self.ascending))

    def order_by(self, table: Table, dialect: str, now: dt.datetime) -> list[tuple[Term, Ordering]]:
        """(term, direction) pairs for pypika's orderby."""
        pairs = []
        for key, ascending in zip(self.keys, self.ascending, strict=True):
            if key.nullable:
                direction = Ordering.ASC_NULLS_LAST if ascending else Ordering.DESC_NULLS_FIRST
            else:
                direction = Ordering.ASC if ascending else Ordering.DESC
            pairs.append((key.term(table, dialect, now), direction))
        return pairs

    def after(self, table: Table, dialect: str, now: dt.datetime, values: Sequence[Any]) -> Criterion:
        """Rows strictly after the position `values` in this ordering."""
        terms = [key.term(table, dialect, now) for key in self.keys]
        params = [ValueWrapper(value) for value in values]
        if not any(key.nullable for key in self.keys) and len(set(self.ascending)) == 1:
            if self.ascending[0]:
                return Tuple(*terms) > Tuple(*params)
            return Tuple(*terms) < Tuple(*params)
        disjuncts: list[Criterion] = []
        for i, (key, ascending) in enumerate(zip(self.keys, self.ascending, strict=True)):
            step = _step_past(terms[i], key.nullable, ascending, values[i])
            if step is None:
                continue
            for j in range(i):
                step = _same(terms[j], values[j]) & step
            disjuncts.append(step)
        condition = disjuncts[0]
        for disjunct in disjuncts[1:]:
            condition = condition | disjunct
        # a redundant bound on the leading key, so that an index range scan can start there
        bound = _at_or_past(terms[0], self.keys[0].nullable, self.ascending[0], values[0])
        return condition if bound is None else bound & condition

    def position(self, run: Any, row: dict[str, Any]) -> list[Any]:
        """A run's sort-key values, as cursor parameters."""
        values: list[Any] = []
        for key in self.keys:
            value = row.get(DURATION_ALIAS) if key.column is None else getattr(run, key.column)
            if isinstance(value, enum.Enum):
                value = value.value
            values.append(value)
        return values

    def cursor(self, values: Sequence[Any], instant: dt.datetime | None = None) -> str:
        """The cursor of the position `values`; `instant`: the time durations are measured to
        (kept in the cursors of an order by DURATION, so that every page measures to it)."""
        encoded: list[Any] = []
        for key, value in zip(self.keys, values, strict=True):
            if value is None:
                encoded.append(None)
            elif key.kind == "time":
                encoded.append(value.astimezone(dt.UTC).isoformat())
            elif key.kind in ("seconds", "id"):
                encoded.append(str(value))
            else:
                encoded.append(value)
        payload: dict[str, Any] = {"o": self.signature, "k": encoded}
        if instant is not None and self.uses_duration:
            payload["t"] = instant.astimezone(dt.UTC).isoformat()
        return encode_cursor(payload)

    def instant(self, argument: str, cursor: str) -> dt.datetime | None:
        """The time durations were measured to on the page `cursor` came from (DURATION orders)."""
        raw = decode_cursor(argument, cursor).get("t")
        if raw is None or not self.uses_duration:
            return None
        try:
            return _decode_value(_KEYS[RunOrderField.CREATED_AT.value], raw, "")
        except (TypeError, ValueError, OverflowError):
            raise invalid_cursor(argument, cursor, "not a cursor this server issued") from None

    @property
    def by_duration_alone(self) -> bool:
        """DURATION is the order (the id breaks ties): app.queries.durations reads it through indexes."""
        return [key.name for key in self.keys] == ["DURATION", "ID"]

    def parse_cursor(self, argument: str, cursor: str, dialect: str) -> list[Any]:
        """The position a cursor names, as query parameters; ValidationFailed if it is not ours."""
        payload = decode_cursor(argument, cursor)
        if payload.get("o") != self.signature:
            raise invalid_cursor(argument, cursor, "it was issued for another orderBy")
        raw = payload.get("k")
        if not isinstance(raw, list) or len(raw) != len(self.keys):
            raise invalid_cursor(argument, cursor, "not a cursor this server issued")
        try:
            return [_decode_value(key, value, dialect) for key, value in zip(self.keys, raw, strict=True)]
        except (TypeError, ValueError, InvalidOperation, OverflowError):
            raise invalid_cursor(argument, cursor, "not a cursor this server issued") from None


def _decode_value(key: SortKey, value: Any, dialect: str) -> Any:
    if value is None:
        if not key.nullable:
            raise ValueError("null for a non-null key")
        return None
    if key.kind == "time":
        parsed = dt.datetime.fromisoformat(_text(value))
        if parsed.tzinfo is None:
            raise ValueError("a time without offset")
        return parsed.astimezone(dt.UTC)
    if key.kind == "int":
        if type(value) is not int:
            raise TypeError("not an int")
        return value
    if key.kind == "seconds":
        # PostgreSQL computes durations as exact numerics, SQLite as floats
        number = Decimal(_text(value))
        if not number.is_finite():
            raise ValueError("not finite")
        return number if dialect == "postgres" else float(number)
    if key.kind == "id":
        return str(uuid.UUID(_text(value)))
    return _text(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _same(term: Term, value: Any) -> Criterion:
    return term.isnull() if value is None else term == ValueWrapper(value)


def _step_past(term: Term, nullable: bool, ascending: bool, value: Any) -> Criterion | None:
    """`term` is strictly past `value` (NULL greatest); None when nothing can be."""
    if ascending:
        if value is None:
            return None
        beyond = term > ValueWrapper(value)
        return beyond | term.isnull() if nullable else beyond
    if value is None:
        return term.notnull()
    return term < ValueWrapper(value)


def _at_or_past(term: Term, nullable: bool, ascending: bool, value: Any) -> Criterion | None:
    if ascending:
        if value is None:
            return term.isnull()
        bound = term >= ValueWrapper(value)
        return bound | term.isnull() if nullable else bound
    if value is None:
        return None
    return term <= ValueWrapper(value)
