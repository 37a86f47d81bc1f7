"""The floor of live delivery on this stack: a bare uvicorn websocket app (no GraphQL, no
database) sending one pre-encoded text frame to N connections.

    .venv/bin/python bench/ws_floor.py [--connections 1000] [--rounds 20] [--impls websockets-sansio,websockets,wsproto]
                                       [--deflate off,on] [--writers loop,tasks]
    # flowdeck's own protocol class (what `flowdeck serve` runs) beside uvicorn's:
    .venv/bin/python bench/ws_floor.py --deflate off --impls websockets-sansio,flowdeck

For each uvicorn websocket implementation and permessage-deflate setting, one server process
(`uvicorn --ws IMPL`, uvloop, httptools) is started; this process opens N websocket connections
to it (the client negotiates permessage-deflate, as browsers and the `websockets` client do; the
server accepts it only when deflate is on) and reads every frame. Then, per writer:
  - loop: one task sends the frame to every connection in turn (`await send(...)` each): the
    cost of the ASGI send alone;
  - tasks: one task per connection waits on a shared event and sends when woken: the send plus
    one task wake-up per connection (how a task per subscriber delivers).
Printed per configuration: server CPU per frame (process CPU inside the server around the
rounds, so independent of the client's share of the box), frames per server CPU-second, wall
frames per second until the client had them all, and server RSS per idle connection
((RSS with N connected - RSS before) / N). Figures only; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

# a runEvents `next` frame of the size the live bench delivers
FRAME = (
    '{"id":"00000000-0000-4000-8000-000000000001","type":"next","payload":{"data":{"runEvents":'
    '{"seq":17,"at":"2026-12-02T01:23:45.678901+00:00","type":"STEP_COMPLETED"}}}}'
)
CONNECT_CONCURRENCY = 50
# --impls flowdeck: the protocol class `flowdeck serve` runs (app/websocket_protocol.py)
FLOWDECK_PROTOCOL = "app.websocket_protocol:LeanWebSocketsSansIOProtocol"

# -- the server: a bare ASGI app ---------------------------------------------------------------

_connections: dict[int, Any] = {}  # id -> the connection's ASGI send


class _Round(asyncio.Event):
    """A round of the `tasks` writer; `following` is the next one, made when this one is set."""

    following: _Round


_round = _Round()
_pending = 0
_round_done = asyncio.Event()


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def _connection(receive: Any, send: Any) -> None:
    global _pending
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    _connections[id(send)] = send
    # the connection's task ends when the client goes (its disconnect cancels it)
    task = asyncio.current_task()
    assert task is not None
    asyncio.ensure_future(receive()).add_done_callback(lambda _: task.cancel())
    message = {"type": "websocket.send", "text": FRAME}
    waiting = _round
    try:
        while True:
            await waiting.wait()
            await send(message)
            _pending -= 1
            if _pending == 0:
                _round_done.set()
            waiting = waiting.following
    except asyncio.CancelledError:
        pass
    finally:
        del _connections[id(send)]


async def _blast(rounds: int, writer: str) -> dict[str, float]:
    global _round, _pending
    gc.collect()
    message = {"type": "websocket.send", "text": FRAME}
    sends = list(_connections.values())
    cpu = time.process_time()
    for _ in range(rounds):
        if writer == "loop":
            for send in sends:
                await send(message)
        else:
            _round_done.clear()
            _pending = len(sends)
            current = _round
            _round = current.following = _Round()
            current.set()
            await _round_done.wait()
    return {"cpu": time.process_time() - cpu, "frames": rounds * len(sends)}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] == "websocket":
        await _connection(receive, send)
        return
    query = dict(part.split("=") for part in scope["query_string"].decode().split("&") if part)
    if scope["path"] == "/blast":
        body = await _blast(int(query["rounds"]), query["writer"])
    else:
        gc.collect()
        body = {"rss_kib": _rss_kib(), "connections": len(_connections)}
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


# -- the client --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    def __init__(self) -> None:
        self.received = 0
        self.arrived = asyncio.Event()
        self.expected = 0
        self.sockets: list[Any] = []

    async def _read(self, ws: Any) -> None:
        async for _ in ws:
            self.received += 1
            if self.received >= self.expected:
                self.arrived.set()

    async def connect(self, url: str, n: int) -> list[asyncio.Task[None]]:
        slots = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def one() -> Any:
            async with slots:
                return await websockets.connect(url, max_queue=None, ping_interval=None, open_timeout=60)

        self.sockets = await asyncio.gather(*(one() for _ in range(n)))
        return [asyncio.create_task(self._read(ws)) for ws in self.sockets]


async def measure(impl: str, deflate: bool, args: argparse.Namespace) -> list[dict[str, Any]]:
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "bench.ws_floor:app", "--port", str(port),
        "--ws", FLOWDECK_PROTOCOL if impl == "flowdeck" else impl,
        "--loop", "uvloop", "--http", "httptools", "--log-level", "warning", "--lifespan", "on",
        "--timeout-graceful-shutdown", "5",
    ]  # fmt: skip
    if not deflate:
        command.append("--ws-per-message-deflate=false")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    server = subprocess.Popen(command, env=env)
    rows = []
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300) as http:
            for _ in range(200):
                try:
                    before = (await http.get("/stats")).json()
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            client = Client()
            readers = await client.connect(f"ws://127.0.0.1:{port}/", args.connections)
            await asyncio.sleep(1)
            idle = (await http.get("/stats")).json()
            assert idle["connections"] == args.connections, idle
            per_connection = (idle["rss_kib"] - before["rss_kib"]) / args.connections
            for writer in args.writers:
                client.expected = client.received + args.rounds * args.connections
                client.arrived.clear()
                started = time.perf_counter()
                result = (await http.get("/blast", params={"rounds": args.rounds, "writer": writer})).json()
                await client.arrived.wait()
                wall = time.perf_counter() - started
                rows.append(
                    {
                        "impl": impl,
                        "deflate": "on" if deflate else "off",
                        "writer": writer,
                        "us_per_frame": result["cpu"] / result["frames"] * 1e6,
                        "frames_per_cpu_s": result["frames"] / result["cpu"],
                        "frames_per_s": result["frames"] / wall,
                        "kib_per_conn": per_connection,
                        "negotiated": client.sockets[0].response.headers.get("Sec-WebSocket-Extensions", "") or "-",
                    }
                )
            for ws in client.sockets:
                await ws.close()
            for reader in readers:
                reader.cancel()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--impls", default="websockets-sansio,websockets,wsproto")
    parser.add_argument("--deflate", default="off,on")
    parser.add_argument("--writers", default="loop,tasks")
    args = parser.parse_args()
    args.writers = args.writers.split(",")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.connections} connections, "
          f"{args.rounds} rounds of a {len(FRAME)}-byte frame")  # fmt: skip
    print(f"{'impl':<18} {'deflate':<7} {'writer':<6} {'us CPU/frame':>12} {'frames/CPU-s':>12} "
          f"{'frames/s':>9} {'KiB/conn':>9}  negotiated")  # fmt: skip
    for impl in args.impls.split(","):
        if impl == "wsproto":
            try:
                import wsproto  # noqa: F401
            except ImportError:
                print("wsproto: not installed (pip install wsproto), skipped")
                continue
        for deflate in args.deflate.split(","):
            for row in await measure(impl, deflate == "on", args):
                print(f"{row['impl']:<18} {row['deflate']:<7} {row['writer']:<6} {row['us_per_frame']:>12.1f} "
                      f"{row['frames_per_cpu_s']:>12,.0f} {row['frames_per_s']:>9,.0f} {row['kib_per_conn']:>9.1f}  "
                      f"{row['negotiated']}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    asyncio.run(main())
