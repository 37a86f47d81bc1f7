"""The hub on every backend, against the real servers: two hubs in one process stand for two
server processes (publish on one, receive on the other)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import uuid
from collections.abc import Callable

from redis import asyncio as redis

from app.broadcast import RESYNC, Backend, Hub, make_backend
from tests.pubsub.conftest import MakeHub
from tests.pubsub.helpers import WAIT, eventually, receive, receive_until


def fresh_topic() -> str:
    return f"flowdeck.test.{uuid.uuid4().hex}"


def counting(counts: collections.Counter[tuple[str, str]]) -> Callable[[str], Backend]:
    """A backend factory that counts upstream subscribe/unsubscribe calls per topic."""

    def factory(url: str) -> Backend:
        backend = make_backend(url)
        subscribe, unsubscribe = backend.subscribe, backend.unsubscribe

        async def counted_subscribe(channel: str) -> None:
            counts["subscribe", channel] += 1
            await subscribe(channel)

        async def counted_unsubscribe(channel: str) -> None:
            counts["unsubscribe", channel] += 1
            await unsubscribe(channel)

        backend.subscribe = counted_subscribe  # type: ignore[method-assign]
        backend.unsubscribe = counted_unsubscribe  # type: ignore[method-assign]
        return backend

    return factory


async def test_a_message_published_on_one_hub_reaches_subscribers_of_another(
    broadcast_url: str, make_hub: MakeHub
) -> None:
    publisher, receiver = await make_hub(broadcast_url), await make_hub(broadcast_url)
    topic = fresh_topic()
    async with receiver.subscribe(topic) as subscription:
        await publisher.publish(topic, {"run": "r1", "seq": 1})
        await receiver.publish(topic, {"run": "r1", "seq": 2})
        assert await receive(subscription) == {"run": "r1", "seq": 1}
        assert await receive(subscription) == {"run": "r1", "seq": 2}
        assert subscription.pending() == 0


async def test_messages_of_other_topics_are_not_delivered(broadcast_url: str, make_hub: MakeHub) -> None:
    publisher, receiver = await make_hub(broadcast_url), await make_hub(broadcast_url)
    mine, other = fresh_topic(), fresh_topic()
    async with receiver.subscribe(mine) as subscription, receiver.subscribe(other):
        await publisher.publish(other, {"n": "other"})
        await publisher.publish(mine, {"n": "mine"})
        assert await receive(subscription) == {"n": "mine"}


async def test_two_concurrent_first_subscribers_both_receive_over_one_upstream_subscription(
    broadcast_url: str, make_hub: MakeHub
) -> None:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    publisher, receiver = await make_hub(broadcast_url), await make_hub(broadcast_url, backend_factory=counting(counts))
    topic = fresh_topic()
    both_in = asyncio.Barrier(3)
    done = asyncio.Event()

    async def subscriber() -> list[object]:
        async with receiver.subscribe(topic) as subscription:
            await both_in.wait()
            items = [await receive(subscription), await receive(subscription)]
            await done.wait()
            return items

    tasks = [asyncio.create_task(subscriber()), asyncio.create_task(subscriber())]
    await asyncio.wait_for(both_in.wait(), WAIT)
    await publisher.publish(topic, {"seq": 1})
    await publisher.publish(topic, {"seq": 2})
    done.set()
    first, second = await asyncio.gather(*tasks)
    assert first == second == [{"seq": 1}, {"seq": 2}]
    assert counts["subscribe", topic] == 1


async def test_a_slow_consumer_gets_one_resync_instead_of_a_growing_queue(
    broadcast_url: str, make_hub: MakeHub
) -> None:
    publisher, receiver = await make_hub(broadcast_url), await make_hub(broadcast_url, queue_limit=10)
    topic = fresh_topic()
    async with receiver.subscribe(topic) as slow, receiver.subscribe(topic) as fast:
        # the fast one reads each message as it comes; the slow one reads nothing meanwhile
        for seq in range(1, 301):
            await publisher.publish(topic, {"seq": seq})
            assert await receive(fast) == {"seq": seq}
            assert slow.pending() <= 10
        assert slow.pending() == 1
        assert slow.dropped >= 290
        assert await receive(slow) is RESYNC
        assert slow.pending() == 0
        # after the resync, messages flow to it again
        await publisher.publish(topic, {"seq": 301})
        assert await receive(slow) == {"seq": 301}


async def test_the_last_subscriber_leaving_closes_the_upstream_subscription(
    broadcast_url: str, make_hub: MakeHub
) -> None:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    hub = await make_hub(broadcast_url, backend_factory=counting(counts))
    topic = fresh_topic()
    async with hub.subscribe(topic):
        async with hub.subscribe(topic):
            assert topic in hub.upstream_topics
            await assert_server_subscribers(broadcast_url, topic, 1)
        assert topic in hub.upstream_topics
        assert counts["unsubscribe", topic] == 0
    assert topic not in hub.upstream_topics and topic not in hub.topics
    assert (counts["subscribe", topic], counts["unsubscribe", topic]) == (1, 1)
    await assert_server_subscribers(broadcast_url, topic, 0)
    # and a later subscriber opens it again and receives
    async with hub.subscribe(topic) as subscription:
        await hub.publish(topic, {"again": True})
        assert await receive(subscription) == {"again": True}
    assert counts["subscribe", topic] == 2


async def assert_server_subscribers(url: str, topic: str, expected: int) -> None:
    """On Redis, ask the server itself how many connections listen on the topic."""
    if not url.startswith("redis"):
        return
    client = redis.Redis.from_url(url)
    try:
        [(_, count)] = await client.pubsub_numsub(topic)
    finally:
        await client.aclose()
    assert count == expected


async def test_a_cancelled_subscriber_releases_the_upstream_subscription(broadcast_url: str, make_hub: MakeHub) -> None:
    hub = await make_hub(broadcast_url)
    topic = fresh_topic()
    subscribed = asyncio.Event()

    async def listen() -> None:
        async with hub.subscribe(topic) as subscription:
            subscribed.set()
            async for _ in subscription:
                pass

    task = asyncio.create_task(listen())
    await asyncio.wait_for(subscribed.wait(), WAIT)
    assert topic in hub.upstream_topics
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert topic not in hub.upstream_topics and hub.subscriber_count == 0
    await assert_server_subscribers(broadcast_url, topic, 0)


async def test_a_message_too_large_for_notify_becomes_a_resync(broadcast_url: str, make_hub: MakeHub) -> None:
    publisher, receiver = await make_hub(broadcast_url), await make_hub(broadcast_url)
    topic = fresh_topic()
    async with receiver.subscribe(topic) as subscription:
        await publisher.publish(topic, {"blob": "x" * 9000})
        assert await receive(subscription) is RESYNC
        await publisher.publish(topic, {"small": 1})
        assert await receive(subscription) == {"small": 1}


async def test_a_timed_out_wait_loses_nothing(broadcast_url: str, make_hub: MakeHub) -> None:
    hub = await make_hub(broadcast_url)
    topic = fresh_topic()
    async with hub.subscribe(topic) as subscription:
        for _ in range(3):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(anext(subscription), 0.01)
        await hub.publish(topic, {"seq": 1})
        assert await receive(subscription) == {"seq": 1}


async def test_subscriptions_end_when_the_hub_stops(broadcast_url: str) -> None:
    hub = Hub(broadcast_url)
    await hub.start()
    async with hub.subscribe(fresh_topic()) as subscription:
        reader = asyncio.create_task(receive_until(subscription, "never"))
        await asyncio.sleep(0)
        await hub.stop()
        assert not hub.healthy
        # the iteration ends (StopAsyncIteration surfaces as RuntimeError from anext in a task)
        results = await asyncio.gather(reader, return_exceptions=True)
        assert isinstance(results[0], StopAsyncIteration | RuntimeError)


async def test_a_lost_publish_makes_every_process_resync(make_hub: MakeHub) -> None:
    url = f"memory://{uuid.uuid4().hex}"
    publisher, receiver = await make_hub(url, ping_interval=0.05), await make_hub(url)
    topic = fresh_topic()
    backend = publisher._backend
    assert backend is not None
    real_publish = backend.publish
    failures = 1

    async def flaky_publish(channel: str, message: object) -> None:
        nonlocal failures
        if channel == topic and failures:
            failures -= 1
            raise ConnectionError("the network hiccuped")
        await real_publish(channel, message)

    backend.publish = flaky_publish  # type: ignore[method-assign]
    async with receiver.subscribe(topic) as subscription:
        await publisher.publish(topic, {"seq": 1})  # lost, and must not raise
        assert await receive(subscription) is RESYNC
        await publisher.publish(topic, {"seq": 2})
        assert await receive(subscription) == {"seq": 2}
    await eventually(lambda: publisher.healthy)
