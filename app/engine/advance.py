"""One run's next moves, decided and written inside one RunTransaction.

`advance` looks at a locked run and its steps and makes every change that is due now:
starts the run, queues steps whose dependencies are satisfied, starts queued steps within
maxParallelSteps, fires timers, follows child runs, expires leases, times the run out,
finishes canceling, and completes or fails the run. It loops until nothing more changes,
so a step completing, its dependents being queued and started, and the run completing
are one transaction. It returns a `Plan`: what the engine must do after the commit
(execute handlers, wake at a time, look at other runs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from app.actions.signals import consume_buffered_signal
from app.enums import RunStatus, StepStatus, StepType, TriggerSource
from app.ids import to_global_id
from app.lifecycle import (
    IN_FLIGHT_STEP_STATUSES,
    OPEN_STEP_STATUSES,
    RUN,
    SATISFIED_STEP_STATUSES,
    STEP,
    RunTransaction,
    attempts_left,
    count_error,
    fail_run,
    fail_step_attempt,
    first_attempt,
    next_attempt,
    settle_open_steps,
    start_step,
    step_input,
    takes_a_slot,
    utcnow,
)
from app.statements import insert_rows
from models import Run, StepRun, Workflow, WorkflowVersion

# An engine that dies mid-step is not the step's fault: its step gets this many extra
# attempts beyond the retry policy before a lost lease counts as a failure of the step.
ENGINE_LOSS_ALLOWANCE = 3
ENGINE_WORKER_PREFIX = "engine:"


@dataclasses.dataclass
class Execution:
    """A step this engine started and must now run (TASK handler or HTTP call)."""

    run_id: uuid.UUID
    step_id: uuid.UUID
    ref: str
    type: StepType
    handler: str | None
    config: dict[str, Any]
    input: dict[str, Any]
    attempt: int
    job_run_id: str
    timeout_seconds: int | None


@dataclasses.dataclass
class Plan:
    executions: list[Execution] = dataclasses.field(default_factory=list)
    wake_at: dt.datetime | None = None
    # other runs to look at after the commit (a parent whose child finished, a new child)
    other_runs: set[uuid.UUID] = dataclasses.field(default_factory=set)

    def wake_no_later_than(self, when: dt.datetime) -> None:
        if self.wake_at is None or when < self.wake_at:
            self.wake_at = when


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What an execution came back with."""

    step_id: uuid.UUID
    job_run_id: str
    output: Any = None
    error: str | None = None
    retryable: bool = True


# ---------------------------------------------------------------- helpers


def _is_top_level(step: StepRun) -> bool:
    return step.parent_ref is None


def _body_retry(body: dict[str, Any]) -> dict[str, Any] | None:
    retry = body.get("retry")
    if not isinstance(retry, dict):
        return None
    return {
        "max_attempts": int(retry.get("maxAttempts", 1)),
        "backoff_seconds": float(retry.get("backoffSeconds", 1)),
        "backoff_factor": float(retry.get("backoffFactor", 2)),
    }


def run_output(steps: list[StepRun]) -> dict[str, Any]:
    """A run's output: each top-level step ref mapped to its output (cleanup steps left out)."""
    return {step.ref: step.output for step in steps if _is_top_level(step) and not step.on_cancel}


# ---------------------------------------------------------------- the run


async def advance(
    tx: RunTransaction,
    *,
    owner: str,
    lease: dt.timedelta,
    outcome: Outcome | None = None,
) -> Plan:
    """Make every change that is due for `tx.run` now; see the module docstring."""
    plan = Plan()
    run = tx.run
    steps = await tx.load_steps()
    if outcome is not None:
        await _apply_outcome(tx, steps, outcome)
    if run.is_terminal or run.status == RunStatus.BLOCKED:
        if run.is_terminal and run.parent_run_id is not None:
            plan.other_runs.add(uuid.UUID(str(run.parent_run_id)))
        return plan
    now = utcnow()
    if run.status in RUN.TIME_OUT.sources and run.expires_at is not None and run.expires_at <= now:
        await settle_open_steps(tx, steps, cancel=IN_FLIGHT_STEP_STATUSES | {StepStatus.QUEUED})
        await tx.change_run(RUN.TIME_OUT, data={"timeoutSeconds": run.timeout_seconds}, fields={"finished_at": now})
        _after_finish(run, plan)
        return plan
    if run.status == RunStatus.PENDING:
        if run.schedule_hold:
            # held by its schedule's overlap policy; released when the previous run ends
            return plan
        if run.scheduled_at is not None and run.scheduled_at > now:
            plan.wake_no_later_than(run.scheduled_at)
            return plan
        expires_at = now + dt.timedelta(seconds=run.timeout_seconds) if run.timeout_seconds else None
        await tx.change_run(RUN.START, fields={"started_at": now, "expires_at": expires_at})
    if run.expires_at is not None:
        plan.wake_no_later_than(run.expires_at)
    while await _one_pass(tx, steps, plan, owner=owner, lease=lease):
        if run.is_terminal:
            break
    if run.is_terminal:
        _after_finish(run, plan)
    return plan


def _after_finish(run: Run, plan: Plan) -> None:
    if run.parent_run_id is not None:
        plan.other_runs.add(uuid.UUID(str(run.parent_run_id)))


async def _apply_outcome(tx: RunTransaction, steps: list[StepRun], outcome: Outcome) -> None:
    step = next((s for s in steps if s.id == outcome.step_id), None)
    # Canceled, force-completed or lost meanwhile: this execution's result no longer counts.
    if step is None or step.status != StepStatus.RUNNING or step.job_run_id != outcome.job_run_id:
        return
    if outcome.error is None:
        await tx.change_step(
            step,
            STEP.COMPLETE,
            fields={
                "output": outcome.output,
                "finished_at": utcnow(),
                "lease_expires_at": None,
                "error": None,
            },
        )
    else:
        await fail_step_attempt(tx, step, outcome.error, outcome.retryable)


async def _one_pass(tx: RunTransaction, steps: list[StepRun], plan: Plan, *, owner: str, lease: dt.timedelta) -> bool:
    """One sweep over the steps; True when something changed (so another sweep may find more)."""
    run = tx.run
    now = utcnow()
    changed = False
    by_ref = {step.ref: step for step in steps}

    # Leases that ran out: the holder (an engine or a worker) is gone.
    for step in steps:
        if step.status == StepStatus.RUNNING and step.lease_expires_at is not None and step.lease_expires_at <= now:
            await _lease_lost(tx, step)
            changed = True
            if run.is_terminal:
                return True

    # Timers, child runs and loops that may have finished.
    for step in steps:
        if step.status == StepStatus.WAITING and step.type == StepType.SLEEP and step.due_at is not None:
            if step.due_at <= now:
                await tx.change_step(step, STEP.COMPLETE, fields={"output": {}, "finished_at": now, "due_at": None})
                changed = True
            else:
                plan.wake_no_later_than(step.due_at)
        elif step.status == StepStatus.WAITING and step.type == StepType.SUBWORKFLOW:
            changed |= await _follow_child(tx, step, plan)
        elif step.status == StepStatus.RUNNING and step.type == StepType.FOR_EACH:
            changed |= await _finish_loop(tx, step, steps)
        if run.is_terminal:
            return True

    if run.status == RunStatus.RUNNING:
        failed = next((s for s in steps if s.status == StepStatus.FAILED and not s.on_cancel), None)
        if failed is not None:
            # a step failed by someone else (a rejection, a worker) without failing the run
            await fail_run(
                tx,
                error=failed.error or f"step {failed.ref} failed",
                error_type="STEP_FAILED",
                step_ref=failed.ref,
            )
            return True
        changed |= await _queue_ready(tx, steps, by_ref, cleanup=False)
        changed |= await _start_queued(tx, steps, by_ref, plan, owner=owner, lease=lease, cleanup=False)
        if await _complete_if_done(tx, steps):
            return True
    elif run.status == RunStatus.CANCELING:
        changed |= await _queue_ready(tx, steps, by_ref, cleanup=True)
        changed |= await _start_queued(tx, steps, by_ref, plan, owner=owner, lease=lease, cleanup=True)
        if not any(s.status in OPEN_STEP_STATUSES for s in steps):
            await tx.change_run(RUN.FINISH_CANCEL, fields={"finished_at": utcnow()})
            return True
    # PAUSED: running steps finish (above and in _apply_outcome); nothing new starts.
    for step in steps:
        if step.status == StepStatus.QUEUED and step.due_at is not None and step.due_at > now:
            plan.wake_no_later_than(step.due_at)
    return changed


async def _lease_lost(tx: RunTransaction, step: StepRun) -> None:
    held_by_engine = (step.worker_id or "").startswith(ENGINE_WORKER_PREFIX)
    policy_attempts = int((step.retry or {}).get("max_attempts", 1))
    if held_by_engine and not attempts_left(step) and step.attempt < policy_attempts + ENGINE_LOSS_ALLOWANCE:
        # The engine that ran it died: run it again (at-least-once), at once.
        error = f"the engine running attempt {step.attempt} stopped ({step.worker_id}); running it again"
        await count_error(tx)
        await tx.change_step(
            step,
            STEP.RETRY_LATER,
            fields={"error": error, "lease_expires_at": None, "due_at": None, "attempt": next_attempt(step)},
            event_data=[{"error": error, "leaseExpired": True}, {"nextAttempt": next_attempt(step)}],
        )
        return
    await fail_step_attempt(tx, step, f"lease expired (holder {step.worker_id or 'unknown'})", True)


async def _follow_child(tx: RunTransaction, step: StepRun, plan: Plan) -> bool:
    child = await Run.filter(parent_step_id=step.id).using_db(tx.connection).order_by("-created_at").first()
    if child is None:
        return await _start_child(tx, step, plan)
    if not child.is_terminal:
        return False
    if child.status == RunStatus.COMPLETED:
        await tx.change_step(
            step,
            STEP.COMPLETE,
            fields={"output": child.output, "finished_at": utcnow()},
            data={"childRunId": to_global_id("Run", child.id)},
        )
    else:
        await fail_step_attempt(
            tx, step, f"child run {to_global_id('Run', child.id)} ended {child.status.value}", False
        )
    return True


async def _start_child(tx: RunTransaction, step: StepRun, plan: Plan) -> bool:
    """Create the child run of a SUBWORKFLOW step, inside the parent's transaction.

    The creation nests in this transaction (a savepoint), so a parent step never waits
    without its child, and a crash never leaves two children.
    """
    from app.actions.runs import Lineage, RunOptions, create_run

    run = tx.run
    config = step.config or {}
    key = config.get("workflowKey")
    workflow = await Workflow.filter(project_id=run.project_id, key=key).using_db(tx.connection).first()
    version = (
        await WorkflowVersion.filter(workflow_id=workflow.id, version=workflow.version).using_db(tx.connection).first()
        if workflow is not None
        else None
    )
    if workflow is None or version is None:
        await fail_step_attempt(tx, step, f"no workflow {key!r} in this project", False)
        return True
    from models import Project

    project = await Project.filter(id=run.project_id).using_db(tx.connection).first()
    assert project is not None
    child_input = config.get("input", run.input)
    child = await create_run(
        project=project,
        workflow=workflow,
        version=version,
        options=RunOptions(
            input=child_input if isinstance(child_input, dict) else run.input,
            priority=run.priority,
            dry_run=run.dry_run,
            visibility=run.visibility,
            tenant=run.tenant,
        ),
        initiated_by=f"run:{to_global_id('Run', run.id)}",
        lineage=Lineage(
            triggered_by=TriggerSource.WORKFLOW_STEP,
            parent_run=uuid.UUID(str(run.id)),
            parent_step_id=uuid.UUID(str(step.id)),
        ),
    )
    plan.other_runs.add(uuid.UUID(str(child.id)))
    return False


async def _finish_loop(tx: RunTransaction, loop: StepRun, steps: list[StepRun]) -> bool:
    iterations = sorted((s for s in steps if s.parent_ref == loop.ref), key=lambda s: s.iteration or 0)
    if not all(s.status in SATISFIED_STEP_STATUSES for s in iterations):
        return False
    await tx.change_step(
        loop,
        STEP.COMPLETE,
        fields={"output": [s.output for s in iterations], "finished_at": utcnow(), "lease_expires_at": None},
    )
    return True


async def _queue_ready(tx: RunTransaction, steps: list[StepRun], by_ref: dict[str, StepRun], *, cleanup: bool) -> bool:
    changed = False
    for step in steps:
        if step.status != StepStatus.PENDING or step.on_cancel != cleanup:
            continue
        deps = [by_ref.get(ref) for ref in step.depends_on or []]
        if cleanup:
            # While canceling, only other cleanup steps hold a cleanup step back.
            deps = [dep for dep in deps if dep is not None and dep.on_cancel]
            if any(dep.status in {StepStatus.FAILED, StepStatus.CANCELED} for dep in deps if dep is not None):
                await tx.change_step(step, STEP.SKIP_CLEANUP, fields={"finished_at": utcnow()})
                changed = True
                continue
        if all(dep is not None and dep.status in SATISFIED_STEP_STATUSES for dep in deps):
            await tx.change_step(step, STEP.QUEUE)
            changed = True
    return changed


async def _start_queued(
    tx: RunTransaction,
    steps: list[StepRun],
    by_ref: dict[str, StepRun],
    plan: Plan,
    *,
    owner: str,
    lease: dt.timedelta,
    cleanup: bool,
) -> bool:
    run = tx.run
    now = utcnow()
    free = run.max_parallel_steps - sum(1 for s in steps if takes_a_slot(s))
    changed = False
    for step in list(steps):
        if step.status != StepStatus.QUEUED or step.on_cancel != cleanup:
            continue
        if step.type == StepType.TASK and step.queue:
            continue  # an external worker claims it
        if step.due_at is not None and step.due_at > now:
            continue  # retry backoff
        if step.type in (StepType.TASK, StepType.HTTP):
            if free <= 0:
                continue
            await _start_execution(tx, step, steps, by_ref, plan, owner=owner, lease=lease)
            if step.status == StepStatus.RUNNING:
                free -= 1
        elif step.type == StepType.FOR_EACH:
            await _start_loop(tx, step, steps, by_ref)
        else:
            await _start_waiting(tx, step, plan)
        changed = True
    return changed


async def _start_execution(
    tx: RunTransaction,
    step: StepRun,
    steps: list[StepRun],
    by_ref: dict[str, StepRun],
    plan: Plan,
    *,
    owner: str,
    lease: dt.timedelta,
) -> None:
    run = tx.run
    value = step_input(run, step, by_ref)
    if run.dry_run:
        await start_step(tx, step, fields={"input": value})
        await tx.change_step(step, STEP.COMPLETE, fields={"output": {"dryRun": True}, "finished_at": utcnow()})
        return
    job_run_id = f"{owner}/{uuid.uuid4().hex[:12]}"
    await start_step(
        tx,
        step,
        fields={
            "input": value,
            "job_run_id": job_run_id,
            "worker_id": owner,
            "lease_expires_at": utcnow() + lease,
            "error": None,
        },
    )
    plan.executions.append(
        Execution(
            run_id=uuid.UUID(str(run.id)),
            step_id=uuid.UUID(str(step.id)),
            ref=step.ref,
            type=step.type,
            handler=step.handler,
            config=dict(step.config or {}),
            input=value,
            attempt=step.attempt,
            job_run_id=job_run_id,
            timeout_seconds=step.timeout_seconds,
        )
    )


async def _start_loop(tx: RunTransaction, loop: StepRun, steps: list[StepRun], by_ref: dict[str, StepRun]) -> None:
    run = tx.run
    config = loop.config or {}
    items_key = config.get("items")
    items = run.input.get(items_key) if isinstance(run.input, dict) else None
    await start_step(tx, loop, fields={"input": {"items": items}})
    if not isinstance(items, list):
        await fail_step_attempt(tx, loop, f"input.{items_key} is not a list", False)
        return
    if not items:
        await tx.change_step(loop, STEP.COMPLETE, fields={"output": [], "finished_at": utcnow()})
        return
    body = config.get("body") or {}
    now = utcnow()
    # retryRun may have carried iterations over; create only the missing ones
    existing = {s.iteration for s in steps if s.parent_ref == loop.ref}
    rows = [
        StepRun(
            id=uuid.uuid4(),
            run_id=run.id,
            ref=f"{loop.ref}[{index}]",
            position=loop.position,
            name=loop.name,
            type=StepType(body.get("type", StepType.TASK.value)),
            status=StepStatus.PENDING,
            attempt=0,
            depends_on=[],
            handler=body.get("handler"),
            queue=body.get("queue"),
            config=body.get("config"),
            retry=_body_retry(body),
            timeout_seconds=body.get("timeoutSeconds"),
            on_cancel=loop.on_cancel,
            iteration=index,
            parent_ref=loop.ref,
            created_at=now,
        )
        for index in range(len(items))
        if index not in existing
    ]
    if rows:
        await insert_rows(tx.connection, rows)
    for row in rows:
        steps.append(row)
        by_ref[row.ref] = row


async def _start_waiting(tx: RunTransaction, step: StepRun, plan: Plan) -> None:
    now = utcnow()
    config = step.config or {}
    if step.type == StepType.SLEEP:
        due_at = now + dt.timedelta(seconds=float(config.get("seconds") or 0))
        await tx.change_step(
            step,
            STEP.WAIT,
            fields={"started_at": now, "due_at": due_at, "attempt": first_attempt(step)},
            data={"until": due_at.isoformat()},
        )
        plan.wake_no_later_than(due_at)
        return
    await tx.change_step(step, STEP.WAIT, fields={"started_at": now, "attempt": first_attempt(step)})
    if step.type == StepType.SIGNAL:
        await consume_buffered_signal(tx, step)
    elif step.type == StepType.SUBWORKFLOW:
        await _start_child(tx, step, plan)


async def _complete_if_done(tx: RunTransaction, steps: list[StepRun]) -> bool:
    work = [s for s in steps if not s.on_cancel]
    if not all(s.status in SATISFIED_STEP_STATUSES for s in work):
        return False
    now = utcnow()
    for step in steps:
        if step.on_cancel and step.status in STEP.SKIP_CLEANUP.sources:
            await tx.change_step(step, STEP.SKIP_CLEANUP, fields={"finished_at": now})
    await tx.change_run(RUN.COMPLETE, fields={"output": run_output(steps), "finished_at": now})
    return True


__all__ = [
    "ENGINE_WORKER_PREFIX",
    "Execution",
    "Outcome",
    "Plan",
    "advance",
    "run_output",
]
