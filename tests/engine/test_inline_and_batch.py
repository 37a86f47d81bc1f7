"""The engine's fast paths: the inline successor, and batched transactions (issue 9, point 4).

The inline path runs the step that a completion started in the task that ran the completed
step; its start is committed first, with its lease, exactly as for a step given a task of its
own, so an engine that dies during it leaves what a takeover needs. A batched transaction
(the engine's) holds its compare-and-sets back and writes them with its events in one
statement on PostgreSQL: a lost race still writes nothing, and steps read with the run's lock
are never older than the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from typing import Any

import pytest
from tortoise import Tortoise

from app import pubsub
from app.engine import Engine
from app.enums import RunEventType, RunStatus, StepStatus, StepType
from app.errors import InvalidTransition
from app.handlers import HandlerContext, handler
from app.lifecycle import RUN, STEP, NeedsLock, RunTransaction, count_error, start_step
from app.run_writes import RunMovedOn
from models import Run, RunEvent, StepRun
from tests.engine.factory import history, make_workflow, start, step, step_events, wait_for_status, wait_for_step

# which task ran each step, and the gate the step "hold" waits on (made by each test: an
# asyncio.Event belongs to the event loop it is first used in)
RAN_IN: dict[str, asyncio.Task[Any] | None] = {}
GATE: dict[str, asyncio.Event] = {}


@handler("test.inline.record")
async def _record(ctx: HandlerContext) -> Any:
    RAN_IN[ctx.step_ref] = asyncio.current_task()
    return {"ref": ctx.step_ref}


@handler("test.inline.hold")
async def _hold(ctx: HandlerContext) -> Any:
    RAN_IN[ctx.step_ref] = asyncio.current_task()
    if ctx.attempt == 1:
        await GATE["hold"].wait()  # the engine "dies" while this attempt runs
    return {"ref": ctx.step_ref, "attempt": ctx.attempt}


def _chain(refs: list[str], handlers: dict[str, str]) -> list[Any]:
    return [
        step(ref, handler=handlers.get(ref, "test.inline.record"), depends_on=[refs[i - 1]] if i else [])
        for i, ref in enumerate(refs)
    ]


async def test_a_chain_runs_inline_in_one_task_with_every_event(project, engine):
    RAN_IN.clear()
    workflow, version = await make_workflow(project, "inline", _chain(["a", "b", "c"], {}))
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, RunStatus.COMPLETED, RunStatus.FAILED)
    assert finished.status == RunStatus.COMPLETED
    # b and c ran in the task that ran a: the inline path, no new task per step
    assert RAN_IN["a"] is not None and RAN_IN["a"] is RAN_IN["b"] is RAN_IN["c"]
    events = await history(run.id)
    assert [kind for kind, _ref in events] == [
        "RUN_CREATED",
        "RUN_STARTED",
        "STEP_QUEUED",
        "STEP_STARTED",
        "STEP_COMPLETED",
        "STEP_QUEUED",
        "STEP_STARTED",
        "STEP_COMPLETED",
        "STEP_QUEUED",
        "STEP_STARTED",
        "STEP_COMPLETED",
        "RUN_COMPLETED",
    ]
    assert [ref for _kind, ref in events] == [None, None] + ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + [None]
    seqs = list(await RunEvent.filter(run_id=run.id).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 13))
    assert finished.output == {"a": {"ref": "a"}, "b": {"ref": "b"}, "c": {"ref": "c"}}
    assert finished.event_seq == 12


async def _die(engine: Engine) -> None:
    """What a killed engine process leaves behind: its tasks gone, its leases not released."""
    engine._stopping = True
    pubsub.remove_local_listener(engine._on_publish)
    tasks = [t for t in (engine._main, engine._heartbeat, *engine._tasks) if t is not None]
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(BaseException):
            await task
    await engine.bulk_jobs.stop()


async def test_an_engine_that_dies_during_an_inline_successor_is_taken_over(project, db):
    RAN_IN.clear()
    GATE["hold"] = asyncio.Event()
    workflow, version = await make_workflow(project, "takeover", _chain(["a", "b", "c"], {"b": "test.inline.hold"}))
    first = Engine(db, name="first", lease_seconds=1)
    await first.start()
    run = await start(project, workflow, version, input={"n": 1})
    held = await wait_for_step(run.id, "b", StepStatus.RUNNING)
    assert RAN_IN["a"] is RAN_IN["b"]  # b is running inline, in a's task
    await _die(first)

    # what the dead engine left: a done, b started under its lease, c not yet queued
    steps = {s.ref: s for s in await StepRun.filter(run_id=run.id)}
    assert (steps["a"].status, steps["a"].attempt) == (StepStatus.COMPLETED, 1)
    assert (steps["b"].status, steps["b"].attempt, steps["b"].worker_id) == (StepStatus.RUNNING, 1, "engine:first")
    assert steps["b"].job_run_id == held.job_run_id and steps["b"].job_run_id.startswith("engine:first/")
    assert steps["b"].lease_expires_at is not None
    assert steps["b"].input == {"input": {"n": 1}, "steps": {"a": {"ref": "a"}}, "config": None}
    assert (steps["c"].status, steps["c"].attempt) == (StepStatus.PENDING, 0)
    assert (await Run.get(id=run.id)).status == RunStatus.RUNNING

    second = Engine(db, name="second", lease_seconds=1)
    await second.start()
    try:
        finished = await wait_for_status(run.id, RunStatus.COMPLETED, RunStatus.FAILED, timeout=20)
    finally:
        await second.stop()
    assert finished.status == RunStatus.COMPLETED
    assert finished.output == {"a": {"ref": "a"}, "b": {"ref": "b", "attempt": 2}, "c": {"ref": "c"}}
    events = await history(run.id)
    assert step_events(events, "a") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]
    assert step_events(events, "b") == [
        "STEP_QUEUED",
        "STEP_STARTED",
        "STEP_FAILED",
        "STEP_RETRY_SCHEDULED",
        "STEP_STARTED",
        "STEP_COMPLETED",
    ]
    assert step_events(events, "c") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]
    steps = {s.ref: s for s in await StepRun.filter(run_id=run.id)}
    assert (steps["b"].attempt, steps["b"].worker_id) == (2, "engine:second")
    assert (steps["c"].attempt, steps["c"].worker_id) == (1, "engine:second")
    seqs = list(await RunEvent.filter(run_id=run.id).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(events) + 1))


async def test_a_batched_compare_and_set_that_loses_the_race_writes_nothing(project):
    workflow, version = await make_workflow(project, "race", [step("a", StepType.APPROVAL), step("b")])
    run = await start(project, workflow, version)
    stale = await StepRun.get(run_id=run.id, ref="a")  # read while PENDING
    await StepRun.filter(id=stale.id).update(status=StepStatus.CANCELED.value)  # someone else moved it
    other = await StepRun.get(run_id=run.id, ref="b")
    with pytest.raises(InvalidTransition, match="cannot queue step 'a': it is CANCELED"):
        async with RunTransaction(run.id, batch=True) as tx:
            await tx.change_step(other, STEP.QUEUE)
            await tx.change_step(stale, STEP.QUEUE)
    assert [e.type.value for e in await RunEvent.filter(run_id=run.id)] == ["RUN_CREATED"]
    assert (await StepRun.get(id=other.id)).status == StepStatus.PENDING
    assert (await Run.get(id=run.id)).event_seq == 1


async def test_a_batched_transaction_merges_a_queue_and_a_start_into_one_row_write(project):
    workflow, version = await make_workflow(project, "merge", [step("a")])
    run = await start(project, workflow, version)
    async with RunTransaction(run.id, batch=True) as tx:
        await tx.change_run(RUN.START, fields={"started_at": dt.datetime.now(dt.UTC)})
        steps = await tx.load_steps()
        await tx.change_step(steps[0], STEP.QUEUE)
        await start_step(tx, steps[0], fields={"worker_id": "someone"})
    a = await StepRun.get(run_id=run.id, ref="a")
    assert (a.status, a.attempt, a.worker_id) == (StepStatus.RUNNING, 1, "someone")
    assert a.started_at is not None
    assert [(e.seq, e.type.value) for e in await RunEvent.filter(run_id=run.id).order_by("seq")] == [
        (1, "RUN_CREATED"),
        (2, "RUN_STARTED"),
        (3, "STEP_QUEUED"),
        (4, "STEP_STARTED"),
    ]
    stored = await Run.get(id=run.id)
    assert (stored.status, stored.event_seq) == (RunStatus.RUNNING, 4)


async def test_steps_read_with_the_lock_are_never_older_than_the_lock(project, db):
    """A transaction that waited for the run's lock behind one that changed a step sees that change
    (on PostgreSQL its statement's snapshot predates the change: the steps are read again)."""
    workflow, version = await make_workflow(project, "lockread", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    seen: list[StepStatus] = []
    locked = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with RunTransaction(run.id) as tx:
            steps = await tx.load_steps()
            await tx.change_step(steps[0], STEP.QUEUE)
            locked.set()
            await release.wait()

    async def waiter() -> None:
        async with RunTransaction(run.id, batch=True) as tx:
            seen.extend(s.status for s in await tx.load_steps())

    first = asyncio.create_task(holder())
    await locked.wait()
    second = asyncio.create_task(waiter())
    if db.database_url.startswith("postgres"):
        # wait until the waiter's statement has started and waits for the run's row lock
        waiting = 0
        for _ in range(500):
            waiting = await _waiting_for_the_lock()
            if waiting:
                break
            await asyncio.sleep(0.01)
        assert waiting == 1
    else:
        # SQLite: one connection; the waiter queues behind the holder's transaction
        for _ in range(20):
            await asyncio.sleep(0)
        assert not second.done()
    release.set()
    await asyncio.gather(first, second)
    assert seen == [StepStatus.QUEUED]


async def _waiting_for_the_lock() -> int:
    # from a pool connection of its own (the holder's transaction keeps another one); the
    # statement's text is cut at track_activity_query_size, so it is known by how it starts
    _count, rows = await Tortoise.get_connection("default").execute_query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT r.\"id\", %'"
    )
    return int(rows[0]["n"])


async def test_an_optimistic_transaction_writes_nothing_when_the_run_moved_on(project, db):
    """Optimistic (the engine's first try on PostgreSQL): no lock; its one write happens only if the
    run's event_seq has not moved since it read it, else nothing is written. SQLite has no such
    mode: the same transaction is an ordinary locked one there."""
    workflow, version = await make_workflow(project, "optimistic", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    if not db.database_url.startswith("postgres"):
        async with RunTransaction(run.id, optimistic=True) as tx:
            assert tx.connection is not None  # a locked transaction: its connection is there
            await tx.change_step((await tx.load_steps())[0], STEP.QUEUE)
        assert (await StepRun.get(run_id=run.id, ref="a")).status == StepStatus.QUEUED
        return
    with pytest.raises(RunMovedOn):
        async with RunTransaction(run.id, optimistic=True) as tx:
            steps = await tx.load_steps()
            await tx.change_step(steps[0], STEP.QUEUE)
            # meanwhile someone else changes the run (a locked transaction, which commits)
            async with RunTransaction(run.id) as other:
                other.record(RunEventType.RUN_CREATED, actor="someone")  # any event moves event_seq
    assert (await StepRun.get(run_id=run.id, ref="a")).status == StepStatus.PENDING
    assert [e.actor for e in await RunEvent.filter(run_id=run.id).order_by("seq")] == ["apikey:tester", "someone"]
    assert (await Run.get(id=run.id)).event_seq == 2


async def test_an_optimistic_compare_and_set_that_fails_undoes_the_whole_write(project, db):
    workflow, version = await make_workflow(project, "optimistic-cas", [step("a", StepType.APPROVAL), step("b")])
    run = await start(project, workflow, version)
    if not db.database_url.startswith("postgres"):
        return await test_an_optimistic_transaction_writes_nothing_when_the_run_moved_on(project, db)
    with pytest.raises(RunMovedOn):
        async with RunTransaction(run.id, optimistic=True) as tx:
            a, b = await tx.load_steps()
            await tx.change_run(RUN.START, fields={"started_at": dt.datetime.now(dt.UTC)})
            await tx.change_step(b, STEP.QUEUE)
            await tx.change_step(a, STEP.QUEUE)
            # a step moved without an event (what no lifecycle writer does): its CAS fails
            await StepRun.filter(id=a.id).update(status=StepStatus.CANCELED.value)
    stored = await Run.get(id=run.id)
    assert (stored.status, stored.event_seq) == (RunStatus.PENDING, 1)
    assert (await StepRun.get(id=b.id)).status == StepStatus.PENDING
    assert [e.type.value for e in await RunEvent.filter(run_id=run.id)] == ["RUN_CREATED"]


async def test_an_optimistic_transaction_hands_anything_else_to_a_locked_one(project, db):
    workflow, version = await make_workflow(project, "optimistic-lock", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    if not db.database_url.startswith("postgres"):
        return await test_an_optimistic_transaction_writes_nothing_when_the_run_moved_on(project, db)
    with pytest.raises(NeedsLock):
        async with RunTransaction(run.id, optimistic=True) as tx:
            await tx.change_step((await tx.load_steps())[0], STEP.QUEUE)
            await count_error(tx)  # a write of its own: needs the lock
    with pytest.raises(NeedsLock):
        async with RunTransaction(run.id, optimistic=True) as tx:
            await tx.load_steps()
            await tx.load_steps()  # a second read: needs the lock
    assert (await StepRun.get(run_id=run.id, ref="a")).status == StepStatus.PENDING
    assert (await Run.get(id=run.id)).event_seq == 1


async def test_an_optimistic_transaction_from_a_known_state_is_guarded_by_its_seq(project, db):
    """The engine starts its next transaction over a run from the state its last one left (no
    read); if anyone changed the run since, that transaction writes nothing (RunMovedOn)."""
    workflow, version = await make_workflow(project, "known", [step("a", StepType.APPROVAL), step("b")])
    run = await start(project, workflow, version)
    if not db.database_url.startswith("postgres"):
        return await test_an_optimistic_transaction_writes_nothing_when_the_run_moved_on(project, db)
    async with RunTransaction(run.id, optimistic=True) as first:
        a, b = await first.load_steps()
        await first.change_step(a, STEP.QUEUE)
    known = (first.run, first.steps_given)
    assert known[1] == [a, b] and first.run.event_seq == 2
    # from the known state: no read, the same objects, one guarded write
    async with RunTransaction(run.id, optimistic=True, known=known) as second:
        assert second.run is first.run
        steps = await second.load_steps()
        assert steps[0] is a and steps[0].status == StepStatus.QUEUED
        await second.change_step(b, STEP.QUEUE)
    assert (await Run.get(id=run.id)).event_seq == 3
    # someone else moves the run on; the engine's known state is now stale
    async with RunTransaction(run.id) as other:
        await other.change_run(RUN.PAUSE, actor="someone")
    with pytest.raises(RunMovedOn):
        async with RunTransaction(run.id, optimistic=True, known=(second.run, second.steps_given)) as stale:
            await stale.change_run(RUN.START, fields={"started_at": dt.datetime.now(dt.UTC)})
    stored = await Run.get(id=run.id)
    assert (stored.status, stored.event_seq) == (RunStatus.PAUSED, 4)
    assert [e.type.value for e in await RunEvent.filter(run_id=run.id).order_by("seq")] == [
        "RUN_CREATED",
        "STEP_QUEUED",
        "STEP_QUEUED",
        "RUN_PAUSED",
    ]
