"""The run counters (app/run_counts.py) stay exact: after a randomized workload of every run
transition of the lifecycle table, run concurrently, with changes that roll back, actions,
retries, restarts, bulk actions and batched bulk actions (many runs per transaction, written
set-based by app/run_batches.py), they equal a full count of the runs table, and the
unfiltered runStats and totalCount read from them equal what counting the rows gives."""

from __future__ import annotations

import asyncio
import collections
import random
from collections.abc import Awaitable, Callable

import pytest

from app.actions import run_control
from app.actions.bulk import bulk_run_action, unblock_runs
from app.actions.run_control import BATCHED_ACTIONS, ActedRuns, act_on_runs
from app.enums import BulkAction, RunStatus, UnblockAction, Visibility
from app.errors import FlowdeckError
from app.lifecycle import RUN, RunChange, RunTransaction, resume_target, utcnow
from app.queries import list_runs, run_stats
from models import Run, RunCount
from tests.actions.factory import SUPERADMIN, gid, make_project, make_run, make_run_in, principal, task

Key = tuple[str, str, RunStatus, bool]

EVERY_RUN_CHANGE: list[RunChange] = [change for change in vars(RUN).values() if isinstance(change, RunChange)]


async def rows_counted() -> dict[Key, int]:
    """What run_counts should hold: a full count of the runs table."""
    counted: collections.Counter[Key] = collections.Counter()
    for project_id, workflow_id, status, visibility in await Run.all().values_list(
        "project_id", "workflow_id", "status", "visibility"
    ):
        private = Visibility(visibility) is Visibility.PRIVATE
        counted[(str(project_id), str(workflow_id), RunStatus(status), private)] += 1
    return dict(counted)


async def counters() -> dict[Key, int]:
    rows = await RunCount.all().values_list("project_id", "workflow_id", "status", "private", "count")
    return {
        (str(project_id), str(workflow_id), RunStatus(status), bool(private)): count
        for project_id, workflow_id, status, private, count in rows
        if count != 0
    }


class Rollback(Exception):
    """Raised inside a transaction after a change, to roll it back."""


def applicable(run: Run, rng: random.Random) -> RunChange:
    """A change of the lifecycle table that starts from `run`'s status as last read (any change for
    a status none starts from: it fails, as it should)."""
    return rng.choice([change for change in EVERY_RUN_CHANGE if run.status in change.sources] or EVERY_RUN_CHANGE)


async def change(run: Run, change: RunChange, *, then_fail: bool = False, applied: set[str] | None = None) -> None:
    """One change of the lifecycle table on `run` (rolled back when `then_fail`)."""
    async with RunTransaction(run.id) as tx:
        target = resume_target(tx.run) if change is RUN.RESUME else None
        fields = {"started_at": utcnow()} if change in (RUN.START, RUN.REOPEN) else None
        if change in (RUN.COMPLETE, RUN.FAIL, RUN.TIME_OUT, RUN.TERMINATE, RUN.FINISH_CANCEL, RUN.ABANDON):
            fields = {"finished_at": utcnow()}
        await tx.change_run(change, target=target, fields=fields)
        if then_fail:
            raise Rollback
    if applied is not None:
        applied.add(change.name)


@pytest.fixture
async def world(db):
    acme, globex = await make_project("acme"), await make_project("globex")
    runs = []
    for project in (acme, globex, acme):
        for visibility in Visibility:
            runs.append(await make_run(project, [task("a")], visibility=visibility, initiated_by="apikey:alice"))
        runs.append(await make_run(project, [task("a")], blocked=True))
    return acme, globex


async def no_record(_connection: object, _outcome: ActedRuns) -> None:
    """A batch's record of its progress (a bulk job's): none here."""


async def test_counters_equal_a_full_count_after_a_randomized_concurrent_workload(world):
    acme, _globex = world
    rng = random.Random(10)
    applied: set[str] = set()
    batched: list[ActedRuns] = []

    async def batch_action(runs: list[Run]) -> None:
        """A bulk job's batch: one action on several runs in one transaction, set-based."""
        ids = [run.id for run in rng.sample(runs, min(len(runs), rng.randint(2, 8)))]
        action = rng.choice(list(BATCHED_ACTIONS.values()))
        batched.append(await act_on_runs(SUPERADMIN, action, ids, "batch", record=no_record))

    operations: list[Callable[[Run], Awaitable[object]]] = [
        *[lambda run: change(run, applicable(run, rng), applied=applied)] * 8,
        lambda run: change(run, rng.choice(EVERY_RUN_CHANGE), then_fail=True),
        lambda run: run_control.cancel_run(SUPERADMIN, gid(run)),
        lambda run: run_control.pause_run(SUPERADMIN, gid(run)),
        lambda run: run_control.resume_run(SUPERADMIN, gid(run)),
        lambda run: run_control.terminate_run(SUPERADMIN, gid(run)),
        lambda run: run_control.retry_run(SUPERADMIN, gid(run)),
        lambda run: run_control.restart_run(SUPERADMIN, gid(run)),
        *[lambda run: make_run(acme, [task("a")], blocked=rng.random() < 0.3)] * 2,
    ]
    for _round in range(10):
        runs = await Run.all()
        batch = [rng.choice(operations)(rng.choice(runs)) for _ in range(12)]
        batch.append(
            bulk_run_action(
                SUPERADMIN,
                action=rng.choice(list(BulkAction)),
                ids=None,
                filter=f'status eq "{rng.choice(list(RunStatus)).value}"',
                where=None,
                reason="bulk",
                dry_run=False,
            )
        )
        batch += [batch_action(runs) for _ in range(2)]
        batch.append(
            unblock_runs(SUPERADMIN, run_id=None, filter=None, action=rng.choice(list(UnblockAction)), reason=None)
        )
        outcomes = await asyncio.gather(*batch, return_exceptions=True)
        unexpected = [
            o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, FlowdeckError | Rollback)
        ]
        assert unexpected == []
        assert await counters() == await rows_counted()
    # the batched path wrote runs (not only left them to be acted on one by one)
    assert sum(len(outcome.succeeded) for outcome in batched) >= 5
    # then every change chance left out, from a run put in one of its sources
    for missing in EVERY_RUN_CHANGE:
        if missing.name not in applied:
            source = min(missing.sources, key=lambda status: status.value)
            await change(await make_run_in(acme, source), missing, applied=applied)
    assert applied == {change.name for change in EVERY_RUN_CHANGE}
    assert await counters() == await rows_counted()


async def test_unfiltered_stats_and_totals_from_the_counters_equal_counting_the_rows(world):
    acme, globex = world
    rng = random.Random(11)
    for run in await Run.all():
        for _ in range(3):
            run = await Run.get(id=run.id)
            if any(run.status in c.sources for c in EVERY_RUN_CHANGE):
                await change(run, applicable(run, rng))
    alice = principal(acme, name="alice")
    bob = principal(acme, name="bob")
    for caller in (SUPERADMIN, alice, bob, principal(globex, name="alice")):
        visible = await Run.all().values_list("project_id", "status", "visibility", "initiated_by")
        expected: collections.Counter[RunStatus] = collections.Counter()
        for project_id, status, visibility, initiated_by in visible:
            if caller.project_id is not None and str(project_id) != str(caller.project_id):
                continue
            private = Visibility(visibility) is Visibility.PRIVATE
            if caller.project_id is not None and private and initiated_by != caller.actor:
                continue
            expected[RunStatus(status)] += 1
        stats = await run_stats(caller)
        assert stats.exact
        assert dict(stats.by_status) == {status: expected[status] for status in RunStatus}
        # the same through a filter that matches every run (bounded, counted over the rows)
        assert dict((await run_stats(caller, filter="created_at pr")).by_status) == dict(stats.by_status)
        page = await list_runs(caller, first=1)
        assert (await page.count(), await page.count_is_exact()) == (sum(expected.values()), True)
    assert (await run_stats(SUPERADMIN, project="globex")).total == await Run.filter(project_id=globex.id).count()
    assert (await run_stats(SUPERADMIN, project="nosuch")).total == 0
    assert (await run_stats(principal(globex), project="acme")).total == 0
