"""Signals: signalRun, and the hand-over of a buffered signal to a SIGNAL step.

A signal completes the first SIGNAL step WAITING for its name (SIGNAL_RECEIVED, then
STEP_COMPLETED, output = the signal's payload). With no such step it is kept
(consumedBy null) until a SIGNAL step of that name starts waiting: the engine then
calls `consume_buffered_signal` in the transaction that made the step WAITING.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.actions.runs import get_visible_run
from app.auth import Principal
from app.enums import Role, StepStatus, StepType
from app.errors import InvalidTransition, ValidationFailed
from app.lifecycle import SIGNALABLE_RUN_STATUSES, STEP, RunTransaction, utcnow
from models import Run, Signal, StepRun

__all__ = ["consume_buffered_signal", "signal_name", "signal_run"]


def signal_name(step: StepRun) -> str | None:
    """The signal a SIGNAL step waits for (its `config.signal`)."""
    config = step.config if isinstance(step.config, dict) else {}
    name = config.get("signal")
    return name if isinstance(name, str) else None


async def _deliver(tx: RunTransaction, step: StepRun, signal: Signal) -> None:
    await tx.change_step(
        step,
        STEP.RECEIVE_SIGNAL,
        actor=signal.sent_by,
        event_data=[{"name": signal.name, "message": signal.message}, None],
        fields={"output": signal.payload, "finished_at": utcnow()},
    )
    await Signal.filter(id=signal.id).using_db(tx.connection).update(consumed_by=step.ref)
    signal.consumed_by = step.ref


async def signal_run(principal: Principal, run_id: str, name: str, message: str, payload: Any) -> tuple[Signal, Run]:
    """signalRun: deliver a named signal to a run that is not terminal and not CANCELING (OPERATOR)."""
    principal.require(Role.OPERATOR, "signalRun")
    if not name.strip():
        raise ValidationFailed("name must not be empty", ("input", "name"))
    visible = await get_visible_run(principal, run_id, ("input", "id"))
    async with RunTransaction(visible.id) as tx:
        if tx.run.status not in SIGNALABLE_RUN_STATUSES:
            raise InvalidTransition(f"cannot signal a run that is {tx.run.status.value}")
        signal = Signal(
            id=uuid.uuid4(),
            run_id=tx.run.id,
            name=name,
            message=message,
            payload=payload,
            received_at=utcnow(),
            sent_by=principal.actor,
        )
        await signal.save(using_db=tx.connection, force_create=True)
        waiting = (
            await StepRun.filter(run_id=tx.run.id, type=StepType.SIGNAL, status=StepStatus.WAITING)
            .using_db(tx.connection)
            .order_by("position", "iteration")
        )
        step = next((candidate for candidate in waiting if signal_name(candidate) == name), None)
        if step is not None:
            await _deliver(tx, step, signal)
    return signal, tx.run


async def consume_buffered_signal(tx: RunTransaction, step: StepRun) -> bool:
    """Complete a WAITING SIGNAL `step` with the oldest unconsumed signal of its name, if any.

    For the engine, inside the transaction that made the step WAITING. True when consumed.
    """
    name = signal_name(step)
    if step.type is not StepType.SIGNAL or name is None:
        return False
    signal = (
        await Signal.filter(run_id=tx.run.id, name=name, consumed_by__isnull=True)
        .using_db(tx.connection)
        .order_by("received_at", "id")
        .first()
    )
    if signal is None:
        return False
    await _deliver(tx, step, signal)
    return True
