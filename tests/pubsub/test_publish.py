"""The module-level API the lifecycle, the engine and the actions use: `pubsub.publish` never
raises, calls local listeners first, and reaches the hub's subscribers as JSON."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app import pubsub
from app.broadcast import Hub
from tests.pubsub.helpers import eventually, receive
from tests.servers import RedisServer


@pytest.fixture
async def no_hub() -> AsyncIterator[None]:
    previous = pubsub.get_broadcast()
    pubsub.set_broadcast(None)
    yield
    pubsub.set_broadcast(previous)


async def test_without_a_hub_publish_only_calls_local_listeners(no_hub: None) -> None:
    heard: list[tuple[str, dict[str, Any]]] = []

    def broken(topic: str, message: dict[str, Any]) -> None:
        raise RuntimeError("a listener's bug")

    pubsub.add_local_listener(broken)
    pubsub.add_local_listener(lambda topic, message: heard.append((topic, message)))
    listener = pubsub._local_listeners[-1]
    try:
        await pubsub.publish(pubsub.RUNS_TOPIC, {"run": "r1", "status": "RUNNING"})
    finally:
        pubsub.remove_local_listener(broken)
        pubsub.remove_local_listener(listener)
    assert heard == [(pubsub.RUNS_TOPIC, {"run": "r1", "status": "RUNNING"})]
    with pytest.raises(RuntimeError, match="start_hub"):
        pubsub.get_hub()


async def test_publish_goes_through_the_started_hub_as_json(no_hub: None) -> None:
    hub = await pubsub.start_hub(f"memory://{uuid.uuid4().hex}", ping_interval=0.2)
    try:
        assert pubsub.get_hub() is hub and hub.healthy
        run_id = str(uuid.uuid4())
        async with pubsub.get_hub().subscribe(pubsub.run_topic(run_id)) as subscription:
            # a UUID is not JSON: it travels as its string, as it would to another process
            await pubsub.publish(pubsub.run_topic(run_id), {"run": uuid.UUID(run_id), "seq": 3})
            assert await receive(subscription) == {"run": run_id, "seq": 3}
    finally:
        await pubsub.stop_hub()
    assert pubsub.get_broadcast() is None


async def test_publishing_while_the_backend_is_down_does_not_raise(no_hub: None) -> None:
    server = RedisServer().start()
    hub = Hub(server.url, ping_interval=0.1, reconnect_max=0.2)
    await hub.start()
    try:
        server.stop()
        pubsub.set_broadcast(hub)
        await pubsub.publish(pubsub.run_topic("r1"), {"run": "r1", "seq": 1})  # may be mid-detection
        await eventually(lambda: not hub.healthy)
        await pubsub.publish(pubsub.run_topic("r1"), {"run": "r1", "seq": 2})
    finally:
        await hub.stop()
        server.stop()
