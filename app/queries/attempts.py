"""A step's attempts, read from its run's history: one per STEP_STARTED (or STEP_WAITING for a
step that waits instead of running), closed by the step event that ends it. The dashboard's
timeline draws one bar per attempt (UI.md)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from app.enums import RunEventType, StepStatus
from models import RunEvent

# the event that opens an attempt -> the attempt's status while it is open
OPENING: dict[RunEventType, StepStatus] = {
    RunEventType.STEP_STARTED: StepStatus.RUNNING,
    RunEventType.STEP_WAITING: StepStatus.WAITING,
}
# the event that closes an open attempt -> the attempt's outcome
CLOSING: dict[RunEventType, StepStatus] = {
    RunEventType.STEP_COMPLETED: StepStatus.COMPLETED,
    RunEventType.STEP_APPROVED: StepStatus.COMPLETED,
    RunEventType.STEP_FORCE_COMPLETED: StepStatus.COMPLETED,
    RunEventType.STEP_FAILED: StepStatus.FAILED,
    RunEventType.STEP_REJECTED: StepStatus.FAILED,
    RunEventType.STEP_SKIPPED: StepStatus.SKIPPED,
    RunEventType.STEP_CANCELED: StepStatus.CANCELED,
    # replaySubtree / retryStep reset a step that may still be open: that attempt ends there
    RunEventType.STEP_RESET: StepStatus.CANCELED,
}


@dataclass
class StepAttempt:
    attempt: int
    status: StepStatus
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    error: str | None = None


def _error_of(event: RunEvent) -> str | None:
    if event.ok:
        return None
    data = event.data
    if isinstance(data, dict):
        for key in ("error", "message"):
            if isinstance(data.get(key), str):
                return str(data[key])
    return event.reason


def attempts_from_events(events: Sequence[RunEvent]) -> dict[str, list[StepAttempt]]:
    """The attempts of each step ref, oldest first, from a run's step events in seq order."""
    attempts: dict[str, list[StepAttempt]] = defaultdict(list)
    open_by_ref: dict[str, StepAttempt] = {}
    for event in events:
        ref = event.step_ref
        if ref is None:
            continue
        kind = RunEventType(event.type)
        if kind in OPENING:
            if (
                ref in open_by_ref
                and kind == RunEventType.STEP_STARTED
                and open_by_ref[ref].status == StepStatus.WAITING
            ):
                # a waiting step that then runs (e.g. a worker took it): the same attempt
                open_by_ref[ref].status = StepStatus.RUNNING
                continue
            number = event.attempt if event.attempt is not None else len(attempts[ref]) + 1
            opened = StepAttempt(attempt=number, status=OPENING[kind], started_at=event.at)
            attempts[ref].append(opened)
            open_by_ref[ref] = opened
        elif kind in CLOSING and ref in open_by_ref:
            closed = open_by_ref.pop(ref)
            closed.status = CLOSING[kind]
            closed.finished_at = event.at
            closed.error = _error_of(event)
    return dict(attempts)


STEP_EVENT_TYPES = [kind.value for kind in (*OPENING, *CLOSING)]


async def step_attempts_by_run(run_ids: Sequence[str]) -> list[dict[str, list[StepAttempt]]]:
    """For each run id, its steps' attempts by step ref (one statement for all the runs)."""
    events = await RunEvent.filter(run_id__in=list(run_ids), type__in=STEP_EVENT_TYPES).order_by("run_id", "seq")
    by_run: dict[str, list[RunEvent]] = defaultdict(list)
    for event in events:
        by_run[str(event.run_id)].append(event)
    return [attempts_from_events(by_run.get(str(run_id), [])) for run_id in run_ids]
