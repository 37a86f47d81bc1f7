"""Pages with a substring test (co/sw/ew, `search`) walk the order's index while a term is common
enough and read the trigram index's candidates otherwise (app.queries.substrings), and every way
gives FILTER.md's exact answer: case-insensitive, literal % and _, in the page's order."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise import Tortoise

from app.enums import Priority, RunOrderField, SortDirection
from app.queries import RunOrderSpec, list_runs
from app.queries import substrings as substrings_module
from models import Run, RunTag
from tests.queries.factory import at, make_project, make_workflow, new_run, save_runs, superadmin

RUNS = 180
# the instant the pages measure durations to (FILTER.md: now - started_at while unfinished)
NOW = at(1000)


def name_of(i: int) -> str:
    """Run i's subject name: a common surname (1 run in 3), a middling one (1 in 9), a literal
    `50%_off` (1 in 9) beside decoys that match it only if % and _ were wildcards, one rare name."""
    if i % 3 == 0:
        return f"Grace HOPPER {i}"
    if i % 9 == 1:
        return f"mid Turing {i}"
    if i % 9 == 4:
        return f"deal 50%_off no {i}"
    if i % 9 == 7:
        return f"deal 50xyoff no {i}"
    if i == 101:
        return "Ada Lovelace"
    if i == 50:
        return 'say "hi" now'
    return f"other {i}"


def region_of(i: int) -> str | None:
    """Run i's region tag: "eu" on 1 run in 3, "us" on 1 in 9, "apac" on one run, none on the rest."""
    if i == 77:
        return "apac"
    if i % 3 == 1:
        return "eu"
    if i % 9 == 2:
        return "us"
    return None


def times_of(i: int) -> dict[str, dt.datetime | None]:
    """Run i's start and end: not started (1 run in 6), running, finished (durations of whole
    seconds, many equal: ties broken by the id), and a few that start or finish after NOW (as of
    NOW not started, or running)."""
    start = at(i // 2)
    if i % 6 == 0:
        return {"started_at": None, "finished_at": None}
    if i % 6 == 1:
        return {"started_at": start, "finished_at": None}
    if i % 29 == 2:
        return {"started_at": NOW + dt.timedelta(seconds=i), "finished_at": None}
    if i % 29 == 3:
        return {"started_at": start, "finished_at": NOW + dt.timedelta(seconds=i)}
    return {"started_at": start, "finished_at": start + dt.timedelta(seconds=i * 7 % 23)}


def duration_of(run: Run) -> dt.timedelta | None:
    """FILTER.md's duration as of NOW."""
    if run.started_at is None or run.started_at > NOW:
        return None
    if run.finished_at is not None and run.finished_at <= NOW:
        return run.finished_at - run.started_at
    return NOW - run.started_at


def by_duration(run: Run) -> tuple[Any, ...]:
    """Going up: shortest first, runs without a duration last, then the id."""
    duration = duration_of(run)
    return (duration is None, duration or dt.timedelta(0), str(run.id))


@pytest.fixture
async def named(db):
    """RUNS runs, two per second (ties on created_at, broken by the id), priorities in turn,
    starts and ends as `times_of` says, region tags as `region_of` says."""
    project = await make_project()
    workflow = await make_workflow(project, "billing-sync", "Billing Sync")
    runs = [
        new_run(
            project,
            workflow,
            subject_name=name_of(i),
            subject_id=f"sub_{i:03}",
            created_at=at(i // 2),
            priority=Priority(i % 4),
            **times_of(i),
        )
        for i in range(RUNS)
    ]
    await save_runs(runs)
    tags = [RunTag(run_id=run.id, key="region", value=region_of(i)) for i, run in enumerate(runs) if region_of(i)]
    await RunTag.bulk_create(tags)
    return runs


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows small enough for RUNS runs: 30 runs probed; a term in at least 1 run in 10 walked
    (80 runs for a page of 7 plus one). Each term above then takes the step its frequency says."""
    monkeypatch.setattr(substrings_module, "PROBE_ROWS", 30)
    monkeypatch.setattr(substrings_module, "SPARSEST_WALKED", 10)


@contextlib.contextmanager
def page_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The SELECTs on runs sent meanwhile."""
    statements: list[str] = []
    client_class = type(Tortoise.get_connection("default"))
    original = client_class.execute_query_dict

    def wrapped(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(self: Any, query: str, values: list[Any] | None = None) -> Any:
            if 'FROM "runs"' in query:
                statements.append(query)
            return await original(self, query, values)

        return call

    # a context of its own: undoing it leaves the test's other patches (small_windows) in place
    with monkeypatch.context() as patch:
        patch.setattr(client_class, "execute_query_dict", wrapped(original))
        yield statements


# (orderBy field, direction) -> a run's position in that order: the field(s), then the id
ORDERS: dict[tuple[RunOrderField, SortDirection], Callable[[Run], tuple[Any, ...]]] = {
    (RunOrderField.CREATED_AT, SortDirection.DESC): lambda run: (run.created_at, str(run.id)),
    (RunOrderField.CREATED_AT, SortDirection.ASC): lambda run: (run.created_at, str(run.id)),
    (RunOrderField.PRIORITY, SortDirection.DESC): lambda run: (int(run.priority), run.created_at, str(run.id)),
    (RunOrderField.UPDATED_AT, SortDirection.ASC): lambda run: (run.updated_at, str(run.id)),
    (RunOrderField.DURATION, SortDirection.ASC): by_duration,
    (RunOrderField.DURATION, SortDirection.DESC): by_duration,
}


Order = tuple[RunOrderField, SortDirection]


def expected(runs: list[Run], keep: Callable[[Run], bool], order: Order) -> list[uuid.UUID]:
    descending = order[1] is SortDirection.DESC
    return [run.id for run in sorted(runs, key=ORDERS[order], reverse=descending) if keep(run)]


async def all_pages(size: int, backward: bool = False, **arguments: Any) -> list[uuid.UUID]:
    """Every run the read lists, `size` a page, from the first page on (or from the last back)."""
    seen: list[uuid.UUID] = []
    cursor = None
    arguments.setdefault("now", NOW)
    while True:
        if backward:
            page = await list_runs(superadmin(), last=size, before=cursor, **arguments)
            seen[:0] = [run.id for run in page.items]
            if not page.has_previous_page:
                return seen
            cursor = page.start_cursor
        else:
            page = await list_runs(superadmin(), first=size, after=cursor, **arguments)
            seen.extend(run.id for run in page.items)
            if not page.has_next_page:
                return seen
            cursor = page.end_cursor


def holds(text: str, op: str = "co", field: str = "subject_name") -> Callable[[Run], bool]:
    """FILTER.md's co/sw/ew, read literally: case-insensitive, every character itself."""

    def keep(run: Run) -> bool:
        value = getattr(run, field)
        if value is None:
            return False
        a, v = value.upper(), text.upper()
        return v in a if op == "co" else a.startswith(v) if op == "sw" else a.endswith(v)

    return keep


def steps(statements: list[str]) -> tuple[int, bool]:
    """(how many windows of the order's walk `statements` read, whether they then read the
    trigram index's candidates). A window is a subquery on PostgreSQL, and on SQLite a lookup of
    the run past it (OFFSET) and then the walk up to that run."""
    sqlite = Run._meta.db.capabilities.dialect == "sqlite"
    windows = sum(("OFFSET" if sqlite else "FROM (SELECT") in sql for sql in statements)
    candidates = len(statements) - windows * (2 if sqlite else 1)
    assert candidates in (0, 1), statements
    if candidates and sqlite:
        assert "runs_fts" in statements[-1], statements
    return windows, bool(candidates)


async def test_each_term_takes_the_step_its_frequency_says(named, small_windows, monkeypatch):
    # common (1 run in 3): the probe's 30 runs hold a page of 7 (plus one)
    with page_statements(monkeypatch) as statements:
        page = await list_runs(superadmin(), filter='subject_name co "HoPpEr"', first=7)
    assert [run.subject_name for run in page.items] == [name_of(i) for i in (177, 174, 171, 168, 165, 162, 159)]
    assert steps(statements) == (1, False)
    # middling (1 in 9): 3 in the probe's 30, so the walk of 80 runs finds the page
    for text in ('subject_name co "turing"', 'subject_name co "50%_off"'):
        with page_statements(monkeypatch) as statements:
            page = await list_runs(superadmin(), filter=text, first=7)
        assert len(page.items) == 7 and page.has_next_page, text
        assert steps(statements) == (2, False), text
    # rare (1 run), absent, and sparse among the newest (10 old runs of 180): none in the probe's
    # window, so the index's candidates (runs_fts on SQLite)
    with page_statements(monkeypatch) as statements:
        page = await list_runs(superadmin(), filter='subject_name co "lovelace"', first=7)
    assert [run.subject_name for run in page.items] == ["Ada Lovelace"]
    assert steps(statements) == (1, True)
    with page_statements(monkeypatch) as statements:
        page = await list_runs(superadmin(), filter='subject_name co "zzz"', first=7)
    assert page.items == [] and not page.has_next_page
    assert steps(statements) == (1, True)
    with page_statements(monkeypatch) as statements:
        page = await list_runs(superadmin(), filter='subject_id sw "sub_01"', first=7)
    newest = (RunOrderField.CREATED_AT, SortDirection.DESC)
    assert [run.id for run in page.items] == expected(named, holds("sub_01", "sw", "subject_id"), newest)[:7]
    assert steps(statements) == (1, True)
    # the count reads the candidates and is exact
    page = await list_runs(superadmin(), filter='subject_name co "hopper"', first=1)
    assert await page.count() == RUNS // 3 and await page.count_is_exact()


CASES = {
    'subject_name co "HoPpEr"': holds("hopper"),
    'subject_name co "turing"': holds("turing"),
    'subject_name co "lovelace"': holds("lovelace"),
    'subject_name co "50%_off"': holds("50%_off"),
    'subject_name sw "grace h"': holds("grace h", "sw"),
    'subject_name ew "off no 13"': holds("off no 13", "ew"),
    'subject_name co "hopper" and subject_name co "1"': lambda run: holds("hopper")(run) and holds("1")(run),
    'not subject_name co "hopper"': lambda run: not holds("hopper")(run),
    'subject_name co "Y \\"HI\\""': holds('y "hi"'),
    'subject_id sw "sub_01"': holds("sub_01", "sw", "subject_id"),
}


async def assert_every_order_pages_as_the_reference(runs: list[Run], cases: dict[str, Callable[[Run], bool]]) -> None:
    """Each filter of `cases`, in every order, paged forward and back by 7, gives exactly the
    runs its reference keeps, in that order."""
    for text, keep in cases.items():
        for order in ORDERS:
            want = expected(runs, keep, order)
            order_by = [RunOrderSpec(field=order[0], direction=order[1])]
            assert await all_pages(7, filter=text, order_by=order_by) == want, (text, order)
            assert await all_pages(7, backward=True, filter=text, order_by=order_by) == want, (text, order)


@pytest.mark.parametrize("windows", ["small", "default"])
async def test_every_page_of_every_order_is_exact(named, windows, request):
    if windows == "small":
        request.getfixturevalue("small_windows")
    runs = named
    await assert_every_order_pages_as_the_reference(runs, CASES)
    # search: the subject's id and name (and the workflow's key and name), case-insensitively
    order = (RunOrderField.CREATED_AT, SortDirection.DESC)
    for term in ("HOPPER", "turing", "lovelace", "sub_01", "billing"):
        keep = (lambda run: True) if term == "billing" else _searched(term)
        assert await all_pages(7, search=term) == expected(runs, keep, order), term


def tagged(runs: list[Run], keep: Callable[[str | None], bool]) -> Callable[[Run], bool]:
    """The runs whose region tag (None: no such tag) `keep` keeps."""
    regions = {run.id: region_of(i) for i, run in enumerate(runs)}
    return lambda run: keep(regions[run.id])


# FILTER.md on a tag: `ne` matches a run without the tag, every other comparison with it is false
TAG_CASES: dict[str, Callable[[str | None], bool]] = {
    'tags.region eq "eu"': lambda region: region == "eu",
    'tags.region eq "apac"': lambda region: region == "apac",
    'tags.region eq "nowhere"': lambda region: False,
    'tags.region ne "eu"': lambda region: region != "eu",
    'tags.region sw "U"': lambda region: region is not None and region.upper().startswith("U"),
    "tags.region pr": lambda region: region is not None,
    "not tags.region pr": lambda region: region is None,
    'tags.region eq "eu" or tags.region eq "apac"': lambda region: region in ("eu", "apac"),
}


@pytest.mark.parametrize("windows", ["small", "default"])
async def test_every_page_with_a_tag_test_is_exact(named, windows, request):
    """Tag tests (walked in windows on SQLite, app.filters.sql.has_tag), alone and beside a
    substring test, in every order, forward and back."""
    if windows == "small":
        request.getfixturevalue("small_windows")
    runs = named
    cases = {text: tagged(runs, keep) for text, keep in TAG_CASES.items()}
    in_eu, hopper = tagged(runs, TAG_CASES['tags.region eq "eu"']), holds("hopper")
    cases['tags.region eq "eu" and subject_name co "hopper"'] = lambda run: in_eu(run) and hopper(run)
    await assert_every_order_pages_as_the_reference(runs, cases)


async def test_a_common_tag_is_walked_and_a_rare_one_read_from_its_index(named, small_windows, monkeypatch):
    """On SQLite a tag's test is a probe of each run the walk reads while the tag is common, and
    the tag index's runs when it is rare; PostgreSQL's planner chooses itself (one statement)."""
    sqlite = Run._meta.db.capabilities.dialect == "sqlite"
    newest = (RunOrderField.CREATED_AT, SortDirection.DESC)
    probe = '"run_tags"."run_id"="runs"."id"'
    listed = 'IN (SELECT "run_id" FROM "run_tags"'
    for text, rare in (('tags.region eq "eu"', False), ('tags.region eq "apac"', True)):
        with page_statements(monkeypatch) as statements:
            page = await list_runs(superadmin(), filter=text, first=7)
        want = expected(named, tagged(named, TAG_CASES[text]), newest)[:7]
        assert [run.id for run in page.items] == want, text
        if not sqlite:
            assert len(statements) == 1 and "EXISTS (SELECT 1" in statements[0], statements
            continue
        windows = sum("OFFSET" in sql for sql in statements)
        assert windows == 1 and probe in statements[1], statements
        assert (listed in statements[-1]) == rare and (probe not in statements[-1]) == rare, statements


def _searched(term: str) -> Callable[[Run], bool]:
    """FILTER.md's `search`: the run's id equal to the term, or the term a case-insensitive
    substring of the workflow key, workflow name, subject id or subject name."""
    fields = ("workflow_key", "workflow_name", "subject_id", "subject_name")
    return lambda run: str(run.id) == term or any(holds(term, field=field)(run) for field in fields)


TERMS = ["hopper", "HOPPER 1", "turing", "urIng 1", "50%_off", "50%", "_off", "lovelace", "grace h", "no 1", "zzz"]
# search also reads the subject's id and the workflow's key and name (every run's: "g sy")
SEARCHED = [*TERMS, "sub_01", "UB_1", "g sy", "ing-s"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_pages_agree_with_a_reference_for_terms_of_every_frequency(named, small_windows, data):
    """Random terms (common, middling, rare, absent), operators (co, sw, ew, or `search`), orders
    and page sizes: the pages, read forward or back, list exactly the runs the reference keeps, in
    the reference's order."""
    runs = named
    op = data.draw(st.sampled_from(["co", "sw", "ew", "search"]), label="op")
    term = data.draw(st.sampled_from(SEARCHED if op == "search" else TERMS), label="term")
    order = data.draw(st.sampled_from(list(ORDERS)), label="order")
    size = data.draw(st.integers(1, 12), label="size")
    backward = data.draw(st.booleans(), label="backward")
    order_by = [RunOrderSpec(field=order[0], direction=order[1])]
    if op == "search":
        want = expected(runs, _searched(term), order)
        got = await all_pages(size, backward=backward, search=term, order_by=order_by)
    else:
        want = expected(runs, holds(term, op), order)
        got = await all_pages(size, backward=backward, filter=f'subject_name {op} "{term}"', order_by=order_by)
    assert got == want, (op, term)
