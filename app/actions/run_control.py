"""Run-level actions: cancel, terminate, pause, resume, retry, restart (LIFECYCLE.md "Run").

Each takes the caller, the run's global id and an optional reason, changes the run
through one RunTransaction (or creates a new run), and returns the run as it now is.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app.actions.runs import Lineage, RunOptions, SubjectSpec, create_run, get_visible_run
from app.auth import Principal
from app.enums import Role, RunEventType, RunStatus, StepStatus, TriggerSource
from app.errors import FlowdeckError, InvalidTransition, NotFound
from app.ids import to_global_id
from app.lifecycle import (
    NON_TERMINAL_RUN_STATUSES,
    OPEN_STEP_STATUSES,
    RESTARTABLE_RUN_STATUSES,
    RETRYABLE_RUN_STATUSES,
    RUN,
    HeldRun,
    NeedsLock,
    RunChange,
    RunTransaction,
    resume_target,
    settle_open_steps,
    utcnow,
)
from app.run_batches import lock_runs, parents_with_open_children, write_held_runs
from app.run_writes import RunMovedOn
from models import Project, Run, RunTag, StepRun, Workflow, WorkflowVersion

__all__ = [
    "BATCHED_ACTIONS",
    "ActedRuns",
    "BatchedAction",
    "act_on_runs",
    "cancel_run",
    "pause_run",
    "restart_run",
    "resume_run",
    "retry_run",
    "stop_run_as",
    "terminate_run",
]

log = logging.getLogger("flowdeck.run_control")


def _check(run: Run, change: RunChange) -> None:
    # the same message change_run gives, raised before any step is touched
    if run.status not in change.sources:
        raise InvalidTransition(f"cannot {change.name} a run that is {run.status.value}")


async def cancel_run(principal: Principal, run_id: str, reason: str | None = None) -> Run:
    """cancelRun: CANCELING; work steps CANCELED; onCancel steps run; then CANCELED.

    The run is CANCELED at once when there is no cleanup to run. Cleanup runs only for a
    run that started: a run canceled before it started has nothing to clean up, so its
    onCancel steps end SKIPPED. Child runs still open are canceled too.
    """
    principal.require(Role.OPERATOR, "cancelRun")
    run = await get_visible_run(principal, run_id)
    canceled = await _cancel(run.id, principal.actor, reason)
    await _cascade(run.id, _cancel, reason)
    return canceled


async def _cancel(run_id: uuid.UUID, actor: str, reason: str | None) -> Run:
    async with RunTransaction(run_id) as tx:
        await cancel_in(tx, actor, reason)
    return tx.run


async def cancel_in(tx: RunTransaction, actor: str, reason: str | None) -> None:
    """A cancel's changes to the run of `tx` and its steps (InvalidTransition before any change
    when the run cannot be canceled); its child runs are not touched."""
    _check(tx.run, RUN.REQUEST_CANCEL)
    started = tx.run.started_at is not None
    await tx.change_run(RUN.REQUEST_CANCEL, actor=actor, reason=reason)
    steps = await tx.load_steps()
    # a started run runs its cleanup steps next; one that never started has nothing to clean up
    await settle_open_steps(
        tx,
        steps,
        cancel=OPEN_STEP_STATUSES,
        cancel_cleanup=False,
        skip_cleanup=not started,
        actor=actor,
        reason=reason,
    )
    if not any(step.status in OPEN_STEP_STATUSES for step in steps):
        await tx.change_run(RUN.FINISH_CANCEL, actor=actor, fields={"finished_at": utcnow()})


async def terminate_run(principal: Principal, run_id: str, reason: str | None = None) -> Run:
    """terminateRun: TERMINATED at once; open steps CANCELED; cleanup steps not started SKIPPED.
    Child runs still open are terminated too."""
    principal.require(Role.OPERATOR, "terminateRun")
    run = await get_visible_run(principal, run_id)
    terminated = await _terminate(run.id, principal.actor, reason)
    await _cascade(run.id, _terminate, reason)
    return terminated


async def _terminate(run_id: uuid.UUID, actor: str, reason: str | None) -> Run:
    async with RunTransaction(run_id) as tx:
        await terminate_in(tx, actor, reason)
    return tx.run


async def terminate_in(tx: RunTransaction, actor: str, reason: str | None) -> None:
    """A terminate's changes to the run of `tx` and its steps (InvalidTransition before any
    change when the run is already terminal); its child runs are not touched."""
    _check(tx.run, RUN.TERMINATE)
    await settle_open_steps(tx, await tx.load_steps(), cancel=OPEN_STEP_STATUSES)
    await tx.change_run(RUN.TERMINATE, actor=actor, reason=reason, fields={"finished_at": utcnow()})


async def stop_run_as(run_id: uuid.UUID, actor: str, reason: str | None, *, terminate: bool) -> bool:
    """Cancel (or terminate) a run and its open child runs on behalf of `actor` (a schedule's
    CANCEL_OTHER / TERMINATE_OTHER policy); False when the run had already moved on."""
    action = _terminate if terminate else _cancel
    try:
        await action(run_id, actor, reason)
    except (InvalidTransition, NotFound):
        return False
    await _cascade(run_id, action, reason)
    return True


@dataclasses.dataclass(frozen=True)
class BatchedAction:
    """A run action that `act_on_runs` makes on a batch of runs at once."""

    operation: str
    # its changes to one run, in a transaction over it (cancel_in, ...)
    changes: Callable[[RunTransaction, str, str | None], Awaitable[None]]
    # the same action on one child run, for the cascade to open child runs; None: no cascade
    cascade: Callable[[uuid.UUID, str, str | None], Awaitable[Run]] | None = None


@dataclasses.dataclass
class ActedRuns:
    """What `act_on_runs` did with a batch of runs."""

    succeeded: list[uuid.UUID] = dataclasses.field(default_factory=list)
    # the runs that had moved on: INVALID_TRANSITION, as the action on one run says it
    failed: list[tuple[uuid.UUID, FlowdeckError]] = dataclasses.field(default_factory=list)
    # left for the caller to act on one at a time (cancel_run, ...), in id order
    one_by_one: list[uuid.UUID] = dataclasses.field(default_factory=list)


async def act_on_runs(
    principal: Principal,
    action: BatchedAction,
    run_ids: Sequence[uuid.UUID],
    reason: str | None,
    *,
    record: Callable[[BaseDBAsyncClient, ActedRuns], Awaitable[None]],
) -> ActedRuns:
    """cancelRun, terminateRun, pauseRun or resumeRun on many runs in one transaction: the same
    changes, events, counters, notifications (and cascade to child runs) as the action on each
    run, written by set-based statements (app.run_batches). `record(connection, outcome)` runs
    in that transaction before it commits (a bulk job's progress).

    The runs a batch would act on in another order than one by one, or that need statements of
    their own, are left in `one_by_one` and nothing is done to them: runs another transaction
    holds (never waited for), runs the caller cannot see (NOT_FOUND), child runs and runs with
    open children (a cascade reaches them between two runs), and runs of a schedule (whose end
    the schedule reacts to). If the batch cannot be written as held, all its runs are left.
    """
    if principal.role < Role.OPERATOR:
        # one at a time, each gets the error the action on one run gives
        return ActedRuns(one_by_one=sorted(run_ids))
    outcome = ActedRuns()
    held: list[HeldRun] = []
    try:
        async with in_transaction("default") as connection:
            locked = await lock_runs(connection, run_ids)
            for run in locked.runs:
                if not _batchable(principal, run, locked.with_open_children):
                    outcome.one_by_one.append(run.id)
                    continue
                tx = RunTransaction.holding(run, locked.steps_of(run))
                try:
                    await action.changes(tx, principal.actor, reason)
                except InvalidTransition as error:
                    outcome.failed.append((run.id, error))
                    continue
                held.append(tx.held())
                outcome.succeeded.append(run.id)
            await write_held_runs(connection, held)
            await record(connection, outcome)
    except (NeedsLock, RunMovedOn) as error:
        log.warning("a batch of %d runs to %s is left to act on one by one: %s", len(run_ids), action.operation, error)
        return ActedRuns(one_by_one=sorted(run_ids))
    seen = {str(run.id) for run in locked.runs}
    outcome.one_by_one = sorted([*outcome.one_by_one, *(run_id for run_id in run_ids if str(run_id) not in seen)])
    for item in held:
        await item.tx.announce()
    if action.cascade is not None:
        # child runs started since the check (none, when starting one locks its parent), as cancel_run does
        for parent_id in sorted(await parents_with_open_children(outcome.succeeded)):
            await _cascade(uuid.UUID(parent_id), action.cascade, reason)
    return outcome


def _batchable(principal: Principal, run: Run, with_open_children: set[str]) -> bool:
    return (
        principal.can_see_run(run.project_id, run.visibility, run.initiated_by)
        and run.parent_run_id is None
        and str(run.id) not in with_open_children
        and run.schedule_id is None
    )


async def _cascade(
    parent_id: uuid.UUID,
    action: Callable[[uuid.UUID, str, str | None], Awaitable[Run]],
    reason: str | None,
) -> None:
    """Apply a cancel or terminate to the open child runs, and theirs, as the parent
    (Temporal's default parent-close policy). A child that moved on meanwhile is left alone."""
    children = await Run.filter(parent_run_id=parent_id, status__in=[s.value for s in NON_TERMINAL_RUN_STATUSES])
    for child in children:
        try:
            await action(child.id, f"run:{to_global_id('Run', parent_id)}", reason)
        except InvalidTransition:
            continue
        await _cascade(child.id, action, reason)


async def pause_run(principal: Principal, run_id: str, reason: str | None = None) -> Run:
    """pauseRun: no new step starts; running steps finish."""
    principal.require(Role.OPERATOR, "pauseRun")
    run = await get_visible_run(principal, run_id)
    async with RunTransaction(run.id) as tx:
        await pause_in(tx, principal.actor, reason)
    return tx.run


async def pause_in(tx: RunTransaction, actor: str, reason: str | None) -> None:
    """A pause's change to the run of `tx`."""
    await tx.change_run(RUN.PAUSE, actor=actor, reason=reason)


async def resume_run(principal: Principal, run_id: str, reason: str | None = None) -> Run:
    """resumeRun: back to RUNNING, or to PENDING when the run never started."""
    principal.require(Role.OPERATOR, "resumeRun")
    run = await get_visible_run(principal, run_id)
    async with RunTransaction(run.id) as tx:
        await resume_in(tx, principal.actor, reason)
    return tx.run


async def resume_in(tx: RunTransaction, actor: str, reason: str | None) -> None:
    """A resume's change to the run of `tx`."""
    await tx.change_run(RUN.RESUME, target=resume_target(tx.run), actor=actor, reason=reason)


async def retry_run(
    principal: Principal, run_id: str, reason: str | None = None, *, batch_id: str | None = None
) -> Run:
    """retryRun: a new run (retryOf) that reuses the COMPLETED steps and reruns the rest.

    Returns the new run (with `batch_id`, when a bulk job retries); the old one keeps its
    status and gets RUN_RETRIED.
    """
    principal.require(Role.OPERATOR, "retryRun")
    old = await get_visible_run(principal, run_id)
    _check_status(old, RETRYABLE_RUN_STATUSES, "retry")
    completed = await StepRun.filter(
        run_id=old.id, status=StepStatus.COMPLETED.value, parent_ref__isnull=True
    ).values_list("ref", "output")
    new = await _new_run_from(
        principal,
        old,
        reason,
        Lineage(
            triggered_by=TriggerSource.RETRY,
            retry_of=uuid.UUID(str(old.id)),
            reused_outputs={ref: output for ref, output in completed},
            batch_id=batch_id,
        ),
    )
    await _record_on_old(old, RETRYABLE_RUN_STATUSES, "retry", RunEventType.RUN_RETRIED, principal, reason, new)
    return new


async def restart_run(
    principal: Principal, run_id: str, reason: str | None = None, *, batch_id: str | None = None
) -> Run:
    """restartRun (ADMIN): a new run from scratch (restartOf) with the same version and input
    (and `batch_id`, when a bulk job restarts)."""
    principal.require(Role.ADMIN, "restartRun")
    old = await get_visible_run(principal, run_id)
    _check_status(old, RESTARTABLE_RUN_STATUSES, "restart")
    new = await _new_run_from(
        principal,
        old,
        reason,
        Lineage(triggered_by=TriggerSource.RESTART, restart_of=uuid.UUID(str(old.id)), batch_id=batch_id),
    )
    await _record_on_old(old, RESTARTABLE_RUN_STATUSES, "restart", RunEventType.RUN_RESTARTED, principal, reason, new)
    return new


def _check_status(run: Run, allowed: frozenset[RunStatus], verb: str) -> None:
    if run.status not in allowed:
        raise InvalidTransition(f"cannot {verb} a run that is {run.status.value}")


async def _new_run_from(principal: Principal, old: Run, reason: str | None, lineage: Lineage) -> Run:
    project = await Project.get(id=old.project_id)
    workflow = await Workflow.get(id=old.workflow_id)
    version = await WorkflowVersion.get_or_none(workflow_id=workflow.id, version=old.workflow_version)
    if version is None:
        raise NotFound(f"version {old.workflow_version} of workflow {workflow.key!r} no longer exists")
    tags = await RunTag.filter(run_id=old.id).values_list("key", "value")
    subject = (
        SubjectSpec(type=old.subject_type, id=old.subject_id, name=old.subject_name, collection=old.subject_collection)
        if old.subject_type and old.subject_id
        else None
    )
    options = RunOptions(
        input=old.input,
        subject=subject,
        tenant=old.tenant,
        priority=old.priority,
        tags=[(key, value) for key, value in tags],
        dry_run=old.dry_run,
        visibility=old.visibility,
        reason=reason,
        timeout_seconds=old.timeout_seconds,
        max_parallel_steps=old.max_parallel_steps,
        # the old run was already counted (or let through) by the change limit
        disregard_change_limit=True,
    )
    return await create_run(
        project=project,
        workflow=workflow,
        version=version,
        options=options,
        initiated_by=principal.actor,
        lineage=lineage,
    )


async def _record_on_old(
    old: Run,
    allowed: frozenset[RunStatus],
    verb: str,
    event: RunEventType,
    principal: Principal,
    reason: str | None,
    new: Run,
) -> None:
    async with RunTransaction(old.id) as tx:
        _check_status(tx.run, allowed, verb)
        data: dict[str, Any] = {"newRunId": to_global_id("Run", new.id)}
        tx.record(event, actor=principal.actor, reason=reason, data=data)


BATCHED_ACTIONS: dict[str, BatchedAction] = {
    "cancel": BatchedAction("cancelRun", cancel_in, cascade=_cancel),
    "terminate": BatchedAction("terminateRun", terminate_in, cascade=_terminate),
    "pause": BatchedAction("pauseRun", pause_in),
    "resume": BatchedAction("resumeRun", resume_in),
}
