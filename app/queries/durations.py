"""The DURATION order read through indexes (migration 0005_scale), with an exact keyset.

A run's place is (its duration as of the walk's instant T, its id), a missing duration after
every value. T is the first page's time and travels in the cursor, so every page of one walk
measures to the same instant (`duration_as_of`): a run that finishes or starts between two pages
keeps the place it had, and nothing is skipped or repeated. On the first page T is the time of
the request, so the durations are FILTER.md's (now - started_at while a run is unfinished).

A page of `orderBy: DURATION` alone is the merge of four reads, each at most `limit` rows:
- finished by T: the expression index on finished_at - started_at (a finished run's duration
  never changes), from the cursor on;
- running at T (finished_at IS NULL, started by T): their duration is T - started_at, so the
  partial index on started_at (on SQLite JULIANDAY(started_at)), newest start first, is their
  order; the cursor becomes a bound on started_at (loose by a few ms, the exact test beside it);
- not started (started_at IS NULL): the partial index of their ids;
- moved since T (started or finished after it): the runs that changed while the walk went on,
  few whatever the size of the table, read through the started_at and finished_at indexes and sorted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pypika_tortoise import SqlContext, Table
from pypika_tortoise.enums import Order
from pypika_tortoise.functions import Function
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Criterion, NullValue, Term, ValueWrapper

from app.filters.sql import SecondsBetween, duration_as_of
from app.queries.keyset import Ordering

# how far the bound on started_at reaches past the exact one (rounding of SQLite's JULIANDAY)
_SLACK = dt.timedelta(milliseconds=10)
_UNIX_EPOCH_JULIAN_DAY = 2440587.5


class _Likely(Criterion):
    """SQLite's `likely(condition)`: the condition holds for most rows, so the planner does not pick
    an index for it (ANALYZE's average makes `finished_at IS NULL` look like one row in the
    (finished_at, id) index, when it is every running run); it still implies a partial index's WHERE."""

    def __init__(self, inner: Criterion) -> None:
        super().__init__()
        self.inner = inner

    def get_sql(self, ctx: SqlContext) -> str:
        return f"likely({self.inner.get_sql(ctx)})"


def _unfinished(table: Table, dialect: str) -> Criterion:
    """finished_at IS NULL, written so that the partial index of the running runs serves it."""
    unfinished = table.finished_at.isnull()
    return unfinished if dialect == "postgres" else _Likely(unfinished)


def _start(table: Table, dialect: str) -> Term:
    """What the running runs' index holds: started_at (on SQLite its JULIANDAY, what durations
    are computed from there)."""
    return table.started_at if dialect == "postgres" else Function("JULIANDAY", table.started_at)


def _start_bound(instant: dt.datetime, seconds: Any, dialect: str, later: bool) -> Any:
    """The start a running run of duration `seconds` has, moved by _SLACK (later or earlier);
    None past the calendar (a cursor's duration of ages: the exact test alone then)."""
    try:
        start = instant - dt.timedelta(seconds=float(seconds))
        start = start + _SLACK if later else start - _SLACK
    except OverflowError:
        return None
    if dialect == "postgres":
        return start
    return start.timestamp() / 86400.0 + _UNIX_EPOCH_JULIAN_DAY


def _past(term: Term, value: Any, run_id: Any, table: Table, ascending: bool) -> Criterion:
    """(term, id) strictly past (value, run_id) in the walk's direction, for a non-null value."""
    if ascending:
        return (term > ValueWrapper(value)) | ((term == ValueWrapper(value)) & (table.id > ValueWrapper(run_id)))
    return (term < ValueWrapper(value)) | ((term == ValueWrapper(value)) & (table.id < ValueWrapper(run_id)))


def _bound(term: Term, value: Any, ascending: bool) -> Criterion:
    return term >= ValueWrapper(value) if ascending else term <= ValueWrapper(value)


def _order(ascending: bool) -> Order:
    return Order.asc if ascending else Order.desc


def duration_reads(
    base: QueryBuilder,
    table: Table,
    dialect: str,
    instant: dt.datetime,
    ascending: bool,
    position: Sequence[Any] | None,
    limit: int,
    alias: str,
    stop: Sequence[Any] | None = None,
    ends: bool = False,
) -> list[QueryBuilder]:
    """The reads whose merge (`merge`) is the page: at most `limit` rows each, in the walk's order
    (`ascending`: shortest first, missing durations last), strictly after `position` (a cursor's
    (duration, id)) when given, and strictly before `stop` (a (duration, id) too) when given (a
    window's end, app.queries.substrings: with it a read stops in its index there). `base` selects
    the matching runs' columns. How many reads, and which, depends on `position` alone.

    `ends`: the reads of a window's end, positions in the same orders that need not hold the
    instant's bounds (a run that finished or started after it is as good an end), so that the
    finished and running runs' indexes answer them alone (`base` then selects the id only)."""
    at = ValueWrapper(instant)
    value, run_id = (position[0], position[1]) if position is not None else (None, None)
    before = _Before(stop, table, ascending)
    reads: list[QueryBuilder] = []
    # a cursor among the runs without a duration: ascending, every duration came before it;
    # descending, every duration is still to come
    durations_ahead = position is None or value is not None or not ascending

    if durations_ahead:
        seconds = SecondsBetween(table.finished_at, table.started_at, dialect)
        finished = base.select(seconds.as_(alias)).where(seconds.notnull())
        if not ends:
            finished = finished.where((table.finished_at <= at) & (table.started_at <= at))
        if value is not None:
            finished = finished.where(
                _bound(seconds, value, ascending) & _past(seconds, value, run_id, table, ascending)
            )
        finished = before.narrow(finished, seconds, seconds)
        reads.append(finished.orderby(seconds, order=_order(ascending)).orderby(table.id, order=_order(ascending)))

        running_for = SecondsBetween(at, table.started_at, dialect)
        start = _start(table, dialect)
        running = base.select(running_for.as_(alias)).where(_unfinished(table, dialect))
        if not ends:
            running = running.where(table.started_at <= at)
        if dialect != "postgres":
            # always true of a start; a range on the index, which holds the runs not started
            # (JULIANDAY NULL) first
            running = running.where(start > ValueWrapper(0))
        if value is not None:
            # a longer duration is an earlier start
            bound = _start_bound(instant, value, dialect, later=ascending)
            if bound is not None:
                running = running.where(start <= ValueWrapper(bound) if ascending else start >= ValueWrapper(bound))
            running = running.where(_past(running_for, value, run_id, table, ascending))
        if before.value is not None:
            bound = _start_bound(instant, before.value, dialect, later=not ascending)
            if bound is not None:
                running = running.where(start >= ValueWrapper(bound) if ascending else start <= ValueWrapper(bound))
        running = before.narrow(running, running_for)
        reads.append(running.orderby(start, order=_order(not ascending)).orderby(table.id, order=_order(ascending)))

    # the runs not started (no duration): last ascending, first descending
    if position is None or value is None or ascending:
        missing = base.select(NullValue().as_(alias)).where(table.started_at.isnull())
        if position is not None and value is None:
            missing = missing.where(table.id > ValueWrapper(run_id) if ascending else table.id < ValueWrapper(run_id))
        reads.append(before.narrow_missing(missing).orderby(table.id, order=_order(ascending)))

    # the runs that started or finished after the instant: few, sorted here
    as_of = duration_as_of(table, dialect, instant)
    moved = base.select(as_of.as_(alias)).where(
        (table.started_at > at) | ((table.started_at <= at) & (table.finished_at > at))
    )
    if position is not None:
        moved = moved.where(_after_nullable(as_of, value, run_id, table, ascending))
    # (not narrowed to the stop here: `before_stop` does, after the read, as the planners would
    # walk an index of the ids for it; these runs are few)
    moved = moved.orderby(as_of, order=Ordering.ASC_NULLS_LAST if ascending else Ordering.DESC_NULLS_FIRST)
    moved = moved.orderby(table.id, order=_order(ascending))
    reads.append(moved)
    # a read that holds nothing before the stop is not made (LIMIT 0)
    empty = [before.holds_nothing(durations=True)] * (2 if durations_ahead else 0)
    empty += [before.holds_nothing(durations=False)] * (len(reads) - len(empty) - 1) + [False]
    return [read.limit(0 if nothing else limit) for read, nothing in zip(reads, empty, strict=True)]


class _Before:
    """The rows strictly before a position `stop` ((duration, id), the duration None for a run
    not started) in the walk's order; with no stop, every row."""

    def __init__(self, stop: Sequence[Any] | None, table: Table, ascending: bool) -> None:
        self.stop = stop
        self.value = stop[0] if stop is not None else None
        self.table = table
        self.ascending = ascending

    def holds_nothing(self, durations: bool) -> bool:
        """Whether a read of runs with durations (or, not `durations`, without) holds nothing
        before the stop: going up the runs without a duration come last, going down first."""
        return self.stop is not None and durations == (self.value is None) and durations != self.ascending

    def narrow(self, read: QueryBuilder, term: Term, indexed: Term | None = None) -> QueryBuilder:
        """`read` (its rows' duration is `term`) narrowed to the rows before the stop; `indexed`:
        the read's index holds `term`, so a bound on it ends the read's range there."""
        if self.stop is None:
            return read
        if indexed is not None and self.value is not None:
            read = read.where(_bound(indexed, self.value, not self.ascending))
        # before it going one way is past it going the other
        return read.where(_after_nullable(term, self.value, self.stop[1], self.table, not self.ascending))

    def narrow_missing(self, read: QueryBuilder) -> QueryBuilder:
        """`read` of runs without a duration narrowed to those before the stop: by id when the
        stop is one of them (before a stop with a duration: all or none, `holds_nothing`)."""
        if self.stop is None or self.value is not None:
            return read
        run_id = ValueWrapper(self.stop[1])
        return read.where(self.table.id < run_id if self.ascending else self.table.id > run_id)


def _after_nullable(term: Term, value: Any, run_id: Any, table: Table, ascending: bool) -> Criterion:
    """(term, id) past (value, run_id), NULL greater than every value."""
    later_id = table.id > ValueWrapper(run_id) if ascending else table.id < ValueWrapper(run_id)
    if value is None:
        if ascending:
            return term.isnull() & later_id
        return term.notnull() | later_id
    past = _past(term, value, run_id, table, ascending)
    return past | term.isnull() if ascending else past


def sort_key(row: dict[str, Any], alias: str) -> tuple[Any, ...]:
    """A row's place going up (shortest first, missing durations last, then the id)."""
    value = row[alias]
    if isinstance(value, float):
        value = Decimal(repr(value))
    return (value is None, value if value is not None else Decimal(0), str(row["id"]))


def merge(reads: list[list[dict[str, Any]]], alias: str, ascending: bool, limit: int) -> list[dict[str, Any]]:
    """The first `limit` rows of the reads together, in the walk's order."""
    rows = [row for read in reads for row in read]
    rows.sort(key=lambda row: sort_key(row, alias), reverse=not ascending)
    return rows[:limit]
