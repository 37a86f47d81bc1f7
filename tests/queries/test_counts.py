"""Counts past the limit: a filtered totalCount or runStats is exact up to COUNT_LIMIT runs and
"at least COUNT_LIMIT" past it, said through totalCountIsExact / RunStats.exact; unfiltered
ones (the counters) are exact at any size. The limit is lowered to 4 here, so that a handful
of runs crosses it (the schema states 10,000)."""

from __future__ import annotations

import pytest

import app.queries.counts
from app.enums import RunStatus
from app.queries import list_runs, run_stats
from models import Project, Run, Workflow
from tests.queries.factory import at, make_project, make_run, make_workflow, member, superadmin

LIMIT = 4


@pytest.fixture
async def six_runs(db, monkeypatch):
    """Six runs of acme: 3 FAILED, 2 COMPLETED, 1 RUNNING, with COUNT_LIMIT lowered to 4."""
    monkeypatch.setattr(app.queries.counts, "COUNT_LIMIT", LIMIT)
    acme = await make_project("acme")
    billing = await make_workflow(acme, "billing", "Billing")
    for status in [RunStatus.FAILED] * 3 + [RunStatus.COMPLETED] * 2 + [RunStatus.RUNNING]:
        await make_run(acme, billing, status=status, subject_name=f"{status.value.title()} Smith")
    return acme


async def test_a_filtered_count_is_exact_up_to_the_limit_and_a_lower_bound_past_it(six_runs):
    root = superadmin()
    failed = await list_runs(root, filter='status eq "FAILED"', first=1)
    assert (await failed.count(), await failed.count_is_exact()) == (3, True)
    smiths = await list_runs(root, filter='subject_name co "smith"', first=1)
    assert (await smiths.count(), await smiths.count_is_exact()) == (LIMIT, False)
    # unfiltered: the counters, exact past the limit
    every = await list_runs(root, first=1)
    assert (await every.count(), await every.count_is_exact()) == (6, True)
    searched = await list_runs(root, search="smith", first=1)
    assert (await searched.count(), await searched.count_is_exact()) == (LIMIT, False)


async def test_filtered_stats_past_the_limit_are_lower_bounds_that_add_up_to_it(six_runs):
    root = superadmin()
    exact = await run_stats(root, filter='status ne "RUNNING"')
    assert exact.exact is False and exact.total == LIMIT
    truth = {RunStatus.FAILED: 3, RunStatus.COMPLETED: 2}
    assert all(count <= truth.get(status, 0) for status, count in exact.by_status)
    small = await run_stats(root, filter='status eq "FAILED" or status eq "RUNNING"')
    assert small.exact is True
    assert dict(small.by_status) == {
        status: {RunStatus.FAILED: 3, RunStatus.RUNNING: 1}.get(status, 0) for status in RunStatus
    }
    unfiltered = await run_stats(member(six_runs))
    assert unfiltered.exact is True and unfiltered.total == 6


# odd: the walk ends between two runs of one second, where the id decides
WALK = 5


@pytest.fixture
async def walked_runs(db, monkeypatch):
    """20 runs of acme, two a second (equal created_at, so the id breaks the tie), with the walk
    of a count lowered to the newest 5 runs, a term rare below 2 of them and the estimate's bound
    to 4 matches (every common term is then past it). Every other run
    (the newest first) is a "Smith" tagged region=eu, FAILED; the others "Jones", COMPLETED;
    the oldest run alone is "Rare"."""
    monkeypatch.setattr(app.queries.counts, "WALK_ROWS", WALK)
    monkeypatch.setattr(app.queries.counts, "RARE_MATCHES", 2)
    monkeypatch.setattr(app.queries.counts, "ESTIMATE_BOUND", 4)
    acme = await make_project("acme")
    billing = await make_workflow(acme, "billing", "Billing")
    runs = []
    for index in range(20):
        smith = index % 2 == 1
        runs.append(
            await make_run(
                acme,
                billing,
                tags={"region": "eu"} if smith else {"region": "us"},
                status=RunStatus.FAILED if smith else RunStatus.COMPLETED,
                subject_name="Rare Jones" if index == 0 else ("Ada Smith" if smith else "Bob Jones"),
                created_at=at(index // 2),
            )
        )
    return runs


def newest(runs, count):
    """The `count` newest runs, as the default order walks them (created_at, then id, descending)."""
    return sorted(runs, key=lambda run: (run.created_at, str(run.id)), reverse=True)[:count]


async def test_a_count_with_a_common_term_or_tag_counts_the_newest_runs_and_says_at_least(walked_runs):
    runs = walked_runs
    root = superadmin()
    smiths = len([run for run in newest(runs, WALK) if run.subject_name == "Ada Smith"])
    # the newest 5 runs hold 2 or 3 Smiths (of 10): a true lower bound, not exact
    assert smiths in (2, 3)
    walked = ['subject_name co "smith"', 'subject_name co "smith" and tags.region pr']
    for filter in walked:
        page = await list_runs(root, filter=filter, first=1)
        assert (await page.count(), await page.count_is_exact()) == (smiths, False), filter
        stats = await run_stats(root, filter=filter)
        assert (stats.total, stats.exact) == (smiths, False), filter
        assert dict(stats.by_status)[RunStatus.FAILED] == smiths
    # a tag eq test on 10 runs, at most COUNT_LIMIT: its candidates are counted (on SQLite the
    # tag's index is read first and the walk skipped, with a substring test ANDed too;
    # PostgreSQL's semi-join is never walked, its substring test is)
    sqlite = Run._meta.db.capabilities.dialect == "sqlite"
    for filter in ['tags.region eq "eu"'] + (['tags.region eq "eu" and subject_name co "smith"'] if sqlite else []):
        tagged = await list_runs(root, filter=filter, first=1)
        assert (await tagged.count(), await tagged.count_is_exact()) == (10, True), filter
        stats = await run_stats(root, filter=filter)
        assert (stats.total, stats.exact) == (10, True), filter
    searched = await list_runs(root, search="smith", first=1)
    assert (await searched.count(), await searched.count_is_exact()) == (smiths, False)


async def test_a_rare_term_or_a_small_scope_is_counted_exactly(walked_runs):
    root = superadmin()
    # one run holds "rare", the oldest: none among the newest 5, so the candidates count it
    page = await list_runs(root, filter='subject_name co "rare"', first=1)
    assert (await page.count(), await page.count_is_exact()) == (1, True)
    stats = await run_stats(root, filter='subject_name co "rare" or tags.region eq "nowhere"')
    assert (stats.total, stats.exact) == (1, True)
    assert dict(stats.by_status)[RunStatus.COMPLETED] == 1
    # a filter without substring or tag test counts every match (exact up to COUNT_LIMIT)
    failed = await list_runs(root, filter='status eq "FAILED"', first=1)
    assert (await failed.count(), await failed.count_is_exact()) == (10, True)
    # a scope of at most WALK runs: its walk is every run, so the count is exact
    other = await make_project("other")
    crm = await make_workflow(other, "crm", "CRM")
    for index in range(WALK):
        await make_run(other, crm, subject_name="Ada Smith", created_at=at(100 + index))
    small = await list_runs(root, project="other", filter='subject_name co "smith"', first=1)
    assert (await small.count(), await small.count_is_exact()) == (WALK, True)
    small_stats = await run_stats(root, project="other", filter='subject_name co "smith"')
    assert (small_stats.total, small_stats.exact) == (WALK, True)


async def test_a_common_term_is_exact_when_its_estimate_is_within_the_bound_and_at_least_past_it(
    walked_runs, monkeypatch
):
    """The walk's share of matches times the scope's size (the counters): 2 or 3 Smiths in the
    newest 5 runs of 20 estimate 8 or 12 matches, within a bound of 20: the candidates are
    counted, exactly. With 40 older non-Smiths more the scope holds 60 runs, 24 or 36 estimated,
    past the bound: the walk's count, a lower bound."""
    monkeypatch.setattr(app.queries.counts, "ESTIMATE_BOUND", 20)
    root = superadmin()
    smiths = len([run for run in newest(walked_runs, WALK) if run.subject_name == "Ada Smith"])
    truth = await Run.filter(subject_name__icontains="smith").count()
    assert truth == 10
    filters = ['subject_name co "smith"', 'subject_name co "smith" and tags.region pr']

    async def counted() -> list[tuple[int, bool]]:
        answers = []
        for filter in filters:
            page = await list_runs(root, project="acme", filter=filter, first=1)
            answers.append((await page.count(), await page.count_is_exact()))
            stats = await run_stats(root, project="acme", filter=filter)
            answers.append((stats.total, stats.exact))
            assert dict(stats.by_status)[RunStatus.FAILED] == stats.total, filter
        searched = await list_runs(root, project="acme", search="smith", first=1)
        answers.append((await searched.count(), await searched.count_is_exact()))
        return answers

    assert await counted() == [(truth, True)] * (2 * len(filters) + 1)
    acme = await Project.get(key="acme")
    billing = await Workflow.get(project=acme)
    for index in range(40):
        await make_run(acme, billing, subject_name="Old Jones", created_at=at(-1 - index))
    assert await Run.filter(subject_name__icontains="smith").count() == truth
    assert await counted() == [(smiths, False)] * (2 * len(filters) + 1)
    assert smiths < truth


async def test_on_sqlite_a_tag_on_more_runs_than_the_limit_is_walked(walked_runs, monkeypatch):
    """With COUNT_LIMIT lowered to 9, the 10 runs tagged region=eu are more than it: SQLite
    walks the newest runs (a lower bound, the Smiths among the newest 5); PostgreSQL's
    semi-join stops at the limit ("at least 9")."""
    monkeypatch.setattr(app.queries.counts, "COUNT_LIMIT", 9)
    root = superadmin()
    smiths = len([run for run in newest(walked_runs, WALK) if run.subject_name == "Ada Smith"])
    sqlite = Run._meta.db.capabilities.dialect == "sqlite"
    expected = (smiths, False) if sqlite else (9, False)
    for filter in ['tags.region eq "eu"', 'tags.region eq "eu" and status eq "FAILED"']:
        page = await list_runs(root, filter=filter, first=1)
        assert (await page.count(), await page.count_is_exact()) == expected, filter
        stats = await run_stats(root, filter=filter)
        assert (stats.total, stats.exact) == expected, filter
    # "us" is on 10 runs as well, one of them "Rare": the eq test ANDed with it is walked too
    # on SQLite and finds none among the newest 5, so the candidates count the one exactly
    rare = await list_runs(root, filter='tags.region eq "us" and subject_name co "rare"', first=1)
    assert (await rare.count(), await rare.count_is_exact()) == (1, True)
