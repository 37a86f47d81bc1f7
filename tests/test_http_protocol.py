"""app.http_protocol: uvicorn's httptools protocol writing a response's head with its first body
part; the bytes on the wire are uvicorn's own, in fewer writes. (`flowdeck serve` runs it: every
test through tests/servers.py's FlowdeckServer goes through it.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.http_protocol import OneWriteHttpToolsProtocol


class Transport:
    """A socket's transport as the protocol sees it: what is written, each write apart."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 5000)}.get(name, default)

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...

    def set_write_buffer_limits(self, *args: Any, **kwargs: Any) -> None: ...


def _app(*bodies: bytes, length: bool = True) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        total = sum(map(len, bodies))
        headers = [(b"content-type", b"text/plain")] + ([(b"content-length", b"%d" % total)] if length else [])
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for number, body in enumerate(bodies):
            await send({"type": "http.response.body", "body": body, "more_body": number < len(bodies) - 1})

    return app


async def _served(protocol_class: type[HttpToolsProtocol], app: Any, request: bytes) -> Transport:
    config = Config(app=app, log_config=None, access_log=False, server_header=False, date_header=False)
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={})
    transport = Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(request)
    for _ in range(100):
        if protocol.cycle is not None and protocol.cycle.response_complete:
            break
        await asyncio.sleep(0)
    assert protocol.cycle is not None and protocol.cycle.response_complete
    return transport


GET = b"GET / HTTP/1.1\r\nhost: example\r\n\r\n"
HEAD = b"HEAD / HTTP/1.1\r\nhost: example\r\nconnection: close\r\n\r\n"


@pytest.mark.parametrize(
    ("app", "request_bytes", "writes", "uvicorns"),
    [
        # a Content-Length response: one write instead of two
        (_app(b"hello"), GET, 1, 2),
        # a streamed one: the head with its first part, then each part
        (_app(b"one", b"two", b"three"), GET, 3, 4),
        # chunked: the head with its first chunk, then the last chunk with its terminator
        (_app(b"one", b"two", length=False), GET, 2, 3),
        # HEAD: no body is written; the head before the connection closes
        (_app(b"hello"), HEAD, 1, 1),
    ],
)
async def test_the_same_bytes_as_uvicorns_protocol_in_fewer_writes(
    app: Any, request_bytes: bytes, writes: int, uvicorns: int
):
    theirs = await _served(HttpToolsProtocol, app, request_bytes)
    ours = await _served(OneWriteHttpToolsProtocol, app, request_bytes)
    assert b"".join(ours.writes) == b"".join(theirs.writes)
    assert b"".join(ours.writes).startswith(b"HTTP/1.1 200 OK\r\n")
    assert (len(ours.writes), len(theirs.writes)) == (writes, uvicorns)
    assert ours.closed == theirs.closed == (request_bytes == HEAD)


async def test_a_response_without_a_body_message_closes_without_its_head():
    """An application that fails after the head: uvicorn closes the connection; the held head is
    not sent (uvicorn's own protocol had sent it, then closed: a response cut short either way)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
        raise RuntimeError("failed after the head")

    config = Config(app=app, log_config=None, access_log=False)
    protocol = OneWriteHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
    transport = Transport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(GET)
    for _ in range(100):
        if transport.closed:
            break
        await asyncio.sleep(0)
    assert transport.closed and transport.writes == []


def test_serve_picks_it_unless_switched_off():
    """FLOWDECK_HTTP_ONE_WRITE: on by default, 0 gives uvicorn's own choice, a bad value names
    the variable."""
    from app.cli import _http_protocol
    from app.settings import ConfigError, load_settings

    assert _http_protocol(load_settings({}).http_one_write) is OneWriteHttpToolsProtocol
    assert _http_protocol(load_settings({"FLOWDECK_HTTP_ONE_WRITE": "0"}).http_one_write) == "auto"
    with pytest.raises(ConfigError, match="FLOWDECK_HTTP_ONE_WRITE"):
        load_settings({"FLOWDECK_HTTP_ONE_WRITE": "maybe"})
