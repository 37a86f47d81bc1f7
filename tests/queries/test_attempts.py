"""A step's attempts from its run's history (the timeline's bars): pure, no database."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from app.enums import StepStatus
from app.queries.attempts import attempts_from_events

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def event(seq: int, kind: str, ref: str | None, attempt: int | None = None, ok: bool = True, **data: Any) -> Any:
    return SimpleNamespace(
        seq=seq,
        at=T0 + dt.timedelta(seconds=seq),
        type=kind,
        step_ref=ref,
        attempt=attempt,
        ok=ok,
        reason=None,
        data=data or None,
    )


def test_a_step_retried_twice_has_three_attempts_two_failed_then_completed() -> None:
    events = [
        event(1, "RUN_CREATED", None),
        event(2, "STEP_QUEUED", "fetch", 1),
        event(3, "STEP_STARTED", "fetch", 1),
        event(4, "STEP_FAILED", "fetch", 1, ok=False, error="boom 1"),
        event(5, "STEP_RETRY_SCHEDULED", "fetch", 2),
        event(6, "STEP_STARTED", "fetch", 2),
        event(7, "STEP_FAILED", "fetch", 2, ok=False, error="boom 2"),
        event(8, "STEP_RETRY_SCHEDULED", "fetch", 3),
        event(9, "STEP_STARTED", "fetch", 3),
        event(10, "STEP_COMPLETED", "fetch", 3),
    ]
    attempts = attempts_from_events(events)["fetch"]
    assert [(item.attempt, item.status, item.error) for item in attempts] == [
        (1, StepStatus.FAILED, "boom 1"),
        (2, StepStatus.FAILED, "boom 2"),
        (3, StepStatus.COMPLETED, None),
    ]
    assert [(item.started_at.second, item.finished_at.second if item.finished_at else None) for item in attempts] == [
        (3, 4),
        (6, 7),
        (9, 10),
    ]


def test_open_attempts_waiting_approval_and_reset() -> None:
    events = [
        event(1, "STEP_STARTED", "prepare", 1),
        event(2, "STEP_COMPLETED", "prepare", 1),
        event(3, "STEP_WAITING", "approve", 1),
        event(4, "STEP_STARTED", "work", 1),
        event(5, "STEP_RESET", "work", 1),
        event(6, "STEP_STARTED", "work", 2),
    ]
    attempts = attempts_from_events(events)
    assert [(item.attempt, item.status) for item in attempts["approve"]] == [(1, StepStatus.WAITING)]
    assert attempts["approve"][0].finished_at is None
    assert [(item.attempt, item.status) for item in attempts["work"]] == [
        (1, StepStatus.CANCELED),
        (2, StepStatus.RUNNING),
    ]
    assert [(item.attempt, item.status) for item in attempts["prepare"]] == [(1, StepStatus.COMPLETED)]


def test_an_approved_step_completes_its_waiting_attempt_and_a_rejected_one_fails_it() -> None:
    events = [
        event(1, "STEP_WAITING", "a", 1),
        event(2, "STEP_APPROVED", "a", 1),
        event(3, "STEP_WAITING", "b", 1),
        event(4, "STEP_REJECTED", "b", 1, ok=False, message="no"),
    ]
    attempts = attempts_from_events(events)
    assert [(item.status, item.error) for item in attempts["a"]] == [(StepStatus.COMPLETED, None)]
    assert [(item.status, item.error) for item in attempts["b"]] == [(StepStatus.FAILED, "no")]
