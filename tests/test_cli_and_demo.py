"""The `flowdeck` command: demo, apikey create, migrate; readiness when the database goes away."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import httpx

from tests.servers import FlowdeckServer, PostgresServer

STATS = "{ runStats { byStatus { status count } } }"
RUNS_BY_WORKFLOW = "{ runs(first: 100) { totalCount edges { node { workflow { key } status tags { key value } } } } }"
DEMO_SCHEDULE = """{ schedule(key: "billing-sync-every-minute", project: "demo") {
  cron state workflow { key } nextFireTimes(count: 2) recentFires { outcome run { triggeredBy } } } }"""


def run_cli(*args: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_prints_its_key_and_loads_four_workflows_with_runs(start_flowdeck):
    server: FlowdeckServer = start_flowdeck(demo=True)
    assert f"GraphiQL at http://127.0.0.1:{server.port}/graphql" in server.output()
    assert f"Bearer {server.key}" in server.output()
    body = httpx.post(server.graphql_url, json={"query": RUNS_BY_WORKFLOW}, headers=server.headers, timeout=10).json()
    runs = [edge["node"] for edge in body["data"]["runs"]["edges"]]
    assert {run["workflow"]["key"] for run in runs} == {
        "offboard-user",
        "billing-sync",
        "ingest-document",
        "agent-conversation",
    }
    conversation = next(run for run in runs if run["workflow"]["key"] == "agent-conversation")
    assert {"key": "kind", "value": "conversation"} in conversation["tags"]
    # with the engine at work, the demo's runs come to rest in every status there is
    deadline = time.monotonic() + 30
    while True:
        stats = httpx.post(server.graphql_url, json={"query": STATS}, headers=server.headers, timeout=10).json()
        empty = [row["status"] for row in stats["data"]["runStats"]["byStatus"] if row["count"] == 0]
        if not empty or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert empty == [], f"no demo run is {empty}"
    # a schedule that fires every minute, fired once at load
    schedule = httpx.post(server.graphql_url, json={"query": DEMO_SCHEDULE}, headers=server.headers, timeout=10).json()
    schedule = schedule["data"]["schedule"]
    assert (schedule["cron"], schedule["state"], schedule["workflow"]["key"]) == ("* * * * *", "ACTIVE", "billing-sync")
    assert schedule["recentFires"][-1] == {"outcome": "STARTED", "run": {"triggeredBy": "SCHEDULE"}}
    first, second = (dt.datetime.fromisoformat(text) for text in schedule["nextFireTimes"])
    assert second - first == dt.timedelta(minutes=1)


def test_apikey_create_and_migrate(tmp_path, database_url, db):
    env = {"FLOWDECK_DATABASE_URL": database_url}
    assert run_cli("migrate", env=env, cwd=tmp_path).returncode == 0
    missing = run_cli("apikey", "create", "--name", "ci", "--role", "VIEWER", env=env, cwd=tmp_path)
    assert missing.returncode == 2 and "--project is required" in missing.stderr
    created = run_cli("apikey", "create", "--name", "root", "--role", "SUPERADMIN", env=env, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("fdk_") and "shown only once" in created.stderr
    unknown = run_cli("apikey", "create", "--name", "x", "--role", "VIEWER", "--project", "nope", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "no project 'nope'" in unknown.stderr


def test_readyz_is_503_while_the_database_is_away(postgres_server: PostgresServer, tmp_path):
    url = postgres_server.create_database("readyz_outage")
    server = FlowdeckServer(
        {"FLOWDECK_DATABASE_URL": url, "FLOWDECK_BOOTSTRAP_KEY": "fdk_readyz"}, engine=False
    ).start()
    try:
        assert httpx.get(f"{server.url}/readyz").status_code == 200
        # committed first, so no reconnect can slip in between the terminate and the commit
        postgres_server.psql("ALTER DATABASE readyz_outage ALLOW_CONNECTIONS false")
        deadline = time.monotonic() + 15
        status = 200
        while status == 200 and time.monotonic() < deadline:
            postgres_server.psql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'readyz_outage'"
            )
            status = httpx.get(f"{server.url}/readyz", timeout=5).status_code
            time.sleep(0.1)
        assert status == 503
        assert httpx.get(f"{server.url}/healthz").status_code == 200
        postgres_server.psql("ALTER DATABASE readyz_outage ALLOW_CONNECTIONS true;")
        deadline = time.monotonic() + 10
        while status != 200 and time.monotonic() < deadline:
            status = httpx.get(f"{server.url}/readyz", timeout=5).status_code
            time.sleep(0.1)
        assert status == 200
    finally:
        server.stop()
