"""Frozen bulk targets (issue 11.3): a synchronous bulk action acts on the runs that matched
when it began, never on runs that come to match while it works (those it creates included),
and walks a target of any size a batch at a time."""

from __future__ import annotations

import tracemalloc
import uuid

import pytest

import app.actions.runs
from app.actions import bulk
from app.enums import BulkAction, Role, RunStatus, TriggerSource, UnblockAction
from app.queries import run_condition
from models import Run
from tests.actions.factory import clone_runs, make_project, make_run, make_run_in, principal, put_run, task

FAILED_FILTER = 'status eq "FAILED"'


class _IdsFromTheTop:
    """Stands in for the `uuid` module where runs are created: ids counting down from the largest."""

    UUID = uuid.UUID

    def __init__(self) -> None:
        self.next = (1 << 128) - 1

    def uuid4(self) -> uuid.UUID:
        self.next -= 1
        return uuid.UUID(int=self.next)


async def test_retry_by_failed_status_never_retries_the_runs_it_creates(db, monkeypatch):
    project = await make_project()
    originals = [await make_run_in(project, RunStatus.FAILED) for _ in range(10)]
    real_retry = bulk._BULK_ACTIONS[BulkAction.RETRY]

    async def retry_whose_run_fails_at_once(*args, **options):
        # what an engine does to a retry whose handler fails at once, before the action moves on
        new = await real_retry(*args, **options)
        return await put_run(new, RunStatus.FAILED)

    monkeypatch.setitem(bulk._BULK_ACTIONS, BulkAction.RETRY, retry_whose_run_fails_at_once)
    # the runs it creates sort after every original (as a random id may), where a walk by id meets them
    monkeypatch.setattr(app.actions.runs, "uuid", _IdsFromTheTop())
    result = await bulk.bulk_run_action(
        principal(project),
        action=BulkAction.RETRY,
        ids=None,
        filter=FAILED_FILTER,
        where=None,
        reason=None,
        dry_run=False,
    )

    assert (result.matched, result.succeeded, result.failed, result.job) == (10, 10, 0, None)
    retries = await Run.filter(triggered_by=TriggerSource.RETRY)
    # one retry per original run, none of a retry: the runs it created (FAILED too) were not in its target
    assert sorted(str(run.retry_of_id) for run in retries) == sorted(str(run.id) for run in originals)
    assert await Run.filter(status=RunStatus.FAILED).count() == 20


async def test_unblock_acts_on_the_runs_blocked_when_it_began(db, monkeypatch):
    project = await make_project()
    blocked = [await make_run(project, [task("a")], blocked=True) for _ in range(3)]
    later = await make_run(project, [task("a")])
    real_freeze = bulk.freeze_target

    async def freeze_then_block_another(*args, **options):
        frozen = await real_freeze(*args, **options)
        # once the target is frozen, another run comes to be BLOCKED: it is not part of it
        await Run.filter(id=later.id).update(status=RunStatus.BLOCKED)
        return frozen

    monkeypatch.setattr(bulk, "freeze_target", freeze_then_block_another)
    result = await bulk.unblock_runs(
        principal(project), run_id=None, filter='status eq "BLOCKED"', action=UnblockAction.ABANDON, reason=None
    )
    assert (result.matched, result.succeeded, result.failed) == (3, 3, 0)
    assert {str(run.id) for run in result.runs} == {str(run.id) for run in blocked}
    assert (await Run.get(id=later.id)).status is RunStatus.BLOCKED


# 100,000 rows are inserted and walked: tens of seconds on a busy machine
@pytest.mark.timeout(900)
async def test_a_target_of_100000_runs_is_walked_in_batches_with_flat_memory(db):
    project = await make_project()
    template = await make_run(project, [task("a")])
    await clone_runs(template, 100_000, status=RunStatus.BLOCKED.value)
    operator = principal(project, Role.OPERATOR)
    condition = run_condition(operator, filter='status eq "BLOCKED"')
    seen = 0
    last = ""
    in_order = True

    async def act(run_id):
        nonlocal seen, last, in_order
        if seen < 3:
            # runs coming to match while it works are not in the frozen target
            await clone_runs(template, 10, status=RunStatus.BLOCKED.value)
        in_order = in_order and str(run_id) > last
        last = str(run_id)
        seen += 1
        return None

    result = bulk.BulkResult()
    tracemalloc.start()
    try:
        await bulk.for_each_frozen_run(condition, result, act)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (result.matched, result.succeeded, seen, in_order) == (100_000, 100_000, 100_000, True)
    assert await Run.filter(status=RunStatus.BLOCKED).count() == 100_030
    # 100,000 run ids held at once would take over 8 MB as uuid.UUID objects (10 MB as Run rows
    # even without their fields); batches of 500 keep the walk far below that
    assert peak < 4_000_000, f"peak {peak:,} bytes"
    assert await bulk.BulkTarget.all().count() == 0  # the snapshot is removed at the end
