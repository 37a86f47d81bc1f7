"""Schedules with a running engine: the engine's loop fires them, pauseOnFailure, and buffered
runs started one after the other."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest

from app.engine import Engine
from app.enums import RunStatus
from app.ids import to_global_id
from app.settings import Settings
from models import Run
from tests.schedules.conftest import (
    BACKFILL_SCHEDULE,
    FakeClock,
    ProjectKeys,
    eventually,
    iso,
    make_schedule,
    make_workflow,
    read_schedule,
)


@pytest.fixture
async def engine(db: Settings, clock: FakeClock) -> AsyncIterator[Engine]:
    running = Engine(db, name="sched-test")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_the_engine_fires_a_due_schedule_and_runs_it(acme: ProjectKeys, clock: FakeClock, engine: Engine):
    await make_workflow(acme.admin)
    clock.set("2026-06-01T11:59:30")
    await make_schedule(acme.admin)
    clock.set("2026-06-01T12:00:01")
    engine.wake()

    async def completed() -> list[Run]:
        return await Run.filter(status=RunStatus.COMPLETED.value)

    [run] = await eventually(completed)
    assert run.scheduled_at.isoformat() == iso("2026-06-01T12:00")
    assert run.initiated_by == "schedule:nightly"


async def test_pause_on_failure_pauses_with_a_note_naming_the_run(acme: ProjectKeys, clock: FakeClock, engine: Engine):
    await make_workflow(acme.admin, key="flaky", handler="fail")
    clock.set("2026-06-01T11:59:30")
    await make_schedule(acme.admin, key="careful", workflowKey="flaky", pauseOnFailure=True)
    await make_schedule(acme.admin, key="carefree", workflowKey="flaky")
    clock.set("2026-06-01T12:00:01")
    engine.wake()

    async def failed_twice() -> bool:
        return await Run.filter(status=RunStatus.FAILED.value).count() == 2

    await eventually(failed_twice)
    careful = await read_schedule(acme.viewer, "careful")
    failed_run = careful["recentFires"][0]["run"]
    assert failed_run["status"] == "FAILED"
    assert careful["state"] == "PAUSED"
    assert careful["note"] == f"paused because run {failed_run['id']} ended FAILED"
    assert (await read_schedule(acme.viewer, "carefree"))["state"] == "ACTIVE"
    # paused: the next minute does not fire
    clock.set("2026-06-01T12:01:01")
    engine.wake()
    await eventually(lambda: _fired(acme, "carefree", 2))
    assert len((await read_schedule(acme.viewer, "careful"))["recentFires"]) == 1


async def _fired(acme: ProjectKeys, key: str, count: int) -> bool:
    return len((await read_schedule(acme.viewer, key))["recentFires"]) == count


async def test_buffered_backfill_runs_one_after_the_other_in_order(acme: ProjectKeys, clock: FakeClock, engine: Engine):
    await make_workflow(acme.admin, handler="sleep", config={"seconds": 0.2})
    schedule = await make_schedule(acme.admin, cron="0 * * * *", input=None)
    variables = {"input": {"id": schedule["id"], "from": iso("2026-05-01T00:00"), "to": iso("2026-05-01T04:00")}}
    result = (await acme.admin.data(BACKFILL_SCHEDULE, variables))["backfillSchedule"]
    ids = [run["id"] for run in result["runs"]]
    assert len(ids) == 4

    async def all_completed() -> list[Run]:
        runs = await Run.filter(batch_id=result["batchId"]).order_by("scheduled_at")
        return runs if all(run.status == RunStatus.COMPLETED for run in runs) else []

    runs = await eventually(all_completed)
    assert [to_global_id("Run", run.id) for run in runs] == ids
    for before, after in itertools.pairwise(runs):
        assert before.finished_at is not None and after.started_at is not None
        assert after.started_at >= before.finished_at, "a buffered run started before the previous one finished"
