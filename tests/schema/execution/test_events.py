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
from schema import build_schema
from schema.context import Context
from tests.actions.factory import make_project, make_run_in
from tests.pubsub.helpers import WAIT, eventually
from tests.schema.conftest import Client

ITEMS = 300
WARM_UP = 20


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


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "graphql-core"])
async def test_an_execution_is_freed_when_it_ends_without_the_garbage_collector(
    superadmin: Client, compiled: bool
) -> None:
    """graphql-core's executor referred to itself through its `async_helpers`: its context, its
    DataLoaders and every row they loaded waited for the collector after each request."""
    import weakref

    settings = dataclasses.replace(superadmin.settings, compiled_execution=compiled)
    project = await make_project()
    await make_run_in(project, RunStatus.RUNNING)
    schema = build_schema(settings)
    query = "{ runs(first: 5) { edges { node { id steps { ref status } workflow { key } } } } }"
    for _ in range(2):  # the plan compiled, caches warm
        context = Context(settings=settings, authorization=f"Bearer {superadmin.secret}")
        result = await schema.execute(query, context_value=context)
        assert result.errors is None and len(result.data["runs"]["edges"]) == 1, result
    del context, result
    gc.collect()
    gc.disable()
    try:
        context = Context(settings=settings, authorization=f"Bearer {superadmin.secret}")
        result = await schema.execute(query, context_value=context)
        assert result.errors is None and result.data["runs"]["edges"][0]["node"]["steps"] == [
            {"ref": "a", "status": "PENDING"}
        ], result
        context_ref, loader_ref = weakref.ref(context), weakref.ref(context.loaders.steps_by_run)
        del context, result
        assert context_ref() is None and loader_ref() is None
    finally:
        gc.enable()


async def test_the_helpers_call_the_executor_while_it_lives_and_do_its_work_after() -> None:
    from schema.execution.events import weak_helpers

    class Executor:
        def __init__(self) -> None:
            self.calls: list[str] = []

        def gather_async_work(self, values: list[object]) -> object:
            self.calls.append("gather")
            return asyncio.gather(*values)  # type: ignore[arg-type]

        def track_async_work(self, values: list[object]) -> None:
            self.calls.append("track")

    async def value(x: int) -> int:
        return x

    executor = Executor()
    helpers = weak_helpers(executor)
    assert await helpers.gather([value(1), value(2)]) == [1, 2]
    helpers.track([3])
    assert executor.calls == ["gather", "track"]
    del executor
    # freed: the work is still done, without the executor
    assert await helpers.gather([value(4), value(5)]) == [4, 5]
    settled = asyncio.Event()

    async def background() -> None:
        settled.set()
        raise ValueError("observed, not left unretrieved")

    helpers.track([6, background()])
    await asyncio.wait_for(settled.wait(), WAIT)
