"""What a caller may do to a run or a step now, and what an unfinished step waits for.

`run_actions` and `step_actions` read the transition tables and status sets of
app/lifecycle.py (the same ones the actions' compare-and-set checks), together with
the caller's role, so a frontend shows exactly the buttons that would succeed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from app.auth import Principal
from app.enums import Role, RunAction, RunStatus, StepAction, StepStatus, StepType
from app.lifecycle import (
    FINISHED_STEP_STATUSES,
    REPLAYABLE_RUN_STATUSES,
    RESTARTABLE_RUN_STATUSES,
    RETRYABLE_RUN_STATUSES,
    RUN,
    SATISFIED_STEP_STATUSES,
    SIGNALABLE_RUN_STATUSES,
    STEP,
    STEP_ACTIONABLE_RUN_STATUSES,
    takes_a_slot,
)
from models import Run, StepRun

__all__ = ["run_actions", "step_actions", "waiting_for"]

# Each run action: the role it needs and the run statuses it starts from.
_RUN_ACTIONS: tuple[tuple[RunAction, Role, Collection[RunStatus]], ...] = (
    (RunAction.CANCEL, Role.OPERATOR, RUN.REQUEST_CANCEL.sources),
    (RunAction.TERMINATE, Role.OPERATOR, RUN.TERMINATE.sources),
    (RunAction.PAUSE, Role.OPERATOR, RUN.PAUSE.sources),
    (RunAction.RESUME, Role.OPERATOR, RUN.RESUME.sources),
    (RunAction.RETRY, Role.OPERATOR, RETRYABLE_RUN_STATUSES),
    (RunAction.RESTART, Role.ADMIN, RESTARTABLE_RUN_STATUSES),
    (RunAction.UNBLOCK, Role.OPERATOR, RUN.UNBLOCK.sources),
    (RunAction.ABANDON, Role.OPERATOR, RUN.ABANDON.sources),
    (RunAction.SIGNAL, Role.OPERATOR, SIGNALABLE_RUN_STATUSES),
)

# Each step action: the step statuses it starts from, the step types it applies to
# (None: any), and the run statuses it may act on. Every step action needs OPERATOR.
_STEP_ACTIONS: tuple[
    tuple[StepAction, Collection[StepStatus], frozenset[StepType] | None, Collection[RunStatus]], ...
] = (
    (StepAction.APPROVE, STEP.APPROVE.sources, frozenset({StepType.APPROVAL}), STEP_ACTIONABLE_RUN_STATUSES),
    (StepAction.REJECT, STEP.REJECT.sources, frozenset({StepType.APPROVAL}), STEP_ACTIONABLE_RUN_STATUSES),
    (StepAction.SKIP, STEP.SKIP.sources, None, STEP_ACTIONABLE_RUN_STATUSES),
    (StepAction.FORCE_COMPLETE, STEP.FORCE_COMPLETE.sources, None, STEP_ACTIONABLE_RUN_STATUSES),
    (StepAction.RETRY, STEP.RETRY.sources, None, STEP_ACTIONABLE_RUN_STATUSES),
    (StepAction.REPLAY_SUBTREE, STEP.RESET.sources, None, REPLAYABLE_RUN_STATUSES),
)

STEP_ACTION_ROLE = Role.OPERATOR


def run_actions(run: Run, principal: Principal) -> list[RunAction]:
    """The run actions `principal` may take on `run` in its current status."""
    return [action for action, role, sources in _RUN_ACTIONS if principal.role >= role and run.status in sources]


def step_actions(step: StepRun, run: Run, principal: Principal) -> list[StepAction]:
    """The step actions `principal` may take on `step` now (its status, its type, its run's status)."""
    if principal.role < STEP_ACTION_ROLE:
        return []
    actions = []
    for action, sources, types, run_statuses in _STEP_ACTIONS:
        if step.status not in sources or run.status not in run_statuses:
            continue
        if types is not None and step.type not in types:
            continue
        # An iteration runs again with its loop: replaySubtree takes the loop step.
        if action is StepAction.REPLAY_SUBTREE and step.parent_ref is not None:
            continue
        actions.append(action)
    return actions


def _instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _run_hold(run: Run) -> str | None:
    """What holds every unstarted step of the run back, if anything."""
    if run.status is RunStatus.PAUSED:
        return "run paused"
    if run.status is RunStatus.BLOCKED:
        return "run unblock (change limit reached)"
    if run.status is RunStatus.PENDING:
        if run.scheduled_at is not None and run.scheduled_at > dt.datetime.now(dt.UTC):
            return f"run start at {_instant(run.scheduled_at)}"
        return "run start"
    return None


def _waiting_step(step: StepRun) -> str | None:
    if step.type is StepType.APPROVAL:
        return "approval"
    if step.type is StepType.SIGNAL:
        config = step.config if isinstance(step.config, dict) else {}
        return f"signal:{config.get('signal')}"
    if step.type is StepType.SLEEP:
        return f"timer until {_instant(step.due_at)}" if step.due_at else "timer"
    if step.type is StepType.SUBWORKFLOW:
        return "child run"
    if step.type is StepType.FOR_EACH:
        return "iterations"
    return None


def waiting_for(step: StepRun, run: Run, steps_by_ref: Mapping[str, StepRun]) -> str | None:
    """In words, what an unfinished step waits for; None once it is finished or while it runs.

    `steps_by_ref` holds the run's steps (the dependencies and the running count come from it).
    """
    if step.status in FINISHED_STEP_STATUSES:
        return None
    if step.status is StepStatus.WAITING:
        return _waiting_step(step)
    if step.status is StepStatus.RUNNING:
        # a loop or a child run shows as RUNNING while its parts do the work
        return _waiting_step(step) if step.type in (StepType.FOR_EACH, StepType.SUBWORKFLOW) else None
    # an iteration waits on what its loop step depends on
    owner = steps_by_ref.get(step.parent_ref) if step.parent_ref is not None else step
    for ref in (owner.depends_on if owner is not None else None) or []:
        dependency = steps_by_ref.get(ref)
        if dependency is None or dependency.status not in SATISFIED_STEP_STATUSES:
            return f"dependency {ref}"
    hold = _run_hold(run)
    if hold is not None:
        return hold
    if step.status is StepStatus.PENDING:
        return "queueing"
    if step.due_at is not None and step.due_at > dt.datetime.now(dt.UTC):
        return f"retry backoff until {_instant(step.due_at)}"
    running = sum(1 for other in steps_by_ref.values() if takes_a_slot(other))
    if running >= run.max_parallel_steps:
        return f"a free slot (maxParallelSteps {run.max_parallel_steps})"
    if step.queue:
        return f"worker on queue {step.queue}"
    return "engine"
