"""The API through a real `flowdeck serve` (uvicorn) and a real HTTP client."""

from __future__ import annotations

import http.client
import subprocess
import sys
import time
from typing import Any

import httpx

from tests.servers import FlowdeckServer

CREATE_PROJECT = 'mutation { createProject(input: {key: "acme", name: "Acme"}) { project { key } errors { message } } }'
CREATE_KEY = (
    """mutation { createApiKey(input: {name: "ops", role: OPERATOR, project: "acme"}) { secret errors { message } } }"""
)
CREATE_ADMIN = (
    """mutation { createApiKey(input: {name: "adm", role: ADMIN, project: "acme"}) { secret errors { message } } }"""
)
CREATE_WORKFLOW = """
mutation($steps: [StepDefinitionInput!]!) {
  createWorkflow(input: {project: "acme", key: "chain", name: "Chain", steps: $steps}) {
    workflow { key } errors { message field }
  }
}"""
START = 'mutation { startRun(input: {workflowKey: "chain", input: {x: 1}}) { run { id status } errors { message } } }'
RUN = """query($id: ID!) {
  run(id: $id) { status output steps { ref status attempt } events(first: 50) { edges { node { seq type } } } }
}"""


def post(
    server: FlowdeckServer, query: str, variables: dict[str, Any] | None = None, secret: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    response = httpx.post(
        server.graphql_url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()


def data(
    server: FlowdeckServer, query: str, variables: dict[str, Any] | None = None, secret: str | None = None
) -> dict[str, Any]:
    body = post(server, query, variables, secret or server.key)
    assert "errors" not in body, body
    return body["data"]


def test_a_client_creates_a_project_key_workflow_and_runs_it(live_server: FlowdeckServer):
    assert data(live_server, CREATE_PROJECT)["createProject"] == {"project": {"key": "acme"}, "errors": []}
    admin = data(live_server, CREATE_ADMIN)["createApiKey"]["secret"]
    operator = data(live_server, CREATE_KEY)["createApiKey"]["secret"]
    steps = [
        {"ref": ref, "type": "TASK", "handler": "echo" if ref == "b" else "noop", "dependsOn": [prev] if prev else []}
        for prev, ref in ((None, "a"), ("a", "b"), ("b", "c"))
    ]
    assert data(live_server, CREATE_WORKFLOW, {"steps": steps}, admin)["createWorkflow"]["errors"] == []
    started = data(live_server, START, secret=operator)["startRun"]
    assert started["errors"] == [] and started["run"]["status"] == "PENDING"
    deadline = time.monotonic() + 15
    while True:
        run = data(live_server, RUN, {"id": started["run"]["id"]}, operator)["run"]
        if run["status"] == "COMPLETED" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert run["status"] == "COMPLETED", run
    assert [(s["ref"], s["status"], s["attempt"]) for s in run["steps"]] == [
        ("a", "COMPLETED", 1),
        ("b", "COMPLETED", 1),
        ("c", "COMPLETED", 1),
    ]
    assert run["output"]["b"]["input"] == {"x": 1}
    seqs = [edge["node"]["seq"] for edge in run["events"]["edges"]]
    assert seqs == list(range(1, len(seqs) + 1))
    types = [edge["node"]["type"] for edge in run["events"]["edges"]]
    assert types[:2] == ["RUN_CREATED", "RUN_STARTED"] and types[-1] == "RUN_COMPLETED"


def test_auth_failures_are_top_level_errors_with_a_code(live_server: FlowdeckServer):
    for secret in (None, "fdk_unknown"):
        body = post(live_server, "{ me { name } }", secret=secret)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    data(live_server, CREATE_PROJECT)
    operator = data(live_server, CREATE_KEY)["createApiKey"]["secret"]
    body = post(live_server, CREATE_ADMIN, secret=operator)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    keys = data(live_server, "{ apiKeys { id name } }")["apiKeys"]
    ops = next(k["id"] for k in keys if k["name"] == "ops")
    assert data(live_server, "{ me { name } }", secret=operator)["me"]["name"] == "ops"
    data(live_server, "mutation($id: ID!) { revokeApiKey(id: $id) { errors { message } } }", {"id": ops})
    body = post(live_server, "{ me { name } }", secret=operator)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_limits_are_rejected_not_capped(live_server: FlowdeckServer):
    body = post(live_server, "{ runs(first: 101) { totalCount } }", secret=live_server.key)
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "101" in body["errors"][0]["message"] and "FLOWDECK_MAX_PAGE_SIZE" in body["errors"][0]["message"]
    nested = "id"
    for _ in range(4):  # 4 levels of runs/edges/node/workflow: 16 deep, over the default 12
        nested = f"runs {{ edges {{ node {{ workflow {{ {nested} }} }} }} }}"
    deep = "{ " + nested + " }"
    body = post(live_server, deep, secret=live_server.key)
    assert body["data"] is None and "exceeds maximum operation depth" in body["errors"][0]["message"]


def test_an_idle_connection_outlives_a_clients_keep_alive(live_server: FlowdeckServer):
    # httpx keeps an idle connection 5 s and uvicorn closed its own after 5 s too: a request
    # sent on it as the server closed it failed with ReadError (seen in bench/soak.py). The
    # server keeps it FLOWDECK_KEEP_ALIVE_SECONDS (75 by default): still open after 6 s idle.
    connection = http.client.HTTPConnection("127.0.0.1", live_server.port, timeout=10)
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        assert (first.status, first.read()) == (200, b"ok")
        sock = connection.sock
        time.sleep(6)  # the idle time itself is what is tested
        connection.request("GET", "/healthz")  # on the same socket: it was not closed meanwhile
        assert connection.sock is sock
        second = connection.getresponse()  # RemoteDisconnected if the server closed it
        assert (second.status, second.read()) == (200, b"ok")
    finally:
        connection.close()


def test_health_and_readiness(live_server: FlowdeckServer):
    assert httpx.get(f"{live_server.url}/healthz").status_code == 200
    ready = httpx.get(f"{live_server.url}/readyz")
    assert ready.status_code == 200 and ready.json() == {"database": True, "broadcast": True}


def test_graphiql_is_served_to_browsers_from_flowdeck_itself(live_server: FlowdeckServer):
    page = httpx.get(live_server.graphql_url, headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()


def test_bad_configuration_stops_the_start_with_one_line(tmp_path):
    for env, variable in (
        ({"FLOWDECK_DATABASE_URL": "mysql://x/y"}, "FLOWDECK_DATABASE_URL"),
        ({"FLOWDECK_DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing"}, "FLOWDECK_DATABASE_URL"),
        ({"FLOWDECK_BROADCAST_URL": "kafka://x"}, "FLOWDECK_BROADCAST_URL"),
        ({"FLOWDECK_MAX_PAGE_SIZE": "lots"}, "FLOWDECK_MAX_PAGE_SIZE"),
        ({"FLOWDECK_HANDLERS": "no_such_module_here"}, "FLOWDECK_HANDLERS"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "app", "serve", "--port", "1"],
            env={"PATH": "/usr/bin:/bin", **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, (env, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"flowdeck: {variable}"), (env, result.stderr)
        assert "Traceback" not in result.stderr


def test_graphiql_assets_are_served_compressed_or_plain_as_the_client_accepts(live_server: FlowdeckServer):
    url = f"{live_server.url}/graphiql/static/graphiql.min.js"
    with httpx.Client() as client:
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert packed.status_code == plain.status_code == 200
    assert packed.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert packed.content == plain.content and plain.headers["content-type"].startswith("text/javascript")
    assert "immutable" in plain.headers["cache-control"]
    assert httpx.get(f"{live_server.url}/graphiql/static/..%2Fapp.py").status_code == 404
    assert httpx.get(f"{live_server.url}/graphiql/static/nope.js").status_code == 404
