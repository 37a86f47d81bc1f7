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
import time
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
from app.observability import live_trace
from app.observability.logs import outside_request
from app.queries import RunTest, RunWhereSpec, run_condition
from app.queries.events import runs_status_and_news
from app.queries.rows import Row
from models import BulkJob, ExportJob, Project, Run, RunEvent, RunTag, RunUpdate

T = TypeVar("T")
log = logging.getLogger("flowdeck.live")

BATCH = 500
FINISHED_EXPORT_STATUSES = frozenset({ExportStatus.COMPLETED, ExportStatus.FAILED})
# Re-read now and then even without a message: insurance against a broadcast that
# silently lost one (a RESYNC covers the losses the hub can see).
QUIET_RECHECK_SECONDS = 5.0


async def _wait_for_news(messages: AsyncIterator[Any], timeout: float) -> bool:
    """Wait for the next message; False when the subscription ended. (asyncio.timeout, not
    wait_for: no task made per wait, on the path of every notification.)"""
    try:
        async with asyncio.timeout(timeout):
            await anext(messages)
    except TimeoutError:
        return True
    except StopAsyncIteration:
        return False
    return True


async def _follow_batches(
    topic: str,
    read: Callable[[], Awaitable[tuple[list[T], bool, bool]]],
) -> AsyncIterator[list[T]]:
    """Yield what `read` returns (items, done, more waiting), re-reading on every message and
    at once when more is waiting; stop when it says done.

    The messages that arrived together (queued while the previous read ran, or behind the one
    that woke it) are taken at once and cost one read: each only says "look again", and the read
    that follows looks past all of them."""
    async with pubsub.get_hub().subscribe(topic) as subscription:
        messages = aiter(subscription)
        while True:
            items, done, more = await read()
            if items:
                yield items
            if done:
                return
            if more:
                continue  # more is waiting in the database already
            if not await _wait_for_news(messages, QUIET_RECHECK_SECONDS):
                raise RuntimeError("the broadcast hub stopped")
            while subscription.pending():  # queued already: never waits
                await anext(messages)


class _RunNewsReader:
    """Reads the news of the runs' feeds of one kind (events or updates) together: the reads
    asked for since the last statement was sent go in one statement (`runs_status_and_news`), so
    the feeds of many runs woken by changes that arrived together cost one statement, not one
    each. Nothing waits to make a batch: the first read is sent at once, and what is asked while
    it runs goes in the next one."""

    def __init__(self, model: type[RunEvent] | type[RunUpdate]) -> None:
        self.model = model
        self.waiting: list[tuple[uuid.UUID, int, asyncio.Future[tuple[Any, list[Any], bool]]]] = []
        self.task: asyncio.Task[None] | None = None
        self.statements = 0  # for tests and benchmarks
        self.reads = 0

    def read(self, run_id: uuid.UUID, after: int) -> asyncio.Future[tuple[Any, list[Any], bool]]:
        """The run's status (None when there is no such run), its next rows with seq > `after`
        (up to BATCH, fewer when the statement reads many runs: `rows_per_run`), and whether
        those were all of them."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[Any, list[Any], bool]] = loop.create_future()
        if self.task is not None and self.task.get_loop() is not loop:
            self.task, self.waiting = None, []  # a previous event loop's (tests run one per test)
        self.waiting.append((run_id, after, future))
        self.reads += 1
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._read_waiting(), context=outside_request())
        return future

    async def _read_waiting(self) -> None:
        batch: list[tuple[uuid.UUID, int, asyncio.Future[tuple[Any, list[Any], bool]]]] = []
        try:
            while self.waiting:
                batch, self.waiting = self.waiting[:RUNS_PER_STATEMENT], self.waiting[RUNS_PER_STATEMENT:]
                wanted = list(dict.fromkeys((run_id, after) for run_id, after, future in batch if not future.done()))
                if not wanted:
                    continue
                self.statements += 1
                limit = rows_per_run(len(wanted))
                try:
                    found = dict(zip(wanted, await runs_status_and_news(self.model, wanted, limit), strict=True))
                except Exception as error:  # each feed ends with it, as with its own statement
                    for _run_id, _after, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for run_id, after, future in batch:
                    if not future.done():
                        status, rows = found[(run_id, after)]
                        future.set_result((status, rows, len(rows) < limit))
        finally:  # cancelled (the loop is closing): nobody is left without an answer
            for _run_id, _after, future in batch + self.waiting:
                future.cancel()
            self.waiting = []


# the most runs one statement reads (three parameters each; a power of two, see statement_parts)
RUNS_PER_STATEMENT = 256
# the most rows one statement reads, about: a burst's statement for 256 runs at BATCH rows each
# (128,000 rows) took the event loop for seconds while the driver decoded them and the feeds
# went through them; read in slices, the feeds with more to read ask again at once
ROWS_PER_STATEMENT = 5_000
MIN_ROWS_PER_RUN = 20


# a run feed's rows given out per turn of the event loop when it has a backlog (_RunFeed.follow)
ROWS_PER_TURN = 8


def rows_per_run(runs: int) -> int:
    """The most rows of each run a statement reading `runs` runs reads."""
    return min(BATCH, max(ROWS_PER_STATEMENT // max(runs, 1), MIN_ROWS_PER_RUN))


_run_news = {model: _RunNewsReader(model) for model in (RunEvent, RunUpdate)}


def run_news_stats() -> dict[str, int]:
    """For tests and benchmarks: the run feeds' reads and the statements that served them, of
    events (`reads`, `statements`) and of updates (`update_reads`, `update_statements`)."""
    events, updates = _run_news[RunEvent], _run_news[RunUpdate]
    return {
        "reads": events.reads,
        "statements": events.statements,
        "update_reads": updates.reads,
        "update_statements": updates.statements,
    }


# a run's model of rows: events or updates
RunRows = TypeVar("RunRows", RunEvent, RunUpdate)


class _RunFeed:
    """One reader of a run's events (or updates) per process, shared by every local follower
    of that run.

    It reads what is new once per notification and keeps the run's rows in order; each follower
    walks that list at its own pace. A thousand followers of a hundred runs cost a hundred
    reads per change (and those of the runs that changed together, one statement), not a
    thousand, and a slow follower holds nothing of its own.
    """

    def __init__(self, model: type[RunEvent] | type[RunUpdate], run_id: uuid.UUID) -> None:
        self.model = model
        self.run_id = run_id
        self.rows: list[Any] = []
        self.done = False
        self.failure: BaseException | None = None
        self.users = 0
        self.changed = asyncio.Condition()
        self.reads = 0  # statements that read the run's news (tests and benchmarks)
        topic = pubsub.run_topic if model is RunEvent else pubsub.run_updates_topic
        # shared by every follower of the run: its lines name none of their requests
        self.task: asyncio.Task[None] = asyncio.create_task(
            self._read_forever(topic(str(run_id))), context=outside_request()
        )

    async def _read(self) -> tuple[list[Any], bool, bool]:
        # the status and the rows in one snapshot: a terminal status read with them was
        # committed with its rows, so they include every one of them
        self.reads += 1
        after = self.rows[-1].seq if self.rows else 0  # updates' first seqs may have been pruned
        asked = time.time()
        status, rows, complete = await _run_news[self.model].read(self.run_id, after)
        trace = live_trace.TRACE
        if trace is not None and self.model is RunEvent:
            for row in rows:
                trace.note(self.run_id, row.seq, "asked", asked)
                trace.note(self.run_id, row.seq, "read")
        terminal = status is None or status in TERMINAL_RUN_STATUSES
        return rows, terminal and complete, not complete

    async def _publish(self, rows: list[Any], done: bool) -> None:
        async with self.changed:
            self.rows.extend(rows)
            self.done = done
            self.changed.notify_all()

    async def _read_forever(self, topic: str) -> None:
        try:
            async for batch in _follow_batches(topic, self._read):
                await self._publish(batch, False)
            await self._publish([], True)
        except Exception as error:  # handed to every follower, which ends with it
            async with self.changed:
                self.failure = error
                self.changed.notify_all()

    def _has_news(self, seen: int) -> bool:
        return len(self.rows) > seen or self.done or self.failure is not None

    async def follow(self, start: int) -> AsyncIterator[Any]:
        """The rows from index `start` on, then live ones, until the run is terminal and all
        were given.

        A backlog is given out ROWS_PER_TURN rows per turn of the event loop: what the follower
        does with a row (a shared feed executes, encodes and writes it) never waits, so without
        turns the feeds of a hundred runs woken by one read each went through all their new rows
        before the loop looked at a socket or a timer again (stalls of up to ~2 s measured in a
        burst). One row per turn bounded them to ~0.3-0.6 s but cost ~1.7x the CPU per delivery:
        the frames a feed writes to a socket within one turn leave in one send, and one row per
        turn made it a send per frame."""
        position = max(start, 0)
        while True:
            async with self.changed:
                await self.changed.wait_for(functools.partial(self._has_news, position))
                if self.failure is not None:
                    raise self.failure
                fresh = self.rows[position:]
                finished = self.done
            for index, row in enumerate(fresh):
                if index and index % ROWS_PER_TURN == 0:
                    await asyncio.sleep(0)
                yield row
            position += len(fresh)
            if finished and position >= len(self.rows):
                return


_run_feeds: dict[tuple[type[Any], uuid.UUID], _RunFeed] = {}


@contextlib.asynccontextmanager
async def _run_feed(model: type[RunRows], run_id: uuid.UUID) -> AsyncIterator[_RunFeed]:
    key = (model, run_id)
    feed = _run_feeds.get(key)
    if feed is None or feed.done or feed.failure is not None:
        # a finished feed is not reused: a run can be reopened after it ended
        feed = _run_feeds[key] = _RunFeed(model, run_id)
    feed.users += 1
    try:
        yield feed
    finally:
        feed.users -= 1
        if feed.users == 0:
            feed.task.cancel()
            if _run_feeds.get(key) is feed:
                del _run_feeds[key]


async def follow_run_events(principal: Principal, run_id: str, after: int) -> AsyncIterator[Row]:
    """runEvents: the events with seq > after, then live ones; ends once the run is terminal
    and every event has been sent. Each is a plain row with RunEvent's attributes."""
    run = await get_visible_run(principal, run_id, ("runId",))
    async with _run_feed(RunEvent, run.id) as feed:
        # a run's event seqs are 1, 2, 3 ... without gaps: event `n` sits at index n - 1
        async for event in feed.follow(after):
            yield event


async def follow_run_updates(principal: Principal, run_id: str, since: dt.datetime | None) -> AsyncIterator[Row]:
    """runUpdates: the updates after `since` (all when null), oldest first, then live ones;
    ends once the run is terminal and every update has been sent. Each is a plain row with
    RunUpdate's attributes."""
    run = await get_visible_run(principal, run_id, ("runId",))
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)  # as the database reads a naive instant
    async with _run_feed(RunUpdate, run.id) as feed:
        async for update in feed.follow(0):
            if since is None or update.at > since:
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


class _JobReader:
    """One reader of a job topic (bulk jobs, or exports) per process, shared by every follower
    of any job on it.

    Each message names the job that changed: the messages queued together cost one statement,
    for the followed jobs they name, and each follower gets its job's row through its own
    bounded queue (a hub `Subscription`: when it overflows, a RESYNC takes its place and that
    follower re-reads its job itself). A RESYNC of the reader, a message naming no job, or a
    quiet spell re-reads every followed job. Rows reach a follower in the order they were read,
    its first one included (the reader reads it), so a follower never sees a job go back."""

    def __init__(self, model: type[BulkJob] | type[ExportJob], topic: str) -> None:
        self.model = model
        self.topic = topic
        self.followers: dict[uuid.UUID, set[Subscription]] = {}
        self.reads = 0  # statements that read followed jobs (for tests and benchmarks)
        self.listening = asyncio.Event()
        self._subscription: Subscription | None = None  # the reader's own, on the hub
        self.task: asyncio.Task[None] = asyncio.create_task(self._read_forever(), context=outside_request())

    async def ask(self, job_id: uuid.UUID) -> None:
        """Have the job read (once the reader listens, so no change after that read is missed):
        its followers get it as it is now."""
        if not self.listening.is_set():
            listening = asyncio.ensure_future(self.listening.wait())
            await asyncio.wait((listening, self.task), return_when=asyncio.FIRST_COMPLETED)
            listening.cancel()
        if self._subscription is None:
            raise RuntimeError("the broadcast hub stopped")
        self._subscription._put({"job": str(job_id)})  # read with whatever else is queued

    async def _read_forever(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with pubsub.get_hub().subscribe(self.topic) as subscription:
                self._subscription = subscription
                self.listening.set()
                messages = aiter(subscription)
                recheck_at = loop.time() + QUIET_RECHECK_SECONDS
                while True:
                    batch: list[Any]
                    try:
                        async with asyncio.timeout_at(recheck_at):
                            batch = [await anext(messages)]
                    except TimeoutError:
                        batch = [None]  # a quiet spell: every followed job is read again
                    except StopAsyncIteration:
                        return
                    while subscription.pending():  # queued already: read in the same statement
                        batch.append(await anext(messages))
                    named = self._named(batch)
                    if named is None:
                        recheck_at = loop.time() + QUIET_RECHECK_SECONDS
                    try:
                        await self._read(set(self.followers) if named is None else named & self.followers.keys())
                    except Exception as error:  # the database: each follower re-reads (and fails) itself
                        log.warning("%s: reading the changed jobs failed (%s); followers resync", self.topic, error)
                        for followers in tuple(self.followers.values()):
                            for follower in tuple(followers):
                                follower._resync()
        finally:
            self._subscription = None
            for followers in tuple(self.followers.values()):
                for follower in tuple(followers):
                    follower._close()

    @staticmethod
    def _named(messages: list[Any]) -> set[uuid.UUID] | None:
        """The jobs the messages name; None when one of them may stand for any job."""
        named: set[uuid.UUID] = set()
        for message in messages:
            if not isinstance(message, dict):
                return None
            try:
                named.add(uuid.UUID(str(message["job"])))
            except (KeyError, ValueError):
                return None
        return named

    async def _read(self, job_ids: set[uuid.UUID]) -> None:
        if not job_ids:
            return
        self.reads += 1
        found = {job.id: job for job in await self.model.filter(id__in=list(job_ids))}
        for job_id in job_ids:
            for follower in tuple(self.followers.get(job_id, ())):
                follower._put({"job": found.get(job_id)})  # None: the job is gone


_job_readers: dict[tuple[int, type[Any]], _JobReader] = {}  # by id() of the hub they read from


def job_reader_stats() -> dict[str, int]:
    """For tests and benchmarks: the job followers of this process and the statements their
    open readers ran."""
    readers = _job_readers.values()
    return {
        "followers": sum(len(followers) for r in readers for followers in r.followers.values()),
        "reads": sum(r.reads for r in readers),
    }


Job = TypeVar("Job", BulkJob, ExportJob)


async def _follow_job(
    model: type[Job], topic: str, job_id: uuid.UUID, state: Callable[[Job], object], finished: Callable[[Job], bool]
) -> AsyncIterator[Job]:
    """The job as it is now, then at each change of `state`, until `finished`: from this
    process's reader of `topic` (started by the first follower, stopped by the last)."""
    hub = pubsub.get_hub()
    reader = _job_readers.get((id(hub), model))
    if reader is None or reader.task.done():
        reader = _job_readers[(id(hub), model)] = _JobReader(model, topic)
    follower = Subscription(topic, hub.queue_limit)
    reader.followers.setdefault(job_id, set()).add(follower)
    try:
        await reader.ask(job_id)
        last: object = None
        async for message in follower:
            job = message["job"] if isinstance(message, dict) else await model.get_or_none(id=job_id)
            if job is None:
                return  # deleted meanwhile
            if state(job) != last:
                last = state(job)
                yield job
            if finished(job):
                return
        raise RuntimeError("the broadcast hub stopped")
    finally:
        followers = reader.followers.get(job_id, set())
        followers.discard(follower)
        if not followers:
            reader.followers.pop(job_id, None)
        if not reader.followers:
            reader.task.cancel()
            if _job_readers.get((id(hub), model)) is reader:
                del _job_readers[(id(hub), model)]


def _bulk_job_state(job: BulkJob) -> object:
    return (shown_status(job).value, job.processed, job.matched)


def _bulk_job_finished(job: BulkJob) -> bool:
    return job.status in FINISHED_BULK_JOB_STATUSES


def _export_job_state(job: ExportJob) -> object:
    return (job.status.value, job.progress)


def _export_job_finished(job: ExportJob) -> bool:
    return job.status in FINISHED_EXPORT_STATUSES


async def follow_bulk_job(principal: Principal, job_id: str) -> AsyncIterator[BulkJob]:
    """bulkJob: the job as it is now, then at each change of status or progress, until it ends
    (COMPLETED, CANCELED or FAILED)."""
    job = await get_bulk_job(principal, job_id)
    async for item in _follow_job(BulkJob, pubsub.BULK_JOBS_TOPIC, job.id, _bulk_job_state, _bulk_job_finished):
        yield item


async def follow_export_job(principal: Principal, job_id: str) -> AsyncIterator[ExportJob]:
    """exportJob: the job as it is now, then at each change of status or progress, until it
    ends (COMPLETED or FAILED)."""
    job = await get_export_job(principal, job_id)
    async for item in _follow_job(ExportJob, pubsub.EXPORTS_TOPIC, job.id, _export_job_state, _export_job_finished):
        yield item
