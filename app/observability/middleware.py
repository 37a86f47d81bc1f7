"""One ASGI middleware for what every request shares: its id, its latency, the open websockets.

Pure ASGI (no BaseHTTPMiddleware), so the request id's context variable is set in the very
task that serves the request and is seen by every log line written for it, uvicorn's
access line included.
"""

from __future__ import annotations

import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import metrics
from app.observability.logs import bind_request_id, reset_request_id
from app.observability.shutdown import OpenWebsockets

REQUEST_ID_HEADER = b"x-request-id"
# a client's own id is kept when it is a sane token; anything else is replaced
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def request_id_of(scope: Scope) -> str:
    """The client's X-Request-Id when it is a sane token, else a new one."""
    for name, value in scope.get("headers") or ():
        if name.lower() == REQUEST_ID_HEADER:
            candidate = value.decode("latin-1")
            if SANE_REQUEST_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def _with_request_id(message: Message, request_id: str) -> Message:
    headers = [(name, value) for name, value in message.get("headers") or () if name.lower() != REQUEST_ID_HEADER]
    headers.append((REQUEST_ID_HEADER, request_id.encode()))
    return {**message, "headers": headers}


class ObservabilityMiddleware:
    """X-Request-Id on every response, the id bound for logging, HTTP latency, websockets counted."""

    def __init__(self, app: ASGIApp, websockets: OpenWebsockets) -> None:
        self.app = app
        self.websockets = websockets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope)
        token = bind_request_id(request_id)
        started = time.perf_counter()
        status = 500  # what uvicorn answers when the app fails before starting a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = _with_request_id(message, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            metrics.HTTP_DURATION.labels(
                route=metrics.route_label(scope.get("path", "")), method=scope.get("method", ""), status=str(status)
            ).observe(time.perf_counter() - started)
        # Only on a normal return: after a failure the id stays bound (uvicorn serves each request
        # in a task of its own), so that uvicorn's report of the failure names the request too.
        reset_request_id(token)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = request_id_of(scope)
        token = bind_request_id(request_id)
        connection = self.websockets.open(send)

        async def send_tracked(message: Message) -> None:
            if message["type"] == "websocket.accept":
                message = _with_request_id(message, request_id)
                metrics.OPEN_WEBSOCKETS.inc()
                connection.accepted = True
            await connection.send(message)

        try:
            await self.app(scope, receive, send_tracked)
        finally:
            if connection.accepted:
                metrics.OPEN_WEBSOCKETS.dec()
            self.websockets.closed(connection)
        reset_request_id(token)
