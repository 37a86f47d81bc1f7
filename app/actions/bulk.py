"""Acting on many runs at once: unblockRuns and bulkRunAction.

A target is a set of ids, a filter, a RunWhere, or several of them ANDed; an empty
target is a VALIDATION error, never "every run". Runs are acted on one transaction
each, so one run's failure (a status that moved on) never undoes another's success.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Sequence

from tortoise.expressions import Q

from app.actions import run_control
from app.auth import Principal
from app.enums import BulkAction, ErrorCode, Role, RunStatus, UnblockAction
from app.errors import BadFilter, FlowdeckError, ValidationFailed
from app.ids import parse_global_id, to_global_id
from app.lifecycle import RUN, RunTransaction
from app.queries import RunWhereSpec, run_condition
from models import Run

MAX_LISTED = 100
CHUNK = 500


@dataclasses.dataclass(frozen=True)
class BulkFailure:
    run_id: uuid.UUID
    code: ErrorCode
    message: str


@dataclasses.dataclass
class BulkResult:
    matched: int = 0
    succeeded: int = 0
    failed: int = 0
    dry_run: bool = False
    failures: list[BulkFailure] = dataclasses.field(default_factory=list)
    # RETRY / RESTART / UNBLOCK: the new or released runs
    runs: list[Run] = dataclasses.field(default_factory=list)

    def fail(self, run_id: uuid.UUID, error: FlowdeckError) -> None:
        self.failed += 1
        if len(self.failures) < MAX_LISTED:
            self.failures.append(BulkFailure(run_id, error.code, error.message))

    def succeed(self, run: Run | None) -> None:
        self.succeeded += 1
        if run is not None and len(self.runs) < MAX_LISTED:
            self.runs.append(run)


def _target_condition(
    principal: Principal,
    *,
    ids: Sequence[str] | None,
    filter: str | None,
    where: RunWhereSpec | None,
) -> Q:
    """The runs a bulk target selects, among those the caller can see."""
    has_ids = bool(ids)
    has_filter = filter is not None and filter.strip() != ""
    has_where = where is not None and any(value not in (None, []) for value in dataclasses.asdict(where).values())
    if not (has_ids or has_filter or has_where):
        raise ValidationFailed("give ids, a filter or a where: an empty target never means every run", ("input",))
    try:
        condition = run_condition(principal, filter=filter if has_filter else None, where=where if has_where else None)
    except BadFilter as error:
        raise BadFilter(error.message, error.position, ("input", "filter")) from None
    if has_ids:
        raw_ids = []
        for value in ids or []:
            parsed = parse_global_id(value)
            if parsed is not None and parsed[0] == "Run":
                raw_ids.append(parsed[1])
        condition = Q(condition, Q(id__in=raw_ids))
    return condition


async def _for_each_run(condition: Q, result: BulkResult, act: Callable[[Run], Awaitable[Run | None]]) -> None:
    """Call `act` on every selected run, in chunks by id, recording successes and failures."""
    last_id: uuid.UUID | None = None
    while True:
        query = Run.filter(condition)
        if last_id is not None:
            query = query.filter(id__gt=last_id)
        chunk = await query.order_by("id").limit(CHUNK)
        if not chunk:
            return
        for run in chunk:
            result.matched += 1
            if result.dry_run:
                continue
            try:
                result.succeed(await act(run))
            except FlowdeckError as error:
                result.fail(run.id, error)
        last_id = chunk[-1].id


async def unblock_runs(
    principal: Principal,
    *,
    run_id: str | None,
    filter: str | None,
    action: UnblockAction,
    reason: str | None,
) -> BulkResult:
    """Release BLOCKED runs (RUN: to PENDING) or give them up (ABANDON) (OPERATOR).

    A filter selects among the caller's BLOCKED runs; an id names one run, whose
    status must be BLOCKED (else INVALID_TRANSITION in the failures).
    """
    principal.require(Role.OPERATOR, "unblockRuns")
    condition = _target_condition(principal, ids=[run_id] if run_id else None, filter=filter, where=None)
    if not run_id:
        condition = Q(condition, Q(status=RunStatus.BLOCKED))
    change = RUN.UNBLOCK if action is UnblockAction.RUN else RUN.ABANDON

    async def act(run: Run) -> Run:
        async with RunTransaction(run.id) as tx:
            await tx.change_run(change, actor=principal.actor, reason=reason)
        return tx.run

    result = BulkResult()
    await _for_each_run(condition, result, act)
    return result


_BULK_ACTIONS: dict[BulkAction, Callable[[Principal, str, str | None], Awaitable[Run]]] = {
    BulkAction.CANCEL: run_control.cancel_run,
    BulkAction.TERMINATE: run_control.terminate_run,
    BulkAction.PAUSE: run_control.pause_run,
    BulkAction.RESUME: run_control.resume_run,
    BulkAction.RETRY: run_control.retry_run,
    BulkAction.RESTART: run_control.restart_run,
}
# actions whose result worth listing is the new run they create
_CREATING_ACTIONS = frozenset({BulkAction.RETRY, BulkAction.RESTART})


async def bulk_run_action(
    principal: Principal,
    *,
    action: BulkAction,
    ids: Sequence[str] | None,
    filter: str | None,
    where: RunWhereSpec | None,
    reason: str | None,
    dry_run: bool,
) -> BulkResult:
    """Apply one run action to every run the target selects (OPERATOR; RESTART needs ADMIN)."""
    principal.require(Role.ADMIN if action is BulkAction.RESTART else Role.OPERATOR, f"bulkRunAction {action.value}")
    condition = _target_condition(principal, ids=ids, filter=filter, where=where)
    perform = _BULK_ACTIONS[action]

    async def act(run: Run) -> Run | None:
        changed = await perform(principal, to_global_id("Run", run.id), reason)
        return changed if action in _CREATING_ACTIONS else None

    result = BulkResult(dry_run=dry_run)
    await _for_each_run(condition, result, act)
    return result
