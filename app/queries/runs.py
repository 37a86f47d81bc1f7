"""Listing runs: visibility, filter + where + search, keyset pages, stats.

Everything a caller asks for becomes one `Q` (see `run_condition`); a page is one
SELECT built from it, its total count a second statement run only when asked for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from pypika_tortoise import Query, Table
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Criterion, ValueWrapper
from tortoise.expressions import Q

from app.enums import Priority, RunOrderField, RunStatus, SortDirection, TriggerSource, Visibility
from app.filters import CriterionQ, Op, compile_filter, matches, parse_filter
from app.filters.parser import And, Comparison, FilterExpr
from app.filters.sql import (
    NONE_WALKED,
    Condition,
    Substring,
    any_ilike,
    duration_as_of,
    fts_candidates,
    has_tag,
    substring_tests,
    tag_tests,
)
from app.ids import parse_global_id
from app.queries.counts import (
    StatusTally,
    Walked,
    counter_scope,
    matching,
    scope_size,
    status_counts,
    tagged_few,
    tally_once,
)
from app.queries.durations import duration_reads, merge, sort_key
from app.queries.keyset import DURATION_ALIAS, RunOrdering
from app.queries.pages import Page, page_window
from app.queries.rows import Row, RowReader
from app.queries.substrings import PageQuery, Position, Walk, WindowEnd, substring_page
from models import Run, Workflow

if TYPE_CHECKING:
    from tortoise.queryset import QuerySet

    from app.auth import Principal


@dataclasses.dataclass
class RunWhereSpec:
    """The contract's RunWhere in snake_case: every field given must match."""

    ids: list[str] | None = None  # global ids
    workflow_key: str | None = None
    status: list[RunStatus] | None = None
    triggered_by: list[TriggerSource] | None = None
    initiated_by: str | None = None
    tenant: str | None = None
    subject_id: str | None = None
    subject_type: str | None = None
    batch_id: str | None = None
    has_errors: bool | None = None
    dry_run: bool | None = None
    priority: list[Priority] | None = None
    # strict bounds: created_after=T matches runs created after T, not at T
    created_after: dt.datetime | None = None
    created_before: dt.datetime | None = None
    started_after: dt.datetime | None = None
    started_before: dt.datetime | None = None
    tags: list[tuple[str, str]] | None = None


@dataclasses.dataclass
class RunOrderSpec:
    field: RunOrderField
    direction: SortDirection = SortDirection.DESC


# Q(id__in=[]) compiles to 1=0: a condition nothing satisfies.
NOTHING = Q(id__in=[])


def _project_by_key(key: str) -> CriterionQ:
    # A scalar subquery rather than a lookup first: no extra statement, and PostgreSQL
    # still walks the (project_id, created_at, id) index. An unknown key matches nothing.
    projects = Table("projects")
    subquery = Query.from_(projects).select(projects.id).where(projects.key == ValueWrapper(key))
    return CriterionQ(lambda table, dialect: table.project_id == subquery)


def visibility_q(principal: Principal, project_key: str | None = None) -> Q:
    """The runs `principal` may see, narrowed to the project `project_key` when given.

    A principal sees its own project's runs, PRIVATE ones only when it initiated them;
    SUPERADMIN sees every run of every project.
    """
    conditions: list[Q] = []
    if project_key is not None:
        conditions.append(_project_by_key(project_key))
    if not principal.is_superadmin:
        if principal.project_id is None:
            return NOTHING
        conditions.append(Q(project_id=principal.project_id))
        conditions.append(~Q(visibility=Visibility.PRIVATE) | Q(initiated_by=principal.actor))
    return Q(*conditions) if conditions else Q()


def visible_runs(principal: Principal, project_key: str | None = None) -> QuerySet[Run]:
    """A queryset of the runs `principal` may see (see `visibility_q`)."""
    return Run.filter(visibility_q(principal, project_key))


def _run_uuid(text: str) -> uuid.UUID | None:
    """The run id in a pasted global id or raw uuid; None when it is neither."""
    parsed = parse_global_id(text)
    if parsed is not None:
        return parsed[1] if parsed[0] == "Run" else None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def search_q(
    term: str, workflow_ids: Sequence[uuid.UUID] | None = None, walked: frozenset[Substring] = NONE_WALKED
) -> Q:
    """A run whose id is `term`, or with `term` in its workflow key/name or subject id/name.

    `workflow_ids` are the workflows whose key or name holds `term` (`workflows_named`), read
    first so that the planner sees them; without them a subquery finds them. `walked`: see
    app.filters.sql.Substring (`search_substrings` names the tests)."""
    term = term.strip()
    if not term:
        return Q()
    found = CriterionQ(lambda table, dialect: _search(table, term, dialect, workflow_ids, walked))
    run_id = _run_uuid(term)
    return found | Q(id=run_id) if run_id is not None else found


def _named(table: Table, term: str, dialect: str) -> Criterion:
    return any_ilike([table.key, table.name], Op.CO, term, dialect)


async def workflows_named(term: str) -> list[uuid.UUID]:
    """The workflows (of any project) whose key or name holds `term`, case-insensitively."""
    named = CriterionQ(lambda table, dialect: _named(table, term.strip(), dialect))
    return [uuid.UUID(str(value)) for value in await Workflow.filter(named).values_list("id", flat=True)]


_SEARCHED_SUBJECT = ("subject_id", "subject_name")


def search_substrings(term: str) -> set[Substring]:
    """The substring tests `search: term` makes on the subject's (trigram) columns."""
    return {(column, Op.CO, term.strip()) for column in _SEARCHED_SUBJECT} if term.strip() else set()


def _search(
    table: Table, term: str, dialect: str, workflow_ids: Sequence[uuid.UUID] | None, walked: frozenset[Substring]
) -> Criterion:
    """`term` in the workflow key or name or the subject id or name, case-insensitively.

    The exact test is ANDed with candidates an index finds: the subject's columns through their
    trigram indexes, and the runs of the workflows whose key or name holds the term (a run's
    copies of them are its workflow's, which never change) through the (workflow_id, ...) index.
    A short term on SQLite (no trigram) is tested on every run.
    """
    subject = [table[column] for column in _SEARCHED_SUBJECT]
    exact = any_ilike([table.workflow_key, table.workflow_name, *subject], Op.CO, term, dialect)
    if dialect == "postgres":
        candidates: Criterion | None = any_ilike(subject, Op.CO, term, dialect)
    else:
        candidates = fts_candidates(table, _SEARCHED_SUBJECT, Op.CO, term, walked)
    if candidates is None:
        return exact
    if workflow_ids is None:
        workflows = Table("workflows")
        named = Query.from_(workflows).select(workflows.id).where(_named(workflows, term, dialect))
        candidates = candidates | Condition(table.workflow_id.isin(named))
    elif workflow_ids:
        candidates = candidates | table.workflow_id.isin([str(workflow_id) for workflow_id in workflow_ids])
    return candidates & exact


def where_q(where: RunWhereSpec) -> Q:
    """The conjunction of every field given in `where`."""
    conditions: list[Q] = []
    if where.ids is not None:
        ids = [run_id for run_id in (_global_run_id(text) for text in where.ids) if run_id is not None]
        conditions.append(Q(id__in=ids))
    equal: dict[str, Any] = {
        "workflow_key": where.workflow_key,
        "initiated_by": where.initiated_by,
        "tenant": where.tenant,
        "subject_id": where.subject_id,
        "subject_type": where.subject_type,
        "batch_id": where.batch_id,
        "dry_run": where.dry_run,
    }
    conditions.extend(Q(**{column: value}) for column, value in equal.items() if value is not None)
    listed: dict[str, Any] = {
        "status": where.status,
        "triggered_by": where.triggered_by,
        "priority": where.priority,
    }
    for column, values in listed.items():
        if values is not None:
            one_of: dict[str, Any] = {f"{column}__in": list(values)}
            conditions.append(Q(**one_of))
    if where.has_errors is not None:
        conditions.append(Q(error_count__gt=0) if where.has_errors else Q(error_count__lte=0))
    bounds: dict[str, Any] = {
        "created_at__gt": where.created_after,
        "created_at__lt": where.created_before,
        "started_at__gt": where.started_after,
        "started_at__lt": where.started_before,
    }
    for bound, value in bounds.items():
        if value is not None:
            # typed Any: Q's keyword arguments include join_type (a str), so a dict of datetimes
            # does not type-check
            compared: dict[str, Any] = {bound: _aware(value)}
            conditions.append(Q(**compared))
    for key, value in where.tags or []:
        conditions.append(tagged_q(key, value))
    return Q(*conditions) if conditions else Q()


def _aware(instant: dt.datetime) -> dt.datetime:
    # the database reads a naive bound as UTC (use_tz with timezone UTC)
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)


def where_matches(where: RunWhereSpec, run: Run, tags: Mapping[str, str]) -> bool:
    """`where_q` decided in Python for one run (with its `tags`), as the database would."""
    if where.ids is not None and run.id not in {_global_run_id(text) for text in where.ids}:
        return False
    equal = (
        (where.workflow_key, run.workflow_key),
        (where.initiated_by, run.initiated_by),
        (where.tenant, run.tenant),
        (where.subject_id, run.subject_id),
        (where.subject_type, run.subject_type),
        (where.batch_id, run.batch_id),
        (where.dry_run, run.dry_run),
    )
    if any(wanted is not None and wanted != value for wanted, value in equal):
        return False
    listed = ((where.status, run.status), (where.triggered_by, run.triggered_by), (where.priority, run.priority))
    if any(values is not None and value not in values for values, value in listed):
        return False
    if where.has_errors is not None and (run.error_count > 0) != where.has_errors:
        return False
    for bound, value, after in (
        (where.created_after, run.created_at, True),
        (where.created_before, run.created_at, False),
        (where.started_after, run.started_at, True),
        (where.started_before, run.started_at, False),
    ):
        if bound is not None and (value is None or not (value > _aware(bound) if after else value < _aware(bound))):
            return False
    return all(tags.get(key) == value for key, value in where.tags or [])


class RunTest:
    """`run_condition` (visibility, project, filter, where) decided in Python for one run at a
    time: what a subscription asks of each changed run, without a statement per subscriber.
    `project_id` is the id of the project named `project` (None when there is none: then no
    run matches). Raises BadFilter for a malformed filter, as `run_condition` does."""

    def __init__(
        self,
        principal: Principal,
        *,
        project: str | None,
        project_id: uuid.UUID | None,
        filter: str | None,
        where: RunWhereSpec | None,
    ) -> None:
        self.principal = principal
        self.project = project
        self.project_id = project_id
        self.expr = parse_filter(filter) if filter is not None and filter.strip() else None
        self.where = where

    def matches(self, run: Run, tags: Mapping[str, str], now: dt.datetime) -> bool:
        if not self.principal.can_see_run(run.project_id, run.visibility, run.initiated_by):
            return False
        if self.project is not None and (self.project_id is None or run.project_id != self.project_id):
            return False
        if self.expr is not None and not matches(self.expr, run, tags, now):
            return False
        return self.where is None or where_matches(self.where, run, tags)


def _global_run_id(text: str) -> uuid.UUID | None:
    parsed = parse_global_id(text)
    return parsed[1] if parsed is not None and parsed[0] == "Run" else None


def tagged_q(key: str, value: str) -> Q:
    """Runs that carry tag `key` with exactly `value` (e.g. kind=conversation): a subquery on run_tags."""
    return CriterionQ(
        lambda table, dialect: has_tag(table, key, lambda column: column == ValueWrapper(value), dialect=dialect)
    )


def conversations_q() -> Q:
    """Agent/conversation runs: those tagged kind=conversation."""
    return tagged_q("kind", "conversation")


def workflow_runs_q(workflow_id: uuid.UUID) -> Q:
    """The runs of one workflow (any version)."""
    return Q(workflow_id=workflow_id)


def run_condition(
    principal: Principal,
    *,
    project: str | None = None,
    filter: str | None = None,
    where: RunWhereSpec | None = None,
    search: str | None = None,
    base: Q | None = None,
    now: dt.datetime | None = None,
    search_workflows: Sequence[uuid.UUID] | None = None,
    walked: frozenset[Substring] = NONE_WALKED,
) -> Q:
    """Everything the caller asked for, ANDed: visibility, `base`, filter, where, search
    (`search_workflows` and `walked`: see `search_q`).

    Raises BadFilter for a malformed filter; a blank filter is no filter.
    """
    conditions = [visibility_q(principal, project)]
    if base is not None:
        conditions.append(base)
    if filter is not None and filter.strip():
        conditions.append(compile_filter(parse_filter(filter), now, walked))
    if where is not None:
        conditions.append(where_q(where))
    if search is not None:
        conditions.append(search_q(search, search_workflows, walked))
    return Q(*conditions)


def _run_from_record(record: dict[str, Any]) -> Run:
    return Run._init_from_db(**record)


async def list_runs(
    principal: Principal,
    *,
    project: str | None = None,
    filter: str | None = None,
    where: RunWhereSpec | None = None,
    search: str | None = None,
    order_by: list[RunOrderSpec] | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    base: Q | None = None,
    max_page_size: int = 100,
    now: dt.datetime | None = None,
    plain: bool = False,
    columns: Collection[str] | None = None,
) -> Page[Run | Row]:
    """One keyset page of the runs `principal` may see, in `order_by` (default CREATED_AT DESC).

    `first`/`after` page forward, `last`/`before` backward. One SELECT for the rows (four,
    each at most a page, for DURATION alone: app.queries.durations; with a co/sw/ew test or a
    search up to three bounded steps, for DURATION each over its four reads:
    app.queries.substrings); `Page.count` runs a COUNT
    only when called. Raises ValidationFailed for a bad page size or cursor, BadFilter for a
    malformed filter. `now` is the instant durations of unfinished runs are measured to
    (default: the time of the call; a DURATION cursor's own instant wins, so that a walk's
    pages agree). `plain`: the runs as named tuples (app.queries.rows) instead of model objects;
    `columns` (with `plain`): the only columns of the runs the caller reads (the id and the
    order's columns, which cursors need, are read too; the rows' other attributes are None).
    """
    window = page_window(first, last, max_page_size)
    ordering = RunOrdering.of([(spec.field, spec.direction) for spec in order_by or []])
    # an order by DURATION measures every page of a walk to its first page's time (in the cursor)
    walked_from = next(
        (ordering.instant(name, text) for name, text in (("after", after), ("before", before)) if text), None
    )
    instant = walked_from or now or dt.datetime.now(dt.UTC)
    # the workflows a search names are read first (one statement more), so that PostgreSQL plans
    # the page with their ids in hand rather than a guess at a subquery's
    workflows = await workflows_named(search) if search is not None and search.strip() else None
    asked = functools.partial(
        run_condition, principal, project=project, filter=filter, where=where, search=search, base=base, now=instant
    )
    condition = asked(search_workflows=workflows)
    connection = Run._meta.db
    dialect = connection.capabilities.dialect
    parsed = parse_filter(filter) if filter is not None and filter.strip() else None
    tests = substring_tests(parsed) if parsed is not None else set()
    if parsed is not None and dialect == "sqlite":
        # SQLite reads every run a tag's (key, value) index lists before the page's first row
        # (sql.has_tag): a tag is walked in windows too (PostgreSQL's planner chooses by itself)
        tests |= tag_tests(parsed)
    tests |= search_substrings(search) if search is not None else set()
    after_position = ordering.parse_cursor("after", after, dialect) if after is not None else None
    before_position = ordering.parse_cursor("before", before, dialect) if before is not None else None

    table = Run._meta.basetable
    everything = _selecting(ordering, columns if plain else None)
    walk = ordering.reversed() if window.backward else ordering
    limit = window.size + 1

    def page_query(
        scope: Q, size: int = limit, stop: list[Any] | None = None, source: QueryBuilder | None = None
    ) -> QueryBuilder:
        """The runs of `scope` (read from `source`, by default the runs table) from the cursor on,
        before the position `stop` when given, in the walk's order, `size` of them."""
        query = matching(scope, everything if source is None else source)
        if ordering.uses_duration:
            query = query.select(duration_as_of(table, dialect, instant).as_(DURATION_ALIAS))
        if after_position is not None:
            query = query.where(ordering.after(table, dialect, instant, after_position))
        if before_position is not None:
            query = query.where(ordering.reversed().after(table, dialect, instant, before_position))
        if stop is not None:
            query = query.where(walk.reversed().after(table, dialect, instant, stop))
        for term, direction in walk.order_by(table, dialect, instant):
            query = query.orderby(term, order=direction)
        return query.limit(size)

    ascending = walk.ascending[0]
    # an order by DURATION: the near cursor starts each of its reads, the far one ends the merge
    near, far = (before_position, after_position) if window.backward else (after_position, before_position)

    def duration_read(index: int) -> PageQuery:
        """The page's read number `index` of an order by DURATION alone (app.queries.durations)."""

        def query(
            scope: Q, size: int = limit, stop: list[Any] | None = None, source: QueryBuilder | None = None
        ) -> QueryBuilder:
            base = matching(scope, everything if source is None else source)
            reads = duration_reads(base, table, dialect, instant, ascending, near, size, DURATION_ALIAS, stop=stop)
            return reads[index]

        return query

    def duration_end(index: int) -> WindowEnd:
        """Where a window of the read number `index` ends (its index alone on SQLite)."""

        def query(scope: Q, within: int) -> QueryBuilder:
            base = matching(scope, connection.query_class.from_(table).select(table.id))
            reads = duration_reads(base, table, dialect, instant, ascending, near, 1, DURATION_ALIAS, ends=True)
            return reads[index].offset(within)

        return query

    def windowed(walk: Walk) -> Awaitable[list[dict[str, Any]]]:
        return substring_page(
            walk,
            scope=asked(filter=None, search=None),
            exact=asked(search_workflows=workflows, walked=frozenset(tests)),
            candidates=condition,
            size=limit,
        )

    # a substring test: windows of the walk of the order's index(es) while they pay, else the
    # trigram index's candidates (app.queries.substrings); an order of DURATION and other fields
    # sorts its matches (app.queries.keyset)
    walked = bool(tests) and (ordering.by_duration_alone or not ordering.uses_duration)
    if ordering.by_duration_alone:
        reads = range(len(duration_reads(everything, table, dialect, instant, ascending, near, limit, DURATION_ALIAS)))
        durations = Walk(
            reads=[duration_read(index) for index in reads],
            # a row's (duration, id)
            position=lambda row: [row[DURATION_ALIAS], row["id"]],
            ends=[duration_end(index) for index in reads],
            merge=lambda found, stop: _before_far(merge(found, DURATION_ALIAS, ascending, limit), ascending, stop),
        )
        rows = await (windowed(durations) if walked else durations.read(condition, limit))
        rows = _before_far(rows, ascending, far)
    elif walked:
        # the count reads the candidates (up to COUNT_LIMIT + 1)
        position: Position = lambda row: ordering.parse_cursor(  # noqa: E731
            # as a cursor's values: the parameters the database compares with
            "stop",
            ordering.cursor(ordering.position(_run_from_record(row), row)),
            dialect,
        )
        rows = await windowed(Walk(reads=[page_query], position=position))
    else:
        rows = await _fetch(page_query(condition))
    more = len(rows) > window.size
    rows = rows[: window.size]
    if window.backward:
        rows.reverse()
    runs: list[Run | Row] = RowReader.of(Run).named_rows(rows) if plain else [_run_from_record(row) for row in rows]
    cursors = [ordering.cursor(ordering.position(run, row), instant) for run, row in zip(runs, rows, strict=True)]

    count_walk = _count_walk(asked, tests, scope_size(principal, project), workflows, _tagged_few(parsed, dialect))
    tally = tally_once(principal, counter_scope(project, filter, where, search, base), condition, count_walk)

    async def count() -> int:
        return (await tally()).count

    async def count_is_exact() -> bool:
        return (await tally()).exact

    return Page(
        items=runs,
        cursors=cursors,
        # A cursor is taken from a row, so there is one on its far side.
        has_next_page=more if not window.backward else before is not None,
        has_previous_page=more if window.backward else after is not None,
        count=count,
        count_is_exact=count_is_exact,
    )


def _tagged_few(parsed: FilterExpr | None, dialect: str) -> Callable[[], Awaitable[bool]] | None:
    """On SQLite, for a filter that ANDs a `tags.KEY eq V` test at its top: whether that tag
    holds few enough runs to count without a walk (app.queries.counts.tagged_few)."""
    if parsed is None or dialect != "sqlite":
        return None
    for operand in parsed.operands if isinstance(parsed, And) else (parsed,):
        if isinstance(operand, Comparison) and operand.tag_key is not None and operand.op is Op.EQ:  # noqa: SIM102
            if operand.value is not None:  # `eq null`: the runs without the tag
                return tagged_few(operand.tag_key, str(operand.value))
    return None


def _count_walk(
    asked: Callable[..., Q],
    walked: Collection[Substring],
    size: Callable[[], Awaitable[int]],
    search_workflows: Sequence[uuid.UUID] | None = None,
    few: Callable[[], Awaitable[bool]] | None = None,
) -> Walked | None:
    """The walk a filtered count starts with (app.queries.counts.WALK_ROWS) when it has tests
    a page walks (`walked`: substring tests and a search's, on SQLite tag tests too; on
    PostgreSQL a tag's semi-join already stops at the count's limit, 14-17 ms at any size);
    `asked` gives the count's condition for the arguments it is called with (run_condition's),
    `size` at least how many runs its scope holds, `few` whether it may skip the walk."""
    if not walked:
        return None
    return Walked(
        scope=asked(filter=None, search=None),
        exact=asked(search_workflows=search_workflows, walked=frozenset(walked)),
        size=size,
        few=few,
    )


def _selecting(ordering: RunOrdering, columns: Collection[str] | None) -> QueryBuilder:
    """A SELECT of every column of the runs, or of `columns` and those a cursor needs."""
    if columns is None:
        return cast(QueryBuilder, Run._meta.basequery_all_fields)
    needed = {*columns, "id", *(key.column for key in ordering.keys if key.column is not None)}
    every_column = Run._meta.fields_db_projection.values()
    unknown = needed - set(every_column)
    if unknown:
        raise ValueError(f"runs have no columns {sorted(unknown)}")
    # in the model's order, so that equal sets give the same statement
    return cast(QueryBuilder, Run._meta.basequery.select(*(column for column in every_column if column in needed)))


async def _fetch(query: QueryBuilder) -> list[dict[str, Any]]:
    return await Run._meta.db.execute_query_dict(*query.get_parameterized_sql())


def _before_far(rows: list[dict[str, Any]], ascending: bool, far: Sequence[Any] | None) -> list[dict[str, Any]]:
    """The rows of an order by DURATION alone (in the walk's order, `ascending`) strictly
    before the position `far` (the cursor on the walk's far side)."""
    if far is None:
        return rows
    # every row past it sorts after those before it
    key = sort_key({DURATION_ALIAS: far[0], "id": far[1]}, DURATION_ALIAS)
    if ascending:
        return [row for row in rows if sort_key(row, DURATION_ALIAS) < key]
    return [row for row in rows if sort_key(row, DURATION_ALIAS) > key]


async def run_stats(
    principal: Principal,
    *,
    project: str | None = None,
    filter: str | None = None,
    where: RunWhereSpec | None = None,
    base: Q | None = None,
) -> StatusTally:
    """How many visible runs match, per status: every status in enum order, zeros included.

    One or two statements: unfiltered, from the counters (exact); filtered, over at most
    COUNT_LIMIT + 1 matching runs (exact up to COUNT_LIMIT, lower bounds past it).
    """
    asked = functools.partial(run_condition, principal, project=project, filter=filter, where=where, base=base)
    condition = asked()
    parsed = parse_filter(filter) if filter is not None and filter.strip() else None
    tests = substring_tests(parsed) if parsed is not None else set()
    dialect = Run._meta.db.capabilities.dialect
    if parsed is not None and dialect == "sqlite":
        tests |= tag_tests(parsed)
    count_walk = _count_walk(asked, tests, scope_size(principal, project), few=_tagged_few(parsed, dialect))
    return await status_counts(principal, counter_scope(project, filter, where, None, base), condition, count_walk)
