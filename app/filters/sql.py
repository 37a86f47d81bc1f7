"""Compile a parsed filter into a parameterised Tortoise `Q` over `models.Run`.

Every comparison compiles to a condition that is never SQL NULL: a comparison on a
column that may be null is ANDed with `column IS NOT NULL`. That makes SQL's
three-valued logic two-valued, so `not`, `ne` (the negation of `eq`) and `or` mean
exactly what FILTER.md says, and the database can still use an index on `col = ?`.
Values only ever travel as bound parameters.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pypika_tortoise import Query, SqlContext, Table
from pypika_tortoise.enums import Matching
from pypika_tortoise.functions import Coalesce, Upper
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Case, Criterion, LiteralValue, NullValue, Term, ValueWrapper
from pypika_tortoise.terms import Not as SqlNot
from pypika_tortoise.utils import format_alias_sql
from tortoise.expressions import Q
from tortoise.filters import Like, escape_like
from tortoise.query_utils import QueryModifier

from app.filters.fields import TEXT_OPS, FieldSpec, Op
from app.filters.parser import And, Comparison, FilterExpr, FilterValue, Not

if TYPE_CHECKING:
    from tortoise.expressions import ResolveContext

# (the model's table, the connection's dialect) -> a condition on that table
CriterionBuilder = Callable[[Table, str], Criterion]


class CriterionQ(Q):
    """A `Q` made from a pypika condition, for what Q's keyword filters cannot say.

    It combines with other `Q`s by `&`, `|` and `~` like any `Q`, and is resolved by
    Tortoise when the queryset runs, so the condition is built for the dialect of the
    connection in use.
    """

    __slots__ = ("_build",)

    def __init__(self, build: CriterionBuilder) -> None:
        super().__init__()
        self._build = build

    def __bool__(self) -> bool:
        return True

    def __invert__(self) -> CriterionQ:
        negated = CriterionQ(self._build)
        negated._is_negated = not self._is_negated
        return negated

    def resolve(self, resolve_context: ResolveContext) -> QueryModifier:
        dialect = resolve_context.model._meta.db.capabilities.dialect
        criterion = self._build(resolve_context.table, dialect)
        return QueryModifier(where_criterion=SqlNot(criterion) if self._is_negated else criterion)


class Condition(Criterion):
    """A condition whose negation is always `NOT (...)`.

    pypika negates `IN` by setting a flag, so negating it twice leaves it negated;
    wrapping subquery conditions in this keeps `not not` (and `~~Q`) exact.
    """

    def __init__(self, inner: Criterion) -> None:
        super().__init__()
        self.inner = inner

    def get_sql(self, ctx: SqlContext) -> str:
        return self.inner.get_sql(ctx)


class SecondsBetween(Term):
    """`later - earlier` in seconds, as the connection's dialect computes it.

    PostgreSQL is exact (EXTRACT(EPOCH ...) is numeric). SQLite has no interval type;
    julianday() keeps milliseconds, so the result is rounded to them.
    """

    def __init__(self, later: Term, earlier: Term, dialect: str) -> None:
        super().__init__()
        self.later = later
        self.earlier = earlier
        self.dialect = dialect

    def get_sql(self, ctx: SqlContext) -> str:
        inner = ctx.copy(with_alias=False)
        later, earlier = self.later.get_sql(inner), self.earlier.get_sql(inner)
        if self.dialect == "postgres":
            sql = f"EXTRACT(EPOCH FROM ({later}-{earlier}))"
        else:
            sql = f"ROUND((JULIANDAY({later})-JULIANDAY({earlier}))*86400.0,3)"
        return format_alias_sql(sql, self.alias, ctx) if ctx.with_alias else sql


def duration_term(table: Table, dialect: str, now: dt.datetime) -> Term:
    """A run's duration in seconds: finished_at (or `now`) - started_at; NULL before it starts."""
    return SecondsBetween(Coalesce(table.finished_at, ValueWrapper(now)), table.started_at, dialect)


def duration_as_of(table: Table, dialect: str, instant: dt.datetime) -> Term:
    """A run's duration as of `instant`: NULL when it had not started, finished_at - started_at
    when it had finished, else instant - started_at."""
    started, finished, at = table.started_at, table.finished_at, ValueWrapper(instant)
    return (
        Case()
        .when(started.isnull() | (started > at), NullValue())
        .when(finished.notnull() & (finished <= at), SecondsBetween(finished, started, dialect))
        .else_(SecondsBetween(at, started, dialect))
    )


def sql_param(value: FilterValue) -> Any:
    """A filter value as the bound parameter its column compares with."""
    if isinstance(value, enum.IntEnum):
        return int(value)
    if isinstance(value, enum.Enum):
        # pypika writes Enum members into the SQL text; a plain value becomes a parameter
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def like_pattern(op: Op, text: str) -> str:
    """The LIKE pattern (escape character `\\`) for co/sw/ew: wildcards in `text` match literally."""
    escaped = escape_like(text)
    if op is Op.CO:
        return f"%{escaped}%"
    if op is Op.SW:
        return f"{escaped}%"
    return f"%{escaped}"


class _ILike(Like):
    """PostgreSQL's ILIKE with the same ESCAPE clause as Tortoise's Like."""

    def __init__(self, left: Term, right: Term) -> None:
        super().__init__(left, right)
        self.comparator = Matching.ilike


def ilike(term: Term, op: Op, text: str, dialect: str) -> Criterion:
    """Case-insensitive co/sw/ew. PostgreSQL's ILIKE lets the planner use the column's
    statistics and its pg_trgm GIN index (UPPER(col) LIKE ... leaves it guessing and can use
    neither); SQLite has no ILIKE and its LIKE folds only ASCII, so UPPER goes on both sides there."""
    pattern = ValueWrapper(like_pattern(op, text))
    if dialect == "postgres":
        return _ILike(term, pattern)
    return Like(Upper(term), Upper(pattern))


def any_ilike(terms: Sequence[Term], op: Op, text: str, dialect: str) -> Criterion:
    """`ilike` on any of `terms`."""
    combined = ilike(terms[0], op, text, dialect)
    for term in terms[1:]:
        combined = combined | ilike(term, op, text, dialect)
    return combined


# The columns with a trigram index (migration 0004_scale): a pg_trgm GIN index each on PostgreSQL, a
# column of runs_fts (SQLite's FTS5 trigram table, by run id) on SQLite. The workflow's key and
# name have none: a handful of values shared by many runs, where a substring matches a large
# share of them, which the other conditions and the order (an index walk) narrow better.
TRIGRAM_COLUMNS = frozenset({"subject_id", "subject_name", "initiated_by", "trigger_key", "reason"})
# FTS5's trigram index finds a phrase of at least 3 characters (a shorter one matches nothing).
_TRIGRAM = 3

# A substring test: (column, co/sw/ew, text). The tests a read names `walked` get no FTS5
# candidates on SQLite: the exact test alone, on the rows the order's index walks (a term common
# enough that the page fills after a few rows, see app.queries.substrings). A test of a tag
# (`tags_test`: ("tags.KEY", op, value)) is one too: walked, it is a probe of the run's own tag
# (see `has_tag`), else the runs the (key, value) index lists, in no useful order.
Substring = tuple[str, Op, str | None]
NONE_WALKED: frozenset[Substring] = frozenset()


def indexed_substring(column: str, op: Op, text: str) -> bool:
    """Whether SQLite's runs_fts can find the runs holding `text` in `column` (a trigram column
    and a text of 3 characters or more)."""
    return len(text) >= _TRIGRAM and column in TRIGRAM_COLUMNS and op in TEXT_OPS


def substring_tests(expr: FilterExpr) -> set[Substring]:
    """The co/sw/ew tests of `expr` on the runs' trigram columns."""
    if isinstance(expr, Comparison):
        column = expr.field.column
        if expr.tag_key is None and column is not None and isinstance(expr.value, str):
            op = expr.op
            if indexed_substring(column, op, expr.value):
                return {(column, op, expr.value)}
        return set()
    operands = (expr.operand,) if isinstance(expr, Not) else expr.operands
    return set().union(*(substring_tests(operand) for operand in operands))


def tag_tests(expr: FilterExpr) -> set[Substring]:
    """The tests of `expr` on tags (`tags.KEY ...`), as `Substring`s: a page with one walks its
    order's index in windows, as for a substring test (app.queries.substrings)."""
    if isinstance(expr, Comparison):
        return {tags_test(expr)} if expr.tag_key is not None else set()
    operands = (expr.operand,) if isinstance(expr, Not) else expr.operands
    return set().union(*(tag_tests(operand) for operand in operands))


def tags_test(c: Comparison) -> Substring:
    """The `Substring` naming a comparison of a tag."""
    return (f"tags.{c.tag_key}", c.op, None if c.value is None else str(c.value))


def fts_phrase(columns: Sequence[str], text: str) -> str:
    """The FTS5 query for the rows holding `text` (every character literal: `%`, `_` and quotes
    too) in one of `columns`; the trigram tokenizer folds case."""
    assert set(columns) <= TRIGRAM_COLUMNS  # names of ours, never the caller's text
    return "{" + " ".join(columns) + '} : "' + text.replace('"', '""') + '"'


class FtsMatch(Criterion):
    """`runs_fts MATCH <query>`, the query a bound parameter."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query

    def get_sql(self, ctx: SqlContext) -> str:
        return f'"runs_fts" MATCH {ValueWrapper(self.query).get_sql(ctx)}'


def fts_candidates(
    table: Table, columns: Sequence[str], op: Op, text: str, walked: frozenset[Substring] = NONE_WALKED
) -> Criterion | None:
    """On SQLite, the runs whose runs_fts row holds `text` in one of `columns`: a superset of the
    exact matches (it folds more case, and ignores where in the value `text` is), which the exact
    condition then narrows. None when the index cannot help (a short `text`) or the read walks
    the rows instead (one of the tests is in `walked`)."""
    if not all(indexed_substring(column, op, text) for column in columns):
        return None
    if any((column, op, text) in walked for column in columns):
        return None
    # by rowid, which the triggers keep equal to the run's own: no lookup of each candidate's
    # run_id in runs_fts's content, nor of the run by its id (a third of the time at 1M runs)
    fts = Table("runs_fts")
    return Condition(table.rowid.isin(Query.from_(fts).select(fts.rowid).where(FtsMatch(fts_phrase(columns, text)))))


class Unindexed(Term):
    """`term || ''`: the same text (NULL stays NULL), which no index holds."""

    def __init__(self, term: Term) -> None:
        super().__init__()
        self.term = term

    def get_sql(self, ctx: SqlContext) -> str:
        return f"({self.term.get_sql(ctx)}||'')"


def substring_match(
    table: Table, columns: Sequence[str], op: Op, text: str, dialect: str, walked: frozenset[Substring] = NONE_WALKED
) -> Criterion:
    """`text` is, case-insensitively, in (co), at the start of (sw) or at the end of (ew) one of
    `columns`, literally: the condition FILTER.md defines, written so that an index serves it
    when the columns are TRIGRAM_COLUMNS (pg_trgm GIN indexes under ILIKE on PostgreSQL;
    runs_fts, then the exact test, on SQLite); a test in `walked` is written so that no index
    serves it (the rows a walk reads are tested one by one)."""
    if dialect == "postgres":
        if any((column, op, text) in walked for column in columns):
            # on PostgreSQL the planner would otherwise AND the trigram index's candidates with
            # the walk's range: a cost of every match, when the walk reads a window
            return any_ilike([Unindexed(table[column]) for column in columns], op, text, dialect)
        return any_ilike([table[column] for column in columns], op, text, dialect)
    combined = any_ilike([table[column] for column in columns], op, text, dialect)
    candidates = fts_candidates(table, columns, op, text, walked)
    return combined if candidates is None else candidates & combined


class Exists(Criterion):
    """`EXISTS (<query>)`."""

    def __init__(self, query: QueryBuilder) -> None:
        super().__init__()
        self.query = query

    def get_sql(self, ctx: SqlContext) -> str:
        return f"EXISTS ({self.query.get_sql(ctx.copy(subquery=False))})"


class Found(Criterion):
    """`(<query> LIMIT 1) IS NOT NULL`: whether `query` finds a row, as a scalar subquery (which
    neither planner turns into a join)."""

    def __init__(self, query: QueryBuilder) -> None:
        super().__init__()
        self.query = query

    def get_sql(self, ctx: SqlContext) -> str:
        return f"(({self.query.limit(1).get_sql(ctx.copy(subquery=False))}) IS NOT NULL)"


def has_tag(
    table: Table,
    key: str,
    value: Callable[[Term], Criterion] | None = None,
    *,
    dialect: str = "sqlite",
    probed: bool = False,
) -> Criterion:
    """The run has tag `key` (whose value satisfies `value`, when given): a subquery on run_tags.

    On PostgreSQL `EXISTS (... WHERE run_id = runs.id ...)`, which its planner makes a semi-join
    (an anti-join under NOT): a probe of each run an index walk reads when matches are common, a
    read of the (key, value) index's matches when they are rare. On SQLite, which has no such
    choice, `runs.id IN (the run_ids of the matching tags)`, a list of every match read before
    the first row; or, `probed`, `((SELECT 1 ... WHERE run_id = runs.id ... LIMIT 1) IS NOT NULL)`,
    one probe of the run's own tag through the (run_id, key) index per run read (the windows of
    app.queries.substrings choose between the two)."""
    tags = Table("run_tags")
    condition = tags.key == ValueWrapper(key)
    if value is not None:
        condition = condition & value(tags.value)
    if dialect == "postgres" or probed:
        own = Query.from_(tags).select(LiteralValue("1")).where((tags.run_id == table.id) & condition)
        return Condition(Found(own) if probed else Exists(own))
    return Condition(table.id.isin(Query.from_(tags).select(tags.run_id).where(condition)))


def _match(
    term: Term,
    spec: FieldSpec,
    op: Op,
    value: FilterValue,
    dialect: str,
    table: Table | None = None,
    column: str | None = None,
    walked: frozenset[Substring] = NONE_WALKED,
) -> Criterion:
    """The positive condition of `term op value` for a non-null value (ne is handled by the caller).

    `table` and `column` name the runs column `term` is, when it is one (not a tag's value)."""
    param = sql_param(value)
    if op is Op.EQ:
        if spec.eq_ignores_case:
            return Upper(term) == Upper(ValueWrapper(param))
        return term == ValueWrapper(param)
    if op in TEXT_OPS:
        if table is not None and column in TRIGRAM_COLUMNS:
            return substring_match(table, [column], op, str(param), dialect, walked)
        return ilike(term, op, str(param), dialect)
    if op is Op.GT:
        return term > ValueWrapper(param)
    if op is Op.GE:
        return term >= ValueWrapper(param)
    if op is Op.LT:
        return term < ValueWrapper(param)
    if op is Op.LE:
        return term <= ValueWrapper(param)
    raise AssertionError(f"no SQL for operator {op}")


def _tag_comparison(c: Comparison, table: Table, dialect: str, walked: frozenset[Substring]) -> Criterion:
    assert c.tag_key is not None
    probed = tags_test(c) in walked
    present = has_tag(table, c.tag_key, dialect=dialect, probed=probed)
    if c.op is Op.PR:
        return present
    if c.value is None:
        return SqlNot(present) if c.op is Op.EQ else present
    op = Op.EQ if c.op is Op.NE else c.op
    matched = has_tag(
        table, c.tag_key, lambda column: _match(column, c.field, op, c.value, dialect), dialect=dialect, probed=probed
    )
    return SqlNot(matched) if c.op is Op.NE else matched


def _comparison(c: Comparison, table: Table, dialect: str, now: dt.datetime, walked: frozenset[Substring]) -> Criterion:
    if c.tag_key is not None:
        return _tag_comparison(c, table, dialect, walked)
    spec = c.field
    if spec.name == "has_errors":
        errors = table.error_count > ValueWrapper(0)
        return errors if c.value else SqlNot(errors)
    if spec.name == "duration":
        term, present = duration_term(table, dialect, now), table.started_at.notnull()
    else:
        assert spec.column is not None
        term = table[spec.column]
        present = term.notnull()
    if c.op is Op.PR:
        return present
    if c.value is None:
        return SqlNot(present) if c.op is Op.EQ else present
    op = Op.EQ if c.op is Op.NE else c.op
    matched = _match(term, spec, op, c.value, dialect, table, spec.column, walked)
    if spec.nullable:
        matched = matched & present
    return SqlNot(matched) if c.op is Op.NE else matched


def filter_criterion(
    expr: FilterExpr, table: Table, dialect: str, now: dt.datetime, walked: frozenset[Substring] = NONE_WALKED
) -> Criterion:
    """The SQL condition of `expr` on `table` (the runs table) for `dialect` (`walked`: see Substring)."""
    if isinstance(expr, Comparison):
        return _comparison(expr, table, dialect, now, walked)
    if isinstance(expr, Not):
        return SqlNot(filter_criterion(expr.operand, table, dialect, now, walked))
    parts = [filter_criterion(operand, table, dialect, now, walked) for operand in expr.operands]
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined & part) if isinstance(expr, And) else (combined | part)
    return combined


def compile_filter(expr: FilterExpr, now: dt.datetime | None = None, walked: frozenset[Substring] = NONE_WALKED) -> Q:
    """A `Q` on `models.Run` selecting exactly the runs `expr` matches.

    `now` is the instant an unfinished run's duration is measured to; by default the
    time of this call, so every statement built from the Q sees the same instant. `walked`:
    the substring tests SQLite answers without runs_fts (see Substring).
    """
    instant = now or dt.datetime.now(dt.UTC)
    return CriterionQ(lambda table, dialect: filter_criterion(expr, table, dialect, instant, walked))
