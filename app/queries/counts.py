"""Counting runs without reading them all: `totalCount` and `runStats`.

With no filter, where, search or base but a workflow, the answer comes from the counters
the lifecycle keeps (app.run_counts): exact, whatever the size of the table. Otherwise at
most COUNT_LIMIT + 1 matching rows are read: up to COUNT_LIMIT the count is exact, past it
the answer is "at least COUNT_LIMIT" and says so (`exact` is false).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from pypika_tortoise import JoinType, Order, Query
from pypika_tortoise.functions import Count
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Star
from tortoise.expressions import Q, ResolveContext
from tortoise.transactions import in_transaction

from app.enums import RunStatus
from app.run_counts import counted_by_status
from models import Run, RunTag

if TYPE_CHECKING:
    from app.auth import Principal
    from app.queries.runs import RunWhereSpec

# Past this many matching runs a filtered count stops and reports "at least COUNT_LIMIT".
COUNT_LIMIT = 10_000
# A count with a substring or tag test (whose index lists every run holding the term or tag, a
# list that grows with the table) first counts its matches among the newest WALK_ROWS runs of
# its scope (the default order's index, each run tested exactly): a cost fixed by WALK_ROWS,
# whatever the table's size. At least RARE_MATCHES of them: that count is the answer, a lower
# bound (`exact` false) when runs past the walk remain. Fewer (a term or tag in fewer than one
# run of WALK_ROWS / RARE_MATCHES = 500), or no runs past the walk: the bounded count over the
# index's candidates (exact up to COUNT_LIMIT), a short list for so rare a term.
WALK_ROWS = 20_000
RARE_MATCHES = 40
# At least RARE_MATCHES in the walk, the count estimates the matches of its whole scope (the
# walk's share of matches times the scope's size, from the counters: an over-estimate, never
# less): at most ESTIMATE_BOUND, the bounded count over the index's candidates runs as well and
# is the answer (exact up to COUNT_LIMIT, at most ~ESTIMATE_BOUND candidates read); past it, the
# walk's "at least N". A term common among few runs stays exact, a common one among many is flat.
ESTIMATE_BOUND = 2 * COUNT_LIMIT


@dataclasses.dataclass(frozen=True)
class Walked:
    """A count's walk: the runs it walks (`scope`: the count's condition without its filter
    and search), the exact test of a match (the condition with its substring and tag
    tests tested on each run rather than through their indexes) and `size`, how many runs
    the scope holds at most (from the counters, see ESTIMATE_BOUND)."""

    scope: Q
    exact: Q
    size: Callable[[], Awaitable[int]]
    # whether the candidates are few enough to count without a walk (see tagged_few)
    few: Callable[[], Awaitable[bool]] | None = None


@dataclasses.dataclass(frozen=True)
class Tally:
    """How many runs match: exactly `count`, or (not `exact`) at least `count`."""

    count: int
    exact: bool


@dataclasses.dataclass(frozen=True)
class StatusTally:
    """Runs per status, every status in enum order; when not `exact`, each count is a lower
    bound and `total` is COUNT_LIMIT (more runs match)."""

    by_status: list[tuple[RunStatus, int]]
    exact: bool

    @property
    def total(self) -> int:
        return sum(count for _, count in self.by_status)


@dataclasses.dataclass(frozen=True)
class CountScope:
    """What a count is narrowed to, when the counters can answer it: a project and/or workflow."""

    project: str | None
    workflow_id: Any


def counter_scope(
    project: str | None,
    filter: str | None,
    where: RunWhereSpec | None,
    search: str | None,
    base: Q | None,
) -> CountScope | None:
    """The scope the counters answer for these arguments; None when only rows can (a filter,
    a where, a search, or a base other than Workflow.runs' `Q(workflow_id=...)`)."""
    if filter is not None and filter.strip():
        return None
    if search is not None and search.strip():
        return None
    if where is not None and any(getattr(where, f.name) is not None for f in dataclasses.fields(where)):
        return None
    if base is None:
        return CountScope(project, None)
    # Workflow.runs: a plain `Q(workflow_id=...)`, as schema/workflows.py builds it
    if base.children or base.join_type != "AND" or base._is_negated or set(base.filters) != {"workflow_id"}:
        return None
    return CountScope(project, base.filters["workflow_id"])


def matching(condition: Q, select: QueryBuilder) -> QueryBuilder:
    """`select` (a query on the runs table) narrowed to the runs `condition` selects."""
    table = Run._meta.basetable
    resolved = condition.resolve(ResolveContext(model=Run, table=table, annotations={}, custom_filters={}))
    query = select.where(resolved.where_criterion)
    for joined, on in resolved.joins:
        query = query.join(joined, how=JoinType.left_outer).on(on)
    return query


def _query() -> type[Query]:
    # the connection's dialect (parameter style, quoting)
    return Run._meta.db.query_class


# PostgreSQL's settings for the count of a walk (its runs newer than the walk's end): a probe of
# each run's tag, as many as the walk has runs, rather than a hash of every run the tag's index
# lists (the planner's guess at the range's runs is low: 312,000 tags hashed for a tag on 5 runs
# in 16 at 1M runs, 90 ms instead of ~25)
WALK_SETTINGS = "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; "


async def _rows(query: QueryBuilder, settings: str = "") -> list[dict[str, Any]]:
    """A count's rows. On PostgreSQL the statement is planned for its own parameters every
    time: asyncpg prepares it, and after five executions PostgreSQL may switch to a generic
    plan that ignores them (a rare tag's count became a merge join over every run's key,
    235 ms at 1M runs instead of ~30). `SET LOCAL` lasts only to the end of this
    transaction, so pages and other reads keep their cached plans; `settings` are more of them."""
    sql, params = query.get_parameterized_sql()
    if Run._meta.db.capabilities.dialect != "postgres":
        return await Run._meta.db.execute_query_dict(sql, params)
    async with in_transaction("default") as connection:
        await connection.execute_script(f"{settings}SET LOCAL plan_cache_mode = force_custom_plan")
        return await connection.execute_query_dict(sql, params)


def _walk_end(scope: Q) -> QueryBuilder:
    """The (created_at, id) of the run just past the first WALK_ROWS of `scope`, newest first
    (the default order's index): none when `scope` holds at most WALK_ROWS runs."""
    table = Run._meta.basetable
    query = matching(scope, _query().from_(table).select(table.created_at, table.id))
    newest = query.orderby(table.created_at, order=Order.desc).orderby(table.id, order=Order.desc)
    return newest.offset(WALK_ROWS).limit(1)


def _sample(condition: Q, column: str, end: dict[str, Any] | None) -> QueryBuilder:
    """`column` of at most COUNT_LIMIT + 1 runs `condition` selects, among those newer than
    the position `end` when given (the walk's runs)."""
    table = Run._meta.basetable
    sample = matching(condition, _query().from_(table).select(table.field(column)))
    if end is not None:
        created, run_id = end["created_at"], end["id"]
        # the first term bounds the walk of the index, the second leaves out the end's older peers
        newer = (table.created_at > created) | (table.id > run_id)
        sample = sample.where((table.created_at >= created) & newer)
    return sample.limit(COUNT_LIMIT + 1)


async def _walked(walk: Walked | None) -> dict[str, Any] | None:
    """Where the walk of a count ends (see WALK_ROWS), or None: no walk, or its scope is small."""
    if walk is None or (walk.few is not None and await walk.few()):
        return None
    ends = await _rows(_walk_end(walk.scope))
    return ends[0] if ends else None


async def _estimated_past(walk: Walked, found: int) -> bool:
    """Whether the matches of the walk's whole scope, estimated from the `found` among its
    newest WALK_ROWS runs, may be more than ESTIMATE_BOUND (the walk's answer stands)."""
    return found * await walk.size() > ESTIMATE_BOUND * WALK_ROWS


def scope_size(principal: Principal, project: str | None) -> Callable[[], Awaitable[int]]:
    """The runs `principal` may see in `project` (or every project), from the counters: at
    least as many as any count's scope narrowed to them holds."""

    async def size() -> int:
        return sum((await counted_by_status(principal, project, None)).values())

    return size


def tagged_few(key: str, value: str) -> Callable[[], Awaitable[bool]]:
    """Whether at most COUNT_LIMIT runs (of any project) hold the tag `key` = `value`, from at
    most COUNT_LIMIT + 1 entries of the tags' own index: a count that ANDs that test then has
    at most so many candidates and counts them without a walk (exact, a short list)."""

    async def few() -> bool:
        tags = RunTag._meta.basetable
        listed = _query().from_(tags).select(tags.run_id).where((tags.key == key) & (tags.value == value))
        rows = await _rows(_query().from_(listed.limit(COUNT_LIMIT + 1)).select(Count(Star()).as_("tags")))
        return int(rows[0]["tags"]) <= COUNT_LIMIT

    return few


async def bounded_count(condition: Q, walk: Walked | None = None) -> Tally:
    """The runs `condition` selects, counted up to COUNT_LIMIT (at most COUNT_LIMIT + 1 rows
    read); with `walk`, first among the newest WALK_ROWS runs of its scope (see WALK_ROWS and
    ESTIMATE_BOUND)."""
    end = await _walked(walk)
    if end is not None and walk is not None:
        found = await _count(walk.exact, end)
        if found >= RARE_MATCHES and await _estimated_past(walk, found):
            return Tally(min(found, COUNT_LIMIT), False)
    found = await _count(condition, None)
    return Tally(min(found, COUNT_LIMIT), found <= COUNT_LIMIT)


async def _count(condition: Q, end: dict[str, Any] | None) -> int:
    query = _query().from_(_sample(condition, "id", end)).select(Count(Star()).as_("runs"))
    rows = await _rows(query, WALK_SETTINGS if end is not None else "")
    return int(rows[0]["runs"])


async def _by_status(condition: Q, end: dict[str, Any] | None) -> dict[RunStatus, int]:
    sample = _sample(condition, "status", end)
    query = _query().from_(sample).select(sample.status, Count(Star()).as_("runs")).groupby(sample.status)
    rows = await _rows(query, WALK_SETTINGS if end is not None else "")
    return {RunStatus(row["status"]): int(row["runs"]) for row in rows}


async def bounded_status_counts(condition: Q, walk: Walked | None = None) -> StatusTally:
    """The runs `condition` selects per status, from at most COUNT_LIMIT + 1 of them; with
    `walk`, first among the newest WALK_ROWS runs of its scope (see WALK_ROWS and
    ESTIMATE_BOUND)."""
    end = await _walked(walk)
    counts: dict[RunStatus, int] | None = None
    exact = False
    if end is not None and walk is not None:
        counts = await _by_status(walk.exact, end)
        found = sum(counts.values())
        if found < RARE_MATCHES or not await _estimated_past(walk, found):
            counts = None
    if counts is None:
        counts = await _by_status(condition, None)
        exact = sum(counts.values()) <= COUNT_LIMIT
    if sum(counts.values()) > COUNT_LIMIT:
        # one run past the limit was read: take it from the largest count, each stays a lower bound
        largest = max(counts, key=lambda status: counts[status])
        counts[largest] -= sum(counts.values()) - COUNT_LIMIT
    return StatusTally([(status, counts.get(status, 0)) for status in RunStatus], exact)


async def status_counts(
    principal: Principal, scope: CountScope | None, condition: Q, walk: Walked | None = None
) -> StatusTally:
    """Runs per status: from the counters when `scope` is given, else bounded over the rows."""
    if scope is None:
        return await bounded_status_counts(condition, walk)
    counts = await counted_by_status(principal, scope.project, scope.workflow_id)
    return StatusTally([(status, counts.get(status, 0)) for status in RunStatus], True)


def tally_once(
    principal: Principal, scope: CountScope | None, condition: Q, walk: Walked | None = None
) -> Callable[[], Awaitable[Tally]]:
    """A function that counts the runs on its first call and gives every caller that answer
    (totalCount and totalCountIsExact resolve concurrently from one statement)."""
    task: asyncio.Task[Tally] | None = None

    async def count() -> Tally:
        if scope is None:
            return await bounded_count(condition, walk)
        counts = await counted_by_status(principal, scope.project, scope.workflow_id)
        return Tally(sum(counts.values()), True)

    def tally() -> Awaitable[Tally]:
        nonlocal task
        if task is None:
            task = asyncio.ensure_future(count())
        return task

    return tally
