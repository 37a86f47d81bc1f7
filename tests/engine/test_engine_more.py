"""HTTP steps, handler updates, lost leases, scheduling and priority."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator

import pytest

from app.definitions import RetrySpec
from app.engine import Engine
from app.enums import Priority, RunStatus, StepStatus, StepType
from app.handlers import HandlerContext, handler
from app.lifecycle import utcnow
from models import Run, RunEvent, RunUpdate, StepRun
from tests.engine.factory import history, make_workflow, start, step, step_events, wait_for_status

DONE = (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.TIMED_OUT)


@pytest.fixture
async def http_server() -> AsyncIterator[str]:
    """A tiny HTTP server: /ok answers 200 with a JSON echo of the request, /bad answers 500."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        method, path, _ = lines[0].split(" ")
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = int(headers.get("content-length", headers.get("Content-Length", "0")))
        body = await reader.readexactly(length) if length else b""
        status = "200 OK" if path == "/ok" else "500 Internal Server Error"
        payload = json.dumps({"method": method, "body": json.loads(body) if body else None}).encode()
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            f"Connection: close\r\n\r\n".encode()
            + payload
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


async def test_http_step_completes_with_status_headers_and_body(project, engine, http_server):
    config = {"url": f"{http_server}/ok", "method": "POST", "body": {"x": 1}}
    workflow, version = await make_workflow(project, "http", [step("call", StepType.HTTP, config=config)])
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    output = finished.output["call"]
    assert output["status"] == 200
    assert output["body"] == {"method": "POST", "body": {"x": 1}}
    assert output["headers"]["content-type"] == "application/json"


async def test_http_step_fails_on_a_non_2xx_answer(project, engine, http_server):
    workflow, version = await make_workflow(
        project, "http-bad", [step("call", StepType.HTTP, config={"url": f"{http_server}/bad"})]
    )
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.FAILED
    assert "answered 500" in finished.error_message


@handler("tests.reporter")
async def _reporter(ctx: HandlerContext) -> dict[str, int]:
    await ctx.update("starting")
    await ctx.update("PROGRESS", "half way", details={"pct": 50})
    return {"done": 1}


async def test_a_handler_posts_run_updates_in_seq_order(project, engine):
    workflow, version = await make_workflow(project, "reports", [step("r", handler="tests.reporter")])
    run = await start(project, workflow, version)
    assert (await wait_for_status(run.id, *DONE)).status == RunStatus.COMPLETED
    updates = await RunUpdate.filter(run_id=run.id).order_by("seq")
    assert [(u.seq, u.type, u.message, u.details) for u in updates] == [
        (1, "UPDATE", "starting", None),
        (2, "PROGRESS", "half way", {"pct": 50}),
    ]


async def test_a_step_whose_engine_died_is_run_again_as_a_new_attempt(project, db):
    workflow, version = await make_workflow(project, "orphan", [step("work", handler="noop")])
    run = await start(project, workflow, version)
    # What a dead engine leaves behind: the run started, the step RUNNING under a lease that ran out.
    now = utcnow()
    await Run.filter(id=run.id).update(status=RunStatus.RUNNING.value, started_at=now)
    await StepRun.filter(run_id=run.id).update(
        status=StepStatus.RUNNING.value,
        attempt=1,
        worker_id="engine:dead",
        job_run_id="engine:dead/1",
        lease_expires_at=now - dt.timedelta(seconds=1),
        started_at=now,
    )
    engine = Engine(db, name="rescuer")
    await engine.start()
    try:
        finished = await wait_for_status(run.id, *DONE)
    finally:
        await engine.stop()
    assert finished.status == RunStatus.COMPLETED
    work = await StepRun.get(run_id=run.id, ref="work")
    assert work.attempt == 2 and work.worker_id == "engine:rescuer"
    assert step_events(await history(run.id), "work") == [
        "STEP_FAILED",
        "STEP_RETRY_SCHEDULED",
        "STEP_STARTED",
        "STEP_COMPLETED",
    ]


async def test_a_workers_lost_lease_counts_as_a_failed_attempt(project, engine):
    retry = RetrySpec(max_attempts=2, backoff_seconds=0, backoff_factor=1)
    workflow, version = await make_workflow(
        project, "leased", [step("job", handler="x", queue="q", retry=retry)]
    )
    run = await start(project, workflow, version)
    await wait_for_status(run.id, RunStatus.RUNNING)
    # a worker claimed it and vanished
    await StepRun.filter(run_id=run.id).update(
        status=StepStatus.RUNNING.value,
        attempt=1,
        worker_id="w1",
        lease_expires_at=utcnow() - dt.timedelta(seconds=1),
    )
    engine.wake()
    job = None
    for _ in range(200):
        job = await StepRun.get(run_id=run.id, ref="job")
        if job.status == StepStatus.QUEUED and job.error:
            break
        await asyncio.sleep(0.02)
    assert job is not None and job.status == StepStatus.QUEUED and "lease expired" in job.error


async def test_a_scheduled_run_starts_when_due(project, engine):
    workflow, version = await make_workflow(project, "later", [step("a")])
    when = utcnow() + dt.timedelta(seconds=0.4)
    run = await start(project, workflow, version, scheduled_at=when)
    await asyncio.sleep(0.1)
    assert (await Run.get(id=run.id)).status == RunStatus.PENDING
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    assert finished.started_at >= when


async def test_due_runs_start_by_priority_then_age(project, db):
    workflow, version = await make_workflow(project, "prio", [step("a")])
    low = await start(project, workflow, version, priority=Priority.LOW)
    normal = await start(project, workflow, version, priority=Priority.NORMAL)
    critical = await start(project, workflow, version, priority=Priority.CRITICAL)
    normal_later = await start(project, workflow, version, priority=Priority.NORMAL)
    engine = Engine(db, name="prio", concurrency=1)
    await engine.start()
    try:
        for run in (low, normal, critical, normal_later):
            await wait_for_status(run.id, RunStatus.COMPLETED)
    finally:
        await engine.stop()
    started = await RunEvent.filter(type="RUN_STARTED").order_by("id").values_list("run_id", flat=True)
    assert [uuid.UUID(str(r)) for r in started] == [critical.id, normal.id, normal_later.id, low.id]


async def test_a_stopped_engine_hands_its_running_steps_over_at_once(project, db):
    workflow, version = await make_workflow(
        project, "handover", [step("nap", handler="sleep", config={"seconds": 0.3})]
    )
    first = Engine(db, name="first", lease_seconds=600)
    await first.start()
    try:
        run = await start(project, workflow, version)
        from tests.engine.factory import wait_for_step

        await wait_for_step(run.id, "nap", StepStatus.RUNNING)
    finally:
        await first.stop()
    second = Engine(db, name="second", lease_seconds=600)
    await second.start()
    try:
        # well within the first engine's 600 s lease
        finished = await wait_for_status(run.id, *DONE, timeout=10)
    finally:
        await second.stop()
    assert finished.status == RunStatus.COMPLETED
    nap = await StepRun.get(run_id=run.id, ref="nap")
    assert (nap.attempt, nap.worker_id) == (2, "engine:second")
