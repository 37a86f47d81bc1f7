"""Shared runEvents feeds behind graphql-transport-ws, driven in-process through the real handler.

Each `Connection` is one websocket as the handler sees it: the real FlowdeckGraphQL view and
schema, a fake socket that records what is written (and can be made to stall). Expected
payloads are written out from the contract (runEvents: seq 1, 2, 3 ... per run, replay after
`after` then live, complete once the run is terminal).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import typing
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import REGISTRY
from starlette.websockets import WebSocketDisconnect
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

from app import pubsub
from app.actions.accounts import create_api_key
from app.asgi import FlowdeckGraphQL
from app.enums import Role, RunEventType, RunStatus, Visibility
from app.ids import to_global_id
from app.lifecycle import RunTransaction
from app.revocation import RevocationWatch
from app.settings import ConfigError, Settings, load_settings
from models import Project, RunEvent
from schema.context import Context
from schema.live_fanout import SharedFeedTransportWSHandler, live_fanout_stats
from tests.actions.factory import SUPERADMIN, make_run, put_run, task
from tests.schema.conftest import ProjectKeys

RUN_EVENTS = "subscription($id: ID!, $after: Int) { runEvents(runId: $id, after: $after) { seq type } }"
RUN_EVENTS_INLINE = 'subscription { runEvents(runId: "%s", after: %d) { seq type } }'


class FakeSocket:
    """What the handler writes, decoded; `stalled` makes every write wait until `flowing` is set,
    `gone` makes every write fail as a closed socket's does. `writers` names the task of each
    frame written."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.messages: list[dict[str, Any]] = []
        self.writers: list[str] = []
        self.ended = asyncio.Event()
        self.flowing = asyncio.Event()
        self.writes_started = 0
        self.gone = False
        if not stalled:
            self.flowing.set()
        self.ws = self  # the handler writes pre-encoded frames through `websocket.ws.send_text`

    async def send_text(self, text: str) -> None:
        if self.gone:
            raise WebSocketDisconnect(1006)
        self.writes_started += 1
        await self.flowing.wait()
        self.messages.append(json.loads(text))
        task = asyncio.current_task()
        self.writers.append(task.get_name() if task else "")

    async def send_json(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        if message.get("type") in {"complete", "error"}:
            self.ended.set()

    async def close(self, code: int, reason: str) -> None:
        self.messages.append({"type": "closed", "code": code})
        self.ended.set()

    def seqs(self) -> list[int]:
        return [m["payload"]["data"]["runEvents"]["seq"] for m in self.messages if m["type"] == "next"]


class Connection:
    def __init__(self, settings: Settings, secret: str, *, stalled: bool = False) -> None:
        self.socket = FakeSocket(stalled=stalled)
        view = FlowdeckGraphQL(settings, RevocationWatch())
        self.handler = SharedFeedTransportWSHandler(
            view=view,  # type: ignore[arg-type]
            websocket=self.socket,  # type: ignore[arg-type]
            context=Context(settings=settings, authorization=None),
            root_value=None,
            schema=view.schema,
            connection_init_wait_timeout=dt.timedelta(seconds=60),
        )

    async def open(self, secret: str) -> None:
        await self.handler.handle_message({"type": "connection_init", "payload": {"Authorization": f"Bearer {secret}"}})
        assert self.socket.messages == [{"type": "connection_ack"}]
        self.socket.messages.clear()

    async def subscribe(self, query: str, **variables: Any) -> None:
        message = {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        await self.handler.handle_message(message)  # type: ignore[arg-type]

    async def ended(self) -> list[dict[str, Any]]:
        await asyncio.wait_for(self.socket.ended.wait(), 10)
        return self.socket.messages

    async def close(self) -> None:
        await self.handler.shutdown()


@pytest.fixture
async def settings_with_hub(db: Settings, acme: ProjectKeys) -> AsyncIterator[Settings]:
    """The database with project acme, and a memory:// hub."""
    await pubsub.start_hub("memory://")
    try:
        yield db
    finally:
        await pubsub.stop_hub()


async def key(project: str, name: str, role: Role) -> str:
    _, secret = await create_api_key(SUPERADMIN, name, role, project)
    return secret


async def connect(settings: Settings, secret: str, *, stalled: bool = False) -> Connection:
    connection = Connection(settings, secret, stalled=stalled)
    await connection.open(secret)
    return connection


async def run_with_events(count: int, **options: Any) -> tuple[Any, str]:
    project = await Project.get(key="acme")
    run = await make_run(project, [task("a")], **options)
    async with RunTransaction(run.id) as tx:
        for _ in range(count):
            tx.record(RunEventType.RUN_RESUMED, actor="test")
    return run, to_global_id("Run", run.id)


async def wait_for(condition: Any) -> None:
    # a deadline, not a pause: generous, since a loaded 2-core CI box once took longer than 10 s
    async with asyncio.timeout(30):
        while not condition():
            await asyncio.sleep(0.01)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_same_document_shares_one_execution_and_each_gets_its_own_after(settings_with_hub: Settings):
    secret = await key("acme", "watcher", Role.VIEWER)
    run, run_id = await run_with_events(5)  # RUN_CREATED + 5 recorded: seqs 1..6 stored
    before = live_fanout_stats()
    open_before = sample("flowdeck_open_subscriptions", subscription="runEvents")
    ok_before = sample("flowdeck_graphql_requests_total", operation_type="subscription", outcome="ok")
    first, second, third = [await connect(settings_with_hub, secret) for _ in range(3)]
    await first.subscribe(RUN_EVENTS, id=run_id, after=0)
    await second.subscribe(RUN_EVENTS, id=run_id, after=4)
    await third.subscribe(RUN_EVENTS_INLINE % (run_id, 2))  # after inline: the same feed
    await wait_for(lambda: len(first.socket.seqs()) == 6 and len(third.socket.seqs()) == 4)
    assert live_fanout_stats()["feeds"] == before["feeds"] + 2  # the inline document is another text
    # the metrics count the 3 subscribers, not the 2 executions behind them
    assert sample("flowdeck_open_subscriptions", subscription="runEvents") == open_before + 3
    await put_run(run, RunStatus.TERMINATED)
    total = await RunEvent.filter(run_id=run.id).count()
    for connection in (first, second, third):
        await connection.ended()
    assert first.socket.seqs() == list(range(1, total + 1))
    assert second.socket.seqs() == list(range(5, total + 1))
    assert third.socket.seqs() == list(range(3, total + 1))
    for connection in (first, second, third):
        assert connection.socket.messages[-1] == {"id": "1", "type": "complete"}
    after = live_fanout_stats()
    assert after["feeds_started"] - before["feeds_started"] == 2
    # one execution per event per feed: the two subscribers of the variables document share one
    assert after["executions"] - before["executions"] == 2 * total
    assert after["deliveries"] - before["deliveries"] == total + (total - 4) + (total - 2)
    assert after["feeds"] == before["feeds"]  # the last one out closed each feed
    assert sample("flowdeck_open_subscriptions", subscription="runEvents") == open_before
    assert sample("flowdeck_graphql_requests_total", operation_type="subscription", outcome="ok") == ok_before + 3


async def test_differing_visibility_does_not_share(settings_with_hub: Settings):
    viewer = await key("acme", "viewer", Role.VIEWER)
    operator = await key("acme", "operator", Role.OPERATOR)
    run, run_id = await run_with_events(1)
    before = live_fanout_stats()
    a, b, c = [await connect(settings_with_hub, secret) for secret in (viewer, operator, viewer)]
    for connection in (a, b, c):
        await connection.subscribe(RUN_EVENTS, id=run_id, after=0)
    await wait_for(lambda: all(len(x.socket.seqs()) == 2 for x in (a, b, c)))
    stats = live_fanout_stats()
    assert stats["feeds_started"] - before["feeds_started"] == 2  # viewers share, the operator does not
    assert stats["subscribers"] - before["subscribers"] == 3
    await put_run(run, RunStatus.TERMINATED)
    for connection in (a, b, c):
        await connection.ended()


async def test_a_private_run_never_reaches_a_subscriber_who_cannot_see_it(settings_with_hub: Settings):
    initiator = await key("acme", "alice", Role.OPERATOR)
    colleague = await key("acme", "bob", Role.OPERATOR)  # same project and role, not the initiator
    run, run_id = await run_with_events(2, visibility=Visibility.PRIVATE, initiated_by="apikey:alice")
    alice = await connect(settings_with_hub, initiator)
    await alice.subscribe(RUN_EVENTS, id=run_id, after=0)
    await wait_for(lambda: len(alice.socket.seqs()) == 3)  # alice's feed is open
    bob = await connect(settings_with_hub, colleague)
    await bob.subscribe(RUN_EVENTS, id=run_id, after=0)
    messages = await bob.ended()
    assert [message["type"] for message in messages] == ["next", "complete"]
    assert messages[0]["payload"]["data"] is None  # not one of alice's events
    assert messages[0]["payload"]["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
    await put_run(run, RunStatus.TERMINATED)
    await alice.ended()
    assert alice.socket.seqs()[:3] == [1, 2, 3]


async def test_a_slow_subscriber_does_not_delay_the_others(settings_with_hub: Settings):
    secret = await key("acme", "watcher", Role.VIEWER)
    run, run_id = await run_with_events(3)
    stalled = await connect(settings_with_hub, secret, stalled=True)  # its socket accepts nothing
    quick = await connect(settings_with_hub, secret)
    await stalled.subscribe(RUN_EVENTS, id=run_id, after=0)
    await wait_for(lambda: stalled.socket.writes_started == 1)  # it joined, and its first write hangs
    await quick.subscribe(RUN_EVENTS, id=run_id, after=0)
    await put_run(run, RunStatus.TERMINATED)
    await quick.ended()
    total = await RunEvent.filter(run_id=run.id).count()
    assert quick.socket.seqs() == list(range(1, total + 1))
    assert stalled.socket.messages == [] and stalled.socket.writes_started == 1  # still stuck
    stalled.socket.flowing.set()  # once it reads again it gets everything, in order, and ends
    await stalled.ended()
    assert stalled.socket.seqs() == list(range(1, total + 1))


async def record_events(run: Any, count: int) -> None:
    async with RunTransaction(run.id) as tx:
        for _ in range(count):
            tx.record(RunEventType.RUN_RESUMED, actor="test")


async def test_caught_up_subscribers_are_written_by_the_feeds_own_task(settings_with_hub: Settings):
    secret = await key("acme", "watcher", Role.VIEWER)
    run, run_id = await run_with_events(2)  # seqs 1..3
    first, second = [await connect(settings_with_hub, secret) for _ in range(2)]
    for connection in (first, second):
        await connection.subscribe(RUN_EVENTS, id=run_id, after=0)
    await wait_for(lambda: first.socket.seqs() == [1, 2, 3] and second.socket.seqs() == [1, 2, 3])
    await wait_for(lambda: live_fanout_stats()["caught_up"] == 2)
    await record_events(run, 3)  # seqs 4..6, live
    await wait_for(lambda: len(first.socket.seqs()) == 6 and len(second.socket.seqs()) == 6)
    # one writer for the feed: each live frame is written by the feed's task, not a task per subscriber
    assert first.socket.writers[3:] == second.socket.writers[3:] == ["flowdeck-live-feed"] * 3
    await put_run(run, RunStatus.TERMINATED)
    total = await RunEvent.filter(run_id=run.id).count()
    for connection in (first, second):
        await connection.ended()
        assert connection.socket.seqs() == list(range(1, total + 1))
    assert live_fanout_stats()["caught_up"] == 0


async def test_a_subscriber_that_stalls_mid_stream_holds_one_write_and_delays_nobody(settings_with_hub: Settings):
    secret = await key("acme", "watcher", Role.VIEWER)
    run, run_id = await run_with_events(0)  # seq 1
    slow, quick = [await connect(settings_with_hub, secret) for _ in range(2)]
    for connection in (slow, quick):
        await connection.subscribe(RUN_EVENTS, id=run_id, after=0)
    await wait_for(lambda: slow.socket.seqs() == [1] and quick.socket.seqs() == [1])
    await wait_for(lambda: live_fanout_stats()["caught_up"] == 2)
    slow.socket.flowing.clear()  # from now on, its writes hang
    for count in range(2, 7):  # seqs 2..6, one commit each
        await record_events(run, 1)
        await wait_for(lambda count=count: quick.socket.seqs() == list(range(1, count + 1)))
    # the slow one is in its first hanging write, and nothing more is queued for it
    assert slow.socket.seqs() == [1] and slow.socket.writes_started == 2
    assert live_fanout_stats()["caught_up"] == 1
    slow.socket.flowing.set()  # it reads again: everything, in order, then it is caught up again
    await wait_for(lambda: slow.socket.seqs() == list(range(1, 7)))
    await wait_for(lambda: live_fanout_stats()["caught_up"] == 2)
    await record_events(run, 1)
    await wait_for(lambda: slow.socket.seqs() == quick.socket.seqs() == list(range(1, 8)))
    assert slow.socket.writers[-1] == "flowdeck-live-feed"
    await put_run(run, RunStatus.TERMINATED)
    total = await RunEvent.filter(run_id=run.id).count()
    for connection in (slow, quick):
        await connection.ended()
        assert connection.socket.seqs() == list(range(1, total + 1))


async def test_a_socket_that_fails_while_the_feed_writes_ends_only_its_own_subscription(settings_with_hub: Settings):
    secret = await key("acme", "watcher", Role.VIEWER)
    run, run_id = await run_with_events(0)
    broken, quick = [await connect(settings_with_hub, secret) for _ in range(2)]
    before = live_fanout_stats()
    for connection in (broken, quick):
        await connection.subscribe(RUN_EVENTS, id=run_id, after=0)
    await wait_for(lambda: broken.socket.seqs() == quick.socket.seqs() == [1])
    await wait_for(lambda: live_fanout_stats()["caught_up"] - before["caught_up"] == 2)
    broken.socket.gone = True  # the client went away
    await record_events(run, 2)
    await wait_for(lambda: live_fanout_stats()["subscribers"] - before["subscribers"] == 1)
    assert live_fanout_stats()["caught_up"] - before["caught_up"] == 1
    await put_run(run, RunStatus.TERMINATED)
    await quick.ended()
    assert quick.socket.seqs() == list(range(1, await RunEvent.filter(run_id=run.id).count() + 1))
    assert broken.socket.seqs() == [1]


async def test_a_client_complete_leaves_the_feed(settings_with_hub: Settings):
    secret = await key("acme", "watcher", Role.VIEWER)
    _, run_id = await run_with_events(1)
    before = live_fanout_stats()
    connection = await connect(settings_with_hub, secret)
    await connection.subscribe(RUN_EVENTS, id=run_id, after=0)
    await wait_for(lambda: len(connection.socket.seqs()) == 2)
    assert live_fanout_stats()["feeds"] == before["feeds"] + 1
    await connection.handler.handle_message({"id": "1", "type": "complete"})
    await wait_for(lambda: live_fanout_stats()["feeds"] == before["feeds"])
    await connection.close()


def test_the_switch_turns_sharing_off_and_a_bad_value_names_the_variable(tmp_path):
    on = load_settings({}, env_file=tmp_path / "none.env")
    off = load_settings({"FLOWDECK_LIVE_SHARED_FEEDS": "0"}, env_file=tmp_path / "none.env")
    assert FlowdeckGraphQL(on, RevocationWatch()).graphql_transport_ws_handler_class is SharedFeedTransportWSHandler
    strawberrys = FlowdeckGraphQL(off, RevocationWatch()).graphql_transport_ws_handler_class
    assert (typing.get_origin(strawberrys) or strawberrys) is BaseGraphQLTransportWSHandler
    with pytest.raises(ConfigError) as error:
        load_settings({"FLOWDECK_LIVE_SHARED_FEEDS": "yes please"}, env_file=tmp_path / "none.env")
    assert error.value.variable == "FLOWDECK_LIVE_SHARED_FEEDS"


def test_the_websocket_settings_default_to_sansio_without_deflate_and_name_a_bad_value(tmp_path):
    none = tmp_path / "none.env"
    default = load_settings({}, env_file=none)
    assert (default.ws_implementation, default.ws_per_message_deflate) == ("websockets-sansio", False)
    chosen = load_settings({"FLOWDECK_WS_IMPLEMENTATION": "wsproto", "FLOWDECK_WS_DEFLATE": "1"}, env_file=none)
    assert (chosen.ws_implementation, chosen.ws_per_message_deflate) == ("wsproto", True)
    for variable, value in (("FLOWDECK_WS_IMPLEMENTATION", "h11"), ("FLOWDECK_WS_DEFLATE", "maybe")):
        with pytest.raises(ConfigError) as error:
            load_settings({variable: value}, env_file=none)
        assert error.value.variable == variable


async def test_an_initialised_connection_keeps_no_init_timeout_task(settings_with_hub):
    secret = await key("acme", "viewer", Role.VIEWER)
    connection = Connection(settings_with_hub, secret)
    connection.handler.on_request_accepted()  # as the view does once the websocket is accepted
    timeout = connection.handler.connection_init_timeout_task
    assert timeout is not None
    await connection.open(secret)
    assert connection.handler.connection_init_timeout_task is None  # nothing of it stays with the socket
    await asyncio.wait_for(asyncio.gather(timeout, return_exceptions=True), 5)
    assert timeout.cancelled()
    # a second connection_init is still refused, as Strawberry's own handler does
    await connection.handler.handle_message({"type": "connection_init", "payload": {}})
    assert connection.socket.messages == [{"type": "closed", "code": 4429}]
    await connection.close()
