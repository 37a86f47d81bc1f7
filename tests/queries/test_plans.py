"""PostgreSQL's plans for the dashboard's reads: an index serves each, never a sequential scan
of runs (issue 10). The reads are made through the query layer, the statements they send are
captured with their parameters, and EXPLAIN runs on each with `enable_seqscan = off`: a plan
that still scans runs sequentially (or sorts a keyset page) has no index to use.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from app.db import close_db, init_db, migrate_db
from app.enums import RunOrderField, SortDirection
from app.queries import RunOrderSpec, RunWhereSpec, list_runs, run_stats, substrings
from app.run_counts import fill_counts
from app.settings import Settings, set_settings
from models import Project
from tests.queries.factory import make_project, make_workflow, member, superadmin
from tests.servers import PostgresServer

RUNS = 3000

# runs of two projects and three workflows: every status, some PRIVATE, a region tag on a third
FILL = f"""
INSERT INTO runs (id, project_id, workflow_id, workflow_key, workflow_name, workflow_version, status,
    triggered_by, initiated_by, subject_id, subject_name, priority, dry_run, visibility, manually_triggered,
    change_limit_reached, disregard_change_limit, max_parallel_steps, error_count, created_at, updated_at,
    started_at, finished_at, event_seq, update_seq, schedule_hold)
SELECT gen_random_uuid(), w.project_id, w.id, w.key, w.name, 1,
    (ARRAY['PENDING','BLOCKED','RUNNING','PAUSED','CANCELING','COMPLETED','FAILED','TIMED_OUT','CANCELED',
           'TERMINATED','ABANDONED'])[1 + g % 11],
    'API', CASE WHEN g % 7 = 0 THEN 'apikey:alice' ELSE 'apikey:bob' END,
    'sub_' || g,
    (ARRAY['Ada','Grace','Alan','Linus'])[1 + g % 4] || ' ' || (ARRAY['Hopper','Turing','Knuth'])[1 + g % 3]
        || ' ' || md5(g::text),
    g % 4, g % 30 = 0, CASE WHEN g % 5 = 0 THEN 'PRIVATE' ELSE 'PROJECT' END, false, false, false, 4, g % 3,
    timestamptz '2026-01-01' + g * interval '1 minute', timestamptz '2026-01-01' + g * interval '1 minute',
    CASE WHEN g % 11 > 1 THEN timestamptz '2026-01-01' + g * interval '1 minute' END,
    CASE WHEN g % 11 > 4 THEN timestamptz '2026-01-01' + (g + 3) * interval '1 minute' END, 0, 0, false
FROM generate_series(1, {RUNS}) g
JOIN (SELECT *, row_number() OVER (ORDER BY key) - 1 AS n FROM workflows) w ON w.n = g % 3;
INSERT INTO run_tags (run_id, key, value)
SELECT id, 'region', CASE WHEN created_at < timestamptz '2026-01-02' THEN 'eu' ELSE 'us' END
FROM runs WHERE EXTRACT(MINUTE FROM created_at)::int % 3 = 0;
"""


async def _fill(settings: Settings) -> None:
    await migrate_db(settings)
    await init_db(settings)
    try:
        acme = await make_project("acme")
        for key in ("billing-sync", "offboard-user", "sync-crm"):
            await make_workflow(acme, key, key.replace("-", " ").title())
        connection = Tortoise.get_connection("default")
        await connection.execute_script(FILL)
        await fill_counts(connection)
        # VACUUM also moves the rows from the GIN indexes' pending lists into the indexes
        await connection.execute_script("VACUUM ANALYZE")
    finally:
        await close_db()


@pytest.fixture(scope="module")
def planned_database(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A database of its own holding RUNS runs (made once for the module)."""
    url = postgres_server.create_database(f"plans_{uuid.uuid4().hex[:8]}")
    settings = Settings(database_url=url, export_dir=tmp_path_factory.mktemp("exports"))
    asyncio.run(_fill(settings))
    return settings


@pytest.fixture
async def planned(planned_database: Settings) -> AsyncIterator[tuple[Any, Any, asyncpg.Connection]]:
    """That database open through Tortoise: (SUPERADMIN, a member of acme, a connection for EXPLAIN)."""
    set_settings(planned_database)
    await init_db(planned_database)
    explainer = await asyncpg.connect(planned_database.database_url)
    try:
        await explainer.execute("SET enable_seqscan = off")
        project = await Project.get(key="acme")
        yield superadmin(), member(project, "alice"), explainer
    finally:
        await explainer.close()
        await close_db()


@contextlib.contextmanager
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, list[Any]]]]:
    """The SELECTs sent through Tortoise meanwhile, with their parameters."""
    statements: list[tuple[str, list[Any]]] = []
    client_class = type(Tortoise.get_connection("default"))

    def wrapped(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(self: Any, query: str, values: list[Any] | None = None) -> Any:
            if query.lstrip().upper().startswith("SELECT"):
                statements.append((query, list(values or [])))
            return await original(self, query, values)

        return call

    # a context of its own: undoing it leaves the test's other patches (the windows) in place
    with monkeypatch.context() as patch:
        for method in ("execute_query", "execute_query_dict"):
            patch.setattr(client_class, method, wrapped(getattr(client_class, method)))
        yield statements


async def plans_of(explainer: asyncpg.Connection, statements: list[tuple[str, list[Any]]]) -> list[str]:
    plans = []
    for sql, values in statements:
        rows = await explainer.fetch(f"EXPLAIN {sql}", *values)
        plans.append("\n".join(row[0] for row in rows))
    return plans


def order(field: RunOrderField, direction: SortDirection) -> list[RunOrderSpec]:
    return [RunOrderSpec(field=field, direction=direction)]


KEYSET_ORDERS = [field for field in RunOrderField if field is not RunOrderField.DURATION]


async def test_every_listed_read_uses_an_index_of_runs(planned, monkeypatch):
    root, alice, explainer = planned
    reads: dict[str, Callable[[], Awaitable[Any]]] = {}
    for who, principal in (("superadmin", root), ("member", alice)):
        for field in KEYSET_ORDERS:
            for direction in SortDirection:
                spec = order(field, direction)
                reads[f"{who} {field.value} {direction.value}"] = lambda p=principal, s=spec: list_runs(
                    p, order_by=s, first=50
                )
                reads[f"{who} {field.value} {direction.value} last"] = lambda p=principal, s=spec: list_runs(
                    p, order_by=s, last=50
                )
        for text in ('status eq "FAILED"', 'workflow_key eq "sync-crm"', 'tags.region eq "eu"', 'tags.region ne "eu"'):
            reads[f"{who} {text}"] = lambda p=principal, t=text: list_runs(p, filter=t, first=50)
        reads[f"{who} where workflowKey"] = lambda p=principal: list_runs(
            p, where=RunWhereSpec(workflow_key="billing-sync"), first=50
        )
    unsorted = set(reads)
    searches = {
        'subject_name co "smith"': lambda: list_runs(root, filter='subject_name co "smith"', first=50),
        'subject_id co "no-such"': lambda: list_runs(root, filter='subject_id co "no-such"', first=50),
        'search "smith"': lambda: list_runs(root, search="smith", first=50),
        "duration gt 60": lambda: list_runs(root, filter="duration gt 60", first=50),
        "runStats": lambda: run_stats(root),
        "member runStats": lambda: run_stats(alice),
        'runStats status eq "FAILED"': lambda: run_stats(root, filter='status eq "FAILED"'),
        "totalCount": lambda: _total(list_runs(root, first=0)),
        "member totalCount": lambda: _total(list_runs(alice, first=0)),
    }
    reads.update(searches)
    durations = {}
    for who, principal in (("superadmin", root), ("member", alice)):
        for direction in SortDirection:
            spec = order(RunOrderField.DURATION, direction)
            durations[f"{who} DURATION {direction.value}"] = lambda p=principal, s=spec: list_runs(
                p, order_by=s, first=50
            )
            durations[f"{who} DURATION {direction.value} last"] = lambda p=principal, s=spec: list_runs(
                p, order_by=s, last=50
            )
    reads.update(durations)
    for name, read in reads.items():
        with captured(monkeypatch) as statements:
            await read()
        assert statements, name
        plans = await plans_of(explainer, statements)
        for (sql, _values), plan in zip(statements, plans, strict=True):
            assert "Seq Scan on runs" not in plan, f"{name}: {sql}\n{plan}"
            if "tags." in name:
                # a (semi or anti) join the planner chooses, never a (hashed) subplan that reads
                # every run of the tag before the first row
                assert "SubPlan" not in plan, f"{name}: {sql}\n{plan}"
            if name in unsorted:
                # the index hands the rows over in the page's order: nothing to sort
                assert "Sort" not in plan, f"{name}: {sql}\n{plan}"
        if name in durations:
            # finished runs through the duration's expression index, running ones through the
            # partial index on their start, the runs not started through the partial index of their
            # ids, all in the page's order; then the few that moved since the page's instant (sorted)
            # (the project's own indexes or the ones across projects: acme holds every run here)
            finished, running, missing, _moved = plans
            assert "finished_duration" in finished and "Sort" not in finished, f"{name}\n{finished}"
            assert "running_start" in running and "Sort" not in running, f"{name}\n{running}"
            assert "unstarted" in missing and "Sort" not in missing, f"{name}\n{missing}"
    # the counters answer unfiltered counts without reading runs at all (a member reads its own
    # PRIVATE runs only)
    with captured(monkeypatch) as statements:
        await run_stats(root)
    assert [sql for sql, _ in statements if 'FROM "runs"' in sql] == [], statements


async def _total(page: Awaitable[Any]) -> int:
    return int(await (await page).count())


def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """The substring windows (app.queries.substrings) scaled to RUNS runs: 200 runs probed, a term
    in at least one run of 20 walked (1,020 runs for a page of 50 plus one)."""
    monkeypatch.setattr(substrings, "PROBE_ROWS", 200)
    monkeypatch.setattr(substrings, "SPARSEST_WALKED", 20)


WINDOW = "FROM (SELECT"


def walked(statements: list[tuple[str, list[Any]]]) -> list[tuple[str, list[Any]]]:
    """The statements on runs."""
    return [(sql, values) for sql, values in statements if 'FROM "runs"' in sql]


async def test_substring_matches_read_the_trigram_indexes(planned, monkeypatch):
    root, _alice, explainer = planned
    # rare terms: the walk's first window holds none, so the trigram index lists the candidates
    expected = {
        'subject_name co "smith"': ["runs_subject_name_trgm"],
        'subject_id sw "sub_2999"': ["runs_subject_id_trgm"],
        'initiated_by ew "mallory"': ["runs_initiated_by_trgm"],
        'tags.region co "north"': ["run_tags_value_trgm"],
    }
    for text, indexes in expected.items():
        with captured(monkeypatch) as statements:
            await list_runs(root, filter=text, first=50)
        plans = await plans_of(explainer, statements)
        for index in indexes:
            assert index in plans[-1], f"{text}\n{plans[-1]}"
    with captured(monkeypatch) as statements:
        await list_runs(root, search="smith", first=50)
    # first the workflows whose key or name holds the term (none here), then a window of the walk,
    # then the page: the subject's columns through their trigram indexes
    workflows, _window, plan = await plans_of(explainer, statements)
    assert "workflows" in workflows and WINDOW in statements[1][0]
    for index in ("runs_subject_id_trgm", "runs_subject_name_trgm"):
        assert index in plan, plan
    with captured(monkeypatch) as statements:
        await list_runs(root, search="offboard", first=50)
    for plan in await plans_of(explainer, statements):
        assert "Seq Scan on runs" not in plan, plan


async def test_common_and_middling_terms_walk_an_index_in_the_pages_order(planned, monkeypatch):
    """A common term (Hopper: 1 run in 3) fills its page from the walk's first window, a middling
    one (Ada Hopper: 1 in 12) from the second; each window is read through an index of runs in
    the page's order (no sort, no trigram index), for a SUPERADMIN and a project member alike."""
    root, alice, explainer = planned
    small_windows(monkeypatch)
    by_priority = order(RunOrderField.PRIORITY, SortDirection.DESC)
    oldest_first = order(RunOrderField.CREATED_AT, SortDirection.ASC)
    for who, principal in (("superadmin", root), ("member", alice)):
        reads: dict[str, tuple[int, Callable[[], Awaitable[Any]]]] = {
            'co "hopper"': (1, lambda p=principal: list_runs(p, filter='subject_name co "hopper"', first=50)),
            'sw "ada h"': (2, lambda p=principal: list_runs(p, filter='subject_name sw "ada h"', first=50)),
            'co "hopper" by priority': (
                1,
                lambda p=principal: list_runs(p, filter='subject_name co "hopper"', order_by=by_priority, first=50),
            ),
            'sw "ada h" oldest first, last': (
                2,
                lambda p=principal: list_runs(p, filter='subject_name sw "ada h"', order_by=oldest_first, last=50),
            ),
            'search "ada hop"': (2, lambda p=principal: list_runs(p, search="ada hop", first=50)),
        }
        for name, (windows, read) in reads.items():
            with captured(monkeypatch) as statements:
                await read()
            pages = walked(statements)
            assert [WINDOW in sql for sql, _ in pages] == [True] * windows, f"{who} {name}: {pages}"
            for plan in await plans_of(explainer, pages):
                assert "Seq Scan on runs" not in plan and "Sort" not in plan, f"{who} {name}\n{plan}"
                assert "trgm" not in plan, f"{who} {name}\n{plan}"
        # an order by DURATION: each of its four reads ends its windows at the first of their ends
        # (a lookup of each's run past the window, then each walks up to it, the term's test
        # written so that no index serves it), through their own indexes
        for direction in SortDirection:
            with captured(monkeypatch) as statements:
                await list_runs(
                    principal,
                    filter='subject_name sw "ada h"',
                    order_by=order(RunOrderField.DURATION, direction),
                    first=50,
                )
            pages = [(sql, values) for sql, values in walked(statements) if "OFFSET" in sql or "||''" in sql]
            assert ["OFFSET" in sql for sql, _ in pages][:8] == [True] * 4 + [False] * 4, f"{who}: {pages}"
            for plan in await plans_of(explainer, pages):
                assert "Seq Scan on runs" not in plan and "trgm" not in plan, f"{who} DURATION\n{plan}"


# ---------------------------------------------------------------- SQLite

SQLITE_FILL = f"""
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {RUNS})
INSERT INTO runs (id, project_id, workflow_id, workflow_key, workflow_name, workflow_version, status,
    triggered_by, initiated_by, subject_id, subject_name, priority, dry_run, visibility, manually_triggered,
    change_limit_reached, disregard_change_limit, max_parallel_steps, error_count, created_at, updated_at,
    started_at, finished_at, event_seq, update_seq, schedule_hold)
SELECT printf('%08x-0000-4000-8000-%012x', g.n, g.n), w.project_id, w.id, w.key, w.name, 1,
    CASE g.n % 11 WHEN 0 THEN 'PENDING' WHEN 1 THEN 'BLOCKED' WHEN 2 THEN 'RUNNING' WHEN 3 THEN 'PAUSED'
        WHEN 4 THEN 'CANCELING' WHEN 5 THEN 'COMPLETED' WHEN 6 THEN 'FAILED' ELSE 'CANCELED' END,
    'API', 'apikey:bob', 'sub_' || g.n,
    CASE g.n % 4 WHEN 0 THEN 'Ada' WHEN 1 THEN 'Grace' WHEN 2 THEN 'Alan' ELSE 'Linus' END
        || CASE g.n % 3 WHEN 0 THEN ' Hopper ' WHEN 1 THEN ' Turing ' ELSE ' Knuth ' END || hex(randomblob(8)),
    g.n % 4, 0, 'PROJECT', 0, 0, 0, 4, 0,
    datetime('2026-01-01', '+' || g.n || ' minutes') || '+00:00',
    datetime('2026-01-01', '+' || g.n || ' minutes') || '+00:00',
    CASE WHEN g.n % 11 > 1 THEN datetime('2026-01-01', '+' || g.n || ' minutes') || '+00:00' END,
    CASE WHEN g.n % 11 > 4 THEN datetime('2026-01-01', '+' || (g.n + g.n % 7) || ' minutes') || '+00:00' END,
    0, 0, 0
FROM g JOIN (SELECT *, row_number() OVER (ORDER BY key) - 1 AS k FROM workflows) w ON w.k = g.n % 3;
ANALYZE;
"""


@pytest.fixture(scope="module")
def sqlite_planned_database(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A SQLite database holding RUNS runs, ANALYZEd (so the planner weighs its indexes as on a
    loaded database)."""
    directory = tmp_path_factory.mktemp("sqlite-plans")
    settings = Settings(database_url=f"sqlite://{directory / 'plans.db'}", export_dir=directory / "exports")

    async def fill() -> None:
        await migrate_db(settings)
        await init_db(settings)
        try:
            acme = await make_project("acme")
            for key in ("billing-sync", "offboard-user", "sync-crm"):
                await make_workflow(acme, key, key.replace("-", " ").title())
            await Tortoise.get_connection("default").execute_script(SQLITE_FILL)
        finally:
            await close_db()

    asyncio.run(fill())
    return settings


async def test_sqlite_reads_duration_and_common_terms_in_the_pages_order(sqlite_planned_database, monkeypatch):
    """On SQLite, EXPLAIN QUERY PLAN of DURATION pages and of common and middling terms' pages: an
    index hands the rows over in the page's order (no temporary b-tree sorts them), never a scan
    of runs."""
    set_settings(sqlite_planned_database)
    await init_db(sqlite_planned_database)
    try:
        connection = Tortoise.get_connection("default")
        project = await Project.get(key="acme")
        root, alice = superadmin(), member(project, "alice")
        reads: dict[str, Callable[[], Awaitable[Any]]] = {}
        for who, principal in (("superadmin", root), ("member", alice)):
            for direction in SortDirection:
                spec = order(RunOrderField.DURATION, direction)
                reads[f"{who} DURATION {direction.value}"] = lambda p=principal, s=spec: list_runs(
                    p, order_by=s, first=50
                )
                reads[f"{who} DURATION {direction.value} last"] = lambda p=principal, s=spec: list_runs(
                    p, order_by=s, last=50
                )
        # windows of the walk (app.queries.substrings): each a lookup of the run past the window,
        # then the walk up to it; a common term's page is in the first, a middling term's in the second
        windows = {
            'subject_name co "hopper"': 1,
            'search "hopper"': 1,
            'subject_name sw "ada h"': 2,
            'member subject_name sw "ada h"': 2,
            'search "ada hop"': 2,
        }
        small_windows(monkeypatch)
        reads['subject_name co "hopper"'] = lambda: list_runs(root, filter='subject_name co "hopper"', first=50)
        reads['search "hopper"'] = lambda: list_runs(root, search="hopper", first=50)
        reads['subject_name sw "ada h"'] = lambda: list_runs(root, filter='subject_name sw "ada h"', first=50)
        reads['member subject_name sw "ada h"'] = lambda: list_runs(alice, filter='subject_name sw "ada h"', first=50)
        reads['search "ada hop"'] = lambda: list_runs(root, search="ada hop", first=50)
        for who, principal in (("superadmin", root), ("member", alice)):
            for direction in SortDirection:
                spec = order(RunOrderField.DURATION, direction)
                reads[f"{who} DURATION {direction.value} sw"] = lambda p=principal, s=spec: list_runs(
                    p, filter='subject_name sw "ada h"', order_by=s, first=50
                )
                windows[f"{who} DURATION {direction.value} sw"] = 2
        for name, read in reads.items():
            with captured(monkeypatch) as statements:
                await read()
            pages = [(sql, values) for sql, values in statements if 'FROM "runs"' in sql]
            if name in windows:
                pages = walked(statements)
            plans = []
            for sql, values in pages:
                rows = await connection.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", values)
                plans.append("\n".join(str(row["detail"]) for row in rows))
            for plan in plans:
                assert "SCAN runs\n" not in plan + "\n", f"{name}\n{plan}"
            if name.endswith(" sw"):
                # four reads, each a lookup of its run past the window, then each walks up to
                # the first of those (the moved runs, few, sorted)
                ends, walks = pages[:4] + pages[8:12], pages[4:8] + pages[12:]
                assert len(pages) == 16 and all("OFFSET" in sql for sql, _ in ends), f"{name}: {pages}"
                assert not any("OFFSET" in sql for sql, _ in walks), f"{name}: {pages}"
                # the finished runs' walks (but those a window's end leaves nothing to: LIMIT 0)
                finished = [plans[i] for i in (4, 12) if pages[i][1][-1] != 0]
                assert finished, f"{name}: {pages}"
                for plan in finished:
                    assert "finished_duration" in plan and "TEMP B-TREE" not in plan, f"{name}\n{plan}"
                for plan in plans:
                    assert "runs_fts" not in plan, f"{name}\n{plan}"
            elif name.startswith(("superadmin DURATION", "member DURATION")):
                finished, running, missing, _moved = plans
                assert "finished_duration" in finished and "TEMP B-TREE" not in finished, f"{name}\n{finished}"
                assert "running_start" in running and "TEMP B-TREE" not in running, f"{name}\n{running}"
                assert "TEMP B-TREE" not in missing, f"{name}\n{missing}"
            else:
                # the walk of the default order's index up to the window's end, the exact test on
                # each row; no candidates from runs_fts
                assert len(plans) == 2 * windows[name], f"{name}: {pages}"
                assert ["OFFSET" in sql for sql, _ in pages] == [True, False] * windows[name], f"{name}: {pages}"
                for plan in plans:
                    assert "runs_fts" not in plan and "TEMP B-TREE" not in plan, f"{name}\n{plan}"
    finally:
        await close_db()


async def test_a_filtered_count_is_planned_for_its_own_parameters_every_time(planned):
    """asyncpg prepares the bounded count's statement; from its sixth execution PostgreSQL may
    use a generic plan, blind to the tag or term (a rare tag's count read every run's key at 1M
    runs). The count runs with plan_cache_mode = force_custom_plan: no execution is generic."""
    root, _, _ = planned
    # one transaction around the counts: they run on its connection, whose prepared
    # statements pg_prepared_statements lists
    async with in_transaction("default") as connection:
        for _ in range(8):
            page = await list_runs(root, filter='tags.region eq "eu" and subject_name co "hopper"', first=1)
            assert await page.count_is_exact()
        rows = await connection.execute_query_dict(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE '%COUNT(*)%' AND statement LIKE '%run_tags%' "
            "AND statement NOT LIKE '%pg_prepared_statements%'"
        )
    assert [(row["generic_plans"], row["custom_plans"]) for row in rows] == [(0, 8)]
