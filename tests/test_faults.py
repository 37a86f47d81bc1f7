"""Faults, on real processes: PostgreSQL stopped and restarted under load, Redis restarted under
live subscriptions, and a `flowdeck serve` SIGKILLed mid-flight twenty times in a row."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import FlowdeckServer, PostgresServer, RedisServer
from tests.test_hostile_input import INTERNALS
from tests.test_subscriptions import RUN_EVENTS, Follower, registered_run_changed, session

ROOT = Path(__file__).resolve().parents[1]
SETUP = """mutation($steps: [StepDefinitionInput!]!) {
  createProject(input: {key: "ops", name: "Ops"}) { errors { message } }
  createWorkflow(input: {project: "ops", key: "wf", name: "Wf", steps: $steps}) { errors { message } }
}"""
START = 'mutation { startRun(input: {project: "ops", workflowKey: "wf"}) { run { id } errors { message } } }'
RUN = """query($id: ID!) { run(id: $id) { status events(first: 100) { totalCount edges { node { seq } } } } }"""
UNFINISHED = '{ runs(project: "ops", filter: "status ne \\"COMPLETED\\"") { totalCount } }'
TOTAL = '{ runs(project: "ops") { totalCount } }'
WAIT = 60.0  # an upper bound on something that must happen, never a speed claim


def steps(count: int, handler: str = "noop", **config: Any) -> list[dict[str, Any]]:
    chain: list[dict[str, Any]] = []
    for index in range(count):
        step: dict[str, Any] = {"ref": f"s{index}", "type": "TASK", "handler": handler}
        if chain:
            step["dependsOn"] = [chain[-1]["ref"]]
        if config:
            step["config"] = config
        chain.append(step)
    return chain


def call(server: FlowdeckServer, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = httpx.post(
        server.graphql_url, json={"query": query, "variables": variables or {}}, headers=server.headers, timeout=30
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def settle(server: FlowdeckServer, expected_runs: int | None = None) -> None:
    """Wait until every run of the project is COMPLETED (a run lost or stuck fails here)."""
    deadline = time.monotonic() + WAIT
    while True:
        unfinished = (await asyncio.to_thread(call, server, UNFINISHED))["runs"]["totalCount"]
        total = (await asyncio.to_thread(call, server, TOTAL))["runs"]["totalCount"]
        if unfinished == 0 and expected_runs in (None, total):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{unfinished} of {total} runs still unfinished after {WAIT}s")
        await asyncio.sleep(0.1)


def assert_completed_without_gaps(server: FlowdeckServer, run_ids: list[str]) -> None:
    """Each run exists (none lost), is COMPLETED, and its events' seqs are 1..n."""
    for run_id in run_ids:
        run = call(server, RUN, {"id": run_id})["run"]
        assert run is not None and run["status"] == "COMPLETED", (run_id, run)
        seqs = [edge["node"]["seq"] for edge in run["events"]["edges"]]
        assert seqs == list(range(1, run["events"]["totalCount"] + 1)), (run_id, seqs)


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own, since the test stops it."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


async def test_postgres_stopped_and_restarted_under_load(own_postgres: PostgresServer) -> None:
    env = {
        "FLOWDECK_DATABASE_URL": own_postgres.create_database("outage"),
        "FLOWDECK_BOOTSTRAP_KEY": "fdk_outage-key",
        "FLOWDECK_ENGINE_POLL": "0.05",
    }
    with FlowdeckServer(env) as server:
        call(server, SETUP, {"steps": steps(3)})
        started: list[str] = []
        answers: list[tuple[str, int, str, float]] = []  # phase, status, body, when sent
        request_ids: list[str] = []  # of each answer, in the same order
        phase = "before"
        stop = asyncio.Event()

        async def load() -> None:
            async with httpx.AsyncClient(base_url=server.url, headers=server.headers, timeout=30) as client:
                while not stop.is_set():
                    for query in (START, UNFINISHED):
                        sent_at = time.monotonic()
                        request_id = f"load-{len(answers)}"
                        response = await client.post(
                            "/graphql", json={"query": query}, headers={"X-Request-Id": request_id}
                        )
                        answers.append((phase, response.status_code, response.text, sent_at))
                        request_ids.append(request_id)
                        body = response.json()
                        run = ((body.get("data") or {}).get("startRun") or {}).get("run")
                        if run:
                            started.append(run["id"])

        async def readyz(client: httpx.AsyncClient) -> int:
            return (await client.get("/readyz")).status_code

        loader = asyncio.create_task(load())
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as probe:
            await wait_until(lambda: len(started) >= 5 or loader.done())
            phase = "outage"
            await asyncio.to_thread(own_postgres.halt)
            halted_at = time.monotonic()
            # answers to requests sent once the database was down (those sent while it was being
            # stopped may all have been answered before: the official CI saw none after it)
            await wait_until(lambda: sum(answer[3] > halted_at for answer in answers) >= 3 or loader.done())
            assert await readyz(probe) == 503
            phase = "after"
            resumed_at = time.monotonic()
            await asyncio.to_thread(own_postgres.resume)
            await wait_for_status(lambda: readyz(probe), 200)  # the service recovers by itself
            count_after = len(started)
            await wait_until(lambda: len(started) >= count_after + 5 or loader.done())
        stop.set()
        await loader
        await settle(server)
        assert_completed_without_gaps(server, started)  # no run it answered for was lost
        log_lines = server.output().splitlines()
    for _phase, status, text, _sent_at in answers:
        assert status < 500, text
        assert not any(marker in text for marker in INTERNALS), text
    # sent while the database was down: a clear error that says so, with data null
    down = [json.loads(text) for _phase, _status, text, sent_at in answers if halted_at < sent_at < resumed_at]
    assert down, "no request was made while the database was down"
    for body in down:
        assert body["data"] is None and body["errors"][0]["extensions"] == {"code": "UNAVAILABLE"}, body
        assert "database is unavailable" in body["errors"][0]["message"]
    before = [(status, text) for phase, status, text, _sent_at in answers if phase == "before"]
    assert all(status == 200 and "errors" not in json.loads(text) for status, text in before), before
    # The log says what happened without a traceback (those are for DEBUG): one line per request
    # answered UNAVAILABLE, naming its request id, and one line from the engine for the outage
    # (not one per poll), then one when the database is back.
    assert not [line for line in log_lines if "Traceback" in line], "\n".join(log_lines)
    unavailable = [
        request_id
        for (_phase, _status, text, _sent_at), request_id in zip(answers, request_ids, strict=True)
        if '"UNAVAILABLE"' in text
    ]
    assert unavailable
    for request_id in unavailable:
        said = [line for line in log_lines if f"[{request_id}]" in line and "UNAVAILABLE" in line]
        assert len(said) == 1, (request_id, said)
    engine_said = [line for line in log_lines if "engine: database unavailable, retrying" in line]
    assert len(engine_said) == 1, engine_said
    assert len([line for line in log_lines if "engine: database available again" in line]) == 1


async def wait_until(predicate: Any, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout}s")
        await asyncio.sleep(0.02)


async def wait_for_status(read: Any, expected: int, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while (status := await read()) != expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"/readyz stayed {status}, expected {expected}")
        await asyncio.sleep(0.05)


async def test_redis_restarted_under_live_subscriptions(
    postgres_server: PostgresServer, own_redis: RedisServer
) -> None:
    env = {
        "FLOWDECK_DATABASE_URL": postgres_server.create_database(f"redis_restart_{uuid.uuid4().hex[:8]}"),
        "FLOWDECK_BROADCAST_URL": own_redis.url,
        "FLOWDECK_BOOTSTRAP_KEY": "fdk_redis-key",
        "FLOWDECK_ENGINE_POLL": "0.05",
    }
    with FlowdeckServer(env) as server:
        call(server, SETUP, {"steps": steps(12, "sleep", seconds=0.25)})
        run_id = call(server, START)["startRun"]["run"]["id"]
        async with session(server) as first, session(server) as second, session(server) as third:
            followers = [Follower(client, RUN_EVENTS, id=run_id, after=0) for client in (first, second)]
            for follower in followers:  # each is live (its first replayed event came) before the restart
                await follower.wait_for()
            probes: list[str] = []

            def probe() -> str:
                probes.append(call(server, START)["startRun"]["run"]["id"])
                return probes[-1]

            changes = await registered_run_changed(third, 'workflow_key eq "wf"', probe)
            await asyncio.to_thread(own_redis.stop)
            await asyncio.to_thread(own_redis.start)
            # a run started after the restart reaches the runChanged subscriber made before it
            after_restart = probe()
            await changes.wait_for(lambda item: item["id"] == after_restart, timeout=WAIT)
            results = [await follower.result(WAIT) for follower in followers]
            changes.stop()
        status = call(server, RUN, {"id": run_id})["run"]
        assert status["status"] == "COMPLETED"
        stored = list(range(1, status["events"]["totalCount"] + 1))
        for events in results:  # caught up with no gap and no duplicate
            assert [event["seq"] for event in events] == stored


KILLS = 20


def crash_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.timeout(300)
async def test_serve_sigkilled_mid_flight_twenty_times_in_a_row(postgres_server: PostgresServer, tmp_path: Path):
    log_path = tmp_path / "attempts.jsonl"
    env = {
        "FLOWDECK_DATABASE_URL": postgres_server.create_database(f"kills_{uuid.uuid4().hex[:8]}"),
        "FLOWDECK_BOOTSTRAP_KEY": "fdk_kill-key",
        "FLOWDECK_ENGINE_POLL": "0.05",
        "FLOWDECK_ENGINE_LEASE": "1",
        "FLOWDECK_HANDLERS": "tests.engine.crash_handlers",
        "FLOWDECK_CRASH_LOG": str(log_path),
        "PYTHONPATH": str(ROOT),
    }
    run_ids: list[str] = []
    killed_at: dict[int, float] = {}
    for kill in range(KILLS):
        began = time.monotonic()
        server = FlowdeckServer(env).start()
        print(f"kill {kill}: serving after {time.monotonic() - began:.1f}s")
        try:
            if kill == 0:
                # A step whose engine died more often than ENGINE_LOSS_ALLOWANCE beyond its retry
                # policy is given up (FAILED, never retried forever); a kill may hit the same step
                # again and again here, so its policy allows every kill of the test.
                chain = steps(4, "crash.work")
                for step in chain:
                    step["retry"] = {"maxAttempts": KILLS + 1, "backoffSeconds": 0}
                call(server, SETUP, {"steps": chain})
            run_ids += [call(server, START)["startRun"]["run"]["id"] for _ in range(2)]
            # mid-flight: this process has started an attempt it has not finished
            pid = server.process.pid if server.process else -1
            await wait_until(lambda pid=pid: any(entry["pid"] == pid for entry in crash_log(log_path)), timeout=WAIT)
        finally:
            server.kill()
            killed_at[pid] = time.time()
            server.stop()
    with FlowdeckServer(env) as last:
        await settle(last, expected_runs=len(run_ids))
        assert_completed_without_gaps(last, run_ids)
        final_pid = last.process.pid if last.process else -1
    # no step ever ran twice at once: an attempt a killed process left open ended with it
    timeline: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    open_attempts: dict[tuple[str, str, int, int], float] = {}
    for entry in crash_log(log_path):
        key = (entry["run"], entry["ref"])
        attempt = (*key, entry["attempt"], entry["pid"])
        if entry["event"] == "start":
            timeline[key].append((entry["t"], 1))
            open_attempts[attempt] = entry["t"]
        else:
            timeline[key].append((entry["t"], -1))
            open_attempts.pop(attempt, None)
    for run, ref, _attempt, pid in open_attempts:
        assert pid in killed_at and pid != final_pid, "only a killed process may leave an attempt unfinished"
        timeline[(run, ref)].append((killed_at[pid], -1))
    for key, moments in timeline.items():
        running = 0
        for _moment, delta in sorted(moments):
            running += delta
            assert running <= 1, f"{key} ran twice at the same time"
    assert len(open_attempts) >= KILLS // 2, "the kills should have cut attempts short"
    with contextlib.suppress(FileNotFoundError):
        log_path.unlink()
