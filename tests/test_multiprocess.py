"""Several real server processes over one PostgreSQL and one Redis: a change made through one
reaches subscribers on another, and the engines share the work without running a step twice."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.servers import FlowdeckServer, PostgresServer, RedisServer
from tests.test_subscriptions import RUN_EVENTS, Follower, chain, collect, registered_run_changed, session

STEPS_QUERY = """query($id: ID!) {
  run(id: $id) {
    status steps { ref jobRunId attempt } events(first: 100) { totalCount edges { node { type stepRef } } }
  }
}"""
SETUP = """mutation($steps: [StepDefinitionInput!]!) {
  createProject(input: {key: "fleet", name: "Fleet"}) { errors { message } }
  createWorkflow(input: {project: "fleet", key: "wf", name: "Wf", steps: $steps}) { errors { message } }
}"""
START = 'mutation { startRun(input: {project: "fleet", workflowKey: "wf"}) { run { id } errors { message } } }'


def call(server: FlowdeckServer, query: str, variables: dict[str, Any] | None = None) -> Any:
    body = httpx.post(server.graphql_url, json={"query": query, "variables": variables or {}}, headers=server.headers)
    payload = body.json()
    assert "errors" not in payload, payload
    return payload["data"]


@pytest.fixture
def fleet_env(postgres_server: PostgresServer, redis_server: RedisServer, request: pytest.FixtureRequest) -> dict:
    database = f"fleet_{request.node.name.split('[')[0][-20:]}".lower()
    url = postgres_server.create_database(database)
    return {
        "FLOWDECK_DATABASE_URL": url,
        "FLOWDECK_BROADCAST_URL": redis_server.url,
        "FLOWDECK_BOOTSTRAP_KEY": "fdk_fleet-key",
        "FLOWDECK_ENGINE_POLL": "0.05",
    }


async def test_two_server_processes_share_events_and_work(fleet_env: dict):
    first = FlowdeckServer(fleet_env).start()
    second = FlowdeckServer(fleet_env).start()
    try:
        call(first, SETUP, {"steps": chain(2, approval=False)})
        async with session(second) as watcher:
            # a subscriber on the second process sees runs started through the first
            probes: list[str] = []

            def probe() -> str:
                probes.append(call(first, START)["startRun"]["run"]["id"])
                return probes[-1]

            changes = await registered_run_changed(watcher, 'workflow_key eq "wf"', probe)
            # as a load balancer would, alternate between the two processes
            run_ids = [call((first, second)[n % 2], START)["startRun"]["run"]["id"] for n in range(20)]
            # ... and sees each of those too, with nothing it should not see
            await changes.wait_for(lambda item: item["id"] == run_ids[0])
            assert {item["id"] for item in changes.stop()} <= {*probes, *run_ids}
            run_ids += probes
            # and follows one started through the first to its end
            events = await asyncio.wait_for(collect(watcher, RUN_EVENTS, id=run_ids[-2], after=0), 30)
        assert events[-1]["type"] == "RUN_COMPLETED"
        owners = set()
        for run_id in run_ids:
            for _ in range(200):
                run = call(second, STEPS_QUERY, {"id": run_id})["run"]
                if run["status"] == "COMPLETED":
                    break
                await asyncio.sleep(0.05)
            assert run["status"] == "COMPLETED"
            started = [e["node"]["stepRef"] for e in run["events"]["edges"] if e["node"]["type"] == "STEP_STARTED"]
            assert sorted(started) == ["s0", "s1"]  # every step ran exactly once
            assert all(step["attempt"] == 1 for step in run["steps"])
            owners.update(step["jobRunId"].split("/")[0] for step in run["steps"])
        assert len(owners) == 2, f"both engines should have taken work, saw {owners}"
    finally:
        first.stop()
        second.stop()


async def test_serve_with_two_workers_delivers_across_worker_processes(fleet_env: dict):
    server = FlowdeckServer(fleet_env, workers=2).start()
    try:
        call(server, SETUP, {"steps": chain(1, approval=True)})
        run_id = call(server, START)["startRun"]["run"]["id"]
        approve = 'mutation($id: ID!) { approveStep(input: {runId: $id, stepRef: "ask"}) { errors { message } } }'
        # several sockets land on either worker process; each sees the approval made on any
        async with session(server) as a, session(server) as b, session(server) as c:
            followers = [Follower(s, RUN_EVENTS, id=run_id, after=0) for s in (a, b, c)]
            for follower in followers:  # the first replayed event: each is live before the approval
                assert (await follower.wait_for())["seq"] == 1
            for _ in range(3):  # requests spread over both workers
                call(server, "{ me { name } }")
            assert call(server, approve, {"id": run_id})["approveStep"]["errors"] == []
            results = [await follower.result(30) for follower in followers]
        assert results[0] == results[1] == results[2]
        assert results[0][-1]["type"] == "RUN_COMPLETED"
        assert [e["seq"] for e in results[0]] == list(range(1, len(results[0]) + 1))
    finally:
        server.stop()


async def test_a_separate_engine_process_reaches_subscribers_of_an_api_only_server(fleet_env: dict):
    import os

    from tests.servers import flowdeck_command, spawn

    api = FlowdeckServer(fleet_env, engine=False).start()
    engine = spawn(
        [*flowdeck_command(), "engine"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("FLOWDECK_")}, **fleet_env},
        cwd=api.root,
    )
    try:
        call(api, SETUP, {"steps": chain(3)})
        run_id = call(api, START)["startRun"]["run"]["id"]
        async with session(api) as watcher:
            # Well under the followers' 5 s safety re-read: the events must come through the
            # broadcast from the engine process, not from that re-read.
            events = await asyncio.wait_for(collect(watcher, RUN_EVENTS, id=run_id, after=0), 4)
        assert events[-1]["type"] == "RUN_COMPLETED"
        owners = {step["jobRunId"].split("/")[0] for step in call(api, STEPS_QUERY, {"id": run_id})["run"]["steps"]}
        assert len(owners) == 1 and str(engine.pid) in next(iter(owners))  # the engine process ran them
    finally:
        engine.terminate()
        engine.wait(timeout=20)
        api.stop()
