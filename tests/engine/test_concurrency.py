"""Many conflicting actions on one run at once: exactly the legal ones win."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from app.actions.run_control import cancel_run, pause_run, resume_run, terminate_run
from app.enums import RunStatus, StepStatus
from app.errors import InvalidTransition
from app.lifecycle import OPEN_STEP_STATUSES, RUN, resume_target
from models import Run, RunEvent, StepRun
from tests.engine.factory import (
    gid,
    make_workflow,
    principal_for,
    start,
    step,
    wait_for_status,
    wait_for_step,
)

ACTIONS = {"cancel": cancel_run, "pause": pause_run, "resume": resume_run, "terminate": terminate_run}
# the run-level event each action appends when it wins
WIN_EVENT = {
    "cancel": "RUN_CANCEL_REQUESTED",
    "pause": "RUN_PAUSED",
    "resume": "RUN_RESUMED",
    "terminate": "RUN_TERMINATED",
}
EVENT_CHANGE = {
    "RUN_STARTED": RUN.START,
    "RUN_PAUSED": RUN.PAUSE,
    "RUN_RESUMED": RUN.RESUME,
    "RUN_CANCEL_REQUESTED": RUN.REQUEST_CANCEL,
    "RUN_CANCELED": RUN.FINISH_CANCEL,
    "RUN_TERMINATED": RUN.TERMINATE,
    "RUN_COMPLETED": RUN.COMPLETE,
    "RUN_FAILED": RUN.FAIL,
}


async def test_fifty_conflicting_actions_on_one_run(project, engine):
    steps = [
        step("work", handler="sleep", config={"seconds": 30}),
        step("cleanup", handler="sleep", config={"seconds": 0.3}, on_cancel=True),
    ]
    workflow, version = await make_workflow(project, "contended", steps)
    run = await start(project, workflow, version)
    await wait_for_step(run.id, "work", StepStatus.RUNNING)
    principal = principal_for(project)
    rng = random.Random(7)
    picks = [rng.choice(list(ACTIONS)) for _ in range(50)]

    async def attempt(name: str) -> bool:
        try:
            await ACTIONS[name](principal, gid(run), f"{name} in a crowd")
        except InvalidTransition:
            return False
        return True

    results = await asyncio.gather(*(attempt(name) for name in picks))
    wins = Counter(name for name, won in zip(picks, results, strict=True) if won)
    final = await wait_for_status(
        run.id, RunStatus.CANCELED, RunStatus.TERMINATED, RunStatus.COMPLETED, RunStatus.FAILED, timeout=20
    )

    events = await RunEvent.filter(run_id=run.id).order_by("seq")
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    run_level = [e.type.value for e in events if e.step_ref is None and e.type.value in EVENT_CHANGE]
    for name in ACTIONS:
        assert wins[name] == run_level.count(WIN_EVENT[name]), name
    # replaying the winners in seq order follows the table from start to the final status
    status = RunStatus.PENDING
    started = False
    for kind in run_level:
        change = EVENT_CHANGE[kind]
        assert status in change.sources, f"{kind} from {status}"
        if change is RUN.RESUME:
            status = resume_target(Run(status=status, started_at=None if not started else final.started_at))
        else:
            status = change.target
        started = started or kind == "RUN_STARTED"
    assert status == final.status
    assert wins["cancel"] <= 1 and wins["terminate"] <= 1
    open_steps = await StepRun.filter(run_id=run.id, status__in=[s.value for s in OPEN_STEP_STATUSES]).count()
    assert open_steps == 0
    assert final.finished_at is not None
