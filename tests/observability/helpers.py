"""What the observability tests share: GraphQL calls against a real server, scrapes, a raw websocket."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import websockets
from prometheus_client.parser import text_string_to_metric_families

from tests.servers import FlowdeckServer, flowdeck_command, spawn

ROOT = Path(__file__).resolve().parent.parent.parent
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

SETUP = """mutation($key: String!, $steps: [StepDefinitionInput!]!) {
  createWorkflow(input: {project: "obs", key: $key, name: $key, steps: $steps}) { errors { message field } }
}"""
PROJECT = 'mutation { createProject(input: {key: "obs", name: "Obs"}) { errors { message } } }'
START = """mutation($wf: String!) {
  startRun(input: {project: "obs", workflowKey: $wf}) { run { id } errors { code message } }
}"""
RUN = "query($id: ID!) { run(id: $id) { status steps { ref status attempt } } }"


def post(
    server: FlowdeckServer,
    query: str,
    variables: Mapping[str, Any] | None = None,
    key: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    return httpx.post(
        server.graphql_url,
        json={"query": query, "variables": dict(variables or {})},
        headers={"Authorization": f"Bearer {key or server.key}", **(headers or {})},
        timeout=30,
    )


def call(server: FlowdeckServer, query: str, variables: Mapping[str, Any] | None = None, key: str | None = None) -> Any:
    body = post(server, query, variables, key).json()
    assert "errors" not in body, body
    return body["data"]


def create_workflow(server: FlowdeckServer, key: str, steps: list[dict[str, Any]]) -> None:
    assert call(server, SETUP, {"key": key, "steps": steps})["createWorkflow"]["errors"] == []


def start_run(server: FlowdeckServer, workflow: str) -> str:
    payload = call(server, START, {"wf": workflow})["startRun"]
    assert payload["errors"] == [], payload
    return str(payload["run"]["id"])


def wait_for(what: str, check: Callable[[], Any], timeout: float = 20.0, every: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what}: not after {timeout}s (last: {last!r})")


def scrape(server: FlowdeckServer, key: str | None = None) -> Samples:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.get(f"{server.url}/metrics", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist (yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


async def open_subscription(server: FlowdeckServer, key: str, query: str) -> websockets.ClientConnection:
    """A graphql-transport-ws socket with one subscription started; the caller closes it."""
    socket = await websockets.connect(server.ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")])
    await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
    ack = json.loads(await socket.recv())
    assert ack["type"] == "connection_ack", ack
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return socket


def start_process(args: list[str], env: Mapping[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    """A `flowdeck` subcommand (engine, worker) with `env` over the tests' environment minus FLOWDECK_*.
    Its output goes to a file in `cwd` (`output_of` reads it)."""
    full_env = {name: value for name, value in os.environ.items() if not name.startswith("FLOWDECK_")}
    full_env.update(env)
    full_env["PYTHONPATH"] = str(ROOT)
    log = cwd / f"{args[0]}-{time.monotonic_ns()}.log"
    with log.open("wb") as output:
        process = spawn(
            [*flowdeck_command(), *args],
            env=full_env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    _logs[process.pid] = log
    return process


_logs: dict[int, Path] = {}


def output_of(process: subprocess.Popen[bytes]) -> str:
    return _logs[process.pid].read_text(errors="replace")


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30.0) -> tuple[int, str]:
    """SIGTERM; the exit status and everything it printed."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return process.returncode, output_of(process)
