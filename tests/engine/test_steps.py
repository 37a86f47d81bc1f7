"""The engine end to end, one step type at a time, with the event history in order."""

from __future__ import annotations

from app.definitions import RetrySpec
from app.enums import RunStatus, StepStatus, StepType
from models import StepRun
from tests.engine.factory import (
    chain,
    history,
    make_workflow,
    run_events,
    seqs,
    start,
    step,
    step_events,
    wait_for_status,
)

DONE = (RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.CANCELED, RunStatus.TERMINATED)


async def test_noop_chain_completes_with_every_event_in_order(project, engine):
    workflow, version = await make_workflow(project, "chain", chain(3))
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    assert finished.output == {"s0": {}, "s1": {}, "s2": {}}
    assert finished.started_at is not None and finished.finished_at is not None
    events = await history(run.id)
    assert run_events(events) == ["RUN_CREATED", "RUN_STARTED", "RUN_COMPLETED"]
    for ref in ("s0", "s1", "s2"):
        assert step_events(events, ref) == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]
    order = [e for e in events if e[0] in ("STEP_STARTED", "STEP_COMPLETED")]
    assert order == [
        ("STEP_STARTED", "s0"),
        ("STEP_COMPLETED", "s0"),
        ("STEP_STARTED", "s1"),
        ("STEP_COMPLETED", "s1"),
        ("STEP_STARTED", "s2"),
        ("STEP_COMPLETED", "s2"),
    ]
    assert await seqs(run.id) == list(range(1, len(events) + 1))


async def test_echo_gets_the_run_input_dependency_outputs_and_config(project, engine):
    steps = [
        step("first", handler="echo", config={"a": 1}),
        step("second", handler="echo", depends_on=["first"], config={"b": 2}),
    ]
    workflow, version = await make_workflow(project, "echo", steps)
    run = await start(project, workflow, version, input={"name": "x"})
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    first = {"input": {"name": "x"}, "steps": {}, "config": {"a": 1}}
    assert finished.output["first"] == first
    assert finished.output["second"] == {
        "input": {"name": "x"},
        "steps": {"first": first},
        "config": {"b": 2},
    }
    second = await StepRun.get(run_id=run.id, ref="second")
    assert second.input == finished.output["second"]
    assert second.attempt == 1


async def test_failed_attempts_are_retried_with_backoff_until_one_succeeds(project, engine):
    retry = RetrySpec(max_attempts=3, backoff_seconds=0.05, backoff_factor=2)
    workflow, version = await make_workflow(
        project, "flaky", [step("flaky", handler="fail", config={"times": 2, "message": "boom"}, retry=retry)]
    )
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    assert finished.output == {"flaky": {"attempt": 3}}
    assert finished.error_count == 2
    assert step_events(await history(run.id), "flaky") == [
        "STEP_QUEUED",
        "STEP_STARTED",
        "STEP_FAILED",
        "STEP_RETRY_SCHEDULED",
        "STEP_STARTED",
        "STEP_FAILED",
        "STEP_RETRY_SCHEDULED",
        "STEP_STARTED",
        "STEP_COMPLETED",
    ]
    stored = await StepRun.get(run_id=run.id, ref="flaky")
    assert stored.attempt == 3


async def test_a_step_out_of_attempts_fails_the_run_and_cancels_steps_in_flight(project, engine):
    steps = [
        step("slow", handler="sleep", config={"seconds": 30}),
        step("bad", handler="fail", config={"message": "no luck"}),
        step("after", depends_on=["bad"]),
    ]
    workflow, version = await make_workflow(project, "failing", steps)
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.FAILED
    assert (finished.error_message, finished.error_step_ref) == ("no luck", "bad")
    assert finished.error_count == 1
    statuses = dict(await StepRun.filter(run_id=run.id).values_list("ref", "status"))
    assert statuses == {"slow": StepStatus.CANCELED, "bad": StepStatus.FAILED, "after": StepStatus.PENDING}
    events = await history(run.id)
    assert events[-3:] == [("STEP_FAILED", "bad"), ("STEP_CANCELED", "slow"), ("RUN_FAILED", None)]


async def test_a_task_with_a_queue_waits_for_a_worker(project, engine):
    workflow, version = await make_workflow(
        project, "queued", [step("remote", handler="remote-job", queue="billing")]
    )
    run = await start(project, workflow, version)
    await wait_for_status(run.id, RunStatus.RUNNING)
    from tests.engine.factory import wait_for_step

    queued = await wait_for_step(run.id, "remote", StepStatus.QUEUED)
    assert queued.attempt == 0 and queued.worker_id is None


async def test_sleep_step_waits_on_a_timer_then_completes(project, engine):
    workflow, version = await make_workflow(
        project, "nap", [step("nap", StepType.SLEEP, config={"seconds": 0.2})]
    )
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    assert step_events(await history(run.id), "nap") == ["STEP_QUEUED", "STEP_WAITING", "STEP_COMPLETED"]
    nap = await StepRun.get(run_id=run.id, ref="nap")
    assert (nap.finished_at - nap.started_at).total_seconds() >= 0.2


async def test_for_each_runs_one_iteration_per_item_and_outputs_the_list(project, engine):
    loop = step(
        "loop",
        StepType.FOR_EACH,
        config={"items": "people", "body": {"type": "TASK", "handler": "echo", "config": {"k": "v"}}},
    )
    workflow, version = await make_workflow(project, "loop", [loop], max_parallel_steps=2)
    run = await start(project, workflow, version, input={"people": ["ann", "bob", "cy"]})
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    outputs = finished.output["loop"]
    assert [o["item"] for o in outputs] == ["ann", "bob", "cy"]
    assert [o["index"] for o in outputs] == [0, 1, 2]
    assert outputs[0]["config"] == {"k": "v"}
    iterations = await StepRun.filter(run_id=run.id, parent_ref="loop").order_by("iteration")
    assert [(s.ref, s.iteration, s.status) for s in iterations] == [
        ("loop[0]", 0, StepStatus.COMPLETED),
        ("loop[1]", 1, StepStatus.COMPLETED),
        ("loop[2]", 2, StepStatus.COMPLETED),
    ]
    events = await history(run.id)
    assert step_events(events, "loop") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]
    assert step_events(events, "loop[1]") == ["STEP_QUEUED", "STEP_STARTED", "STEP_COMPLETED"]


async def test_for_each_over_an_empty_list_completes_at_once(project, engine):
    loop = step(
        "loop", StepType.FOR_EACH, config={"items": "xs", "body": {"type": "TASK", "handler": "noop"}}
    )
    workflow, version = await make_workflow(project, "empty-loop", [loop])
    run = await start(project, workflow, version, input={"xs": []})
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    assert finished.output == {"loop": []}


async def test_subworkflow_follows_its_child_run(project, engine):
    await make_workflow(project, "child", [step("inner", handler="echo")])
    workflow, version = await make_workflow(
        project, "parent", [step("sub", StepType.SUBWORKFLOW, config={"workflowKey": "child"})]
    )
    run = await start(project, workflow, version, input={"n": 1})
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    from models import Run

    child = await Run.get(parent_run_id=run.id)
    sub = await StepRun.get(run_id=run.id, ref="sub")
    assert child.parent_step_id == sub.id
    assert child.status == RunStatus.COMPLETED and child.triggered_by.value == "WORKFLOW_STEP"
    assert child.initiated_by.startswith("run:")
    assert finished.output == {"sub": child.output}
    assert step_events(await history(run.id), "sub") == ["STEP_QUEUED", "STEP_WAITING", "STEP_COMPLETED"]


async def test_a_failed_child_run_fails_the_subworkflow_step(project, engine):
    await make_workflow(project, "bad-child", [step("inner", handler="fail")])
    workflow, version = await make_workflow(
        project, "parent2", [step("sub", StepType.SUBWORKFLOW, config={"workflowKey": "bad-child"})]
    )
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.FAILED
    assert finished.error_step_ref == "sub"
    assert "FAILED" in (finished.error_message or "")


async def test_approval_and_signal_steps_wait_and_a_buffered_signal_is_consumed(project, engine):
    import uuid

    from app.lifecycle import utcnow
    from models import Signal

    steps = [
        step("approve", StepType.APPROVAL),
        step("paid", StepType.SIGNAL, config={"signal": "payment"}),
    ]
    workflow, version = await make_workflow(project, "waits", steps)
    run = await start(
        project, workflow, version, scheduled_at=utcnow() + __import__("datetime").timedelta(seconds=0.3)
    )
    await Signal.create(
        id=uuid.uuid4(),
        run_id=run.id,
        name="payment",
        payload={"amount": 5},
        received_at=utcnow(),
        sent_by="x",
    )
    from tests.engine.factory import wait_for_step

    paid = await wait_for_step(run.id, "paid", StepStatus.COMPLETED)
    assert paid.output == {"amount": 5}
    assert (await Signal.get(run_id=run.id)).consumed_by == "paid"
    approve = await wait_for_step(run.id, "approve", StepStatus.WAITING)
    assert approve.attempt == 1  # LIFECYCLE.md: an APPROVAL step WAITING has started: attempt 1
    assert (await wait_for_status(run.id, RunStatus.RUNNING)).status == RunStatus.RUNNING
    assert step_events(await history(run.id), "paid") == [
        "STEP_QUEUED",
        "STEP_WAITING",
        "SIGNAL_RECEIVED",
        "STEP_COMPLETED",
    ]


async def test_dry_run_completes_tasks_without_running_them(project, engine):
    workflow, version = await make_workflow(project, "dry", [step("boom", handler="fail")])
    run = await start(project, workflow, version, dry_run=True)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.COMPLETED
    assert finished.output == {"boom": {"dryRun": True}}


async def test_step_timeout_fails_the_attempt(project, engine):
    workflow, version = await make_workflow(
        project, "slow", [step("slow", handler="sleep", config={"seconds": 30}, timeout_seconds=1)]
    )
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.FAILED
    assert "timed out after 1s" in finished.error_message


async def test_run_timeout_times_the_run_out_and_cancels_steps_in_flight(project, engine):
    workflow, version = await make_workflow(
        project, "long", [step("slow", handler="sleep", config={"seconds": 30})], timeout_seconds=1
    )
    run = await start(project, workflow, version)
    finished = await wait_for_status(run.id, *DONE)
    assert finished.status == RunStatus.TIMED_OUT
    assert finished.expires_at is not None
    assert (await StepRun.get(run_id=run.id, ref="slow")).status == StepStatus.CANCELED
    assert run_events(await history(run.id)) == ["RUN_CREATED", "RUN_STARTED", "RUN_TIMED_OUT"]


async def test_no_more_than_max_parallel_steps_run_at_once(project, engine):
    steps = [step(f"p{i}", handler="sleep", config={"seconds": 0.1}) for i in range(5)]
    workflow, version = await make_workflow(project, "wide", steps, max_parallel_steps=2)
    run = await start(project, workflow, version)
    assert (await wait_for_status(run.id, *DONE)).status == RunStatus.COMPLETED
    running = peak = 0
    for kind, _ref in await history(run.id):
        running += {"STEP_STARTED": 1, "STEP_COMPLETED": -1}.get(kind, 0)
        peak = max(peak, running)
    assert peak == 2
