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
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from tortoise.expressions import Q

from app import pubsub
from app.actions.bulk_jobs import FINISHED_BULK_JOB_STATUSES, get_bulk_job, shown_status
from app.actions.exports import get_export_job
from app.actions.runs import get_visible_run
from app.auth import Principal
from app.enums import ExportStatus
from app.lifecycle import TERMINAL_RUN_STATUSES, utcnow
from app.observability.logs import outside_request
from app.queries import RunWhereSpec, run_condition
from models import BulkJob, ExportJob, Run, RunEvent, RunUpdate

T = TypeVar("T")

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
    """Yield what `read` returns, re-reading on every message; stop when it says done."""
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


async def _follow(topic: str, read: Callable[[], Awaitable[tuple[list[T], bool]]]) -> AsyncIterator[T]:
    async for batch in _follow_batches(topic, read):
        for item in batch:
            yield item


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
        # shared by every subscriber of the run: its lines name none of their requests
        self.task: asyncio.Task[None] = asyncio.create_task(self._read_forever(), context=outside_request())

    async def _read(self) -> tuple[list[RunEvent], bool]:
        # the status first: a terminal status read now was committed with its events, so the
        # events read next include every one of them
        status = await Run.filter(id=self.run_id).values_list("status", flat=True)
        events = list(await RunEvent.filter(run_id=self.run_id, seq__gt=len(self.events)).order_by("seq").limit(BATCH))
        terminal = not status or status[0] in TERMINAL_RUN_STATUSES
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
    last_seq = 0
    first = True

    async def read() -> tuple[list[RunUpdate], bool]:
        nonlocal last_seq, first
        status = await Run.filter(id=run.id).values_list("status", flat=True)
        query = RunUpdate.filter(run_id=run.id, seq__gt=last_seq)
        if first and since is not None:
            query = query.filter(at__gt=since)
        first = False
        updates = list(await query.order_by("seq").limit(BATCH))
        if updates:
            last_seq = updates[-1].seq
        terminal = not status or status[0] in TERMINAL_RUN_STATUSES
        return updates, terminal and len(updates) < BATCH

    async for update in _follow(pubsub.run_updates_topic(str(run.id)), read):
        yield update


async def follow_run_changes(
    principal: Principal,
    *,
    project: str | None,
    filter: str | None,
    where: RunWhereSpec | None,
) -> AsyncIterator[Run]:
    """runChanged: each run the caller can see that matches, whenever it is created or changes
    status. The filter is compiled once (BadFilter now, before anything is sent) and each
    change is checked with one primary-key lookup, never a table scan."""
    condition = run_condition(principal, project=project, filter=filter, where=where)
    own_project = None if principal.is_superadmin else str(principal.project_id)
    since = utcnow()
    async with pubsub.get_hub().subscribe(pubsub.RUNS_TOPIC) as subscription:
        async for message in subscription:
            if not isinstance(message, dict):  # RESYNC
                # some changes may be lost: send every matching run changed since the last one
                # we know of (a repeated status is allowed, a missed change is not)
                runs = await Run.filter(condition, updated_at__gte=since).order_by("updated_at").limit(BATCH)
            else:
                if own_project is not None and message.get("project") != own_project:
                    continue
                try:
                    run_id = uuid.UUID(str(message.get("run")))
                except ValueError:
                    continue
                runs = await Run.filter(Q(id=run_id), condition).limit(1)
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
