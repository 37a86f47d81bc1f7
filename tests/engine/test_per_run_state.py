"""What the engine keeps per run is dropped once the run is finished (the soak's engine growth).

In the soak the API processes cancel runs whose one step sleeps: the engine learns of it from
its poll (their writes reach it from the database, not through its local listener), so the run
and steps it kept for its next optimistic transaction (`_known`) were never dropped, nor was
any finished run's seq (`_seen`): the engine grew with every run canceled elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from app import pubsub
from app.actions.run_control import cancel_run
from app.engine import core
from app.enums import RunStatus, StepStatus
from tests.engine.factory import gid, make_workflow, principal_for, start, step, wait_for_status, wait_for_step

RUNS = 6


async def _until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while not condition():
                await asyncio.sleep(0.02)


async def test_runs_canceled_elsewhere_leave_nothing_in_the_engine(project, engine, monkeypatch):
    monkeypatch.setattr(core, "FORGET_FINISHED_AFTER", 0.0)
    # this process's cancels must reach the engine as an API process's do: through the database
    pubsub.remove_local_listener(engine._on_publish)
    workflow, version = await make_workflow(project, "slow", [step("wait", handler="sleep", config={"seconds": 3600})])
    runs = [await start(project, workflow, version) for _ in range(RUNS)]
    for run in runs:
        await wait_for_step(run.id, "wait", StepStatus.RUNNING)
    for run in runs:
        await cancel_run(principal_for(project), gid(run), None)
    for run in runs:
        assert (await wait_for_status(run.id, RunStatus.CANCELED)).status == RunStatus.CANCELED
    ids = {run.id for run in runs}
    # the polls that read the cancels stop the handlers, and forget the finished runs
    await _until(lambda: not engine._executing)
    await _until(lambda: not ids & (engine._known.keys() | engine._seen.keys()))
    assert len(ids & engine._known.keys()) == 0, "runs and steps kept of runs canceled elsewhere"
    assert len(ids & engine._seen.keys()) == 0, "seqs kept of finished runs"
    assert not engine._tasks


async def test_runs_the_engine_finished_leave_nothing_in_it(project, engine, monkeypatch):
    monkeypatch.setattr(core, "FORGET_FINISHED_AFTER", 0.0)
    workflow, version = await make_workflow(project, "quick", [step("a"), step("b", depends_on=["a"])])
    runs = [await start(project, workflow, version) for _ in range(RUNS)]
    for run in runs:
        assert (await wait_for_status(run.id, RunStatus.COMPLETED)).status == RunStatus.COMPLETED
    ids = {run.id for run in runs}
    await _until(lambda: not ids & (engine._known.keys() | engine._seen.keys()))
    assert len(ids & engine._known.keys()) == 0
    assert len(ids & engine._seen.keys()) == 0, "seqs kept of finished runs"
