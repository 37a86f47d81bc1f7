"""The shared per-run event feed behind runEvents, without GraphQL, on a real hub."""

from __future__ import annotations

import asyncio
import uuid

from app import live, pubsub
from app.enums import RunEventType, RunStatus
from app.ids import to_global_id
from app.lifecycle import RunTransaction
from app.queries.events import statement_parts
from models import Project, Run, RunEvent
from tests.actions.factory import make_project, make_run, principal, put_run, task
from tests.pubsub.helpers import eventually

EVENTS = 1200  # more than two of the feed's batches


async def collect(run_id: str, who, after: int) -> list[int]:
    return [event.seq async for event in live.follow_run_events(who, run_id, after)]


async def test_subscribers_share_one_reader_and_each_gets_exactly_its_part(hub, feed_reads):
    project = await make_project()
    run = await make_run(project, [task("a")])
    async with RunTransaction(run.id) as tx:
        for _ in range(EVENTS):
            tx.record(RunEventType.RUN_RESUMED, actor="test")
    who = principal(project)
    run_id = to_global_id("Run", run.id)
    followers = [asyncio.create_task(collect(run_id, who, after)) for after in (0, 700, 1100)]
    # all three have joined the feed before the live changes are made
    await eventually(lambda: sum(feed.users for feed in live._run_feeds.values()) == 3)
    assert len(live._run_feeds) == 1
    await put_run(run, RunStatus.TERMINATED)  # live events, then the end
    results = await asyncio.wait_for(asyncio.gather(*followers), 10)
    total = await RunEvent.filter(run_id=run.id).count()
    assert total > EVENTS + 1  # RUN_CREATED, the recorded ones, then the way to TERMINATED
    assert results[0] == list(range(1, total + 1))
    assert results[1] == list(range(701, total + 1))
    assert results[2] == list(range(1101, total + 1))
    assert feed_reads.value <= 6, f"{feed_reads.value} reads for 3 subscribers: the reader is not shared"
    assert live._run_feeds == {}  # the last one out closed the feed


async def test_a_subscriber_joining_after_the_end_gets_everything_and_stops(hub):
    project = await make_project()
    run = await make_run(project, [task("a")])
    await put_run(run, RunStatus.TERMINATED)
    seqs = await asyncio.wait_for(collect(to_global_id("Run", run.id), principal(project), 0), 5)
    assert seqs == list(range(1, await RunEvent.filter(run_id=run.id).count() + 1))


async def test_messages_that_arrive_together_cost_one_read(hub):
    """Notifications queued while a read runs are taken together: the next read covers them all."""
    topic = "test-coalesce"
    gate = asyncio.Event()
    pending_at_read: list[int] = []

    def queued() -> int:
        return sum(s.pending() for s in pubsub.get_hub()._topics.get(topic, ()))

    async def read() -> tuple[list[int], bool, bool]:
        pending_at_read.append(queued())
        if len(pending_at_read) == 2:
            await gate.wait()  # the second read is slow: five messages queue meanwhile
        return [len(pending_at_read)], len(pending_at_read) == 3, False

    async def follow() -> list[list[int]]:
        return [batch async for batch in live._follow_batches(topic, read)]

    follower = asyncio.create_task(follow())
    await eventually(lambda: len(pending_at_read) == 1)
    await pubsub.publish(topic, {"n": 0})
    await eventually(lambda: len(pending_at_read) == 2)
    for n in range(1, 6):
        await pubsub.publish(topic, {"n": n})
    await eventually(lambda: queued() == 5)
    gate.set()
    assert await asyncio.wait_for(follower, 5) == [[1], [2], [3]]
    # the third read found nothing queued: the five messages were one read, not five
    assert pending_at_read == [0, 0, 0]


async def _runs_with_events(counts: list[int]) -> list[uuid.UUID]:
    """Runs with RUN_CREATED and then `count` RUN_RESUMED events each."""
    project = await make_project()
    run_ids = []
    for count in counts:
        run = await make_run(project, [task("a")])
        async with RunTransaction(run.id) as tx:
            for _ in range(count):
                tx.record(RunEventType.RUN_RESUMED, actor="test")
        run_ids.append(run.id)
    return run_ids


async def test_reads_of_several_runs_asked_together_are_one_statement(db):
    run_ids = await _runs_with_events([0, 3, 700])
    missing = uuid.uuid4()
    before = live.run_news_stats()
    # asked in the same turn of the loop: one statement answers all of them
    asked = [(run_ids[0], 0), (run_ids[1], 2), (run_ids[2], 100), (run_ids[1], 0), (missing, 0)]
    answers = await asyncio.gather(*(live._run_news[RunEvent].read(run_id, after) for run_id, after in asked))
    after_stats = live.run_news_stats()
    assert after_stats["statements"] - before["statements"] == 1
    assert after_stats["reads"] - before["reads"] == 5
    statuses = [status for status, _events, _complete in answers]
    assert statuses == [RunStatus.PENDING, RunStatus.PENDING, RunStatus.PENDING, RunStatus.PENDING, None]
    seqs = [[event.seq for event in events] for _status, events, _complete in answers]
    # RUN_CREATED is seq 1; at most BATCH (500) events per run after its `after`
    assert seqs == [[1], [3, 4], list(range(101, 601)), [1, 2, 3, 4], []]
    assert {event.run_id for event in answers[2][1]} == {run_ids[2]}
    assert [complete for _status, _events, complete in answers] == [True, True, False, True, True]


async def test_reads_asked_while_a_statement_runs_go_in_the_next_one(db, monkeypatch):
    run_ids = await _runs_with_events([1, 1, 1, 1])
    gate = asyncio.Event()
    statements: list[list[tuple[uuid.UUID, int]]] = []
    original = live.runs_status_and_news

    async def gated(model, wanted, limit):
        statements.append(list(wanted))
        if len(statements) == 1:
            await gate.wait()
        return await original(model, wanted, limit)

    monkeypatch.setattr(live, "runs_status_and_news", gated)
    first = asyncio.ensure_future(live._run_news[RunEvent].read(run_ids[0], 0))
    await eventually(lambda: len(statements) == 1)
    later = [asyncio.ensure_future(live._run_news[RunEvent].read(run_id, 1)) for run_id in run_ids[1:]]
    gate.set()
    answers = await asyncio.wait_for(asyncio.gather(first, *later), 5)
    assert statements == [[(run_ids[0], 0)], [(run_id, 1) for run_id in run_ids[1:]]]
    assert [[event.seq for event in events] for _status, events, _complete in answers] == [[1, 2], [2], [2], [2]]


async def test_a_failed_statement_fails_each_read_of_it(db, monkeypatch):
    async def broken(model, wanted, limit):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr(live, "runs_status_and_news", broken)
    reads = [live._run_news[RunEvent].read(uuid.uuid4(), 0) for _ in range(2)]
    results = await asyncio.gather(*reads, return_exceptions=True)
    assert [str(result) for result in results] == ["the database is gone"] * 2


def test_a_statement_has_a_power_of_two_parts_so_that_its_few_texts_stay_prepared():
    assert [statement_parts(count) for count in (1, 2, 3, 4, 5, 129, 256)] == [1, 2, 4, 4, 8, 256, 256]
    assert len({statement_parts(count) for count in range(1, live.RUNS_PER_STATEMENT + 1)}) == 9


async def test_a_statement_for_many_runs_reads_each_in_slices_and_every_follower_gets_everything(hub, monkeypatch):
    monkeypatch.setattr(live, "ROWS_PER_STATEMENT", 60)  # 3 runs: 20 rows of each per statement
    run_ids = await _runs_with_events([0, 45, 100])
    slices = await asyncio.gather(*(live._run_news[RunEvent].read(run_id, 0) for run_id in run_ids))
    assert [(len(events), complete) for _status, events, complete in slices] == [(1, True), (20, False), (20, False)]
    project = await Project.get(key="acme")
    who = principal(project)
    followers = [asyncio.create_task(collect(to_global_id("Run", run_id), who, 0)) for run_id in run_ids]
    await eventually(lambda: sum(feed.users for feed in live._run_feeds.values()) == 3)
    for run_id in run_ids:
        await put_run(await Run.get(id=run_id), RunStatus.TERMINATED)
    results = await asyncio.wait_for(asyncio.gather(*followers), 10)
    for run_id, seqs in zip(run_ids, results, strict=True):
        assert seqs == list(range(1, await RunEvent.filter(run_id=run_id).count() + 1))


async def test_followers_of_a_backlog_take_turns_a_few_events_each(hub, monkeypatch):
    monkeypatch.setattr(live, "ROWS_PER_TURN", 2)
    run_ids = await _runs_with_events([0, 0])
    project = await Project.get(key="acme")
    order: list[tuple[str, int]] = []
    gate = asyncio.Event()

    async def follow(name: str, run_id: uuid.UUID) -> None:
        async for event in live.follow_run_events(principal(project), to_global_id("Run", run_id), 0):
            if event.seq == 1:
                await gate.wait()  # both wait at their first event while the backlog is written
                continue
            order.append((name, event.seq))
            if event.seq == 6:
                return

    followers = [asyncio.create_task(follow(name, run_id)) for name, run_id in zip("ab", run_ids, strict=True)]
    await eventually(lambda: sum(feed.users for feed in live._run_feeds.values()) == 2)
    for run_id in run_ids:
        async with RunTransaction(run_id) as tx:
            for _ in range(5):
                tx.record(RunEventType.RUN_RESUMED, actor="test")
    await eventually(lambda: all(len(feed.rows) == 6 for feed in live._run_feeds.values()))
    gate.set()
    await asyncio.wait_for(asyncio.gather(*followers), 10)
    # each follower's five new events came two per turn of the loop: the two interleave
    turns = [(2, 3), (4, 5), (6,)]
    assert order == [(name, seq) for seqs in turns for name in "ab" for seq in seqs]
