"""Counts past the limit: a filtered totalCount or runStats is exact up to COUNT_LIMIT runs and
"at least COUNT_LIMIT" past it, said through totalCountIsExact / RunStats.exact; unfiltered
ones (the counters) are exact at any size. The limit is lowered to 4 here, so that a handful
of runs crosses it (the schema states 10,000)."""

from __future__ import annotations

import pytest

import app.queries.counts
from app.enums import RunStatus
from app.queries import list_runs, run_stats
from tests.queries.factory import make_project, make_run, make_workflow, member, superadmin

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
