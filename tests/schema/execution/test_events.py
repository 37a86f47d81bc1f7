"""A long-lived subscription holds nothing per event it was sent (schema/execution/events.py).

graphql-core 3.3 memoizes collected subfields in a dict shared by a subscription's per-event
executors, keyed by a field group that each event builds afresh: a `runChanged` subscriber
kept one CollectedFields per item, forever (the soak's API processes grew ~9 MiB a minute).
Here one subscription is sent many items, on both executors the settings can choose, and the
live CollectedFields are counted: they must not grow with the number of items.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
from collections.abc import AsyncIterator

import pytest
from graphql.execution.collect_fields import CollectedFields

from app import pubsub
from app.enums import RunStatus
from app.settings import Settings
from schema import build_schema
from schema.context import Context
from tests.actions.factory import make_project, make_run_in
from tests.pubsub.helpers import WAIT, eventually
from tests.schema.conftest import Client

ITEMS = 300
WARM_UP = 20


@pytest.fixture
async def hub(db: Settings) -> AsyncIterator[None]:
    await pubsub.start_hub("memory://")
    try:
        yield
    finally:
        await pubsub.stop_hub()


def live_collected_fields() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, CollectedFields))


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "graphql-core"])
async def test_a_run_changed_subscriber_keeps_nothing_per_item(superadmin: Client, hub: None, compiled: bool) -> None:
    settings = dataclasses.replace(superadmin.settings, compiled_execution=compiled)
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING)
    change = {"run": str(run.id), "project": str(project.id)}
    stream = await build_schema(settings).subscribe(
        "subscription { runChanged { id status steps { ref status } } }",
        context_value=Context(settings=settings, authorization=f"Bearer {superadmin.secret}"),
    )
    assert isinstance(stream, AsyncIterator), stream

    async def one_item() -> None:
        # the subscription is live from its first read on: read, then publish
        item = asyncio.create_task(anext(stream))
        await eventually(lambda: item.done() or pubsub.get_hub().subscriber_count > 0)
        await pubsub.publish(pubsub.RUNS_TOPIC, change)
        result = await asyncio.wait_for(item, WAIT)
        assert result.errors is None and result.data["runChanged"]["status"] == "RUNNING", result

    try:
        for _ in range(WARM_UP):
            await one_item()
        before = live_collected_fields()
        for _ in range(ITEMS):
            await one_item()
        grown = live_collected_fields() - before
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    # before the fix: one per item at least (ITEMS); now none
    assert grown < ITEMS // 10, f"{grown} CollectedFields kept after {ITEMS} items"
