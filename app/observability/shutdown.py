"""Graceful shutdown of a server process: websockets are closed with 1001 (going away).

uvicorn, on SIGTERM, stops accepting connections, lets requests in flight finish (up to
`timeout_graceful_shutdown`), then runs the lifespan's shutdown, where the engine and
the export runner give back the steps and jobs they hold. Left to itself it would close
websockets with 1012 (service restart); SERVER.md promises 1001. So the app wraps
uvicorn's signal handler: on the first SIGTERM or SIGINT it first closes every open
websocket with 1001 and waits (briefly) for the sockets to end, then hands the signal to
uvicorn. A second signal goes straight to uvicorn (its forced exit).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from starlette.types import Message, Send

log = logging.getLogger("flowdeck.shutdown")

GOING_AWAY = 1001
WEBSOCKET_CLOSE_WAIT = 3.0
SIGNALS = (signal.SIGTERM, signal.SIGINT)

SignalHandler = Callable[[int, FrameType | None], Any]


class WebsocketConnection:
    """One open websocket: its ASGI send, serialised, and whether the server has closed it."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.accepted = False
        self.closing = False
        self.ended = False
        # made only when someone waits for the end (a shutdown): an asyncio.Event per idle
        # websocket would hold ~0.7 KiB of it (its waiters' deque) for the connection's life
        self._end: asyncio.Future[None] | None = None

    def end(self) -> None:
        self.ended = True
        if self._end is not None and not self._end.done():
            self._end.set_result(None)

    async def wait_ended(self) -> None:
        if self.ended:
            return
        if self._end is None or self._end.done():
            self._end = asyncio.get_running_loop().create_future()
        await asyncio.shield(self._end)

    async def send(self, message: Message) -> None:
        if self.closing:
            return  # the server closed it (shutdown): what the app still sends has nowhere to go
        await self._send(message)

    async def close(self, code: int, reason: str) -> None:
        if self.closing or not self.accepted:
            return
        self.closing = True
        with contextlib.suppress(Exception):  # the client went away meanwhile
            await self._send({"type": "websocket.close", "code": code, "reason": reason})


class OpenWebsockets:
    """The process's open websockets (the ASGI middleware registers them)."""

    def __init__(self) -> None:
        self._connections: set[WebsocketConnection] = set()

    def open(self, send: Send) -> WebsocketConnection:
        connection = WebsocketConnection(send)
        self._connections.add(connection)
        return connection

    def closed(self, connection: WebsocketConnection) -> None:
        connection.end()
        self._connections.discard(connection)

    def __len__(self) -> int:
        return len(self._connections)

    async def close_all(self, code: int = GOING_AWAY, wait: float = WEBSOCKET_CLOSE_WAIT) -> None:
        """Close every accepted websocket with `code`; wait up to `wait` seconds for them to end."""
        connections = list(self._connections)
        if not connections:
            return
        log.info("closing %d websockets (%d)", len(connections), code)
        await asyncio.gather(*(c.close(code, "server shutting down") for c in connections))
        pending = [asyncio.ensure_future(c.wait_ended()) for c in connections if c.accepted]
        if pending:
            _done, still = await asyncio.wait(pending, timeout=wait)
            for waiter in still:
                waiter.cancel()


def _is_uvicorns(handler: object) -> bool:
    owner = getattr(handler, "__self__", None)
    return owner is not None and type(owner).__module__.startswith("uvicorn")


class GracefulShutdown:
    """Puts the websocket closing in front of uvicorn's own signal handling, in one server process."""

    def __init__(self, websockets: OpenWebsockets) -> None:
        self.websockets = websockets
        self._previous: dict[int, SignalHandler] = {}
        self._draining = False
        self._closing: asyncio.Task[None] | None = None

    def install(self) -> None:
        """Wrap uvicorn's SIGTERM/SIGINT handlers; nothing when not served by uvicorn's main thread."""
        if threading.current_thread() is not threading.main_thread():
            return
        loop = asyncio.get_running_loop()
        for sig in SIGNALS:
            previous = signal.getsignal(sig)
            if not _is_uvicorns(previous):
                continue
            assert callable(previous)
            self._previous[sig] = previous
            signal.signal(sig, functools.partial(self._on_signal, loop, previous))

    def uninstall(self) -> None:
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError):
                signal.signal(sig, previous)
        self._previous.clear()

    def _on_signal(
        self, loop: asyncio.AbstractEventLoop, previous: SignalHandler, sig: int, frame: FrameType | None
    ) -> None:
        if self._draining:
            previous(sig, frame)
            return
        self._draining = True
        log.info("received %s: shutting down", signal.Signals(sig).name)
        loop.call_soon_threadsafe(self._start_closing, loop, previous, sig)

    def _start_closing(self, loop: asyncio.AbstractEventLoop, previous: SignalHandler, sig: int) -> None:
        self._closing = loop.create_task(self._close_then(previous, sig))

    async def _close_then(self, previous: SignalHandler, sig: int) -> None:
        try:
            await self.websockets.close_all()
        finally:
            previous(sig, None)
