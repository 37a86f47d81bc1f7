"""The websocket protocol `flowdeck serve` runs with: uvicorn's websockets-sansio, minus the
handshake objects it would keep for the connection's life; frames still flow both ways."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
import websockets

from app.websocket_protocol import LeanWebSocketsSansIOProtocol, uvicorn_ws

scopes: list[dict[str, Any]] = []


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "websocket"
    scopes.append(scope)
    await receive()  # websocket.connect
    await send({"type": "websocket.accept", "subprotocol": "graphql-transport-ws"})
    while (message := await receive())["type"] == "websocket.receive":
        await send({"type": "websocket.send", "text": message["text"].upper()})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_handshake_objects_are_dropped_once_it_is_done_and_frames_still_flow():
    port = free_port()
    config = uvicorn.Config(echo, host="127.0.0.1", port=port, ws=uvicorn_ws("websockets-sansio"), lifespan="off")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                await asyncio.sleep(0.01)
            async with websockets.connect(f"ws://127.0.0.1:{port}/", subprotocols=["graphql-transport-ws"]) as client:
                assert client.subprotocol == "graphql-transport-ws"  # the response went out whole
                await client.send("ping")
                assert await client.recv() == "PING"
                (protocol,) = server.server_state.connections
                assert isinstance(protocol, LeanWebSocketsSansIOProtocol)
                assert not hasattr(protocol, "request") and not hasattr(protocol, "response")
                # the parser's generator still holds the request: its headers were emptied ...
                held = protocol.conn.parser.gi_frame.f_locals["request"]
                assert list(held.headers.raw_items()) == []
                # ... and the app read them from its scope, which has its own copy
                assert (b"sec-websocket-protocol", b"graphql-transport-ws") in scopes[-1]["headers"]
                await client.send("again")
                assert await client.recv() == "AGAIN"
    finally:
        server.should_exit = True
        await serving


def test_other_implementations_are_uvicorns_own():
    assert uvicorn_ws("wsproto") == "wsproto"
