"""`flowdeck engine --metrics-port`: an engine apart from the API servers shows its own figures.

SERVER.md's /metrics counts steps started/completed/failed; with the engine in a process of its
own those are counted there, so that process serves them on a port of its own. The expected
figures are the workload's, counted here: one run of a `noop` step and a `fail` step (no retry).
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.conftest import StartFlowdeck
from tests.observability.helpers import (
    PROJECT,
    RUN,
    call,
    create_workflow,
    output_of,
    parse,
    start_process,
    start_run,
    stop_process,
    value,
    wait_for,
)

BREAKS = [
    {"ref": "a", "type": "TASK", "handler": "noop"},
    {"ref": "boom", "type": "TASK", "handler": "fail", "config": {"message": "no"}, "dependsOn": ["a"]},
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def engine_scrape(port: int, key: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(f"http://127.0.0.1:{port}/metrics", headers=headers, timeout=10)


def test_an_engine_apart_serves_the_steps_it_ran(start_flowdeck: StartFlowdeck, database_url: str, tmp_path: Path):
    metrics_key = "metrics-secret-for-the-engine"
    server = start_flowdeck({"FLOWDECK_METRICS_KEY": metrics_key}, engine=False)
    port = free_port()
    engine = start_process(
        ["engine", "--metrics-port", str(port)],
        {"FLOWDECK_DATABASE_URL": database_url, "FLOWDECK_ENGINE_POLL": "0.05", "FLOWDECK_METRICS_KEY": metrics_key},
        tmp_path,
    )
    wait_for("the engine's /healthz", lambda: _answers(f"http://127.0.0.1:{port}/healthz"))
    assert engine_scrape(port).status_code == 401  # the same key as the API's /metrics
    call(server, PROJECT)
    create_workflow(server, "breaks", BREAKS)
    run_id = start_run(server, "breaks")
    wait_for("the run to fail", lambda: call(server, RUN, {"id": run_id})["run"]["status"] == "FAILED")

    response = engine_scrape(port, metrics_key)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    samples = parse(response.text)
    assert value(samples, "flowdeck_steps_total", event="started") == 2
    assert value(samples, "flowdeck_steps_total", event="completed") == 1
    assert value(samples, "flowdeck_steps_total", event="failed") == 1
    assert value(samples, "flowdeck_runs_ended_total", status="FAILED") == 1
    assert value(samples, "flowdeck_runs", status="FAILED") == 1  # the database's gauges too
    # the API server ran no step: its own counters stay at zero
    api = parse(httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {metrics_key}"}).text)
    assert value(api, "flowdeck_steps_total", event="started") == 0

    status, output = stop_process(engine)
    assert status == 0, output
    assert metrics_key not in output
    wait_for("the metrics port closed", lambda: not _answers(f"http://127.0.0.1:{port}/healthz"))


def test_a_metrics_port_in_use_stops_the_engine_with_one_line(database_url: str, tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        engine = start_process(
            ["engine", "--metrics-port", str(port)], {"FLOWDECK_DATABASE_URL": database_url}, tmp_path
        )
        assert engine.wait(timeout=60) == 2
    output = output_of(engine)
    assert f"flowdeck: --metrics-port: 127.0.0.1:{port}: Address already in use" in output
    assert "Traceback" not in output


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False
