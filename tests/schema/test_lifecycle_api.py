"""Every step type and every lifecycle mutation through GraphQL, with an engine at work,
checking the status after each action and the run's history in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.engine import Engine
from app.settings import Settings
from tests.engine.test_engine_more import http_server  # noqa: F401 - a fixture
from tests.schema.conftest import Client, ProjectKeys
from tests.schema.test_start_runs import start
from tests.schema.test_workflows import create

RUN = """query($id: ID!) {
  run(id: $id) {
    id status output errorCount availableActions retryOf { id } restartOf { id }
    error { message stepRef }
    childRuns { id status }
    steps(includeLoopIterations: true) { ref status attempt output reused waitingFor availableActions }
    events(first: 100) { totalCount edges { node { seq type stepRef } } }
  }
}"""
RUN_ACTION = """mutation($id: ID!, $reason: String) {
  %s(input: {id: $id, reason: $reason}) { run { id status } errors { code message } }
}"""
STEP_ACTION = """mutation($id: ID!, $ref: String!) {
  %s(input: {runId: $id, stepRef: $ref, reason: "because"}) {
    step { status attempt } run { status } errors { code message }
  }
}"""
FORCE = """mutation($id: ID!, $ref: String!) {
  forceCompleteStep(input: {runId: $id, stepRef: $ref, result: {forced: true}}) {
    step { status output } errors { message }
  }
}"""
REPLAY = """mutation($id: ID!, $ref: String!) {
  replaySubtree(input: {runId: $id, stepRef: $ref}) { resetSteps run { status } errors { message } }
}"""
SIGNAL = """mutation($id: ID!) {
  signalRun(input: {id: $id, name: "paid", message: "payment in", payload: {amount: 5}}) {
    signal { name consumedBy } errors { code message }
  }
}"""
CLAIM = """mutation {
  claimSteps(input: {queue: "ext", workerId: "w1", limit: 5}) { steps { id ref attempt input } errors { message } }
}"""
COMPLETE = """mutation($id: ID!, $worker: String!) {
  completeStep(input: {stepRunId: $id, workerId: $worker, output: {done: 1}}) {
    step { status } errors { code message }
  }
}"""
FAIL = """mutation($id: ID!) {
  failStep(input: {stepRunId: $id, workerId: "w1", error: "boom", retryable: false}) {
    step { status } errors { message }
  }
}"""
HEARTBEAT = """mutation($id: ID!) {
  heartbeatStep(input: {stepRunId: $id, workerId: "w1"}) { step { leaseExpiresAt } errors { code message } }
}"""
TERMINAL = {"COMPLETED", "FAILED", "TIMED_OUT", "CANCELED", "TERMINATED", "ABANDONED"}


@pytest.fixture
async def engine(db: Settings) -> AsyncIterator[Engine]:
    running = Engine(db, name="api-test")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def read(client: Client, run_id: str) -> dict[str, Any]:
    return (await client.data(RUN, {"id": run_id}))["run"]


async def until(client: Client, run_id: str, predicate, timeout: float = 15.0) -> dict[str, Any]:
    """The run once `predicate(run)` holds (fails the test after `timeout` seconds)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        run = await read(client, run_id)
        if predicate(run) or loop.time() > deadline:
            assert predicate(run), run
            return run
        await asyncio.sleep(0.02)


def status_is(*statuses: str):
    return lambda run: run["status"] in statuses


def step_is(ref: str, status: str):
    return lambda run: any(s["ref"] == ref and s["status"] == status for s in run["steps"])


def history(run: dict[str, Any]) -> list[tuple[str, str | None]]:
    events = [edge["node"] for edge in run["events"]["edges"]]
    # contiguous from 1: no gap (totalCount is a statement of its own, so it may be ahead of the page)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    return [(e["type"], e["stepRef"]) for e in events]


def of_step(run: dict[str, Any], ref: str) -> list[str]:
    return [kind for kind, step_ref in history(run) if step_ref == ref]


def run_level(run: dict[str, Any]) -> list[str]:
    return [kind for kind, step_ref in history(run) if step_ref is None]


def step(run: dict[str, Any], ref: str) -> dict[str, Any]:
    return next(s for s in run["steps"] if s["ref"] == ref)


async def launch(keys: ProjectKeys, steps: list[dict[str, Any]], key: str = "wf", **options: Any) -> str:
    created = await create(keys.admin, steps, key=key)
    assert created["errors"] == [], created
    started = await start(keys.operator, workflowKey=key, **options)
    assert started["errors"] == [], started
    return str(started["run"]["id"])


async def act(client: Client, mutation: str, name: str, **variables: Any) -> dict[str, Any]:
    return (await client.data(mutation % name if "%s" in mutation else mutation, variables))[name]


# ---------------------------------------------------------------- step types


async def test_task_sleep_for_each_and_http_steps(acme, engine, http_server):  # noqa: F811
    steps = [
        {"ref": "echo", "type": "TASK", "handler": "echo", "config": {"k": 1}},
        {"ref": "nap", "type": "SLEEP", "config": {"seconds": 0.1}, "dependsOn": ["echo"]},
        {
            "ref": "pages",
            "type": "FOR_EACH",
            "dependsOn": ["nap"],
            "config": {"items": "pages", "body": {"type": "TASK", "handler": "echo"}},
        },
        {
            "ref": "call",
            "type": "HTTP",
            "dependsOn": ["pages"],
            "config": {"url": f"{http_server}/ok", "method": "POST", "body": {"n": 2}},
        },
    ]
    run_id = await launch(acme, steps, input={"pages": ["a", "b"]})
    run = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert run["status"] == "COMPLETED"
    assert run["output"]["echo"] == {"input": {"pages": ["a", "b"]}, "steps": {}, "config": {"k": 1}}
    assert [item["item"] for item in run["output"]["pages"]] == ["a", "b"]
    assert run["output"]["call"]["status"] == 200 and run["output"]["call"]["body"]["body"] == {"n": 2}
    assert of_step(run, "nap") == ["STEP_QUEUED", "STEP_WAITING", "STEP_COMPLETED"]
    assert of_step(run, "pages[1]")[-1] == "STEP_COMPLETED"
    assert run_level(run) == ["RUN_CREATED", "RUN_STARTED", "RUN_COMPLETED"]
    assert {s["ref"] for s in run["steps"]} >= {"pages[0]", "pages[1]"}


async def test_subworkflow_step_follows_its_child(acme, engine):
    assert (await create(acme.admin, [{"ref": "inner", "type": "TASK", "handler": "noop"}], key="child"))[
        "errors"
    ] == []
    run_id = await launch(acme, [{"ref": "sub", "type": "SUBWORKFLOW", "config": {"workflowKey": "child"}}])
    run = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert run["status"] == "COMPLETED" and [c["status"] for c in run["childRuns"]] == ["COMPLETED"]
    assert of_step(run, "sub") == ["STEP_QUEUED", "STEP_WAITING", "STEP_COMPLETED"]


async def test_approval_and_signal_steps_wait_for_their_mutations(acme, engine):
    steps = [
        {"ref": "ask", "type": "APPROVAL"},
        {"ref": "pay", "type": "SIGNAL", "config": {"signal": "paid"}, "dependsOn": ["ask"]},
    ]
    run_id = await launch(acme, steps)
    run = await until(acme.viewer, run_id, step_is("ask", "WAITING"))
    assert step(run, "ask")["waitingFor"] == "approval"
    assert step(run, "ask")["availableActions"] == []  # a VIEWER may not act
    assert "APPROVE" in step(await read(acme.operator, run_id), "ask")["availableActions"]
    approved = await act(acme.operator, STEP_ACTION, "approveStep", id=run_id, ref="ask")
    assert approved["errors"] == [] and approved["step"]["status"] == "COMPLETED"
    run = await until(acme.viewer, run_id, step_is("pay", "WAITING"))
    assert step(run, "pay")["waitingFor"] == "signal:paid"
    signaled = await act(acme.operator, SIGNAL, "signalRun", id=run_id)
    assert signaled["errors"] == [] and signaled["signal"]["consumedBy"] == "pay"
    run = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert run["status"] == "COMPLETED" and run["output"]["pay"] == {"amount": 5}
    assert run["output"]["ask"]["approvedBy"] == "apikey:acme-operator"
    assert of_step(run, "ask") == ["STEP_QUEUED", "STEP_WAITING", "STEP_APPROVED"]
    assert of_step(run, "pay") == ["STEP_QUEUED", "STEP_WAITING", "SIGNAL_RECEIVED", "STEP_COMPLETED"]
    again = await act(acme.operator, SIGNAL, "signalRun", id=run_id)
    assert again["errors"][0]["code"] == "INVALID_TRANSITION" and "COMPLETED" in again["errors"][0]["message"]


SIGNALS = "query($id: ID!) { run(id: $id) { signals { name payload consumedBy } } }"


async def test_a_signal_sent_before_its_step_waits_is_kept_then_consumed_by_the_engine(acme, engine):
    """LIFECYCLE.md: a signal with no step waiting for it is kept (consumedBy null) and consumed
    by the first SIGNAL step of that name to start waiting; driven end to end by the real engine."""
    steps = [
        {"ref": "ask", "type": "APPROVAL"},
        {"ref": "pay", "type": "SIGNAL", "config": {"signal": "paid"}, "dependsOn": ["ask"]},
    ]
    run_id = await launch(acme, steps, key="buffered")
    await until(acme.viewer, run_id, step_is("ask", "WAITING"))
    early = await act(acme.operator, SIGNAL, "signalRun", id=run_id)
    assert early["errors"] == [] and early["signal"] == {"name": "paid", "consumedBy": None}
    kept = await acme.viewer.data(SIGNALS, {"id": run_id})
    assert kept["run"]["signals"] == [{"name": "paid", "payload": {"amount": 5}, "consumedBy": None}]
    assert step(await read(acme.viewer, run_id), "pay")["status"] == "PENDING"

    await act(acme.operator, STEP_ACTION, "approveStep", id=run_id, ref="ask")
    run = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert run["status"] == "COMPLETED" and run["output"]["pay"] == {"amount": 5}
    assert of_step(run, "pay") == ["STEP_QUEUED", "STEP_WAITING", "SIGNAL_RECEIVED", "STEP_COMPLETED"]
    consumed = await acme.viewer.data(SIGNALS, {"id": run_id})
    assert consumed["run"]["signals"] == [{"name": "paid", "payload": {"amount": 5}, "consumedBy": "pay"}]


async def test_queued_task_is_claimed_completed_and_failed_by_workers(acme, engine):
    steps = [
        {"ref": "one", "type": "TASK", "handler": "ext-job", "queue": "ext"},
        {"ref": "two", "type": "TASK", "handler": "ext-job", "queue": "ext", "dependsOn": ["one"]},
    ]
    run_id = await launch(acme, steps)
    run = await until(acme.viewer, run_id, step_is("one", "QUEUED"))
    assert step(run, "one")["waitingFor"] == "worker on queue ext"
    claimed = (await acme.operator.data(CLAIM))["claimSteps"]["steps"]
    assert [(s["ref"], s["attempt"]) for s in claimed] == [("one", 1)]
    assert claimed[0]["input"] == {"input": None, "steps": {}, "config": None}
    assert (await act(acme.operator, HEARTBEAT, "heartbeatStep", id=claimed[0]["id"]))["errors"] == []
    stranger = await act(acme.operator, COMPLETE, "completeStep", id=claimed[0]["id"], worker="w2")
    assert stranger["errors"][0]["code"] == "CONFLICT"
    done = await act(acme.operator, COMPLETE, "completeStep", id=claimed[0]["id"], worker="w1")
    assert done["step"]["status"] == "COMPLETED"
    await until(acme.viewer, run_id, step_is("two", "QUEUED"))
    second = (await acme.operator.data(CLAIM))["claimSteps"]["steps"]
    failed = await act(acme.operator, FAIL, "failStep", id=second[0]["id"])
    assert failed["step"]["status"] == "FAILED"
    run = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert run["status"] == "FAILED" and run["error"]["stepRef"] == "two" and run["errorCount"] == 1
    assert of_step(run, "one") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]
    assert of_step(run, "two") == ["STEP_QUEUED", "STEP_STARTED", "STEP_FAILED"]
    assert run_level(run)[-1] == "RUN_FAILED"


# ---------------------------------------------------------------- run mutations


async def test_pause_resume_cancel_with_cleanup(acme, engine):
    steps = [
        {"ref": "ask", "type": "APPROVAL"},
        {"ref": "undo", "type": "TASK", "handler": "noop", "onCancel": True},
    ]
    run_id = await launch(acme, steps)
    await until(acme.viewer, run_id, step_is("ask", "WAITING"))
    paused = await act(acme.operator, RUN_ACTION, "pauseRun", id=run_id, reason="hold")
    assert paused["run"]["status"] == "PAUSED"
    run = await read(acme.operator, run_id)
    assert set(run["availableActions"]) >= {"RESUME", "CANCEL", "TERMINATE"} and "PAUSE" not in run["availableActions"]
    again = await act(acme.operator, RUN_ACTION, "pauseRun", id=run_id, reason=None)
    assert again["errors"] == [{"code": "INVALID_TRANSITION", "message": "cannot pause a run that is PAUSED"}]
    assert (await act(acme.operator, RUN_ACTION, "resumeRun", id=run_id, reason=None))["run"]["status"] == "RUNNING"
    canceled = await act(acme.operator, RUN_ACTION, "cancelRun", id=run_id, reason="not needed")
    assert canceled["run"]["status"] in {"CANCELING", "CANCELED"}
    run = await until(acme.viewer, run_id, status_is("CANCELED"))
    assert step(run, "ask")["status"] == "CANCELED" and step(run, "undo")["status"] == "COMPLETED"
    assert run_level(run) == [
        "RUN_CREATED",
        "RUN_STARTED",
        "RUN_PAUSED",
        "RUN_RESUMED",
        "RUN_CANCEL_REQUESTED",
        "RUN_CANCELED",
    ]
    assert of_step(run, "undo") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]


async def test_terminate_skips_cleanup_and_cancels_open_steps(acme, engine):
    steps = [
        {"ref": "ask", "type": "APPROVAL"},
        {"ref": "undo", "type": "TASK", "handler": "noop", "onCancel": True},
    ]
    run_id = await launch(acme, steps)
    await until(acme.viewer, run_id, step_is("ask", "WAITING"))
    terminated = await act(acme.operator, RUN_ACTION, "terminateRun", id=run_id, reason="stop")
    assert terminated["run"]["status"] == "TERMINATED"
    run = await read(acme.viewer, run_id)
    assert (step(run, "ask")["status"], step(run, "undo")["status"]) == ("CANCELED", "SKIPPED")
    assert run_level(run)[-1] == "RUN_TERMINATED"
    late = await act(acme.operator, RUN_ACTION, "cancelRun", id=run_id, reason=None)
    assert late["errors"][0]["code"] == "INVALID_TRANSITION" and "TERMINATED" in late["errors"][0]["message"]


async def test_retry_reuses_completed_steps_and_restart_needs_admin(acme, engine):
    steps = [
        {"ref": "a", "type": "TASK", "handler": "echo"},
        {"ref": "b", "type": "TASK", "handler": "charge", "queue": "ext", "dependsOn": ["a"]},
    ]
    run_id = await launch(acme, steps)
    await until(acme.viewer, run_id, step_is("b", "QUEUED"))
    claimed = (await acme.operator.data(CLAIM))["claimSteps"]["steps"]
    await act(acme.operator, FAIL, "failStep", id=claimed[0]["id"])  # the bank was down
    failed = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert failed["status"] == "FAILED" and failed["error"] == {"message": "boom", "stepRef": "b"}
    assert failed["availableActions"] == []  # read as a VIEWER
    assert "RETRY" in (await read(acme.operator, run_id))["availableActions"]

    retried = await act(acme.operator, RUN_ACTION, "retryRun", id=run_id, reason="bank is back")
    new_id = retried["run"]["id"]
    assert new_id != run_id
    await until(acme.viewer, new_id, step_is("b", "QUEUED"))
    claimed = (await acme.operator.data(CLAIM))["claimSteps"]["steps"]
    assert [(s["ref"], s["attempt"]) for s in claimed] == [("b", 1)]
    await act(acme.operator, COMPLETE, "completeStep", id=claimed[0]["id"], worker="w1")
    new = await until(acme.viewer, new_id, status_is(*TERMINAL))
    assert new["status"] == "COMPLETED" and new["retryOf"] == {"id": run_id}
    assert (step(new, "a")["reused"], step(new, "b")["reused"]) == (True, False)
    assert of_step(new, "a") == []  # carried over, not run again
    old = await read(acme.viewer, run_id)
    assert run_level(old)[-1] == "RUN_RETRIED" and old["status"] == "FAILED"

    forbidden = await acme.operator.error(RUN_ACTION % "restartRun", {"id": run_id})
    assert forbidden["extensions"]["code"] == "FORBIDDEN"
    restarted = await act(acme.admin, RUN_ACTION, "restartRun", id=run_id, reason=None)
    fresh = await until(acme.viewer, restarted["run"]["id"], lambda run: "STEP_QUEUED" in of_step(run, "b"))
    assert fresh["restartOf"] == {"id": run_id} and not any(s["reused"] for s in fresh["steps"])
    assert of_step(fresh, "a") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]
    assert run_level(await read(acme.viewer, run_id))[-1] == "RUN_RESTARTED"


# ---------------------------------------------------------------- step mutations


async def test_reject_skip_force_complete_retry_and_replay(acme, engine):
    steps = [
        {"ref": "ask", "type": "APPROVAL"},
        {"ref": "after", "type": "TASK", "handler": "echo", "dependsOn": ["ask"]},
    ]
    run_id = await launch(acme, steps, key="rejected")
    waiting = await until(acme.viewer, run_id, step_is("ask", "WAITING"))
    assert step(waiting, "ask")["attempt"] == 1  # LIFECYCLE.md: WAITING for APPROVAL is attempt 1
    rejected = await act(acme.operator, STEP_ACTION, "rejectStep", id=run_id, ref="ask")
    assert rejected["step"] == {"status": "FAILED", "attempt": 1} and rejected["run"]["status"] == "FAILED"
    run = await read(acme.viewer, run_id)
    assert of_step(run, "ask") == ["STEP_QUEUED", "STEP_WAITING", "STEP_REJECTED"]
    # retrying the rejected approval reopens the run; skipping it lets the rest go on
    retried = await act(acme.operator, STEP_ACTION, "retryStep", id=run_id, ref="ask")
    assert retried["errors"] == [] and retried["run"]["status"] == "RUNNING"
    # LIFECYCLE.md: retryStep -> QUEUED with attempt + 1, shown in its payload already
    assert retried["step"] == {"status": "QUEUED", "attempt": 2}
    waiting = await until(acme.viewer, run_id, step_is("ask", "WAITING"))
    assert step(waiting, "ask")["attempt"] == 2
    skipped = await act(acme.operator, STEP_ACTION, "skipStep", id=run_id, ref="ask")
    assert skipped["step"]["status"] == "SKIPPED"
    run = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert run["status"] == "COMPLETED"
    assert run_level(run) == ["RUN_CREATED", "RUN_STARTED", "RUN_FAILED", "RUN_RESUMED", "RUN_COMPLETED"]
    assert of_step(run, "ask")[-2:] == ["STEP_WAITING", "STEP_SKIPPED"]
    # replaying the finished subtree runs it again
    replayed = await act(acme.operator, REPLAY, "replaySubtree", id=run_id, ref="after")
    assert replayed["resetSteps"] == 1 and replayed["run"]["status"] == "RUNNING"
    run = await until(acme.viewer, run_id, status_is(*TERMINAL))
    assert run["status"] == "COMPLETED" and of_step(run, "after").count("STEP_RESET") == 1

    forced_id = await launch(acme, [{"ref": "ask", "type": "APPROVAL"}], key="forced")
    await until(acme.viewer, forced_id, step_is("ask", "WAITING"))
    forced = await act(acme.operator, FORCE, "forceCompleteStep", id=forced_id, ref="ask")
    assert forced["step"] == {"status": "COMPLETED", "output": {"forced": True}}
    run = await until(acme.viewer, forced_id, status_is(*TERMINAL))
    assert run["status"] == "COMPLETED" and of_step(run, "ask")[-1] == "STEP_FORCE_COMPLETED"


async def test_step_actions_name_the_current_status_and_hide_other_projects(acme, globex, engine):
    run_id = await launch(acme, [{"ref": "t", "type": "TASK", "handler": "noop"}])
    await until(acme.viewer, run_id, status_is(*TERMINAL))
    wrong = await act(acme.operator, STEP_ACTION, "approveStep", id=run_id, ref="t")
    assert wrong["errors"][0]["code"] == "INVALID_TRANSITION"
    unknown = await act(acme.operator, STEP_ACTION, "skipStep", id=run_id, ref="nope")
    assert unknown["errors"][0]["code"] == "VALIDATION"
    hidden = await act(globex.operator, STEP_ACTION, "skipStep", id=run_id, ref="t")
    assert hidden["errors"][0]["code"] == "NOT_FOUND"
    hidden_run = await act(globex.operator, RUN_ACTION, "cancelRun", id=run_id, reason=None)
    assert hidden_run["errors"][0]["code"] == "NOT_FOUND"
    viewer = await acme.viewer.error(RUN_ACTION % "cancelRun", {"id": run_id})
    assert viewer["extensions"]["code"] == "FORBIDDEN"
