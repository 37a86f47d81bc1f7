"""The per-process hub: one upstream subscription per topic, fanned out to bounded local queues.

Subscribers never talk to the backend. The first local subscriber of a topic opens the
upstream subscription (and waits until the server confirmed it), later ones share it, and
the last one to leave closes it. Each subscriber has a bounded queue: when it overflows, the
queue is emptied and a single `RESYNC` takes its place, so a slow consumer costs a re-read
from the database, never unbounded memory.

When the backend connection is lost, the hub reconnects with backoff, subscribes every
wanted topic again, and then gives every subscriber a `RESYNC` (messages may have been
missed meanwhile); `healthy` is False until then. Publishes that failed meanwhile are made
good by a fleet-wide resync message once the connection is back, so subscribers in *other*
processes re-read too.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

from app.broadcast.backends import POSTGRES_MAX_PAYLOAD, Backend, BackendLost, make_backend
from app.observability import live_trace
from app.observability.metrics import BROADCAST_RECONNECTS

log = logging.getLogger("flowdeck.pubsub")


class _Resync:
    """The type of `RESYNC`: one instance, compared with `is`."""

    _instance: _Resync | None = None

    def __new__(cls) -> _Resync:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "RESYNC"


RESYNC: Final = _Resync()
"""Delivered instead of messages that may have been lost: re-read from the database."""

# Messages larger than this become a resync of their topic for every subscriber (the
# smallest backend limit, PostgreSQL NOTIFY's, applied everywhere so memory:// tests see it).
MAX_PAYLOAD: Final = POSTGRES_MAX_PAYLOAD
RESYNC_KEY: Final = "__resync__"
RESYNC_PAYLOAD: Final = json.dumps({RESYNC_KEY: True})
# Every hub listens here; a message on it resyncs every subscriber of every process.
FLEET_RESYNC_TOPIC: Final = "flowdeck.hub.resync"

QUEUE_LIMIT = 100
PING_INTERVAL = 5.0
OPERATION_TIMEOUT = 5.0
RECONNECT_MIN = 0.1
RECONNECT_MAX = 5.0


class Subscription:
    """One local subscriber's bounded queue; iterate it for message dicts and `RESYNC`.

    The dicts are shared between the subscribers of a topic: read them, do not change them.
    Iteration ends when the hub stops.
    """

    __slots__ = ("_closed", "_items", "_limit", "_waiter", "dropped", "topic")

    def __init__(self, topic: str, limit: int) -> None:
        self.topic = topic
        self._limit = limit
        self._items: collections.deque[dict[str, Any] | _Resync] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self.dropped = 0  # messages replaced by a RESYNC

    def __repr__(self) -> str:
        return f"<Subscription {self.topic} queued={len(self._items)} dropped={self.dropped}>"

    def pending(self) -> int:
        """How many items wait in the queue (never more than the hub's queue limit)."""
        return len(self._items)

    def _put(self, message: dict[str, Any]) -> None:
        items = self._items
        if items and items[0] is RESYNC:
            # a re-read is already due, and it will see what this message announces
            self.dropped += 1
            return
        if len(items) >= self._limit:
            self.dropped += len(items) + 1
            items.clear()
            items.append(RESYNC)
        else:
            items.append(message)
        self._wake()

    def _resync(self) -> None:
        self.dropped += len(self._items)
        self._items.clear()
        self._items.append(RESYNC)
        self._wake()

    def _close(self) -> None:
        self._closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any] | _Resync:
        # Cancelling a wait (asyncio.wait_for around anext) loses nothing: items stay queued.
        while not self._items:
            if self._closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


class Hub:
    """One process's connection to the broadcast backend, shared by all its subscribers."""

    def __init__(
        self,
        url: str = "memory://",
        *,
        queue_limit: int = QUEUE_LIMIT,
        ping_interval: float = PING_INTERVAL,
        operation_timeout: float = OPERATION_TIMEOUT,
        reconnect_min: float = RECONNECT_MIN,
        reconnect_max: float = RECONNECT_MAX,
        backend_factory: Callable[[str], Backend] = make_backend,
    ) -> None:
        self.url = url
        self.queue_limit = queue_limit
        self.ping_interval = ping_interval
        self.operation_timeout = operation_timeout
        self.reconnect_min = reconnect_min
        self.reconnect_max = reconnect_max
        self._backend_factory = backend_factory
        self._backend: Backend | None = None  # set while connected
        self._verified = False  # a ping went round on the current connection
        self._first_ping = asyncio.Event()
        self._topics: dict[str, set[Subscription]] = {}  # wanted: topic -> local subscribers
        self._upstream: set[str] = set()  # subscribed on the current connection
        self._lock = asyncio.Lock()  # serialises upstream subscribe/unsubscribe and (re)connects
        self._ping_topic = f"flowdeck.hub.ping.{uuid.uuid4().hex}"
        self._pings: dict[str, asyncio.Future[None]] = {}
        self._unsent = 0  # publishes lost since the last fleet resync
        self._supervisor: asyncio.Task[None] | None = None
        self._lost: asyncio.Event | None = None
        self._stopped = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.reconnects = 0

    # -- state -------------------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        """True while connected, with every wanted topic subscribed and a ping gone round (publish
        and receive both work)."""
        return self._backend is not None and self._verified and not self._stopped

    @property
    def topics(self) -> frozenset[str]:
        """Topics with at least one local subscriber."""
        return frozenset(self._topics)

    @property
    def upstream_topics(self) -> frozenset[str]:
        """Topics subscribed at the backend (the hub's own control topics left out)."""
        return frozenset(self._upstream)

    @property
    def subscriber_count(self) -> int:
        return sum(len(subscribers) for subscribers in self._topics.values())

    @property
    def safe_url(self) -> str:
        """The URL without its password, for logs."""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect (raising the backend's error when that fails) and keep the connection up."""
        backend = await self._open()
        self._supervisor = asyncio.create_task(self._supervise(backend), name="flowdeck-broadcast-hub")
        # healthy from the first moment: /readyz right after start must not see a 503
        try:
            await asyncio.wait_for(self._first_ping.wait(), self.operation_timeout)
        except TimeoutError:
            await self.stop()
            raise BackendLost(f"no ping back from {self.safe_url} within {self.operation_timeout}s") from None

    async def stop(self) -> None:
        """Disconnect; every subscription's iteration ends."""
        self._stopped = True
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(BaseException):
                await self._supervisor
        for task in list(self._tasks):
            task.cancel()
        backend, self._backend = self._backend, None
        if backend is not None:
            await self._close_backend(backend)
        for subscribers in self._topics.values():
            for subscription in subscribers:
                subscription._close()

    async def _open(self) -> Backend:
        backend = self._backend_factory(self.url)
        try:
            async with asyncio.timeout(self.operation_timeout):
                await backend.connect()
                async with self._lock:
                    await backend.subscribe(FLEET_RESYNC_TOPIC)
                    await backend.subscribe(self._ping_topic)
                    wanted = set(self._topics)
                    for topic in wanted:
                        await backend.subscribe(topic)
                    self._upstream = wanted
                    self._verified = False
                    self._backend = backend
        except BaseException:
            await self._close_backend(backend)
            raise
        return backend

    async def _close_backend(self, backend: Backend) -> None:
        try:
            async with asyncio.timeout(self.operation_timeout):
                await backend.disconnect()
        except Exception as error:
            log.debug("closing the broadcast backend: %s", error)

    async def _supervise(self, backend: Backend | None) -> None:
        delay = self.reconnect_min
        while True:
            if backend is None:
                try:
                    backend = await self._open()
                except Exception as error:
                    log.warning(
                        "broadcast: cannot reconnect to %s (%s); next try in %.1fs", self.safe_url, error, delay
                    )
                    await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                    delay = min(delay * 2, self.reconnect_max)
                    continue
                self.reconnects += 1
                BROADCAST_RECONNECTS.inc()
                log.warning("broadcast: reconnected to %s; subscribers resync from the database", self.safe_url)
                # Whatever was published while we were away is lost to our subscribers.
                self._resync_all()
            delay = self.reconnect_min
            try:
                await self._make_good_unsent(backend)
                await self._serve(backend)
            except Exception as error:
                log.warning("broadcast: lost the connection to %s (%s); reconnecting", self.safe_url, error)
            finally:
                self._backend = None
                self._verified = False
                self._upstream = set()
                await self._close_backend(backend)
            backend = None

    async def _serve(self, backend: Backend) -> None:
        """Read and ping until the connection fails."""
        lost = self._lost = asyncio.Event()
        tasks = [
            asyncio.create_task(self._read(backend)),
            asyncio.create_task(self._ping(backend)),
            asyncio.create_task(lost.wait()),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
            raise BackendLost("an upstream operation failed")
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _read(self, backend: Backend) -> None:
        while True:
            event = await backend.next_published()
            self._dispatch(event.channel, event.message)

    async def _ping(self, backend: Backend) -> None:
        """Publish to our own channel and wait for it to come back: proves both directions work."""
        while True:
            token = uuid.uuid4().hex
            arrived: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._pings[token] = arrived
            try:
                async with asyncio.timeout(self.operation_timeout):
                    await backend.publish(self._ping_topic, token)
                    await arrived
            except TimeoutError:
                raise BackendLost(f"no ping back within {self.operation_timeout}s") from None
            finally:
                self._pings.pop(token, None)
            self._verified = True
            self._first_ping.set()
            await self._make_good_unsent(backend)
            await asyncio.sleep(self.ping_interval)

    def _lose(self, backend: Backend, error: BaseException) -> None:
        log.warning("broadcast: upstream operation failed (%s)", error)
        if self._backend is backend and self._lost is not None:
            self._lost.set()

    # -- fan-out -------------------------------------------------------------------------

    def _dispatch(self, topic: str, payload: str) -> None:
        if topic == self._ping_topic:
            arrived = self._pings.get(payload)
            if arrived is not None and not arrived.done():
                arrived.set_result(None)
            return
        if topic == FLEET_RESYNC_TOPIC:
            self._resync_all()
            return
        subscribers = self._topics.get(topic)
        if not subscribers:
            return
        try:
            message = json.loads(payload)
        except ValueError:
            log.error("broadcast: a message on %s is not JSON; ignored: %.200r", topic, payload)
            return
        if not isinstance(message, dict):
            log.error("broadcast: a message on %s is not a JSON object; ignored: %.200r", topic, payload)
            return
        if message.get(RESYNC_KEY) is True:
            for subscription in tuple(subscribers):
                subscription._resync()
            return
        trace = live_trace.TRACE
        if trace is not None and isinstance(message.get("seq"), int):
            trace.note(str(message.get("run")), message["seq"], "hub")
        for subscription in tuple(subscribers):
            subscription._put(message)

    def _resync_all(self) -> None:
        for subscribers in self._topics.values():
            for subscription in subscribers:
                subscription._resync()

    # -- subscribe -----------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: str) -> AsyncIterator[Subscription]:
        """A local subscription to `topic`, live once this returns: a message published after
        it is delivered (or, if the connection is down, a RESYNC once it is back)."""
        if self._stopped:
            raise RuntimeError("the broadcast hub is stopped")
        subscription = Subscription(topic, self.queue_limit)
        # Registered before any await: concurrent first subscribers share one entry.
        subscribers = self._topics.setdefault(topic, set())
        subscribers.add(subscription)
        try:
            await self._sync_upstream(topic)
            yield subscription
        finally:
            subscribers.discard(subscription)
            subscription._close()
            if not subscribers and self._topics.get(topic) is subscribers:
                del self._topics[topic]
                # shielded: a cancelled subscriber still closes the upstream subscription
                release = asyncio.create_task(self._sync_upstream(topic))
                self._tasks.add(release)
                release.add_done_callback(self._tasks.discard)
                await asyncio.shield(release)

    async def _sync_upstream(self, topic: str) -> None:
        """Make the backend's subscription to `topic` match whether anyone here wants it."""
        async with self._lock:
            backend = self._backend
            if backend is None:
                return  # the reconnect subscribes every wanted topic, then sends RESYNC
            wanted = topic in self._topics
            if wanted == (topic in self._upstream):
                return
            try:
                async with asyncio.timeout(self.operation_timeout):
                    if wanted:
                        await backend.subscribe(topic)
                        self._upstream.add(topic)
                    else:
                        self._upstream.discard(topic)
                        await backend.unsubscribe(topic)
            except Exception as error:
                # The supervisor reconnects, subscribes what is wanted, and resyncs everyone.
                self._lose(backend, error)

    # -- publish -------------------------------------------------------------------------

    async def publish(self, topic: str, message: Mapping[str, Any]) -> None:
        """Send a message to every subscriber of `topic` in every process; never raises."""
        payload = json.dumps(message, separators=(",", ":"), default=str)
        if len(payload.encode()) > MAX_PAYLOAD:
            log.error("broadcast: a %d-byte message on %s is too large; sending a resync", len(payload), topic)
            payload = RESYNC_PAYLOAD
        backend = self._backend
        if backend is None:
            self._unsent += 1
            return
        try:
            async with asyncio.timeout(self.operation_timeout):
                await backend.publish(topic, payload)
        except Exception as error:
            self._unsent += 1
            log.warning("broadcast: publish to %s failed (%s); subscribers will resync", topic, error)

    async def _make_good_unsent(self, backend: Backend) -> None:
        """After lost publishes, tell every process's subscribers to re-read."""
        if not self._unsent:
            return
        lost, self._unsent = self._unsent, 0
        try:
            async with asyncio.timeout(self.operation_timeout):
                await backend.publish(FLEET_RESYNC_TOPIC, RESYNC_PAYLOAD)
        except Exception:
            self._unsent += lost
            raise
        log.warning("broadcast: %d publishes were lost; every subscriber resyncs", lost)
