"""GET /metrics of a real `flowdeck serve`: what SERVER.md's Observability section promises.

Expected figures are those of the workload each test drives, counted by the test itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from pathlib import Path

import httpx
import websockets
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.conftest import StartFlowdeck
from tests.observability.helpers import (
    PROJECT,
    RUN,
    call,
    create_workflow,
    open_subscription,
    parse,
    post,
    scrape,
    start_run,
    value,
    wait_for,
)

EXPORT = "mutation { exportRuns(input: {format: CSV}) { job { id status } errors { code message } } }"
EXPORT_JOB = "query($id: ID!) { exportJob(id: $id) { status url } }"
RUN_CHANGED = "subscription { runChanged { id status } }"
MISSING_RUN = "UnVuOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=="  # Run:<nil uuid>
CANCEL_MISSING = f'mutation {{ cancelRun(input: {{id: "{MISSING_RUN}"}}) {{ errors {{ code }} }} }}'
WORKFLOWS = [
    # noop then a step that fails with no retry: 2 started, 1 completed, 1 failed, the run FAILED
    (
        "breaks",
        [
            {"ref": "a", "type": "TASK", "handler": "noop"},
            {"ref": "boom", "type": "TASK", "handler": "fail", "config": {"message": "no"}, "dependsOn": ["a"]},
        ],
    ),
    # a step for an external worker that never comes: the run stays RUNNING, the queue "billing" holds 1
    ("waits", [{"ref": "charge", "type": "TASK", "handler": "noop", "queue": "billing"}]),
]


class Requests:
    """The GraphQL operations this test sends, by (operation type, outcome)."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, operation_type: str, outcome: str = "ok") -> None:
        self.counts[(operation_type, outcome)] = self.counts.get((operation_type, outcome), 0) + 1


async def test_metrics_follow_what_the_server_did(start_flowdeck: StartFlowdeck):
    server = start_flowdeck()
    sent = Requests()
    call(server, PROJECT)
    sent.add("mutation")
    for key, steps in WORKFLOWS:
        create_workflow(server, key, steps)
        sent.add("mutation")
    failing = start_run(server, "breaks")
    waiting = start_run(server, "waits")
    sent.add("mutation")
    sent.add("mutation")

    def status_of(run_id: str) -> str:
        sent.add("query")
        return str(call(server, RUN, {"id": run_id})["run"]["status"])

    wait_for("the failing run fails", lambda: status_of(failing) == "FAILED")
    wait_for("the waiting run runs", lambda: status_of(waiting) == "RUNNING")

    bad_key = post(server, "{ me { name } }", key="fdk_not-a-key").json()
    assert bad_key["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    sent.add("query", "error")
    assert call(server, CANCEL_MISSING)["cancelRun"]["errors"] == [{"code": "NOT_FOUND"}]
    sent.add("mutation")  # a payload error: the operation itself answered

    job = call(server, EXPORT)["exportRuns"]["job"]
    sent.add("mutation")

    def export_status() -> str:
        sent.add("query")
        return str(call(server, EXPORT_JOB, {"id": job["id"]})["exportJob"]["status"])

    wait_for("the export completes", lambda: export_status() == "COMPLETED")

    socket = await open_subscription(server, server.key or "", RUN_CHANGED)
    try:
        samples = wait_for(
            "the open subscription is counted",
            lambda: (
                (s := scrape(server)) and value(s, "flowdeck_open_subscriptions", subscription="runChanged") == 1 and s
            ),
        )
    finally:
        await socket.close()

    for (operation_type, outcome), count in sent.counts.items():
        assert (
            value(samples, "flowdeck_graphql_requests_total", operation_type=operation_type, outcome=outcome) == count
        ), (operation_type, outcome)
    queries_ok = sent.counts[("query", "ok")]
    assert value(samples, "flowdeck_graphql_request_duration_seconds_count", operation_type="query") == queries_ok + 1
    assert value(samples, "flowdeck_errors_total", code="UNAUTHENTICATED", where="top_level") == 1
    assert value(samples, "flowdeck_errors_total", code="NOT_FOUND", where="payload") == 1
    assert value(samples, "flowdeck_steps_total", event="started") == 2
    assert value(samples, "flowdeck_steps_total", event="completed") == 1
    assert value(samples, "flowdeck_steps_total", event="failed") == 1
    assert value(samples, "flowdeck_runs_ended_total", status="FAILED") == 1
    assert value(samples, "flowdeck_runs", status="FAILED") == 1
    assert value(samples, "flowdeck_runs", status="RUNNING") == 1
    assert value(samples, "flowdeck_runs", status="COMPLETED") == 0
    assert value(samples, "flowdeck_export_jobs", status="COMPLETED") == 1
    assert value(samples, "flowdeck_worker_queue_depth", queue="billing") == 1
    assert value(samples, "flowdeck_worker_queue_lag_seconds", queue="billing") > 0
    assert value(samples, "flowdeck_engine_queue_depth", kind="step") == 0
    assert value(samples, "flowdeck_engine_queue_lag_seconds") == 0
    assert value(samples, "flowdeck_open_websockets") == 1
    assert value(samples, "flowdeck_broadcast_reconnects_total") == 0
    assert value(
        samples, "flowdeck_http_request_duration_seconds_count", route="/graphql", method="POST", status="200"
    ) == sum(sent.counts.values())

    after = wait_for(
        "the closed socket is no longer counted",
        lambda: (s := scrape(server)) and value(s, "flowdeck_open_websockets") == 0 and s,
    )
    assert value(after, "flowdeck_open_subscriptions", subscription="runChanged") == 0


SCRAPER = {"Authorization": "Bearer scrape-me"}


def _per_process(directory: Path, scratch: Path, name: str, **labels: str) -> dict[int, float]:
    """One figure as each process recorded it, read from that process's files alone."""
    counts: dict[int, float] = {}
    pids = {int(path.stem.rsplit("_", 1)[1]) for path in directory.glob("*.db")}
    for pid in pids:
        alone = scratch / str(pid)
        alone.mkdir(parents=True)
        for path in directory.glob(f"*_{pid}.db"):
            shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        samples = parse(generate_latest(registry).decode())
        counts[pid] = value(samples, name, **labels)
    return counts


async def test_a_multi_worker_server_reports_every_process(start_flowdeck: StartFlowdeck, tmp_path: Path):
    metrics_dir = tmp_path / "metrics"
    env = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "FLOWDECK_METRICS_KEY": "scrape-me"}
    server = start_flowdeck(env, workers=2)
    url = f"{server.url}/metrics"
    # FLOWDECK_METRICS_KEY: no header, a wrong key, an API key: 401
    for headers in ({}, {"Authorization": "Bearer scrape-mf"}, server.headers):
        assert httpx.get(url, headers=headers).status_code == 401
    sent = 0
    # a new connection each time: the kernel hands them to either worker; go on until both served some
    for _ in range(400):
        with httpx.Client() as client:
            response = client.post(server.graphql_url, json={"query": "{ me { name } }"}, headers=server.headers)
        assert response.status_code == 200
        sent += 1
        if sent % 10 == 0:
            per_process = _per_process(
                metrics_dir,
                tmp_path / f"scratch{sent}",
                "flowdeck_graphql_requests_total",
                operation_type="query",
                outcome="ok",
            )
            if len([count for count in per_process.values() if count > 0]) == 2:
                break
    assert len([count for count in per_process.values() if count > 0]) == 2, per_process
    for _ in range(6):  # whichever worker answers the scrape reports both
        with httpx.Client() as client:
            samples = parse(client.get(url, headers=SCRAPER).text)
        assert value(samples, "flowdeck_graphql_requests_total", operation_type="query", outcome="ok") == sent
        assert value(samples, "flowdeck_server_processes") == 2

    # a worker killed with a websocket open: its live figures leave the sums, and uvicorn replaces it
    socket = await open_subscription(server, server.key or "", "subscription { runChanged { id status } }")
    holders = _per_process(metrics_dir, tmp_path / "sockets", "flowdeck_open_websockets")
    [holder] = [pid for pid, count in holders.items() if count == 1]
    os.kill(holder, signal.SIGKILL)
    wait_for(
        "the killed worker's socket leaves the sum and a new worker serves",
        lambda: (
            (s := scrape(server, key="scrape-me"))
            and value(s, "flowdeck_open_websockets") == 0
            and value(s, "flowdeck_server_processes") == 2
        ),
    )
    with contextlib.suppress(websockets.ConnectionClosed):
        await socket.close()

    assert server.stop() == 0
    # a new server instance on the same directory starts from zero: the old figures were cleaned
    again = start_flowdeck(env)
    samples = scrape(again, key="scrape-me")
    assert value(samples, "flowdeck_graphql_requests_total", operation_type="query", outcome="ok") == 0
    assert value(samples, "flowdeck_server_processes") == 1
