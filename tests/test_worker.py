"""`flowdeck worker` against a real server: claims queued steps, runs handlers, reports back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import FlowdeckServer, spawn

ROOT = Path(__file__).resolve().parent.parent
SETUP = """
mutation($steps: [StepDefinitionInput!]!) {
  createProject(input: {key: "shop", name: "Shop"}) { errors { message } }
  createWorkflow(input: {project: "shop", key: "payment", name: "Payment", steps: $steps}) { errors { message field } }
}"""
START = """mutation {
  startRun(input: {project: "shop", workflowKey: "payment", input: {amount: 42}}) { run { id } errors { message } }
}"""
RUN = """query($id: ID!) { run(id: $id) {
  status output steps { ref status attempt jobRunId } updates { type message details }
  events(first: 100) { edges { node { type stepRef } } } } }"""


def gql(server: FlowdeckServer, query: str, variables: dict | None = None) -> dict:
    body = httpx.post(
        server.graphql_url, json={"query": query, "variables": variables or {}}, headers=server.headers
    ).json()
    assert "errors" not in body, body
    return body["data"]


def test_worker_runs_queued_steps_with_retries(live_server: FlowdeckServer):
    steps = [
        {"ref": "charge", "type": "TASK", "handler": "charge-card", "queue": "payments"},
        {
            "ref": "refund",
            "type": "TASK",
            "handler": "flaky-refund",
            "queue": "payments",
            "dependsOn": ["charge"],
            "retry": {"maxAttempts": 3, "backoffSeconds": 0.1},
        },
    ]
    assert gql(live_server, SETUP, {"steps": steps})["createWorkflow"]["errors"] == []
    run_id = gql(live_server, START)["startRun"]["run"]["id"]
    worker = spawn(
        [
            sys.executable,
            "-m",
            "app",
            "worker",
            "--url",
            live_server.url,
            f"--key={live_server.key}",  # a secret may start with "-"
            "--queue",
            "payments",
            "--handlers",
            "tests.fixtures.worker_handlers",
            "--concurrency",
            "2",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            run = gql(live_server, RUN, {"id": run_id})["run"]
            if run["status"] == "COMPLETED" or time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=20)[0].decode()
    assert run["status"] == "COMPLETED", (run, output)
    assert worker.returncode == 0, output
    assert run["output"] == {"charge": {"charged": 42, "attempt": 1}, "refund": {"refunded": True}}
    assert [(s["ref"], s["attempt"]) for s in run["steps"]] == [("charge", 1), ("refund", 2)]
    assert all(s["jobRunId"] for s in run["steps"])
    assert run["updates"] == [{"type": "UPDATE", "message": "charging", "details": {"amount": 42}}]
    refund_events = [e["node"]["type"] for e in run["events"]["edges"] if e["node"]["stepRef"] == "refund"]
    assert "STEP_RETRY_SCHEDULED" in refund_events and refund_events[-1] == "STEP_COMPLETED"


def test_worker_with_a_bad_key_stops_with_one_line(live_server: FlowdeckServer):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "worker",
            "--url",
            live_server.url,
            "--key",
            "fdk_wrong",
            "--queue",
            "q",
            "--handlers",
            "tests.fixtures.worker_handlers",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "UNAUTHENTICATED" in result.stdout and "Traceback" not in result.stderr
