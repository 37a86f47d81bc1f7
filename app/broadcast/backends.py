"""Broadcast backends: memory://, redis:// and postgres://.

Each backend speaks broadcaster's `BroadcastBackend` interface (connect, disconnect,
subscribe, unsubscribe, publish, next_published), written again here because the stock
ones have defects the hub cannot work around from outside (PITFALLS.md):

- `subscribe()` returns only once the server has confirmed it, so a message published
  after it returns is delivered (the stock redis backend returned after *sending* SUBSCRIBE,
  and with redis-py 8 its listener never started).
- A lost connection is reported: `next_published()` raises `BackendLost`, and the backend
  never reconnects by itself (redis-py would silently reconnect and resubscribe, hiding the
  messages lost meanwhile). The hub throws the backend away and builds a new one.
- PostgreSQL publishes through a small pool, not the LISTEN connection (asyncpg allows one
  operation at a time per connection: concurrent publishes failed), and channel names over
  PostgreSQL's 63-byte identifier limit are hashed instead of silently truncated.
- memory:// accepts only `str`, like the real servers, and is one bus per URL for the whole
  process, so two hubs in one process see each other as two server processes would.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from typing import Any
from urllib.parse import urlsplit

from broadcaster import BroadcastBackend, Event

# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
POSTGRES_MAX_PAYLOAD = 7999
POSTGRES_MAX_CHANNEL = 63


class BackendLost(ConnectionError):
    """The backend's connection is gone; messages may have been missed."""


_LOST = Event(channel="", message="")  # marker queued when the connection is lost


class Backend(BroadcastBackend):
    """broadcaster's backend interface with a confirmed subscribe and loss reporting."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._lost_error: BaseException | None = None

    def _lose(self, error: BaseException) -> None:
        """Record the loss once and wake `next_published()`."""
        if self._lost_error is None:
            self._lost_error = error
            self._queue.put_nowait(_LOST)

    def _check(self) -> None:
        if self._lost_error is not None:
            raise BackendLost(str(self._lost_error)) from self._lost_error

    async def next_published(self) -> Event:
        """The next message on a subscribed channel; raises BackendLost once the connection is gone."""
        event = await self._queue.get()
        if event is _LOST:
            self._queue.put_nowait(_LOST)  # every later call raises too
            self._check()
        return event


class _MemoryBus:
    def __init__(self) -> None:
        self.listeners: dict[str, set[MemoryBackend]] = {}


_memory_buses: dict[str, _MemoryBus] = {}


class MemoryBackend(Backend):
    """One process-wide bus per memory:// URL."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._bus = _memory_buses.setdefault(url, _MemoryBus())
        self._channels: set[str] = set()

    async def connect(self) -> None:
        pass

    async def disconnect(self) -> None:
        for channel in self._channels:
            self._bus.listeners.get(channel, set()).discard(self)
        self._channels.clear()
        self._lose(BackendLost("disconnected"))

    async def subscribe(self, channel: str) -> None:
        self._check()
        self._channels.add(channel)
        self._bus.listeners.setdefault(channel, set()).add(self)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        listeners = self._bus.listeners.get(channel)
        if listeners is not None:
            listeners.discard(self)
            if not listeners:
                del self._bus.listeners[channel]

    async def publish(self, channel: str, message: Any) -> None:
        if not isinstance(message, str):
            raise TypeError(f"broadcast messages are str, like on the real servers; got {type(message).__name__}")
        self._check()
        for listener in list(self._bus.listeners.get(channel, ())):
            listener._queue.put_nowait(Event(channel=channel, message=message))


class RedisBackend(Backend):
    """Redis PUBLISH/SUBSCRIBE: one pub/sub connection that listens, a pool that publishes."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        from redis import asyncio as redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        super().__init__(url)
        # No retries on the listening connection: redis-py would reconnect and resubscribe
        # by itself, and the messages published meanwhile would be lost without a trace.
        self._listen_client = redis.Redis.from_url(
            url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=timeout, socket_keepalive=True
        )
        self._publish_client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self._pubsub = self._listen_client.pubsub()
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        await self._pubsub.connect()
        # The reader runs from the start (not once a channel exists, the redis-py 8 trap):
        # it also receives the confirmations that `subscribe()` waits for.
        self._reader = asyncio.create_task(self._read(), name="flowdeck-redis-reader")

    async def _read(self) -> None:
        try:
            while True:
                message = await self._pubsub.get_message(timeout=None)
                if message is None:
                    continue
                kind = message["type"]
                channel = _text(message["channel"])
                if kind == "message":
                    self._queue.put_nowait(Event(channel=channel, message=_text(message["data"])))
                elif kind == "subscribe":
                    waiter = self._confirmations.pop(channel, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(None)
        except asyncio.CancelledError:
            self._lose(BackendLost("disconnected"))
            raise
        except Exception as error:
            self._lose(error)
        finally:
            for waiter in self._confirmations.values():
                if not waiter.done():
                    waiter.set_exception(BackendLost("connection lost before SUBSCRIBE was confirmed"))
            self._confirmations.clear()

    async def disconnect(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        with contextlib.suppress(Exception):
            await self._pubsub.aclose()
        with contextlib.suppress(Exception):
            await self._listen_client.aclose()
        with contextlib.suppress(Exception):
            await self._publish_client.aclose()
        self._lose(BackendLost("disconnected"))

    async def subscribe(self, channel: str) -> None:
        self._check()
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = waiter
        try:
            await self._pubsub.subscribe(channel)
            await waiter
        finally:
            if self._confirmations.get(channel) is waiter:
                del self._confirmations[channel]

    async def unsubscribe(self, channel: str) -> None:
        self._check()
        await self._pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self._publish_client.publish(channel, message)


class PostgresBackend(Backend):
    """PostgreSQL LISTEN/NOTIFY: one connection that listens, a small pool that notifies."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        super().__init__(url)
        self._timeout = timeout
        self._conn: Any = None
        self._pool: Any = None
        self._topics: dict[str, str] = {}  # PostgreSQL channel -> topic

    async def connect(self) -> None:
        import asyncpg

        self._conn = await asyncpg.connect(
            self.url, timeout=self._timeout, server_settings={"application_name": "flowdeck-broadcast"}
        )
        self._conn.add_termination_listener(self._on_terminated)
        try:
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=4,
                timeout=self._timeout,
                server_settings={"application_name": "flowdeck-broadcast-publish"},
            )
        except BaseException:
            self._conn.terminate()
            raise

    def _on_terminated(self, connection: Any) -> None:
        self._lose(BackendLost("PostgreSQL closed the LISTEN connection"))

    def _on_notify(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self._queue.put_nowait(Event(channel=self._topics.get(channel, channel), message=payload))

    async def disconnect(self) -> None:
        if self._conn is not None:
            self._conn.remove_termination_listener(self._on_terminated)
            try:
                await self._conn.close(timeout=self._timeout)
            except Exception:
                self._conn.terminate()
        if self._pool is not None:
            try:
                await asyncio.wait_for(self._pool.close(), self._timeout)
            except Exception:
                self._pool.terminate()
        self._lose(BackendLost("disconnected"))

    async def subscribe(self, channel: str) -> None:
        self._check()
        name = postgres_channel(channel)
        self._topics[name] = channel
        await self._conn.add_listener(name, self._on_notify)

    async def unsubscribe(self, channel: str) -> None:
        self._check()
        name = postgres_channel(channel)
        await self._conn.remove_listener(name, self._on_notify)
        self._topics.pop(name, None)

    async def publish(self, channel: str, message: Any) -> None:
        if len(message.encode()) > POSTGRES_MAX_PAYLOAD:
            raise ValueError(f"NOTIFY payload of {len(message.encode())} bytes; PostgreSQL takes under 8000")
        await self._pool.execute("SELECT pg_notify($1, $2)", postgres_channel(channel), message)


def postgres_channel(topic: str) -> str:
    """The PostgreSQL channel of a topic: itself, or a hash when over the 63-byte identifier limit."""
    if len(topic.encode()) <= POSTGRES_MAX_CHANNEL:
        return topic
    return "flowdeck.h." + hashlib.sha256(topic.encode()).hexdigest()[:40]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def make_backend(url: str) -> Backend:
    """The backend for a FLOWDECK_BROADCAST_URL (memory://, redis://, rediss://, postgres://, postgresql://)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "memory":
        return MemoryBackend(url)
    if scheme in ("redis", "rediss"):
        return RedisBackend(url)
    if scheme in ("postgres", "postgresql"):
        return PostgresBackend(url)
    raise ValueError(f"unsupported broadcast URL scheme {scheme!r}; use memory://, redis:// or postgres://")
