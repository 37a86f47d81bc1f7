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

from pypika_tortoise import JoinType, Query
from pypika_tortoise.functions import Count
from pypika_tortoise.queries import QueryBuilder
from pypika_tortoise.terms import Star
from tortoise.expressions import Q, ResolveContext
from tortoise.transactions import in_transaction

from app.enums import RunStatus
from app.run_counts import counted_by_status
from models import Run

if TYPE_CHECKING:
    from app.auth import Principal
    from app.queries.runs import RunWhereSpec

# Past this many matching runs a filtered count stops and reports "at least COUNT_LIMIT".
COUNT_LIMIT = 10_000


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


async def _rows(query: QueryBuilder) -> list[dict[str, Any]]:
    """A count's rows. On PostgreSQL the statement is planned for its own parameters every
    time: asyncpg prepares it, and after five executions PostgreSQL may switch to a generic
    plan that ignores them (a rare tag's count became a merge join over every run's key,
    235 ms at 1M runs instead of ~30). `SET LOCAL` lasts only to the end of this
    transaction, so pages and other reads keep their cached plans."""
    sql, params = query.get_parameterized_sql()
    if Run._meta.db.capabilities.dialect != "postgres":
        return await Run._meta.db.execute_query_dict(sql, params)
    async with in_transaction("default") as connection:
        await connection.execute_script("SET LOCAL plan_cache_mode = force_custom_plan")
        return await connection.execute_query_dict(sql, params)


async def bounded_count(condition: Q) -> Tally:
    """The runs `condition` selects, counted up to COUNT_LIMIT (one statement, at most
    COUNT_LIMIT + 1 rows read)."""
    table = Run._meta.basetable
    sample = matching(condition, _query().from_(table).select(table.id)).limit(COUNT_LIMIT + 1)
    rows = await _rows(_query().from_(sample).select(Count(Star()).as_("runs")))
    found = int(rows[0]["runs"])
    return Tally(min(found, COUNT_LIMIT), found <= COUNT_LIMIT)


async def bounded_status_counts(condition: Q) -> StatusTally:
    """The runs `condition` selects per status, from at most COUNT_LIMIT + 1 of them."""
    table = Run._meta.basetable
    sample = matching(condition, _query().from_(table).select(table.status)).limit(COUNT_LIMIT + 1)
    query = _query().from_(sample).select(sample.status, Count(Star()).as_("runs")).groupby(sample.status)
    counts = {RunStatus(row["status"]): int(row["runs"]) for row in await _rows(query)}
    exact = sum(counts.values()) <= COUNT_LIMIT
    if not exact:
        # one run past the limit was read: take it from the largest count, each stays a lower bound
        largest = max(counts, key=lambda status: counts[status])
        counts[largest] -= sum(counts.values()) - COUNT_LIMIT
    return StatusTally([(status, counts.get(status, 0)) for status in RunStatus], exact)


async def status_counts(principal: Principal, scope: CountScope | None, condition: Q) -> StatusTally:
    """Runs per status: from the counters when `scope` is given, else bounded over the rows."""
    if scope is None:
        return await bounded_status_counts(condition)
    counts = await counted_by_status(principal, scope.project, scope.workflow_id)
    return StatusTally([(status, counts.get(status, 0)) for status in RunStatus], True)


def tally_once(principal: Principal, scope: CountScope | None, condition: Q) -> Callable[[], Awaitable[Tally]]:
    """A function that counts the runs on its first call and gives every caller that answer
    (totalCount and totalCountIsExact resolve concurrently from one statement)."""
    task: asyncio.Task[Tally] | None = None

    async def count() -> Tally:
        if scope is None:
            return await bounded_count(condition)
        counts = await counted_by_status(principal, scope.project, scope.workflow_id)
        return Tally(sum(counts.values()), True)

    def tally() -> Awaitable[Tally]:
        nonlocal task
        if task is None:
            task = asyncio.ensure_future(count())
        return task

    return tally
