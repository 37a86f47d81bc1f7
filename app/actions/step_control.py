"""Step-level actions an operator takes on one step of a run.

approveStep, rejectStep, skipStep, forceCompleteStep, retryStep and replaySubtree of
LIFECYCLE.md. Each runs in one RunTransaction: the step's compare-and-set, its event,
and, when the action lands on a FAILED run (or a replay on a COMPLETED one), the run's
reopening (RUN_RESUMED with data.reopenedBy), so the engine picks the run up again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Any

from app.actions.runs import get_visible_run
from app.auth import Principal
from app.enums import Role, RunEventType, RunStatus, StepStatus, StepType
from app.errors import InvalidTransition, ValidationFailed
from app.lifecycle import (
    REOPENABLE_RUN_STATUSES,
    REPLAYABLE_RUN_STATUSES,
    RUN,
    SATISFIED_STEP_STATUSES,
    STEP,
    STEP_ACTIONABLE_RUN_STATUSES,
    RunTransaction,
    count_error,
    fail_run,
    next_attempt,
    utcnow,
)
from models import Run, StepRun

__all__ = [
    "approve_step",
    "force_complete_step",
    "reject_step",
    "replay_subtree",
    "retry_step",
    "skip_step",
]

RUN_ID_FIELD = ("input", "runId")
STEP_REF_FIELD = ("input", "stepRef")

# What a step goes back to when it runs again: nothing left of its last attempt.
_CLEARED: dict[str, Any] = {
    "output": None,
    "error": None,
    "input": None,
    "finished_at": None,
    "due_at": None,
    "lease_expires_at": None,
    "worker_id": None,
}

StepWork = Callable[[RunTransaction, StepRun], Awaitable[None]]


def _ended_by(principal: Principal, reason: str | None, **fields: Any) -> dict[str, Any]:
    """The fields of a step an operator ends: who, why and when, with no timer or lease left."""
    return {
        "finished_at": utcnow(),
        "due_at": None,
        "lease_expires_at": None,
        "actor": principal.actor,
        "reason": reason,
        **fields,
    }


async def _load_step(tx: RunTransaction, step_ref: str) -> StepRun:
    step = await StepRun.filter(run_id=tx.run.id, ref=step_ref).using_db(tx.connection).first()
    if step is None:
        raise ValidationFailed(f"run has no step {step_ref!r}", STEP_REF_FIELD)
    return step


async def _reopen(tx: RunTransaction, operation: str, actor: str, reason: str | None) -> None:
    """A step action on a FAILED (or, for a replay, COMPLETED) run brings it back to RUNNING."""
    await tx.change_run(
        RUN.REOPEN,
        actor=actor,
        reason=reason,
        data={"reopenedBy": operation},
        fields={
            "finished_at": None,
            "output": None,
            "error_message": None,
            "error_type": None,
            "error_step_ref": None,
        },
    )


async def _act_on_step(
    principal: Principal,
    run_id: str,
    step_ref: str,
    reason: str | None,
    *,
    operation: str,
    verb: str,
    run_statuses: Collection[RunStatus],
    work: StepWork,
) -> tuple[StepRun, Run]:
    """The frame every step action shares: role, visibility, the run's status, reopening."""
    principal.require(Role.OPERATOR, operation)
    if not step_ref:
        raise ValidationFailed("stepRef must not be empty", STEP_REF_FIELD)
    visible = await get_visible_run(principal, run_id, RUN_ID_FIELD)
    async with RunTransaction(visible.id) as tx:
        step = await _load_step(tx, step_ref)
        if tx.run.status not in run_statuses:
            raise InvalidTransition(f"cannot {verb} step {step_ref!r}: the run is {tx.run.status.value}")
        # judged before the work: a rejection fails the run, which must not reopen it
        reopens = tx.run.status in REOPENABLE_RUN_STATUSES
        await work(tx, step)
        if reopens:
            await _reopen(tx, operation, principal.actor, reason)
    return step, tx.run


def _require_approval(step: StepRun, verb: str) -> None:
    if step.type is not StepType.APPROVAL:
        raise InvalidTransition(
            f"cannot {verb} step {step.ref!r}: it is a {step.type.value} step ({step.status.value}), not an APPROVAL"
        )


async def approve_step(principal: Principal, run_id: str, step_ref: str, reason: str | None) -> tuple[StepRun, Run]:
    """approveStep: a WAITING APPROVAL step -> COMPLETED, output {approvedBy, reason} (OPERATOR)."""

    async def work(tx: RunTransaction, step: StepRun) -> None:
        _require_approval(step, "approve")
        output = {"approvedBy": principal.actor, "reason": reason}
        await tx.change_step(
            step,
            STEP.APPROVE,
            actor=principal.actor,
            reason=reason,
            data={"approvedBy": principal.actor},
            fields=_ended_by(principal, reason, output=output),
        )

    return await _act_on_step(
        principal,
        run_id,
        step_ref,
        reason,
        operation="approveStep",
        verb="approve",
        run_statuses=STEP_ACTIONABLE_RUN_STATUSES,
        work=work,
    )


async def reject_step(principal: Principal, run_id: str, step_ref: str, reason: str | None) -> tuple[StepRun, Run]:
    """rejectStep: a WAITING APPROVAL step -> FAILED (STEP_REJECTED), and the run FAILED (OPERATOR).

    Steps in flight are CANCELED in the same transaction, before RUN_FAILED.
    """

    async def work(tx: RunTransaction, step: StepRun) -> None:
        _require_approval(step, "reject")
        error = f"rejected by {principal.actor}" + (f": {reason}" if reason else "")
        await tx.change_step(
            step,
            STEP.REJECT,
            actor=principal.actor,
            reason=reason,
            data={"rejectedBy": principal.actor},
            fields=_ended_by(principal, reason, error=error),
        )
        await count_error(tx)
        # A PAUSED run keeps its status (RUN.FAIL starts from RUNNING only).
        if tx.run.status in RUN.FAIL.sources:
            await fail_run(
                tx,
                error=f"step {step.ref!r} {error}",
                error_type=RunEventType.STEP_REJECTED.value,
                step_ref=step.ref,
                actor=principal.actor,
                reason=reason,
            )

    return await _act_on_step(
        principal,
        run_id,
        step_ref,
        reason,
        operation="rejectStep",
        verb="reject",
        run_statuses=STEP_ACTIONABLE_RUN_STATUSES,
        work=work,
    )


async def skip_step(principal: Principal, run_id: str, step_ref: str, reason: str | None) -> tuple[StepRun, Run]:
    """skipStep: PENDING QUEUED WAITING FAILED -> SKIPPED; its dependents go on (OPERATOR)."""

    async def work(tx: RunTransaction, step: StepRun) -> None:
        await tx.change_step(
            step,
            STEP.SKIP,
            actor=principal.actor,
            reason=reason,
            fields=_ended_by(principal, reason),
        )

    return await _act_on_step(
        principal,
        run_id,
        step_ref,
        reason,
        operation="skipStep",
        verb="skip",
        run_statuses=STEP_ACTIONABLE_RUN_STATUSES,
        work=work,
    )


async def force_complete_step(
    principal: Principal, run_id: str, step_ref: str, result: Any, reason: str | None
) -> tuple[StepRun, Run]:
    """forceCompleteStep: any status but COMPLETED -> COMPLETED with output = result (OPERATOR).

    A worker still holding the step loses it: its heartbeat, completeStep or failStep gets CONFLICT.
    """

    async def work(tx: RunTransaction, step: StepRun) -> None:
        await tx.change_step(
            step,
            STEP.FORCE_COMPLETE,
            actor=principal.actor,
            reason=reason,
            fields=_ended_by(principal, reason, output=result, error=None),
        )

    return await _act_on_step(
        principal,
        run_id,
        step_ref,
        reason,
        operation="forceCompleteStep",
        verb="force-complete",
        run_statuses=STEP_ACTIONABLE_RUN_STATUSES,
        work=work,
    )


async def retry_step(principal: Principal, run_id: str, step_ref: str, reason: str | None) -> tuple[StepRun, Run]:
    """retryStep: FAILED CANCELED -> QUEUED (STEP_RESET) (OPERATOR).

    The step goes back to QUEUED as attempt + 1 (LIFECYCLE.md), so the payload shows the
    number it will run as, and it gets one more attempt whatever its retry policy had left.
    """

    async def work(tx: RunTransaction, step: StepRun) -> None:
        await tx.change_step(
            step,
            STEP.RETRY,
            actor=principal.actor,
            reason=reason,
            data={"nextAttempt": next_attempt(step)},
            fields={
                **_CLEARED,
                "attempt": next_attempt(step),
                "started_at": None,
                "actor": principal.actor,
                "reason": reason,
            },
        )
        await _drop_iterations(tx, [step])

    return await _act_on_step(
        principal,
        run_id,
        step_ref,
        reason,
        operation="retryStep",
        verb="retry",
        run_statuses=STEP_ACTIONABLE_RUN_STATUSES,
        work=work,
    )


def _subtree(root: StepRun, steps: list[StepRun]) -> list[StepRun]:
    """`root` and every step that depends on it, transitively, in definition order."""
    dependents: dict[str, list[str]] = {}
    for step in steps:
        for dependency in step.depends_on or []:
            dependents.setdefault(dependency, []).append(step.ref)
    reached = {root.ref}
    frontier = [root.ref]
    while frontier:
        ref = frontier.pop()
        for dependent in dependents.get(ref, []):
            if dependent not in reached:
                reached.add(dependent)
                frontier.append(dependent)
    return [step for step in steps if step.ref in reached]


async def _drop_iterations(tx: RunTransaction, loops: list[StepRun]) -> None:
    """A FOR_EACH step that runs again expands its items afresh: its old iteration rows go."""
    refs = [step.ref for step in loops if step.type is StepType.FOR_EACH]
    if refs:
        await StepRun.filter(run_id=tx.run.id, parent_ref__in=refs).using_db(tx.connection).delete()


async def replay_subtree(principal: Principal, run_id: str, step_ref: str, reason: str | None) -> tuple[Run, int]:
    """replaySubtree: the step and its transitive dependents -> PENDING/QUEUED, outputs cleared (OPERATOR).

    A step goes to QUEUED when every dependency outside the replayed set is COMPLETED or
    SKIPPED, to PENDING otherwise; attempts count from 1 again. Returns the run and how
    many steps were reset (one STEP_RESET each). Reopens a FAILED or COMPLETED run.
    """
    reset_count = 0

    async def work(tx: RunTransaction, root: StepRun) -> None:
        nonlocal reset_count
        if root.parent_ref is not None:
            raise ValidationFailed(
                f"step {root.ref!r} is an iteration of {root.parent_ref!r}: replay the loop step instead",
                STEP_REF_FIELD,
            )
        steps = (
            await StepRun.filter(run_id=tx.run.id, parent_ref__isnull=True).using_db(tx.connection).order_by("position")
        )
        subtree = _subtree(root, steps)
        replayed = {step.ref for step in subtree}
        status_by_ref = {step.ref: step.status for step in steps}
        for step in subtree:
            ready = all(
                ref not in replayed and status_by_ref.get(ref) in SATISFIED_STEP_STATUSES
                for ref in step.depends_on or []
            )
            await tx.change_step(
                step,
                STEP.RESET,
                target=StepStatus.QUEUED if ready else StepStatus.PENDING,
                actor=principal.actor,
                reason=reason,
                data={"replayOf": root.ref},
                fields={
                    **_CLEARED,
                    "attempt": 0,
                    "started_at": None,
                    "reused": False,
                    "actor": principal.actor,
                    "reason": reason,
                },
            )
        await _drop_iterations(tx, subtree)
        reset_count = len(subtree)

    _, run = await _act_on_step(
        principal,
        run_id,
        step_ref,
        reason,
        operation="replaySubtree",
        verb="replay",
        run_statuses=REPLAYABLE_RUN_STATUSES,
        work=work,
    )
    return run, reset_count
