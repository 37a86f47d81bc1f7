"""Which substring tests a read on SQLite answers by walking the order's index (issue 10).

runs_fts (FTS5, trigram) finds the runs holding a term; the page then sorts them all. For a rare
term that is little; for a common one (a surname in one run of 20) it is every match, a number
that grows with the table. Such a term fills a page after a few dozen rows of the order's own
index, tested exactly. So before the page, each co/sw/ew test on a trigram column is probed: how
many of the newest PROBE_WINDOW runs (by rowid: what a walk in the default order reads first)
runs_fts finds holding it, counting to COMMON at most. COMMON or more (1% of the rows or more):
the test goes without runs_fts, and the walk reads about 100 rows per match on the page at
most; fewer: runs_fts finds the candidates. The probe reads index entries of a fixed number of
rows, whatever the size of the table. Both ways the condition is FILTER.md's exact one.

PostgreSQL plans this itself (its statistics on the pg_trgm GIN indexes): nothing to probe.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.filters.sql import Substring, fts_phrase, indexed_substring
from models import Run

PROBE_WINDOW = 4_000
COMMON = 40


async def walked_substrings(tests: Iterable[Substring]) -> frozenset[Substring]:
    """The tests among `tests` common enough that a read walks the order's index for them."""
    connection = Run._meta.db
    if connection.capabilities.dialect != "sqlite":
        return frozenset()
    walked = set()
    for column, op, text in tests:
        if not indexed_substring(column, op, text):
            continue
        sql = (
            "SELECT COUNT(*) FROM (SELECT 1 FROM runs_fts WHERE runs_fts MATCH ? "
            "AND rowid > (SELECT MAX(rowid) FROM runs) - ? LIMIT ?)"
        )
        _, rows = await connection.execute_query(sql, [fts_phrase([column], text), PROBE_WINDOW, COMMON])
        if rows[0][0] >= COMMON:
            walked.add((column, op, text))
    return frozenset(walked)
