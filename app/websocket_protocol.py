"""uvicorn's websockets-sansio protocol, minus the handshake objects it keeps for a connection's
whole life.

uvicorn keeps the upgrade request and the response it answered with (their `websockets`
Headers and all) on the protocol object, and never reads them once the handshake response is
written: the ASGI scope carries the headers the app reads. On a server holding thousands of
idle subscribers that is a few KiB each (bench/ws_floor.py measures it). `flowdeck serve` runs
with this class when FLOWDECK_WS_IMPLEMENTATION is `websockets-sansio` (the default).
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class LeanWebSocketsSansIOProtocol(WebSocketsSansIOProtocol):
    def start_keepalive(self) -> None:
        # uvicorn calls this once, right after it wrote the handshake response. The request
        # stays referenced anyway by the `websockets` parser's generator (a local of its
        # handshake step, which goes on parsing frames for the connection's life): its headers
        # (~2.5 KiB of strings) are emptied, the scope has its own copy of them.
        self.request.headers.clear()
        del self.request
        del self.response
        super().start_keepalive()


def uvicorn_ws(implementation: str) -> str:
    """uvicorn's `ws` setting for FLOWDECK_WS_IMPLEMENTATION."""
    if implementation == "websockets-sansio":
        return f"{__name__}:{LeanWebSocketsSansIOProtocol.__name__}"
    return implementation


__all__ = ["LeanWebSocketsSansIOProtocol", "uvicorn_ws"]
