"""Losing the backend connection: the hub reconnects with backoff, every subscriber gets RESYNC
(messages may have been missed), `healthy` is False meanwhile, and messages flow again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from redis import asyncio as redis

from app import pubsub
from app.broadcast import RESYNC
from app.settings import ConfigError
from tests.conftest import StartFlowdeck
from tests.pubsub.conftest import MakeHub
from tests.pubsub.helpers import eventually, receive, receive_until
from tests.servers import PostgresServer, RedisServer, free_port


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, free to be stopped and started again."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


async def test_redis_restart_resyncs_every_subscriber_then_messages_flow(
    own_redis: RedisServer, make_hub: MakeHub
) -> None:
    publisher, receiver = await make_hub(own_redis.url), await make_hub(own_redis.url)
    topic, late_topic = f"t.{uuid.uuid4().hex}", f"t.{uuid.uuid4().hex}"
    async with receiver.subscribe(topic) as subscription:
        await publisher.publish(topic, {"seq": 1})
        assert await receive(subscription) == {"seq": 1}

        await asyncio.to_thread(own_redis.stop)
        await eventually(lambda: not receiver.healthy and not publisher.healthy)
        await publisher.publish(topic, {"seq": 2})  # lost with the server; must not raise
        async with receiver.subscribe(late_topic) as late:  # subscribing during the outage works
            assert not receiver.healthy

            await asyncio.to_thread(own_redis.start)  # the same port again
            await eventually(lambda: receiver.healthy and publisher.healthy)
            assert receiver.reconnects >= 1 and publisher.reconnects >= 1
            assert await receive(subscription) is RESYNC
            assert await receive(late) is RESYNC

            await publisher.publish(topic, {"seq": 3})
            await publisher.publish(late_topic, {"seq": 1})
            # a second RESYNC may come (the publisher's lost message makes every process resync)
            items = await receive_until(subscription, {"seq": 3})
            assert [item for item in items if item is not RESYNC] == [{"seq": 3}]
            assert [item for item in await receive_until(late, {"seq": 1}) if item is not RESYNC] == [{"seq": 1}]
    assert receiver.upstream_topics == frozenset()


async def test_a_connection_that_stops_answering_is_replaced(own_redis: RedisServer, make_hub: MakeHub) -> None:
    hub = await make_hub(own_redis.url, ping_interval=0.1, operation_timeout=0.3)
    topic = f"t.{uuid.uuid4().hex}"
    async with hub.subscribe(topic) as subscription:
        client = redis.Redis.from_url(own_redis.url)
        try:
            # The socket stays open but PUBLISH hangs: only the ping notices.
            await client.execute_command("CLIENT", "PAUSE", "1500", "WRITE")
        finally:
            await client.aclose()
        await eventually(lambda: not hub.healthy)
        await eventually(lambda: hub.healthy)
        assert await receive(subscription) is RESYNC
        await hub.publish(topic, {"after": "pause"})
        assert await receive(subscription) == {"after": "pause"}


async def test_a_killed_postgres_listen_connection_is_replaced(
    postgres_server: PostgresServer, make_hub: MakeHub
) -> None:
    url = postgres_server.url("postgres")
    publisher, receiver = await make_hub(url), await make_hub(url)
    topic = f"t.{uuid.uuid4().hex}"
    async with receiver.subscribe(topic) as subscription:
        await asyncio.to_thread(
            postgres_server.psql,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'flowdeck-broadcast'",
        )
        await eventually(lambda: receiver.reconnects >= 1 and receiver.healthy and publisher.healthy)
        assert await receive(subscription) is RESYNC
        await publisher.publish(topic, {"seq": 5})
        assert [item for item in await receive_until(subscription, {"seq": 5}) if item is not RESYNC] == [{"seq": 5}]


async def test_a_backend_unreachable_at_start_is_a_config_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        await pubsub.start_hub(f"redis://127.0.0.1:{free_port()}")
    assert caught.value.variable == "FLOWDECK_BROADCAST_URL"
    assert pubsub.get_broadcast() is None


async def test_readyz_answers_503_while_the_broadcast_backend_is_down(
    start_flowdeck: StartFlowdeck, own_redis: RedisServer
) -> None:
    server = start_flowdeck({"FLOWDECK_BROADCAST_URL": own_redis.url}, engine=False)
    async with httpx.AsyncClient(base_url=server.url) as client:

        async def ready() -> tuple[int, bool]:
            response = await client.get("/readyz")
            return response.status_code, response.json()["broadcast"]

        assert await ready() == (200, True)
        await asyncio.to_thread(own_redis.stop)
        await wait_for_readyz(ready, (503, False))
        await asyncio.to_thread(own_redis.start)
        await wait_for_readyz(ready, (200, True))


async def wait_for_readyz(ready: object, expected: tuple[int, bool]) -> None:
    last = None
    for _ in range(200):
        last = await ready()  # type: ignore[operator]
        if last == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"/readyz stayed {last}, expected {expected}")
