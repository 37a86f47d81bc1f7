"""Subscriptions: replay from the database, then live (the work is in app/live.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar

import strawberry

from app import live
from app.observability import metrics
from schema.bulk_jobs import BulkJob
from schema.context import Authenticated, Info, principal_of
from schema.errors import query_or_raise
from schema.exports import ExportJob
from schema.loaders import Loaders
from schema.runs import Run, RunEvent, RunUpdate, RunWhere

T = TypeVar("T")


async def _guarded(info: Info, items: AsyncIterator[T], *, fresh_loaders: bool = False) -> AsyncIterator[T]:
    """Domain failures at subscribe time become top-level errors with their code. Items whose
    fields read related rows get fresh DataLoaders each (the context lives as long as the
    socket, so a loader's cache would otherwise outlive the data it holds)."""
    iterator = aiter(items)
    counted = not info.context.serves_shared_feed
    gauge = metrics.OPEN_SUBSCRIPTIONS.labels(subscription=info.field_name)
    if counted:
        gauge.inc()
    try:
        while True:
            try:
                item = await query_or_raise(anext(iterator))
            except StopAsyncIteration:
                return
            if fresh_loaders:
                info.context.loaders = Loaders()
            if info.context.feed_item is not None:
                info.context.feed_item(item)  # a shared feed keys its payload by the item (live_fanout)
            yield item
    finally:
        if counted:
            gauge.dec()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[Authenticated],
        description="history events of one run: replays those with seq > after, then live; no gaps, no duplicates",
    )
    async def run_events(
        self, info: Info, run_id: strawberry.ID, after: int | None = 0
    ) -> AsyncGenerator[RunEvent, None]:
        events = live.follow_run_events(principal_of(info), run_id, after or 0)
        async for event in _guarded(info, events):
            yield RunEvent.from_model(event)

    @strawberry.subscription(
        permission_classes=[Authenticated],
        description="progress messages of one run: replays those after since (all when null), then live",
    )
    async def run_updates(
        self, info: Info, run_id: strawberry.ID, since: dt.datetime | None = None
    ) -> AsyncGenerator[RunUpdate, None]:
        updates = live.follow_run_updates(principal_of(info), run_id, since)
        async for update in _guarded(info, updates):
            yield RunUpdate.from_model(update)

    @strawberry.subscription(
        permission_classes=[Authenticated],
        description=(
            "the run, each time a run visible to the caller and matching filter/where is created or\n"
            "changes status. Each item is the run as it is when sent: every change is followed by an\n"
            "item showing that change or a later one; quick successive changes may be merged into one\n"
            "item, and an item may repeat a status."
        ),
    )
    async def run_changed(
        self,
        info: Info,
        project: str | None = None,
        filter: str | None = None,
        where: RunWhere | None = None,
    ) -> AsyncGenerator[Run, None]:
        changes = live.follow_run_changes(
            principal_of(info), project=project, filter=filter, where=where.to_spec() if where else None
        )
        async for run in _guarded(info, changes, fresh_loaders=True):
            yield Run.from_model(run)

    @strawberry.subscription(
        permission_classes=[Authenticated],
        description="the job as it is when subscribing, then at each change of status or progress, until it ends",
    )
    async def export_job(self, info: Info, id: strawberry.ID) -> AsyncGenerator[ExportJob, None]:
        async for job in _guarded(info, live.follow_export_job(principal_of(info), id)):
            yield ExportJob.from_model(job)

    @strawberry.subscription(
        permission_classes=[Authenticated],
        description="the bulk job as it is when subscribing, then at each change of status or progress, until it ends",
    )
    async def bulk_job(self, info: Info, id: strawberry.ID) -> AsyncGenerator[BulkJob, None]:
        async for job in _guarded(info, live.follow_bulk_job(principal_of(info), id)):
            yield BulkJob.from_model(job)
