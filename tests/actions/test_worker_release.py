"""releaseStep is bounded: a worker that takes a step and gives it back forever does not loop.

README (Operating flowdeck): background work taken over from a dead process is given up after
3 takeovers; a step released unfinished is counted the same way: 3 releases in a row give it
back to the queue, the 4th gives the step up FAILED with a clear error (and its run fails).
"""

from __future__ import annotations

from app.actions.step_control import retry_step
from app.actions.workers import claim_steps, release_step
from app.enums import RunStatus, StepStatus
from tests.actions.factory import gid, make_project, make_run_in, principal, put_step, reload, step_gid, step_of, task

RELEASES_ALLOWED = 3


async def _billing_run(project):
    run = await make_run_in(project, RunStatus.RUNNING, [task("charge", queue="billing")])
    await put_step(run, "charge", StepStatus.QUEUED)
    return run


async def _take_and_release(project, worker: str) -> StepStatus:
    [claimed] = await claim_steps(principal(project), "billing", worker, lease_seconds=60)
    step, _ = await release_step(principal(project), step_gid(claimed), worker)
    return step.status


async def test_the_fourth_release_in_a_row_gives_the_step_up(db):
    project = await make_project()
    run = await _billing_run(project)

    for n in range(RELEASES_ALLOWED):
        assert await _take_and_release(project, f"worker-{n}") is StepStatus.QUEUED
    stored = await step_of(run, "charge")
    assert (stored.status, stored.attempt) == (StepStatus.QUEUED, RELEASES_ALLOWED + 1)

    assert await _take_and_release(project, "worker-last") is StepStatus.FAILED
    stored = await step_of(run, "charge")
    assert stored.status is StepStatus.FAILED
    assert stored.error is not None and stored.error.startswith("given up after 3 releases")
    assert "worker-last" in stored.error
    assert (await reload(run)).status is RunStatus.FAILED
    # nothing left to take
    assert await claim_steps(principal(project), "billing", "worker-next") == []


async def test_a_retry_by_hand_starts_the_count_again(db):
    project = await make_project()
    run = await _billing_run(project)
    for n in range(RELEASES_ALLOWED + 1):
        await _take_and_release(project, f"worker-{n}")
    assert (await step_of(run, "charge")).status is StepStatus.FAILED

    await retry_step(principal(project), gid(run), "charge", "try again")

    for n in range(RELEASES_ALLOWED):
        assert await _take_and_release(project, f"again-{n}") is StepStatus.QUEUED
    assert await _take_and_release(project, "again-last") is StepStatus.FAILED
