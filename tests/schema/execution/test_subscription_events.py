"""Subscription events on the compiled path against graphql-core: the same bytes per event.

Each event of a subscription is executed on a per-event copy of the executor with the event
as root value (graphql-core's `map_source_to_response_event`). Here both executors are fed
the same events, as the subscriptions' generators yield them (RunEvent, RunUpdate, Run made
from the rows the API wrote), and broken ones: a null where the field is non-null, an
exception as the event, and the data corruptions of the query differential. One end-to-end
subscription (runEvents replaying a run's history) shows the real path is compiled too.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator, Iterable
from typing import Any

import orjson
import pytest
import strawberry
from graphql import map_source_to_response_event, parse

from models import Run as RunModel
from models import RunEvent as RunEventModel
from schema.context import Context
from schema.execution import ExecutionStats, stats
from schema.runs.types import Run, RunEvent, RunUpdate
from tests.pubsub.helpers import WAIT
from tests.schema.conftest import ProjectKeys
from tests.schema.execution import documents as docs
from tests.schema.execution.differential import CORRUPTIONS, T0, Differential, seed, set_attribute

RUN_EVENTS = """
subscription Events($id: ID!, $after: Int) {
  runEvents(runId: $id, after: $after) { seq at type runId stepRef stepType attempt ok actor reason data }
}"""

RUN_UPDATES = """
subscription Updates($id: ID!) {
  runUpdates(runId: $id) { seq runId at kind: type message details workstreamId __typename }
}"""

RUN_CHANGED = (
    """
subscription Changed($withSteps: Boolean!) {
  runChanged {
    ...RunRow pendingSteps { ref }
    steps @include(if: $withSteps) { id ref type status attempt output error }
  }
}"""
    + docs.RUN_FIELDS
)


@dataclasses.dataclass
class Events:
    encoded: list[bytes]  # each event's response, orjson-encoded
    served: ExecutionStats


async def execute_events(
    differential: Differential, schema: strawberry.Schema, query: str, variables: dict[str, Any], items: Iterable[Any]
) -> Events:
    """The responses of a subscription to `items`, executed as graphql-core executes each event."""
    context = Context(settings=differential.settings, authorization=f"Bearer {differential.secret}")
    executor = schema.execution_context_class.build(  # type: ignore[attr-defined]
        schema._schema, parse(query), context_value=context, raw_variable_values=variables
    )
    assert not isinstance(executor, list), executor

    async def source() -> AsyncIterator[Any]:
        for item in items:
            yield item

    before = stats.snapshot()
    encoded = []
    async for result in map_source_to_response_event(executor, source()):
        errors = [error.formatted for error in result.errors] if result.errors else None
        encoded.append(orjson.dumps({"data": result.data, "errors": errors}))
    after = stats.snapshot()
    return Events(encoded, after.since(before))


async def check_events(
    differential: Differential, query: str, variables: dict[str, Any], items: list[Any]
) -> tuple[list[dict[str, Any]], ExecutionStats]:
    """The compiled responses, after asserting graphql-core's encode to the same bytes, event by event."""
    expected = await execute_events(differential, differential.reference, query, variables, items)
    actual = await execute_events(differential, differential.compiled, query, variables, items)
    assert len(actual.encoded) == len(expected.encoded) == len(items)
    for index, (mine, theirs) in enumerate(zip(actual.encoded, expected.encoded, strict=True)):
        assert mine == theirs, f"event {index} of\n{query}\n{mine!r}\n{theirs!r}"
    assert expected.served.compiled == 0  # the reference is graphql-core alone
    return [orjson.loads(item) for item in actual.encoded], actual.served


@pytest.fixture
async def world(acme: ProjectKeys) -> tuple[Differential, dict[str, Any]]:
    ids = await seed(acme.admin)
    assert acme.admin.secret is not None
    return Differential(acme.admin.settings, acme.admin.secret), ids


async def run_events() -> list[RunEvent]:
    return [RunEvent.from_model(event) for event in await RunEventModel.all().order_by("run_id", "seq")]


def run_updates(run_id: str) -> list[RunUpdate]:
    details: list[Any] = [{"n": 1, "items": [1, 2.5, None]}, None, [1, "x"], "text"]
    return [
        RunUpdate(
            seq=seq,
            run_id=strawberry.ID(run_id),
            at=T0 + dt.timedelta(seconds=seq),
            type="progress" if seq % 2 else "note",
            message=f"step {seq} of 4",
            details=details[seq - 1],
            workstream_id="ws-1" if seq % 2 else None,
        )
        for seq in range(1, 5)
    ]


async def changed_runs() -> list[Run]:
    return [Run.from_model(run) for run in await RunModel.all().order_by("created_at")]


async def test_each_event_of_the_three_subscriptions_is_compiled_and_identical(world):
    differential, ids = world
    run_id = ids["run_ids"][0]
    events = await run_events()
    data, served = await check_events(differential, RUN_EVENTS, {"id": run_id}, events)
    assert [item["errors"] for item in data] == [None] * len(events)
    assert [item["data"]["runEvents"]["seq"] for item in data] == [event.seq for event in events]
    assert (served.compiled, served.fallbacks, served.declined, served.compilations) == (len(events), 0, 0, 1)

    updates = run_updates(run_id)
    data, served = await check_events(differential, RUN_UPDATES, {"id": run_id}, updates)
    assert data[0] == {
        "data": {
            "runUpdates": {
                "seq": 1,
                "runId": run_id,
                "at": "2026-11-01T12:00:01+00:00",
                "kind": "progress",
                "message": "step 1 of 4",
                "details": {"n": 1, "items": [1, 2.5, None]},
                "workstreamId": "ws-1",
                "__typename": "RunUpdate",
            }
        },
        "errors": None,
    }
    assert (served.compiled, served.fallbacks, served.declined) == (4, 0, 0)

    for with_steps in (True, False):
        runs = await changed_runs()
        data, served = await check_events(differential, RUN_CHANGED, {"withSteps": with_steps}, runs)
        assert [item["data"]["runChanged"]["id"] for item in data] == [run.id for run in runs]
        assert ("steps" in data[0]["data"]["runChanged"]) is with_steps
        assert [item["errors"] for item in data] == [None] * len(runs)
        assert (served.compiled, served.fallbacks, served.declined, served.compilations) == (len(runs), 0, 0, 1)


async def test_a_null_or_an_exception_as_the_event_gets_graphql_cores_error(world):
    differential, ids = world
    events = await run_events()
    items = [events[0], None, RuntimeError("the event failed"), events[1]]
    data, served = await check_events(differential, RUN_EVENTS, {"id": ids["run_ids"][0]}, items)
    assert data[1] == {
        "data": None,
        "errors": [
            {
                "message": "Cannot return null for non-nullable field Subscription.runEvents.",
                "locations": [{"line": 3, "column": 3}],
                "path": ["runEvents"],
            }
        ],
    }
    assert data[2]["data"] is None and data[2]["errors"][0]["message"] == "the event failed"
    assert data[0]["errors"] is None and data[3]["errors"] is None
    assert (served.compiled, served.fallbacks) == (2, 2)


EVENT_CORRUPTIONS = {
    "Int past 32 bits": (set_attribute("RunEvent", "seq", 2**31), True),
    "null in a non-null Boolean": (set_attribute("RunEvent", "ok", None), True),
    "enum cannot represent": (set_attribute("RunEvent", "type", "BOGUS"), True),
    "not a DateTime": (set_attribute("RunEvent", "at", "yesterday"), True),
    "null in a nullable String": (set_attribute("RunEvent", "actor", None), False),
}


@pytest.mark.parametrize("name", list(EVENT_CORRUPTIONS))
async def test_broken_run_events_give_graphql_cores_errors(world, monkeypatch: pytest.MonkeyPatch, name: str):
    differential, ids = world
    corrupt, breaks = EVENT_CORRUPTIONS[name]
    events = await run_events()
    corrupt(differential.compiled, monkeypatch)
    data, served = await check_events(differential, RUN_EVENTS, {"id": ids["run_ids"][0]}, events)
    errors = sum(bool(item["errors"]) for item in data)
    assert (errors, served.fallbacks) == ((len(events), len(events)) if breaks else (0, 0))


@pytest.mark.parametrize("name", list(CORRUPTIONS))
async def test_broken_changed_runs_give_graphql_cores_errors_and_nulls(
    world, monkeypatch: pytest.MonkeyPatch, name: str
):
    differential, _ids = world
    corrupt, breaks = CORRUPTIONS[name]
    runs = await changed_runs()
    corrupt(differential.compiled, monkeypatch)
    data, served = await check_events(differential, RUN_CHANGED, {"withSteps": True}, runs)
    errors = sum(bool(item["errors"]) for item in data)
    if breaks:
        assert errors and served.fallbacks == errors
    else:
        assert errors == 0 and served.fallbacks == 0


async def test_a_run_events_subscription_is_served_by_the_compiled_path(world, hub: None):
    differential, _ids = world
    # the run with the longest history (seed starts each run: one event each)
    run_id, history = collections.Counter(event.run_id for event in await run_events()).most_common(1)[0]
    assert history >= 1
    responses = []
    compiled = 0
    for schema in (differential.reference, differential.compiled):
        before = stats.snapshot()
        stream = await schema.subscribe(
            RUN_EVENTS,
            variable_values={"id": run_id, "after": 0},
            context_value=Context(settings=differential.settings, authorization=f"Bearer {differential.secret}"),
        )
        assert isinstance(stream, AsyncIterator), stream
        try:
            results = [await asyncio.wait_for(anext(stream), WAIT) for _ in range(history)]
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
        responses.append([orjson.dumps({"data": r.data, "errors": r.errors}) for r in results])
        compiled = stats.compiled - before.compiled
    assert responses[0] == responses[1]
    assert [orjson.loads(item)["data"]["runEvents"]["seq"] for item in responses[1]] == list(range(1, history + 1))
    assert compiled == history
