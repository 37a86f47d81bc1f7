"""Following state live: replay from the database, then deliver what changes, with no gap and
no duplicate.

Each follower subscribes to its topic *before* it reads, and after every message (or a
RESYNC, or a quiet spell) re-reads from the database past the last item it sent. Messages
only say "look again", so a lost or merged message costs latency, never correctness, and a
slow consumer never makes memory grow: the hub drops what it cannot queue and sends RESYNC.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from app import pubsub
from app.actions.bulk_jobs import FINISHED_BULK_JOB_STATUSES, get_bulk_job, shown_status
from app.actions.exports import get_export_job
from app.actions.runs import get_visible_run
from app.auth import Principal
from app.broadcast import Subscription
from app.enums import ExportStatus
from app.lifecycle import TERMINAL_RUN_STATUSES, utcnow
from app.observability.logs import outside_request
from app.queries import RunTest, RunWhereSpec, run_condition
from app.queries.events import run_status_and_news, runs_status_and_events
from models import BulkJob, ExportJob, Project, Run, RunEvent, RunTag, RunUpdate

T = TypeVar("T")
log = logging.getLogger("flowdeck.live")

BATCH = 500
FINISHED_EXPORT_STATUSES = frozenset({ExportStatus.COMPLETED, ExportStatus.FAILED})
# Re-read now and then even without a message: insurance against a broadcast that
# silently lost one (a RESYNC covers the losses the hub can see).
QUIET_RECHECK_SECONDS = 5.0


async def _wait_for_news(messages: AsyncIterator[Any], timeout: float) -> bool:
    """Wait for the next message; False when the subscription ended."""
    try:
        await asyncio.wait_for(anext(messages), timeout)
    except TimeoutError:
        return True
    except StopAsyncIteration:
        return False
    return True


async def _follow_batches(
    topic: str,
    read: Callable[[], Awaitable[tuple[list[T], bool]]],
) -> AsyncIterator[list[T]]:
    """Yield what `read` returns, re-reading on every message; stop when it says done.

    The messages that arrived together (queued while the previous read ran, or behind the one
    that woke it) are taken at once and cost one read: each only says "look again", and the read
    that follows looks past all of them."""
    async with pubsub.get_hub().subscribe(topic) as subscription:
        messages = aiter(subscription)
        while True:
            items, done = await read()
            if items:
                yield items
            if done:
                return
            if len(items) >= BATCH:
                continue  # more is waiting in the database already
            if not await _wait_for_news(messages, QUIET_RECHECK_SECONDS):
                raise RuntimeError("the broadcast hub stopped")
            while subscription.pending():  # queued already: never waits
                await anext(messages)


async def _follow(topic: str, read: Callable[[], Awaitable[tuple[list[T], bool]]]) -> AsyncIterator[T]:
    async for batch in _follow_batches(topic, read):
        for item in batch:
            yield item


class _RunNewsReader:
    """Reads the news of the runs' event feeds together: the reads asked for since the last
    statement was sent go in one statement (`runs_status_and_events`), so the feeds of many
    runs woken by changes that arrived together cost one statement, not one each. Nothing
    waits to make a batch: the first read is sent at once, and what is asked while it runs
    goes in the next one."""

    def __init__(self) -> None:
        self.waiting: list[tuple[uuid.UUID, int, asyncio.Future[tuple[Any, list[RunEvent]]]]] = []
        self.task: asyncio.Task[None] | None = None
        self.statements = 0  # for tests and benchmarks
        self.reads = 0

    def read(self, run_id: uuid.UUID, after: int) -> asyncio.Future[tuple[Any, list[RunEvent]]]:
        """The run's status (None when there is no such run) and up to BATCH events after `after`."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[Any, list[RunEvent]]] = loop.create_future()
        if self.task is not None and self.task.get_loop() is not loop:
            self.task, self.waiting = None, []  # a previous event loop's (tests run one per test)
        self.waiting.append((run_id, after, future))
        self.reads += 1
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._read_waiting(), context=outside_request())
        return future

    async def _read_waiting(self) -> None:
        batch: list[tuple[uuid.UUID, int, asyncio.Future[tuple[Any, list[RunEvent]]]]] = []
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:RUNS_PER_STATEMENT], self.waiting[RUNS_PER_STATEMENT:]
                wanted = list(dict.fromkeys((run_id, after) for run_id, after, future in batch if not future.done()))
                if not wanted:
                    continue
                self.statements += 1
                try:
                    found = dict(zip(wanted, await runs_status_and_events(wanted, BATCH), strict=True))
                except Exception as error:  # each feed ends with it, as with its own statement
                    for _run_id, _after, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for run_id, after, future in batch:
                    if not future.done():
                        future.set_result(found[(run_id, after)])
        finally:  # cancelled (the loop is closing): nobody is left without an answer
            for _run_id, _after, future in batch + self.waiting:
                future.cancel()
            self.waiting = []


# the most runs one statement reads (two parameters each)
RUNS_PER_STATEMENT = 200
_run_news = _RunNewsReader()


def run_news_stats() -> dict[str, int]:
    """For tests and benchmarks: the event feeds' reads and the statements that served them."""
    return {"reads": _run_news.reads, "statements": _run_news.statements}


class _RunEventFeed:
    """One reader of a run's events per process, shared by every local subscriber of that run.

    It reads what is new once per notification and keeps the run's events in order (seq
    1, 2, 3 ... so event `n` sits at index n - 1); each subscriber walks that list at its own
    pace. A thousand subscribers of a hundred runs cost a hundred reads per change, not a
    thousand, and a slow subscriber holds nothing of its own.
    """

    def __init__(self, run_id: uuid.UUID) -> None:
        self.run_id = run_id
        self.events: list[RunEvent] = []
        self.done = False
        self.failure: BaseException | None = None
        self.users = 0
        self.changed = asyncio.Condition()
        self.reads = 0  # statements that read the run's news (tests and benchmarks)
        # shared by every subscriber of the run: its lines name none of their requests
        self.task: asyncio.Task[None] = asyncio.create_task(self._read_forever(), context=outside_request())

    async def _read(self) -> tuple[list[RunEvent], bool]:
        # the status and the events in one snapshot: a terminal status read with them was
        # committed with its events, so they include every one of them
        self.reads += 1
        status, events = await _run_news.read(self.run_id, len(self.events))
        terminal = status is None or status in TERMINAL_RUN_STATUSES
        return events, terminal and len(events) < BATCH

    async def _publish(self, events: list[RunEvent], done: bool) -> None:
        async with self.changed:
            self.events.extend(events)
            self.done = done
            self.changed.notify_all()

    async def _read_forever(self) -> None:
        try:
            async for batch in _follow_batches(pubsub.run_topic(str(self.run_id)), self._read):
                await self._publish(batch, False)
            await self._publish([], True)
        except Exception as error:  # handed to every subscriber, which ends with it
            async with self.changed:
                self.failure = error
                self.changed.notify_all()

    def _has_news(self, seen: int) -> bool:
        return len(self.events) > seen or self.done or self.failure is not None

    async def follow(self, after: int) -> AsyncIterator[RunEvent]:
        position = max(after, 0)
        while True:
            async with self.changed:
                await self.changed.wait_for(functools.partial(self._has_news, position))
                if self.failure is not None:
                    raise self.failure
                fresh = self.events[position:]
                finished = self.done
            for event in fresh:
                yield event
            position += len(fresh)
            if finished and position >= len(self.events):
                return


_run_event_feeds: dict[uuid.UUID, _RunEventFeed] = {}


@contextlib.asynccontextmanager
async def _run_event_feed(run_id: uuid.UUID) -> AsyncIterator[_RunEventFeed]:
    feed = _run_event_feeds.get(run_id)
    if feed is None or feed.done or feed.failure is not None:
        # a finished feed is not reused: a run can be reopened after it ended
        feed = _run_event_feeds[run_id] = _RunEventFeed(run_id)
    feed.users += 1
    try:
        yield feed
    finally:
        feed.users -= 1
        if feed.users == 0:
            feed.task.cancel()
            if _run_event_feeds.get(run_id) is feed:
                del _run_event_feeds[run_id]


async def follow_run_events(principal: Principal, run_id: str, after: int) -> AsyncIterator[RunEvent]:
    """runEvents: the events with seq > after, then live ones; ends once the run is terminal
    and every event has been sent."""
    run = await get_visible_run(principal, run_id, ("runId",))
    async with _run_event_feed(run.id) as feed:
        async for event in feed.follow(after):
            yield event


async def follow_run_updates(principal: Principal, run_id: str, since: dt.datetime | None) -> AsyncIterator[RunUpdate]:
    """runUpdates: the updates after `since` (all when null), oldest first, then live ones;
    ends once the run is terminal and every update has been sent."""
    run = await get_visible_run(principal, run_id, ("runId",))
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)  # as the database reads a naive instant
    last_seq = 0

    async def read() -> tuple[list[RunUpdate], bool]:
        nonlocal last_seq
        kept: list[RunUpdate] = []
        while True:  # past the updates at or before `since`, however many there are
            status, updates = await run_status_and_news(RunUpdate, run.id, last_seq, BATCH)
            if updates:
                last_seq = updates[-1].seq
            kept += [update for update in updates if since is None or update.at > since]
            if len(updates) < BATCH:
                terminal = status is None or status in TERMINAL_RUN_STATUSES
                return kept, terminal

    async for update in _follow(pubsub.run_updates_topic(str(run.id)), read):
        yield update


class _RunChangeReader:
    """One reader of run changes per process, shared by every runChanged follower in it.

    It holds the process's one hub subscription to the runs topic and reads each changed run
    once (with its tags), however many followers there are: a batch of queued messages costs
    one statement for the runs and one for their tags. Each follower gets the rows through its
    own bounded queue (a hub `Subscription`: when it overflows, a RESYNC takes its place and
    that follower re-reads from the database) and decides in Python whether they match.
    """

    def __init__(self) -> None:
        self.followers: set[Subscription] = set()
        self.reads = 0  # statements that read changed runs (for tests and benchmarks)
        self.task: asyncio.Task[None] = asyncio.create_task(self._read_forever(), context=outside_request())

    async def _read_forever(self) -> None:
        try:
            async with pubsub.get_hub().subscribe(pubsub.RUNS_TOPIC) as subscription:
                async for message in subscription:
                    if not isinstance(message, dict):
                        for follower in tuple(self.followers):
                            follower._resync()
                        continue
                    messages: list[Any] = [message]
                    while subscription.pending():  # what queued meanwhile is read in the same statement
                        messages.append(await subscription.__anext__())
                    try:
                        await self._read(messages)
                    except Exception as error:  # the database: each follower re-reads (and fails) itself
                        log.warning("runChanged: reading the changed runs failed (%s); followers resync", error)
                        for follower in tuple(self.followers):
                            follower._resync()
        finally:
            for follower in tuple(self.followers):
                follower._close()

    async def _read(self, messages: list[Any]) -> None:
        if any(not isinstance(message, dict) for message in messages):
            for follower in tuple(self.followers):
                follower._resync()  # a re-read of everything matching covers these messages too
            return
        run_ids: dict[uuid.UUID, None] = {}
        for message in messages:
            assert isinstance(message, dict)
            with contextlib.suppress(ValueError):
                run_ids[uuid.UUID(str(message.get("run")))] = None
        if not run_ids:
            return
        self.reads += 1
        runs = await Run.filter(id__in=list(run_ids))
        tags: dict[uuid.UUID, dict[str, str]] = {run.id: {} for run in runs}
        if runs:
            for run_id, key, value in await RunTag.filter(run_id__in=list(tags)).values_list("run_id", "key", "value"):
                tags[uuid.UUID(str(run_id))][key] = value
        runs.sort(key=lambda run: run.updated_at)
        changed = {"runs": [(run, tags[run.id]) for run in runs]}
        for follower in tuple(self.followers):
            follower._put(changed)


_run_change_readers: dict[int, _RunChangeReader] = {}  # by id() of the hub they read from


@contextlib.asynccontextmanager
async def _run_changes() -> AsyncIterator[Subscription]:
    """A follower's queue on this process's run-change reader (started by the first follower,
    stopped by the last)."""
    hub = pubsub.get_hub()
    reader = _run_change_readers.get(id(hub))
    if reader is None or reader.task.done():
        reader = _run_change_readers[id(hub)] = _RunChangeReader()
    follower = Subscription(pubsub.RUNS_TOPIC, hub.queue_limit)
    reader.followers.add(follower)
    try:
        yield follower
    finally:
        reader.followers.discard(follower)
        if not reader.followers:
            reader.task.cancel()
            if _run_change_readers.get(id(hub)) is reader:
                del _run_change_readers[id(hub)]


def run_change_stats() -> dict[str, int]:
    """For tests and benchmarks: the runChanged followers of this process (each shared feed's
    execution is one), and the statements their open readers ran to read changed runs."""
    readers = _run_change_readers.values()
    return {"followers": sum(len(r.followers) for r in readers), "reads": sum(r.reads for r in readers)}


async def follow_run_changes(
    principal: Principal,
    *,
    project: str | None,
    filter: str | None,
    where: RunWhereSpec | None,
) -> AsyncIterator[Run]:
    """runChanged: each run the caller can see that matches, whenever it is created or changes
    status. The filter is compiled once (BadFilter now, before anything is sent); each change is
    read once per process (`_RunChangeReader`) and checked here in Python, against the same
    conditions the database would apply (`run_matches`); after a RESYNC, one indexed query."""
    condition = run_condition(principal, project=project, filter=filter, where=where)
    project_id: uuid.UUID | None = None
    if project is not None:
        found = await Project.filter(key=project).limit(1).values_list("id", flat=True)
        project_id = uuid.UUID(str(found[0])) if found else None
    test = RunTest(principal, project=project, project_id=project_id, filter=filter, where=where)
    since = utcnow()
    async with _run_changes() as subscription:
        async for message in subscription:
            if not isinstance(message, dict):  # RESYNC
                # some changes may be lost: send every matching run changed since the last one
                # we know of (a repeated status is allowed, a missed change is not)
                runs = await Run.filter(condition, updated_at__gte=since).order_by("updated_at").limit(BATCH)
            else:
                now = utcnow()
                runs = [run for run, tags in message["runs"] if test.matches(run, tags, now)]
            for run in runs:
                since = max(since, run.updated_at)
                yield run


async def follow_bulk_job(principal: Principal, job_id: str) -> AsyncIterator[BulkJob]:
    """bulkJob: the job as it is now, then at each change of status or progress, until it ends
    (COMPLETED, CANCELED or FAILED)."""
    job = await get_bulk_job(principal, job_id)
    last: tuple[str, int, int] | None = None

    async def read() -> tuple[list[BulkJob], bool]:
        nonlocal last
        current = await BulkJob.get(id=job.id)
        state = (shown_status(current).value, current.processed, current.matched)
        changed = [current] if state != last else []
        last = state
        return changed, current.status in FINISHED_BULK_JOB_STATUSES

    async for item in _follow(pubsub.BULK_JOBS_TOPIC, read):
        yield item


async def follow_export_job(principal: Principal, job_id: str) -> AsyncIterator[ExportJob]:
    """exportJob: the job as it is now, then at each change of status or progress, until it
    ends (COMPLETED or FAILED)."""
    job = await get_export_job(principal, job_id)
    last: tuple[str, float] | None = None

    async def read() -> tuple[list[ExportJob], bool]:
        nonlocal last
        current = await ExportJob.get(id=job.id)
        state = (current.status.value, current.progress)
        changed = [current] if state != last else []
        last = state
        return changed, current.status in FINISHED_EXPORT_STATUSES

    async for item in _follow(pubsub.EXPORTS_TOPIC, read):
        yield item
