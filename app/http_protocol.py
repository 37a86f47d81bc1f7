"""uvicorn's httptools protocol, writing a response's head and its first body part in one write
(issue 9): uvicorn writes the status line and headers to the socket when the application sends
`http.response.start`, and the body in a second write when it sends `http.response.body`: two
send() calls, two TCP segments for every response. Here the head is held until the first body
message and written in front of it (a Content-Length response, as every GraphQL response is, in
one write). Everything else is uvicorn's own code: the head is built, checked and logged by
uvicorn's `RequestResponseCycle.send`, only its `transport.write` is redirected.

`serve` uses it unless FLOWDECK_HTTP_ONE_WRITE=0 (uvicorn's own protocol then).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class _Held:
    """Stands for the transport while uvicorn writes a response's head: keeps what it writes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)


class _Prefixed:
    """The connection's transport, with the held head written in front of the first write (or
    before closing, when there is no write: a HEAD response)."""

    def __init__(self, transport: Any, head: bytes) -> None:
        self._transport = transport
        self.head: bytes | None = head

    def write(self, data: bytes) -> None:
        head, self.head = self.head, None
        self._transport.write(data if head is None else head + data)

    def flush(self) -> None:
        if self.head is not None:
            self.write(b"")

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class OneWriteCycle(RequestResponseCycle):
    """uvicorn's request/response cycle, the response's head written with its first body part."""

    _head: bytes | None = None

    async def send(self, message: Any) -> None:
        transport = self.transport
        if not self.response_started and message["type"] == "http.response.start":
            held = _Held()
            self.transport = held  # type: ignore[assignment]
            try:
                await super().send(message)
            finally:
                self.transport = transport
            self._head = b"".join(held.parts) if held.parts else None
            return
        head, self._head = self._head, None
        if head is None:
            await super().send(message)
            return
        prefixed = _Prefixed(transport, head)
        self.transport = prefixed  # type: ignore[assignment]
        try:
            await super().send(message)
        finally:
            self.transport = transport
            if not self.disconnected:
                prefixed.flush()


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol whose every request runs a `OneWriteCycle`."""

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        if type(cycle) is RequestResponseCycle:
            cycle.__class__ = OneWriteCycle
        super()._start_asgi_task(cycle, app)


__all__ = ["OneWriteCycle", "OneWriteHttpToolsProtocol"]
