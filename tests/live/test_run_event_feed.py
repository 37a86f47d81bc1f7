"""The shared per-run event feed behind runEvents, without GraphQL, on a real hub."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from app import live, pubsub
from app.enums import RunEventType, RunStatus
from app.ids import to_global_id
from app.lifecycle import RunTransaction
from models import RunEvent
from tests.actions.factory import make_project, make_run, principal, put_run, task
from tests.pubsub.helpers import eventually

EVENTS = 1200  # more than two of the feed's batches


@pytest.fixture
async def hub(db) -> AsyncIterator[None]:
    await pubsub.start_hub("memory://")
    try:
        yield
    finally:
        await pubsub.stop_hub()


async def collect(run_id: str, who, after: int) -> list[int]:
    return [event.seq async for event in live.follow_run_events(who, run_id, after)]


async def test_subscribers_share_one_reader_and_each_gets_exactly_its_part(hub, monkeypatch):
    project = await make_project()
    run = await make_run(project, [task("a")])
    async with RunTransaction(run.id) as tx:
        for _ in range(EVENTS):
            tx.record(RunEventType.RUN_RESUMED, actor="test")
    reads = 0
    original = live._RunEventFeed._read

    async def counted(self):
        nonlocal reads
        reads += 1
        return await original(self)

    monkeypatch.setattr(live._RunEventFeed, "_read", counted)
    who = principal(project)
    run_id = to_global_id("Run", run.id)
    followers = [asyncio.create_task(collect(run_id, who, after)) for after in (0, 700, 1100)]
    # all three have joined the feed before the live changes are made
    await eventually(lambda: sum(feed.users for feed in live._run_event_feeds.values()) == 3)
    assert len(live._run_event_feeds) == 1
    await put_run(run, RunStatus.TERMINATED)  # live events, then the end
    results = await asyncio.wait_for(asyncio.gather(*followers), 10)
    total = await RunEvent.filter(run_id=run.id).count()
    assert total > EVENTS + 1  # RUN_CREATED, the recorded ones, then the way to TERMINATED
    assert results[0] == list(range(1, total + 1))
    assert results[1] == list(range(701, total + 1))
    assert results[2] == list(range(1101, total + 1))
    assert reads <= 6, f"{reads} reads for 3 subscribers: the reader is not shared"
    assert live._run_event_feeds == {}  # the last one out closed the feed


async def test_a_subscriber_joining_after_the_end_gets_everything_and_stops(hub):
    project = await make_project()
    run = await make_run(project, [task("a")])
    await put_run(run, RunStatus.TERMINATED)
    seqs = await asyncio.wait_for(collect(to_global_id("Run", run.id), principal(project), 0), 5)
    assert seqs == list(range(1, await RunEvent.filter(run_id=run.id).count() + 1))
