"""External workers: claimSteps, heartbeatStep, completeStep, failStep.

A worker claims QUEUED TASK steps of one queue in its own project (a SUPERADMIN key:
every project) and holds each under a lease. Only the holder (same worker id, lease not
expired, step still RUNNING) may heartbeat, complete or fail it; anyone else gets
CONFLICT and nothing changes. Claims never hand one step to two workers: each run's
steps are started inside that run's RunTransaction (run row locked) by compare-and-set,
and on PostgreSQL the candidate step rows are taken with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tortoise import Tortoise
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from app.auth import Principal
from app.enums import Role, RunEventType, RunStatus, StepStatus, StepType
from app.errors import Conflict, NotFound, ValidationFailed
from app.ids import expect_global_id
from app.lifecycle import (
    STEP,
    RunTransaction,
    fail_step_attempt,
    next_attempt,
    start_step,
    step_input,
    takes_a_slot,
    utcnow,
)
from models import Run, RunEvent, StepRun

__all__ = ["claim_steps", "complete_step", "fail_step", "heartbeat_step", "release_step"]

MAX_CLAIM = 100
CANDIDATE_PAGE = 50
STEP_RUN_ID_FIELD = ("input", "stepRunId")
# Like a job taken over from a dead process (app/background.py), a step given back this many
# times in a row is given up: a worker that takes and releases it forever must not loop.
MAX_RELEASES = 3


def _validate_lease(lease_seconds: int) -> dt.timedelta:
    if lease_seconds < 1:
        raise ValidationFailed("leaseSeconds must be at least 1", ("input", "leaseSeconds"))
    return dt.timedelta(seconds=lease_seconds)


def _validate_worker(worker_id: str) -> None:
    if not worker_id.strip():
        raise ValidationFailed("workerId must not be empty", ("input", "workerId"))


def _queued(queue: str, now: dt.datetime) -> QuerySet[StepRun]:
    """QUEUED steps of `queue` whose retry backoff (if any) is over."""
    return StepRun.filter(Q(due_at__isnull=True) | Q(due_at__lte=now), queue=queue, status=StepStatus.QUEUED)


async def _claim_in_run(
    run_id: uuid.UUID,
    *,
    queue: str,
    worker_id: str,
    wanted: int,
    lease: dt.timedelta,
    principal: Principal,
) -> list[StepRun]:
    """Start up to `wanted` claimable steps of one run for `worker_id`, within maxParallelSteps."""
    claimed: list[StepRun] = []
    async with RunTransaction(run_id) as tx:
        if tx.run.status is not RunStatus.RUNNING or not principal.can_see_project(tx.run.project_id):
            return claimed
        now = utcnow()
        candidates = (
            _queued(queue, now)
            .filter(run_id=run_id)
            .using_db(tx.connection)
            .order_by("position", "iteration")
            .limit(wanted)
        )
        if Tortoise.get_connection("default").capabilities.dialect == "postgres":
            candidates = candidates.select_for_update(skip_locked=True)
        rows = await candidates
        if not rows:
            return claimed
        steps = await StepRun.filter(run_id=run_id).using_db(tx.connection)
        running = sum(1 for step in steps if takes_a_slot(step))
        free = max(tx.run.max_parallel_steps - running, 0)
        steps_by_ref = {step.ref: step for step in steps}
        for step in rows[:free]:
            job_run_id = str(uuid.uuid4())
            await start_step(
                tx,
                step,
                actor=principal.actor,
                data={"workerId": worker_id, "jobRunId": job_run_id},
                fields={
                    "job_run_id": job_run_id,
                    "worker_id": worker_id,
                    "lease_expires_at": now + lease,
                    "input": step_input(tx.run, step, steps_by_ref),
                    "error": None,
                },
            )
            claimed.append(step)
    return claimed


async def _with_free_slots(run_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """`run_ids`, in order, less those whose steps already fill maxParallelSteps (a hint only:
    the run's own transaction decides)."""
    if not run_ids:
        return []
    limits = {
        str(run_id): int(maximum)
        for run_id, maximum in await Run.filter(id__in=run_ids).values_list("id", "max_parallel_steps")
    }
    rows = await StepRun.filter(run_id__in=run_ids, status=StepStatus.RUNNING).values_list("run_id", "type")
    running: dict[str, int] = {}
    for run_id, step_type in rows:
        if step_type != StepType.FOR_EACH:
            running[str(run_id)] = running.get(str(run_id), 0) + 1
    return [run_id for run_id in run_ids if running.get(str(run_id), 0) < limits.get(str(run_id), 0)]


async def claim_steps(
    principal: Principal, queue: str, worker_id: str, limit: int = 1, lease_seconds: int = 60
) -> list[StepRun]:
    """claimSteps: move up to `limit` QUEUED steps of `queue` to RUNNING for `worker_id` (OPERATOR).

    Only steps of RUNNING runs whose backoff is over, within each run's maxParallelSteps;
    higher run priority first, then older runs. Each gets a job run id, a lease of
    `lease_seconds`, its attempt counted, and its input object.
    """
    principal.require(Role.OPERATOR, "claimSteps")
    if not queue.strip():
        raise ValidationFailed("queue must not be empty", ("input", "queue"))
    _validate_worker(worker_id)
    if not 1 <= limit <= MAX_CLAIM:
        raise ValidationFailed(f"limit must be between 1 and {MAX_CLAIM}", ("input", "limit"))
    lease = _validate_lease(lease_seconds)
    query = _queued(queue, utcnow()).filter(run__status=RunStatus.RUNNING)
    if not principal.is_superadmin:
        query = query.filter(run__project_id=principal.project_id)
    query = query.order_by("-run__priority", "run__created_at", "run_id", "position")
    claimed: list[StepRun] = []
    visited: set[uuid.UUID] = set()
    page_size = max(limit * 4, CANDIDATE_PAGE)
    offset = 0
    # Page through the candidates: runs at their maxParallelSteps keep QUEUED steps that
    # must not hide the claimable steps of the runs behind them.
    while len(claimed) < limit:
        page = await query.offset(offset).limit(page_size).values_list("run_id", flat=True)
        offset += page_size
        run_ids = [run_id for run_id in dict.fromkeys(uuid.UUID(str(value)) for value in page) if run_id not in visited]
        visited.update(run_ids)
        for run_id in await _with_free_slots(run_ids):
            if len(claimed) >= limit:
                break
            claimed += await _claim_in_run(
                run_id,
                queue=queue,
                worker_id=worker_id,
                wanted=limit - len(claimed),
                lease=lease,
                principal=principal,
            )
        if len(page) < page_size:
            break
    return claimed


async def _held_step(principal: Principal, step_run_id: str, operation: str) -> StepRun:
    """The step behind a StepRun id, if it belongs to a project the caller's key serves."""
    principal.require(Role.OPERATOR, operation)
    raw_id = expect_global_id(step_run_id, "StepRun", STEP_RUN_ID_FIELD)
    step = await StepRun.get_or_none(id=raw_id).select_related("run")
    # Workers serve the whole project's queue, PRIVATE runs included: project scope only.
    if step is None or not principal.can_see_project(step.run.project_id):
        raise NotFound(f"no StepRun with id {step_run_id!r}", STEP_RUN_ID_FIELD)
    return step


def _ensure_holder(step: StepRun, worker_id: str, now: dt.datetime) -> None:
    if step.status is not StepStatus.RUNNING:
        raise Conflict(f"step {step.ref!r} is no longer held by worker {worker_id!r}: it is {step.status.value}")
    if step.worker_id != worker_id:
        raise Conflict(f"step {step.ref!r} is held by another worker, not {worker_id!r}")
    if step.lease_expires_at is None or step.lease_expires_at <= now:
        raise Conflict(f"step {step.ref!r}: the lease of worker {worker_id!r} has expired")


async def _relock(tx: RunTransaction, step_id: uuid.UUID) -> StepRun:
    step = await StepRun.filter(id=step_id).using_db(tx.connection).first()
    if step is None:  # a replayed FOR_EACH dropped its old iterations
        raise Conflict("this step run no longer exists")
    return step


async def heartbeat_step(
    principal: Principal, step_run_id: str, worker_id: str, lease_seconds: int = 60
) -> tuple[StepRun, Run]:
    """heartbeatStep: extend the holder's lease to now + lease_seconds; CONFLICT for anyone else."""
    lease = _validate_lease(lease_seconds)
    _validate_worker(worker_id)
    found = await _held_step(principal, step_run_id, "heartbeatStep")
    now = utcnow()
    _ensure_holder(found, worker_id, now)
    # Compare-and-set on the holder's claim, so a step lost meanwhile is never extended.
    extended = await StepRun.filter(
        id=found.id, status=StepStatus.RUNNING, worker_id=worker_id, lease_expires_at__gt=now
    ).update(lease_expires_at=now + lease)
    step = await StepRun.get(id=found.id)
    if extended != 1:
        _ensure_holder(step, worker_id, now)
        raise Conflict(f"step {step.ref!r} is no longer held by worker {worker_id!r}")
    return step, await Run.get(id=step.run_id)


async def complete_step(principal: Principal, step_run_id: str, worker_id: str, output: Any) -> tuple[StepRun, Run]:
    """completeStep: the holder finishes its step with `output` (RUNNING -> COMPLETED)."""
    _validate_worker(worker_id)
    found = await _held_step(principal, step_run_id, "completeStep")
    async with RunTransaction(found.run_id) as tx:
        step = await _relock(tx, found.id)
        now = utcnow()
        _ensure_holder(step, worker_id, now)
        await tx.change_step(
            step,
            STEP.COMPLETE,
            actor=principal.actor,
            data={"workerId": worker_id},
            fields={"output": output, "error": None, "finished_at": now, "lease_expires_at": None},
        )
    return step, tx.run


async def fail_step(
    principal: Principal, step_run_id: str, worker_id: str, error: str, retryable: bool = True
) -> tuple[StepRun, Run]:
    """failStep: the holder reports a failed attempt; retried per the step's policy, else the run fails."""
    _validate_worker(worker_id)
    found = await _held_step(principal, step_run_id, "failStep")
    async with RunTransaction(found.run_id) as tx:
        step = await _relock(tx, found.id)
        _ensure_holder(step, worker_id, utcnow())
        await fail_step_attempt(tx, step, error, retryable)
    return step, tx.run


async def release_step(principal: Principal, step_run_id: str, worker_id: str) -> tuple[StepRun, Run]:
    """releaseStep: the holder gives its step back unfinished (it is shutting down).

    The step is QUEUED again as the next attempt (LIFECYCLE.md), due at once, so another worker
    claims it without waiting for the lease to run out; the step's retry backoff does not
    apply: the handler did not fail.

    After MAX_RELEASES releases in a row (since the step last started afresh, or was retried
    by hand), the next one gives the step up: FAILED, as when its attempts run out.
    """
    _validate_worker(worker_id)
    found = await _held_step(principal, step_run_id, "releaseStep")
    async with RunTransaction(found.run_id) as tx:
        step = await _relock(tx, found.id)
        _ensure_holder(step, worker_id, utcnow())
        if await _releases_in_a_row(tx, step) >= MAX_RELEASES:
            error = (
                f"given up after {MAX_RELEASES} releases: released unfinished again by worker {worker_id!r}; "
                "a step that is given back every time it is taken is not retried forever"
            )
            await fail_step_attempt(tx, step, error, retryable=False)
            return step, tx.run
        reason = f"released unfinished by worker {worker_id!r}, which is shutting down"
        await tx.change_step(
            step,
            STEP.RETRY_LATER,
            fields={"error": reason, "lease_expires_at": None, "due_at": None, "attempt": next_attempt(step)},
            event_data=[{"error": reason, "released": True}, {"nextAttempt": next_attempt(step)}],
        )
    return step, tx.run


async def _releases_in_a_row(tx: RunTransaction, step: StepRun) -> int:
    """How many times the step was released since it was last failed or retried otherwise (its
    STEP_FAILED events marked `released`, counted back to the first other failure or reset)."""
    events = (
        await RunEvent.filter(
            run_id=step.run_id,
            step_ref=step.ref,
            type__in=(RunEventType.STEP_FAILED, RunEventType.STEP_RESET),
        )
        .using_db(tx.connection)
        .order_by("-seq")
        .values_list("type", "data")
    )
    count = 0
    for kind, data in events:
        if kind != RunEventType.STEP_FAILED or not (isinstance(data, dict) and data.get("released") is True):
            break
        count += 1
    return count
