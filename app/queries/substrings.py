"""Pages of runs filtered by a substring term (co/sw/ew on a trigram column, `search`): issue 10.

A trigram index (runs_fts on SQLite, pg_trgm GIN on PostgreSQL) finds every run holding a term,
in no useful order: the page then sorts them all, a cost that grows with the table (a term in one
run of 200 holds 5,000 runs at 1M). A walk of the page's order instead reads about N/p rows for N
matches on a page when one run in 1/p holds the term: a cost that depends on the term, not on the
table. So a page with such a test is read in bounded steps, each exact:

1. the next PROBE_ROWS runs of the walk (the order's index, after the cursor, narrowed by all
   but the filter and search), tested exactly: when they hold a page of matches, that is the page
   (the first matches among the first runs are the first matches);
2. else, when they held at least PROBE_ROWS / SPARSEST_WALKED matches (the term is in one run of
   SPARSEST_WALKED or more, as far as the window tells), the next SPARSEST_WALKED runs per row of
   the page, the same way;
3. else (a term in fewer than one run of SPARSEST_WALKED, or the end of the walk), the index's
   candidates, tested exactly and sorted.

Each step reads a number of rows fixed by the page size and the term's frequency, whatever the
size of the table; only step 3 grows with it, by the term's own matches (fewer than one run in
SPARSEST_WALKED when step 1 sends it there, unless step 1's window was unlike the rest). Step 1
is what a rare or absent term pays before its candidates (~4 ms, mostly for its two statements).

Tried and measured (bench/README.md): counting up to 100 (or 1,000) candidates first, so that a
rare or absent term skips the window. It takes ~4 ms off those pages, but the count reads the
trigram index's posting lists of a common term whole (its bitmap on PostgreSQL, its doclists in
runs_fts), so a common term's page grew 1.2-2.8x from 100k to 1M runs: not flat. A first window
of 1,000 runs instead of 4,000 saved nothing for a rare term (its cost is the statements, not the
rows) and sent a term in 1 run of 24 to step 2.

An order by DURATION is the merge of four reads (app.queries.durations), each in its own index's
order: a window of that walk ends at the first of the four reads' window ends (so each read
walks at most its window, and the merged window holds at least one read's), and the page is the
merge of the reads' first matches before it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol, cast

from pypika_tortoise.queries import QueryBuilder
from tortoise.expressions import Q

from models import Run

# step 1's window of runs (~2-4 ms of reading on either database): a term in one run of 80 or
# more fills a page of 50 from it
PROBE_ROWS = 4_000
# step 2 reads this many runs per row of the page, for terms in at least one run of this many
SPARSEST_WALKED = 1_000

Rows = list[dict[str, Any]]


class PageQuery(Protocol):
    """The page's query (app.queries.runs.list_runs): the runs `scope` selects, read from
    `source` (by default the runs table), from the cursor on and before the position `stop`
    when given, in the walk's order, `size` of them."""

    def __call__(
        self, scope: Q, size: int = ..., stop: list[Any] | None = ..., source: QueryBuilder | None = ...
    ) -> QueryBuilder: ...


class Position(Protocol):
    """A row's position in the walk's order (its sort-key values, then its id)."""

    def __call__(self, row: dict[str, Any]) -> list[Any]: ...


async def _fetch(query: QueryBuilder) -> Rows:
    return await Run._meta.db.execute_query_dict(*query.get_parameterized_sql())


class WindowEnd(Protocol):
    """The run `within` runs past the cursor in one read's walk of `scope` (a position as good
    as the read's rows', read from fewer columns)."""

    def __call__(self, scope: Q, within: int) -> QueryBuilder: ...


class Merge(Protocol):
    """The first rows of several reads together, in the walk's order, strictly before the
    position `stop` when given (the reads may hold some past it)."""

    def __call__(self, found: list[Rows], stop: list[Any] | None) -> Rows: ...


def _concatenated(found: list[Rows], stop: list[Any] | None) -> Rows:
    # the merge of a single read (which stopped where told)
    return [row for rows in found for row in rows]


def _own_end(page: PageQuery) -> WindowEnd:
    def end(scope: Q, within: int) -> QueryBuilder:
        return page(scope, 1).offset(within)

    return end


@dataclasses.dataclass(frozen=True)
class Walk:
    """A page's walk: one read in the order's index, or several whose merge is the order (an
    order by DURATION: app.queries.durations). `ends`, one per read, find where a window ends;
    without them (one read) the read's own query does, and on PostgreSQL a window is a
    subquery instead."""

    reads: Sequence[PageQuery]
    position: Position
    ends: Sequence[WindowEnd] | None = None
    merge: Merge = _concatenated

    async def read(self, condition: Q, size: int, stop: list[Any] | None = None) -> Rows:
        return self.merge([await _fetch(read(condition, size, stop=stop)) for read in self.reads], stop)

    async def first_matches(self, scope: Q, exact: Q, size: int, within: int) -> tuple[Rows, bool]:
        """The first `size` runs `exact` selects among the next `within` or more runs of the
        walk of `scope` (all of them before the window's end), and whether those were all the walk
        had left (then the rows are exact whatever their number)."""
        if self.ends is None and Run._meta.db.capabilities.dialect == "postgres":
            # The window as a subquery with a LIMIT: PostgreSQL reads it through the order's
            # index (no qual is pushed into it, so the trigram index cannot take over), keeps its
            # order and stops once the page is full.
            # The window holds every column: the exact test reads some, whatever the page reads.
            (page,) = self.reads
            every_column = cast(QueryBuilder, Run._meta.basequery_all_fields)
            window = page(scope, within, source=every_column).as_(Run._meta.db_table)
            source = Run._meta.db.query_class.from_(window).select("*")
            return await _fetch(page(exact, size, source=source)), False
        # SQLite reads such a subquery whole and sorts it, and so would PostgreSQL a DURATION
        # read's (ordered by an expression of the subquery's columns); so the run just past the
        # window is found first (one index entry per run of the window), and the walk stops before it.
        # Of several reads, the window ends at the first of their ends: before it, each read
        # holds at most `within` runs, and one of them exactly that many.
        ends = self.ends or [_own_end(page) for page in self.reads]
        past = [await _fetch(end(scope, within)) for end in ends]
        if not any(past):
            return await self.read(exact, size), True
        return await self.read(exact, size, stop=self.position(self.merge(past, None)[0])), False


async def substring_page(walk: Walk, *, scope: Q, exact: Q, candidates: Q, size: int) -> Rows:
    """Up to `size` rows of a page whose condition holds substring tests, by steps 1-3 (see the
    module).

    `scope`: the page's condition without its filter and search; `exact`: all of it, the
    substring tests exact (no index candidates); `candidates`: all of it through the trigram
    indexes."""
    probed, complete = await walk.first_matches(scope, exact, size, PROBE_ROWS)
    if len(probed) >= size or complete:
        return probed
    walked_rows = size * SPARSEST_WALKED
    # (for a page so small that the first window was as long, a second would find nothing more)
    if len(probed) * SPARSEST_WALKED >= PROBE_ROWS and walked_rows > PROBE_ROWS:
        walked, complete = await walk.first_matches(scope, exact, size, walked_rows)
        if len(walked) >= size or complete:
            return walked
    return await walk.read(candidates, size)


__all__ = [
    "PROBE_ROWS",
    "SPARSEST_WALKED",
    "Merge",
    "PageQuery",
    "Position",
    "Walk",
    "WindowEnd",
    "substring_page",
]
