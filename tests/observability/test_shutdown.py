"""SIGTERM on `flowdeck serve`, `flowdeck engine` and `flowdeck worker` (SERVER.md, Observability):
stop accepting, let requests in flight finish, close websockets with 1001, give back held
steps so that another process takes them at once, exit 0."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import websockets

from app.observability.shutdown import OpenWebsockets
from models import StepRun
from tests.conftest import StartFlowdeck
from tests.observability.helpers import (
    PROJECT,
    RUN,
    call,
    create_workflow,
    open_subscription,
    output_of,
    start_process,
    start_run,
    stop_process,
)
from tests.servers import FlowdeckServer

# Held steps run for 300 s under leases of 60 s: a step taken over within TAKEOVER seconds was
# given back by the process that stopped, not found after its lease ran out.
LEASE = "60"
TAKEOVER = 15.0
NAP = [{"ref": "nap", "type": "TASK", "handler": "sleep", "config": {"seconds": 300}}]


async def until(what: str, check: Callable[[], Awaitable[Any]], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what}: not after {timeout}s (last: {last!r})")


def held_by(pid: int, attempt: int) -> Callable[[], Awaitable[bool]]:
    """The step `nap` is RUNNING as `attempt`, held by the engine of process `pid`."""

    async def check() -> bool:
        rows = await StepRun.filter(ref="nap").values_list("status", "attempt", "worker_id")
        return rows == [("RUNNING", attempt, rows[0][2])] and f":{pid}:" in (rows[0][2] or "")

    return check


async def engine_started(process: subprocess.Popen[bytes]) -> bool:
    return "started" in output_of(process) and process.poll() is None


def refuses_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return False
    except OSError:
        return True


def begin_request(server: FlowdeckServer) -> tuple[socket.socket, bytes]:
    """A POST whose headers and first bytes are sent; the rest of its body is returned, to send later."""
    body = json.dumps({"query": "{ me { name } }"}).encode()
    head = (
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {server.key}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    client = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    client.sendall(head + body[:7])
    return client, body[7:]


def finish_request(client: socket.socket, rest: bytes) -> bytes:
    client.sendall(rest)
    answer = b""
    while chunk := client.recv(65536):
        answer += chunk
    client.close()
    return answer


async def test_serve_then_engine_stop_cleanly_and_give_their_step_to_another_engine(
    start_flowdeck: StartFlowdeck, database_url: str, tmp_path: Path
):
    env = {"FLOWDECK_DATABASE_URL": database_url, "FLOWDECK_ENGINE_POLL": "0.05", "FLOWDECK_ENGINE_LEASE": LEASE}
    server = start_flowdeck({"FLOWDECK_ENGINE_LEASE": LEASE})
    assert server.process is not None
    call(server, PROJECT)
    create_workflow(server, "long", NAP)
    start_run(server, "long")
    await until("the server's engine runs the step", held_by(server.process.pid, 1))
    standby = start_process(["engine"], env, tmp_path)
    await until("the standby engine is up", lambda: engine_started(standby))

    subscriber = await open_subscription(server, server.key or "", "subscription { runChanged { id status } }")
    client, rest = begin_request(server)
    server.process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(subscriber.recv(), 15)
        raise AssertionError("the subscription got a message instead of being closed")
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code == 1001, closed
    await until("the server stops accepting connections", lambda: asyncio.to_thread(refuses_connections, server.port))
    answer = finish_request(client, rest)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert b'{"data":{"me":{"name":"bootstrap"}}}' in answer
    assert server.process.wait(timeout=30) == 0, server.output()
    await until("the standby engine takes the step over", held_by(standby.pid, 2), timeout=TAKEOVER)

    # the same for `flowdeck engine` itself
    successor = start_process(["engine"], env, tmp_path)
    await until("the successor engine is up", lambda: engine_started(successor))
    status, output = stop_process(standby)
    assert status == 0, output
    await until("the successor engine takes the step over", held_by(successor.pid, 3), timeout=TAKEOVER)
    status, output = stop_process(successor)
    assert status == 0, output
    assert "Traceback" not in output


async def test_worker_finishes_what_it_can_and_gives_back_the_rest(start_flowdeck: StartFlowdeck, tmp_path: Path):
    server = start_flowdeck()
    call(server, PROJECT)
    steps = [
        {"ref": "quick", "type": "TASK", "handler": "sleep", "queue": "slow", "config": {"seconds": 1.5}},
        {"ref": "stuck", "type": "TASK", "handler": "sleep", "queue": "slow", "config": {"seconds": 300}},
    ]
    create_workflow(server, "jobs", steps)
    run_id = start_run(server, "jobs")
    key = server.key or ""
    args = ["worker", "--url", server.url, "--queue", "slow", "--handlers", "tests.fixtures.worker_handlers"]
    first = start_process(
        [*args, "--concurrency", "2", "--shutdown-grace", "3"], {"FLOWDECK_WORKER_KEY": key}, tmp_path
    )
    command_line = Path(f"/proc/{first.pid}/cmdline").read_bytes()
    assert key.encode() not in command_line  # FLOWDECK_WORKER_KEY keeps it out of `ps`

    def steps_now() -> dict[str, tuple[str, int]]:
        run = call(server, RUN, {"id": run_id})["run"]
        return {step["ref"]: (step["status"], step["attempt"]) for step in run["steps"]}

    async def both_running() -> bool:
        return steps_now() == {"quick": ("RUNNING", 1), "stuck": ("RUNNING", 1)}

    await until("the worker runs both steps", both_running)
    status, output = stop_process(first)
    assert status == 0, output
    # the quick one finished within the grace; the other was given back as the next attempt
    # (LIFECYCLE.md: a step back in QUEUED carries the number of its next attempt), not left to its lease
    assert steps_now() == {"quick": ("COMPLETED", 1), "stuck": ("QUEUED", 2)}, output
    assert "released" in output

    # --key still works ("=": a secret may start with "-")
    second = start_process([*args, f"--key={key}", "--shutdown-grace", "0"], {}, tmp_path)

    async def taken_again() -> bool:
        return steps_now()["stuck"] == ("RUNNING", 2)

    await until("another worker takes the step at once", taken_again, timeout=TAKEOVER)
    status, output = stop_process(second)
    assert status == 0, output


async def test_close_all_waits_for_each_accepted_websocket_to_end_and_no_longer_than_asked():
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    open_sockets = OpenWebsockets()
    ending, stuck = open_sockets.open(send), open_sockets.open(send)
    ending.accepted = stuck.accepted = True
    closing = asyncio.create_task(open_sockets.close_all(code=1001, wait=30))
    await until("both were sent a close", lambda: _async(len(sent) == 2))
    open_sockets.closed(ending)
    assert not closing.done()  # the other one has not ended yet
    open_sockets.closed(stuck)
    await asyncio.wait_for(closing, 5)
    assert [message["code"] for message in sent] == [1001, 1001] and len(open_sockets) == 0
    never = open_sockets.open(send)
    never.accepted = True
    await asyncio.wait_for(open_sockets.close_all(wait=0.1), 5)  # gives up after `wait`
    assert not never.ended


async def _async(value: Any) -> Any:
    return value
