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
        ("STEP_STARTED", "s0"), ("STEP_COMPLETED", "s0"),
        ("STEP_STARTED", "s1"), ("STEP_COMPLETED", "s1"),
        ("STEP_STARTED", "s2"), ("STEP_COMPLETED", "s2"),
    ]
    assert await seqs(run.id) == list(range(1, len(events) + 1))
