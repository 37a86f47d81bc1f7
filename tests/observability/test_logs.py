"""Request ids on every response and in every log line; JSON logs; no API key secret in any log or export."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import secrets
import uuid
from pathlib import Path

import httpx
import websockets

from app.observability.logs import (
    RequestIdFilter,
    bind_request_id,
    make_formatter,
    outside_request,
    reset_request_id,
)
from tests.conftest import StartFlowdeck
from tests.observability.helpers import (
    PROJECT,
    RUN,
    call,
    create_workflow,
    open_subscription,
    post,
    start_process,
    start_run,
    stop_process,
    wait_for,
)
from tests.servers import FlowdeckServer

SANE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
JSON_KEYS = {"time", "level", "logger", "message", "request_id"}
CREATE_KEY = """mutation($name: String!, $role: Role!) {
  createApiKey(input: {name: $name, role: $role, project: "obs"}) { apiKey { id } secret errors { code message } }
}"""
REVOKE_KEY = "mutation($id: ID!) { revokeApiKey(id: $id) { errors { code message } } }"
EXPORT = "mutation { exportRuns(input: {format: JSONL}) { job { id } errors { code message } } }"
EXPORT_JOB = "query($id: ID!) { exportJob(id: $id) { status url } }"


async def test_request_id_is_kept_when_sane_and_made_otherwise(live_server: FlowdeckServer):
    kept = "client-7.a_B"
    answer = post(live_server, "{ me { name } }", headers={"X-Request-Id": kept})
    assert answer.headers["x-request-id"] == kept
    made = set()
    for header in ({}, {"X-Request-Id": "has spaces"}, {"X-Request-Id": "x" * 129}, {"X-Request-Id": "a/b;c"}):
        for response in (
            post(live_server, "{ me { name } }", headers=header),
            httpx.get(f"{live_server.url}/healthz", headers=header),
            httpx.get(f"{live_server.url}/no-such-route", headers=header),
            post(live_server, "{ nonsense }", headers=header),
        ):
            request_id = response.headers["x-request-id"]
            assert SANE.match(request_id) and request_id != header.get("X-Request-Id"), (header, request_id)
            made.add(request_id)
    assert len(made) == 16  # a new one each time
    assert httpx.get(f"{live_server.url}/metrics", headers={"X-Request-Id": kept}).headers["x-request-id"] == kept
    # and on a websocket's handshake
    protocol = [websockets.Subprotocol("graphql-transport-ws")]
    async with websockets.connect(
        live_server.ws_url, subprotocols=protocol, additional_headers={"X-Request-Id": kept}
    ) as ws:
        assert ws.response.headers["x-request-id"] == kept
    async with websockets.connect(live_server.ws_url, subprotocols=protocol) as ws:
        assert SANE.match(ws.response.headers["x-request-id"])


def _json_lines(output: str) -> list[dict]:
    lines = []
    for line in output.splitlines():
        record = json.loads(line)  # every line is one JSON object
        assert isinstance(record, dict) and record.keys() >= JSON_KEYS, line
        lines.append(record)
    return lines


async def _workload(server: FlowdeckServer, tmp_path: Path) -> tuple[list[str], str]:
    """Keys created, used over HTTP and websockets, bad keys sent, a key revoked, a worker run, an export.
    Returns every secret the workload saw, and the output of the worker."""
    call(server, PROJECT)
    created = {}
    for name, role in (("ops", "OPERATOR"), ("viewer", "VIEWER"), ("gone", "VIEWER")):
        payload = call(server, CREATE_KEY, {"name": name, "role": role})["createApiKey"]
        assert payload["errors"] == [] and payload["secret"]
        created[name] = (payload["apiKey"]["id"], payload["secret"])
    bad = [f"fdk_{secrets.token_urlsafe(32)}", secrets.token_hex(20)]
    for _key_id, secret in created.values():
        assert call(server, "{ me { name } }", key=secret)["me"]["name"]
    socket = await open_subscription(server, created["viewer"][1], "subscription { runChanged { id status } }")
    for wrong in bad:
        answer = post(server, "{ me { name } }", key=wrong).json()
        assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        refused = await websockets.connect(server.ws_url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")])
        await refused.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {wrong}"}}))
        try:
            await asyncio.wait_for(refused.recv(), 10)
        except websockets.ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == 4403
    assert call(server, REVOKE_KEY, {"id": created["gone"][0]})["revokeApiKey"]["errors"] == []
    revoked = post(server, "{ me { name } }", key=created["gone"][1]).json()
    assert revoked["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    create_workflow(server, "billing", [{"ref": "charge", "type": "TASK", "handler": "echo", "queue": "billing"}])
    run_id = start_run(server, "billing")
    worker = start_process(
        ["worker", "--url", server.url, "--queue", "billing", "--handlers", "tests.fixtures.worker_handlers"],
        {"FLOWDECK_WORKER_KEY": created["ops"][1], "FLOWDECK_LOG_FORMAT": "json", "FLOWDECK_LOG_LEVEL": "debug"},
        tmp_path,
    )
    try:
        wait_for("the worker runs the step", lambda: call(server, RUN, {"id": run_id})["run"]["status"] == "COMPLETED")
    finally:
        status, worker_output = stop_process(worker)
    assert status == 0, worker_output
    await socket.close()

    job = call(server, EXPORT, key=created["ops"][1])["exportRuns"]["job"]
    url = wait_for(
        "the export completes", lambda: call(server, EXPORT_JOB, {"id": job["id"]})["exportJob"]["url"], timeout=30
    )
    downloaded = httpx.get(f"{server.url}{url}", headers={"Authorization": f"Bearer {created['ops'][1]}"})
    assert downloaded.status_code == 200 and run_id in downloaded.text
    return [server.key or "", *(secret for _id, secret in created.values()), *bad], worker_output


async def test_json_logs_name_the_request_and_no_secret_is_ever_written(start_flowdeck: StartFlowdeck, tmp_path: Path):
    export_dir = tmp_path / "exports"
    server = start_flowdeck(
        {"FLOWDECK_LOG_FORMAT": "json", "FLOWDECK_LOG_LEVEL": "debug", "FLOWDECK_EXPORT_DIR": str(export_dir)}
    )
    every_secret, worker_output = await _workload(server, tmp_path)
    probe = f"probe-{uuid.uuid4().hex}"
    runs = post(server, "{ runs(first: 5) { edges { node { id } } } }", headers={"X-Request-Id": probe})
    assert runs.status_code == 200
    assert server.process is not None
    server.process.terminate()
    assert server.process.wait(timeout=30) == 0
    output = server.output()

    server_lines = _json_lines(output)
    worker_lines = _json_lines(worker_output)
    assert {line["level"] for line in server_lines} >= {"DEBUG", "INFO"}
    # the request's own lines: uvicorn's access line and the database's statements, among others
    probe_lines = [line for line in server_lines if line["request_id"] == probe]
    assert {"uvicorn.access", "tortoise.db_client"} <= {line["logger"] for line in probe_lines}, probe_lines
    assert any(line["logger"] == "uvicorn.access" and "POST /graphql" in line["message"] for line in probe_lines)
    # lines outside any request say so
    assert any(line["request_id"] == "-" and line["logger"] == "flowdeck.engine" for line in server_lines)

    written = [output, worker_output]
    exported = sorted(export_dir.iterdir())
    assert exported, "the export wrote no file"
    written += [path.read_text() for path in exported]
    for secret in every_secret:
        assert len(secret) > 16
        for text in written:
            assert secret not in text
    assert len(server_lines) > 100 and len(worker_lines) > 3


def test_a_json_line_carries_the_request_id_and_the_events_own_fields():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter("json"))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("flowdeck.test-json-line")
    logger.addHandler(handler)
    logger.propagate = False
    token = bind_request_id("req-42")
    try:
        logger.warning("export %s failed", "e1", extra={"job": "e1", "rows": 3})
        # a task a request starts for everyone's use does not carry that request's id
        outside_request().run(logger.warning, "shared feed")
    finally:
        reset_request_id(token)
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "export e1 failed" and first["level"] == "WARNING"
    assert first["logger"] == "flowdeck.test-json-line" and first["request_id"] == "req-42"
    assert first["job"] == "e1" and first["rows"] == 3 and "T" in first["time"]
    assert second["request_id"] == "-"
