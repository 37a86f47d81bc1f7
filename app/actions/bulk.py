"""Acting on many runs at once: unblockRuns and bulkRunAction.

A target is a set of ids, a filter, a RunWhere, or several of them ANDed; an empty
target is a VALIDATION error, never "every run". The target is frozen when the action
begins (the matching ids copied by the database into bulk_targets), then walked in id
order a batch at a time, so memory does not grow with it. Runs are acted on one
transaction each, so one run's failure (a status that moved on) never undoes another's
success.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q

from app.actions import run_control
from app.actions.bulk_jobs import cancel_role, create_bulk_job
from app.actions.runs import get_visible_run
from app.auth import Principal
from app.enums import BulkAction, ErrorCode, Role, RunStatus, UnblockAction
from app.errors import BadFilter, FlowdeckError, ValidationFailed
from app.ids import parse_global_id, to_global_id
from app.lifecycle import RUN, RunTransaction
from app.queries import RunWhereSpec, run_condition
from models import BulkJob, BulkTarget, Run

MAX_LISTED = 100
CHUNK = 500
# a bigger target becomes a background job (JOBS.md)
SYNC_LIMIT = 1000


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
    # set when the action was recorded as a background job instead (the counts stay 0)
    job: BulkJob | None = None

    def fail(self, run_id: uuid.UUID, error: FlowdeckError) -> None:
        self.failed += 1
        if len(self.failures) < MAX_LISTED:
            self.failures.append(BulkFailure(run_id, error.code, error.message))

    def succeed(self, run: Run | None) -> None:
        self.succeeded += 1
        if run is not None and len(self.runs) < MAX_LISTED:
            self.runs.append(run)


def target_condition(
    principal: Principal,
    *,
    ids: Sequence[str] | None,
    filter: str | None,
    where: RunWhereSpec | None,
    now: dt.datetime | None = None,
) -> Q:
    """The runs a bulk target selects, among those the caller can see (relative times from `now`)."""
    has_ids = bool(ids)
    has_filter = filter is not None and filter.strip() != ""
    has_where = where is not None and any(value not in (None, []) for value in dataclasses.asdict(where).values())
    if not (has_ids or has_filter or has_where):
        raise ValidationFailed("give ids, a filter or a where: an empty target never means every run", ("input",))
    try:
        condition = run_condition(
            principal, filter=filter if has_filter else None, where=where if has_where else None, now=now
        )
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


async def freeze_target(
    snapshot_id: uuid.UUID,
    condition: Q,
    *,
    limit: int | None = None,
    connection: BaseDBAsyncClient | None = None,
) -> int:
    """Record the ids of the runs matching `condition` now under `snapshot_id`; how many.

    One INSERT ... SELECT: the database copies the ids, none passes through this process,
    and the copy is one statement's consistent view whatever the number of runs. `limit`
    stops the copy (a job over its cap copies one more than the cap, and no further).
    """
    db = connection or Tortoise.get_connection("default")
    query = Run.filter(condition).using_db(db).only("id")
    if limit is not None:
        query = query.limit(limit)
    query._make_query()
    select_sql, params = query.query.get_parameterized_sql()
    # the snapshot id is a UUID this module made, never caller text: safe to write inline
    await db.execute_query(
        f"INSERT INTO bulk_targets (snapshot_id, run_id) SELECT '{uuid.UUID(str(snapshot_id))}', matched.id "
        f"FROM ({select_sql}) AS matched",
        list(params),
    )
    return await BulkTarget.filter(snapshot_id=snapshot_id).using_db(db).count()


async def frozen_run_ids(
    snapshot_id: uuid.UUID, *, after: uuid.UUID | None = None, batch: int = CHUNK
) -> AsyncIterator[list[uuid.UUID]]:
    """The frozen run ids after `after`, in id order, `batch` at a time (never all at once)."""
    while True:
        query = BulkTarget.filter(snapshot_id=snapshot_id)
        if after is not None:
            query = query.filter(run_id__gt=after)
        rows = await query.order_by("run_id").limit(batch).values_list("run_id", flat=True)
        if not rows:
            return
        ids = [uuid.UUID(str(raw)) for raw in rows]
        yield ids
        after = ids[-1]


async def forget_target(snapshot_id: uuid.UUID) -> None:
    """Delete a frozen target (the action using it ended)."""
    await BulkTarget.filter(snapshot_id=snapshot_id).delete()


async def for_each_frozen_run(
    condition: Q, result: BulkResult, act: Callable[[uuid.UUID], Awaitable[Run | None]]
) -> None:
    """Call `act` on every run selected when this call begins, in id order, recording successes
    and failures. Runs created or coming to match meanwhile (the runs a RETRY creates, which
    may fail before the action ends) are not acted on: the target is frozen first."""
    if result.dry_run:
        result.matched = await Run.filter(condition).count()
        return
    # uuid1: a synchronous action's snapshot carries its time (a crashed one is swept later)
    snapshot_id = uuid.uuid1()
    try:
        result.matched = await freeze_target(snapshot_id, condition)
        async for ids in frozen_run_ids(snapshot_id):
            for run_id in ids:
                try:
                    result.succeed(await act(run_id))
                except FlowdeckError as error:
                    result.fail(run_id, error)
    finally:
        await forget_target(snapshot_id)


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
    status must be BLOCKED (else INVALID_TRANSITION in the failures). An id out of the
    caller's reach is NOT_FOUND, as for every single-run mutation, whether the run belongs
    to another project or does not exist.
    """
    principal.require(Role.OPERATOR, "unblockRuns")
    if run_id:
        await get_visible_run(principal, run_id, ("input", "id"))
    condition = target_condition(principal, ids=[run_id] if run_id else None, filter=filter, where=None)
    if not run_id:
        condition = Q(condition, Q(status=RunStatus.BLOCKED))
    change = RUN.UNBLOCK if action is UnblockAction.RUN else RUN.ABANDON

    async def act(run_id: uuid.UUID) -> Run:
        async with RunTransaction(run_id) as tx:
            await tx.change_run(change, actor=principal.actor, reason=reason)
        return tx.run

    result = BulkResult()
    await for_each_frozen_run(condition, result, act)
    return result


_BULK_ACTIONS: dict[BulkAction, Callable[..., Awaitable[Run]]] = {
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
    background: bool = False,
    max_per_second: float | None = None,
    idempotency_key: str | None = None,
) -> BulkResult:
    """Apply one run action to every run the target selects (OPERATOR; RESTART needs ADMIN).

    With `background`, or a target of more than SYNC_LIMIT runs (counted no further than
    one more), the action is recorded as a bulk job instead and returned in `result.job`.
    """
    principal.require(cancel_role(action), f"bulkRunAction {action.value}")
    condition = target_condition(principal, ids=ids, filter=filter, where=where)
    if background or (not dry_run and await _more_than(condition, SYNC_LIMIT)):
        job = await create_bulk_job(
            principal,
            action=action,
            ids=ids,
            filter=filter,
            where=where,
            reason=reason,
            dry_run=dry_run,
            max_per_second=max_per_second,
            idempotency_key=idempotency_key,
        )
        return BulkResult(dry_run=dry_run, job=job)
    result = BulkResult(dry_run=dry_run)
    await for_each_frozen_run(condition, result, run_action(principal, action, reason))
    return result


async def _more_than(condition: Q, limit: int) -> bool:
    """Whether more than `limit` runs match, reading no more than limit + 1 ids."""
    ids = await Run.filter(condition).limit(limit + 1).values_list("id", flat=True)
    return len(ids) > limit


def run_action(
    principal: Principal, action: BulkAction, reason: str | None, *, batch_id: str | None = None
) -> Callable[[uuid.UUID], Awaitable[Run | None]]:
    """The action on one run, as `principal`; returns the new run of a RETRY or RESTART
    (tagged with `batch_id`, when a bulk job acts)."""
    perform = _BULK_ACTIONS[action]

    async def act(run_id: uuid.UUID) -> Run | None:
        global_id = to_global_id("Run", run_id)
        if action in _CREATING_ACTIONS:
            return await perform(principal, global_id, reason, batch_id=batch_id)
        await perform(principal, global_id, reason)
        return None

    return act


BatchAct = Callable[
    [Sequence[uuid.UUID], Callable[[BaseDBAsyncClient, run_control.ActedRuns], Awaitable[None]]],
    Awaitable[run_control.ActedRuns],
]

# the actions a bulk job makes on a batch of runs per transaction (the others: one run per transaction)
_BATCHED: dict[BulkAction, run_control.BatchedAction] = {
    BulkAction.CANCEL: run_control.BATCHED_ACTIONS["cancel"],
    BulkAction.TERMINATE: run_control.BATCHED_ACTIONS["terminate"],
    BulkAction.PAUSE: run_control.BATCHED_ACTIONS["pause"],
    BulkAction.RESUME: run_control.BATCHED_ACTIONS["resume"],
}


def batched_run_action(principal: Principal, action: BulkAction, reason: str | None) -> BatchAct | None:
    """The action on a batch of runs in one transaction (`run_control.act_on_runs`), for the
    actions that have one (CANCEL, TERMINATE, PAUSE, RESUME); None for the others (RETRY and
    RESTART create runs)."""
    batched = _BATCHED.get(action)
    if batched is None:
        return None

    async def act(
        run_ids: Sequence[uuid.UUID],
        record: Callable[[BaseDBAsyncClient, run_control.ActedRuns], Awaitable[None]],
    ) -> run_control.ActedRuns:
        return await run_control.act_on_runs(principal, batched, run_ids, reason, record=record)

    return act
