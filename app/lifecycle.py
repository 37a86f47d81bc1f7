"""The run and step lifecycle: every status change of a run or a step goes through here.

One table per kind names each change, the statuses it may start from, the status it
leads to and the event(s) it appends. `RunTransaction` is the only writer of `status`:

    async with RunTransaction(run_id) as tx:   # locks the run row
        tx.change_run(RUN.PAUSE, actor=..., reason=...)
        await tx.change_step(step, STEP.CANCEL)
    # committed: events have contiguous seqs; then published

Each change is a compare-and-set (`UPDATE ... WHERE id = ? AND status IN (allowed)`);
one that matches nothing raises InvalidTransition naming the current status, and the
whole transaction rolls back, so nothing is written. The run row is locked first
(`SELECT ... FOR UPDATE` on PostgreSQL; SQLite serialises writers), so events of one
run are appended one transaction at a time and `seq` never has a gap.

The engine's transactions on PostgreSQL batch this (`RunTransaction(..., batch=True)`, or
`optimistic=True`: no lock, one statement guarded by the run's event_seq); see
app/run_writes.py. The compare-and-sets, events and seqs are the same.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import logging
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient, TransactionContext
from tortoise.expressions import F
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from app import pubsub
from app.enums import RunEventType, RunStatus, StepStatus, StepType
from app.errors import InvalidTransition, NotFound
from app.observability import live_trace
from app.observability.metrics import count_committed_events
from app.run_counts import count_change, counter_moves
from app.run_writes import BatchedWrites, CounterMove, PendingChange, read_run_and_steps
from app.schedules.run_end import schedule_run_ended
from app.statements import compare_and_set, insert_rows, placeholders, select_models
from models import Run, RunEvent, StepRun
from models.runs import TERMINAL_RUN_STATUSES

log = logging.getLogger("flowdeck.lifecycle")


class NeedsLock(Exception):
    """An optimistic RunTransaction was asked for something only a locked one does (nothing
    was written): do the same work again in a RunTransaction that is not optimistic."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------- status sets

# Defined beside the model, which needs it for `Run.is_terminal`.
NON_TERMINAL_RUN_STATUSES = frozenset(RunStatus) - TERMINAL_RUN_STATUSES
# CANCELING is left out: a cancel already under way is not requested twice.
CANCELABLE_RUN_STATUSES = frozenset({RunStatus.PENDING, RunStatus.BLOCKED, RunStatus.RUNNING, RunStatus.PAUSED})
# BLOCKED is left out: a blocked run is released with unblockRuns, not paused.
PAUSABLE_RUN_STATUSES = frozenset({RunStatus.PENDING, RunStatus.RUNNING})
# COMPLETED and ABANDONED are left out: nothing failed, so there is nothing to retry from.
RETRYABLE_RUN_STATUSES = frozenset({RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.CANCELED, RunStatus.TERMINATED})
RESTARTABLE_RUN_STATUSES = TERMINAL_RUN_STATUSES
# CANCELING is left out: a run being canceled takes no new input.
SIGNALABLE_RUN_STATUSES = NON_TERMINAL_RUN_STATUSES - {RunStatus.CANCELING}
# A step action on a FAILED run (or a replay on a COMPLETED one) reopens it.
REOPENABLE_RUN_STATUSES = frozenset({RunStatus.FAILED, RunStatus.COMPLETED})
# Step actions (approve, skip, retry, ...) act on a live run, or reopen a FAILED one.
# CANCELING is left out: a run being canceled takes no new input; other terminal runs stay closed.
STEP_ACTIONABLE_RUN_STATUSES = SIGNALABLE_RUN_STATUSES | {RunStatus.FAILED}
# replaySubtree may also reopen a COMPLETED run: replaying finished work is its purpose.
REPLAYABLE_RUN_STATUSES = STEP_ACTIONABLE_RUN_STATUSES | {RunStatus.COMPLETED}

FINISHED_STEP_STATUSES = frozenset({StepStatus.COMPLETED, StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELED})
# Steps that let their dependents go on.
SATISFIED_STEP_STATUSES = frozenset({StepStatus.COMPLETED, StepStatus.SKIPPED})
OPEN_STEP_STATUSES = frozenset({StepStatus.PENDING, StepStatus.QUEUED, StepStatus.RUNNING, StepStatus.WAITING})
IN_FLIGHT_STEP_STATUSES = frozenset({StepStatus.RUNNING, StepStatus.WAITING})
WAITING_STEP_TYPES = frozenset({StepType.APPROVAL, StepType.SIGNAL, StepType.SLEEP, StepType.SUBWORKFLOW})


# ---------------------------------------------------------------- transition tables


@dataclasses.dataclass(frozen=True)
class RunChange:
    name: str
    sources: frozenset[RunStatus]
    target: RunStatus
    events: tuple[RunEventType, ...]
    ok: bool = True


@dataclasses.dataclass(frozen=True)
class StepChange:
    name: str
    sources: frozenset[StepStatus]
    target: StepStatus
    events: tuple[RunEventType, ...]
    ok: bool = True


def _runs(*statuses: RunStatus) -> frozenset[RunStatus]:
    return frozenset(statuses)


def _steps(*statuses: StepStatus) -> frozenset[StepStatus]:
    return frozenset(statuses)


class RUN:
    """The run table of LIFECYCLE.md."""

    START = RunChange("start", _runs(RunStatus.PENDING), RunStatus.RUNNING, (RunEventType.RUN_STARTED,))
    COMPLETE = RunChange("complete", _runs(RunStatus.RUNNING), RunStatus.COMPLETED, (RunEventType.RUN_COMPLETED,))
    FAIL = RunChange("fail", _runs(RunStatus.RUNNING), RunStatus.FAILED, (RunEventType.RUN_FAILED,), ok=False)
    TIME_OUT = RunChange(
        "time out",
        _runs(RunStatus.RUNNING, RunStatus.PAUSED),
        RunStatus.TIMED_OUT,
        (RunEventType.RUN_TIMED_OUT,),
        ok=False,
    )
    PAUSE = RunChange("pause", PAUSABLE_RUN_STATUSES, RunStatus.PAUSED, (RunEventType.RUN_PAUSED,))
    # target is RUNNING, or PENDING for a run that never started (see resume_target)
    RESUME = RunChange("resume", _runs(RunStatus.PAUSED), RunStatus.RUNNING, (RunEventType.RUN_RESUMED,))
    REQUEST_CANCEL = RunChange(
        "cancel", CANCELABLE_RUN_STATUSES, RunStatus.CANCELING, (RunEventType.RUN_CANCEL_REQUESTED,)
    )
    FINISH_CANCEL = RunChange(
        "finish canceling", _runs(RunStatus.CANCELING), RunStatus.CANCELED, (RunEventType.RUN_CANCELED,)
    )
    TERMINATE = RunChange("terminate", NON_TERMINAL_RUN_STATUSES, RunStatus.TERMINATED, (RunEventType.RUN_TERMINATED,))
    UNBLOCK = RunChange("unblock", _runs(RunStatus.BLOCKED), RunStatus.PENDING, (RunEventType.RUN_UNBLOCKED,))
    ABANDON = RunChange("abandon", _runs(RunStatus.BLOCKED), RunStatus.ABANDONED, (RunEventType.RUN_ABANDONED,))
    REOPEN = RunChange("reopen", REOPENABLE_RUN_STATUSES, RunStatus.RUNNING, (RunEventType.RUN_RESUMED,))


class STEP:
    """The step table of LIFECYCLE.md."""

    QUEUE = StepChange("queue", _steps(StepStatus.PENDING), StepStatus.QUEUED, (RunEventType.STEP_QUEUED,))
    START = StepChange("start", _steps(StepStatus.QUEUED), StepStatus.RUNNING, (RunEventType.STEP_STARTED,))
    WAIT = StepChange("wait", _steps(StepStatus.QUEUED), StepStatus.WAITING, (RunEventType.STEP_WAITING,))
    # RUNNING: a handler or worker finished; WAITING: a timer, a signal or a child run did
    COMPLETE = StepChange(
        "complete",
        _steps(StepStatus.RUNNING, StepStatus.WAITING),
        StepStatus.COMPLETED,
        (RunEventType.STEP_COMPLETED,),
    )
    FAIL = StepChange(
        "fail",
        _steps(StepStatus.RUNNING, StepStatus.WAITING),
        StepStatus.FAILED,
        (RunEventType.STEP_FAILED,),
        ok=False,
    )
    RETRY_LATER = StepChange(
        "schedule a retry",
        _steps(StepStatus.RUNNING),
        StepStatus.QUEUED,
        (RunEventType.STEP_FAILED, RunEventType.STEP_RETRY_SCHEDULED),
        ok=False,
    )
    APPROVE = StepChange("approve", _steps(StepStatus.WAITING), StepStatus.COMPLETED, (RunEventType.STEP_APPROVED,))
    REJECT = StepChange(
        "reject", _steps(StepStatus.WAITING), StepStatus.FAILED, (RunEventType.STEP_REJECTED,), ok=False
    )
    RECEIVE_SIGNAL = StepChange(
        "receive a signal",
        _steps(StepStatus.WAITING),
        StepStatus.COMPLETED,
        (RunEventType.SIGNAL_RECEIVED, RunEventType.STEP_COMPLETED),
    )
    SKIP = StepChange(
        "skip",
        _steps(StepStatus.PENDING, StepStatus.QUEUED, StepStatus.WAITING, StepStatus.FAILED),
        StepStatus.SKIPPED,
        (RunEventType.STEP_SKIPPED,),
    )
    FORCE_COMPLETE = StepChange(
        "force-complete",
        frozenset(StepStatus) - {StepStatus.COMPLETED},
        StepStatus.COMPLETED,
        (RunEventType.STEP_FORCE_COMPLETED,),
    )
    RETRY = StepChange(
        "retry", _steps(StepStatus.FAILED, StepStatus.CANCELED), StepStatus.QUEUED, (RunEventType.STEP_RESET,)
    )
    # replaySubtree: any status; target PENDING or QUEUED (see replay)
    RESET = StepChange("reset", frozenset(StepStatus), StepStatus.PENDING, (RunEventType.STEP_RESET,))
    CANCEL = StepChange("cancel", OPEN_STEP_STATUSES, StepStatus.CANCELED, (RunEventType.STEP_CANCELED,))
    # an onCancel step that never started, when the run ends any other way than CANCELED
    SKIP_CLEANUP = StepChange(
        "skip cleanup",
        _steps(StepStatus.PENDING, StepStatus.QUEUED),
        StepStatus.SKIPPED,
        (RunEventType.STEP_SKIPPED,),
    )


def resume_target(run: Run) -> RunStatus:
    """A paused run goes back to RUNNING, or to PENDING when it never started."""
    return RunStatus.RUNNING if run.started_at is not None else RunStatus.PENDING


# ---------------------------------------------------------------- the unit of work


@dataclasses.dataclass
class PendingEvent:
    """An event of a RunTransaction; at commit, with its run and seq, the RunEvent row it inserts."""

    type: RunEventType
    at: dt.datetime
    step_ref: str | None = None
    step_type: StepType | None = None
    attempt: int | None = None
    ok: bool = True
    actor: str | None = None
    reason: str | None = None
    data: dict[str, Any] | None = None
    run_id: Any = None
    seq: int = 0


def _column(value: Any) -> Any:
    # enums go to the database as their stored value
    return value.value if isinstance(value, StepStatus | RunStatus) else value


@dataclasses.dataclass
class FirstChangeHook:
    """A write to commit in the first transaction that acts on one run (see `with_first_change_of`)."""

    run_id: uuid.UUID
    write: Callable[[BaseDBAsyncClient], Awaitable[None]]
    done: bool = False

    def applies_to(self, tx: RunTransaction) -> bool:
        run = tx.run
        if str(run.id) == str(self.run_id):
            return True
        # a RETRY or RESTART acts on the old run by creating the new one
        created_from = (getattr(run, "retry_of_id", None), getattr(run, "restart_of_id", None))
        return tx.is_new and str(self.run_id) in {str(value) for value in created_from if value is not None}


_first_change_hook: contextvars.ContextVar[FirstChangeHook | None] = contextvars.ContextVar(
    "flowdeck_first_change_hook", default=None
)


@contextlib.contextmanager
def with_first_change_of(
    run_id: uuid.UUID, write: Callable[[BaseDBAsyncClient], Awaitable[None]]
) -> Iterator[FirstChangeHook]:
    """Within this block, `write(connection)` runs inside the first RunTransaction that changes
    `run_id` (or creates a run retrying or restarting it), just before it commits: a bulk job
    records its progress atomically with the change it made, so that a crash can never leave
    a run acted on but not recorded (or recorded but not acted on). If `write` raises, that
    transaction is rolled back. `hook.done` tells whether it ran (and so committed)."""
    hook = FirstChangeHook(run_id, write)
    token = _first_change_hook.set(hook)
    try:
        yield hook
    finally:
        _first_change_hook.reset(token)


@dataclasses.dataclass
class HeldRun:
    """What a holding RunTransaction (`RunTransaction.holding`) changed on its run, for a batch
    to write together with other runs' (app.run_batches): the run's and its steps'
    compare-and-sets, the events (numbered from the run's event_seq) and the counter moves."""

    tx: RunTransaction
    run_change: PendingChange | None
    step_changes: list[PendingChange]
    events: list[PendingEvent]
    counters: list[CounterMove]


class RunTransaction:
    """One database transaction over one run: status changes and the events they append.

    An async context manager: entering opens the transaction and locks the run row (or
    inserts a new run, see `create`); a clean exit appends the events, commits, then
    publishes; an exception rolls everything back and publishes nothing.
    """

    # set on entering
    run: Run

    def __init__(
        self,
        run_id: uuid.UUID | str,
        *,
        batch: bool = False,
        optimistic: bool = False,
        known: tuple[Run, list[StepRun]] | None = None,
    ) -> None:
        self.run_id = run_id
        # batch (the engine's transactions): on PostgreSQL the steps are read with the run's
        # lock, and the compare-and-sets are held back and written with the events, in one
        # statement at the end (see app.run_writes); SQLite writes each change at once.
        self.batch = batch or optimistic
        # optimistic (the engine's, on PostgreSQL): no database transaction and no lock. The
        # run and its steps are read in one statement, and the one statement that writes
        # everything at the end writes it only if the run's event_seq has not moved since
        # (RunMovedOn otherwise: nothing written). Anything else, any other read or write
        # through `connection`, raises NeedsLock before it is done: the caller then does the
        # same work in a batched transaction.
        self.optimistic = optimistic
        # an optimistic transaction may start from the run and steps as a transaction of the
        # caller's left them (no read): its write is guarded by their event_seq all the same
        self._known = known
        # the steps the first load_steps() handed out (what `known` may be taken from next time)
        self.steps_given: list[StepRun] | None = None
        self._optimistic_open = False
        # holding (see `holding`): changes are only held, for a batch to write
        self._holding = False
        self._connection: BaseDBAsyncClient | None = None
        self.is_new = False
        self.events: list[PendingEvent] = []
        self.appended: list[PendingEvent] = []
        # runs of a schedule that this run's end let go (BUFFER_ONE / BUFFER_ALL)
        self.released_runs: list[uuid.UUID] = []
        self._status_changed = False
        # what run_counts holds the run under (None: not counted yet); moved once, in _flush
        self._counted_status: RunStatus | None = None
        self._new_run: Run | None = None
        self._before_insert: Callable[[BaseDBAsyncClient], Awaitable[None]] | None = None
        self._transaction: TransactionContext | None = None
        self._writes: BatchedWrites | None = None
        self._steps_read: list[StepRun] | None = None
        self._seq_read = 0

    @classmethod
    def create(
        cls,
        run: Run,
        *,
        before_insert: Callable[[BaseDBAsyncClient], Awaitable[None]] | None = None,
    ) -> RunTransaction:
        """A transaction that inserts `run` (not yet saved) before anything else.

        `before_insert` runs first inside the transaction (the change-limit check locks
        and counts there, and may still set the run's initial status).
        """
        tx = cls(run.id)
        tx.is_new = True
        tx._new_run = run
        tx._before_insert = before_insert
        return tx

    @classmethod
    def holding(cls, run: Run, steps: list[StepRun]) -> RunTransaction:
        """A transaction over a run (and its steps, in their order) that the caller has read and
        locked in a database transaction of its own, which sends nothing: its changes are
        compare-and-sets and events held back, as a batched transaction holds them, and `held()`
        hands them to a batch that writes many runs' at once (app.run_batches). Anything that
        needs a statement of its own (a schedule's reaction to its run ending, a read of the
        run's rows) raises NeedsLock instead. `announce()` publishes once the batch committed.
        Not entered (`async with`)."""
        tx = cls(run.id, batch=True)
        tx._holding = True
        tx.run = run
        tx._counted_status = run.status
        tx._steps_read = steps
        tx._writes = BatchedWrites(Tortoise.get_connection("default"), defer=True)
        return tx

    def held(self) -> HeldRun:
        """The changes held so far, their events numbered and the run's event_seq moved on."""
        assert self._holding and self._writes is not None
        moves = counter_moves(self.run, self._counted_status, self.run.status)
        self._counted_status = self.run.status
        self._number_events()
        return HeldRun(self, self._writes.run, list(self._writes.steps.values()), self.appended, moves)

    async def announce(self) -> None:
        """Count and publish the committed events (after the commit)."""
        count_committed_events(RunEventType(event.type).value for event in self.appended)
        await self._publish()

    # -- opening and closing ---------------------------------------------

    @property
    def connection(self) -> BaseDBAsyncClient:
        """The transaction's connection (NeedsLock in an optimistic transaction)."""
        if self._optimistic_open or self._holding:
            raise NeedsLock("this needs the run's lock")
        assert self._connection is not None
        return self._connection

    async def _enter_optimistic(self, pool: BaseDBAsyncClient) -> RunTransaction:
        self._optimistic_open = True
        self._writes = BatchedWrites(pool, defer=True)
        found = self._known or await read_run_and_steps(pool, uuid.UUID(str(self.run_id)), lock=False)
        if found is None:
            raise NotFound(f"no run with id {self.run_id}")
        self.run, self._steps_read = found
        self._seq_read = self.run.event_seq
        self._counted_status = self.run.status
        return self

    def _enter_single_statement(self, pool: BaseDBAsyncClient, run: Run) -> RunTransaction:
        """A new run with nothing to check first: its row, its steps, tags, counter and events
        are written by one statement at the end, which needs no BEGIN...COMMIT (one statement
        is atomic), so no lock (the run_counts row) is held across a round trip."""
        self._optimistic_open = True
        self._writes = BatchedWrites(pool, defer=True)
        self._writes.hold_insert([run], Run)
        run._saved_in_db = True
        self.run = run
        return self

    async def _exit_optimistic(self, exc_type: type[BaseException] | None) -> bool:
        assert self._writes is not None
        if exc_type is not None:
            self._writes.discard()
            return False
        hook = _first_change_hook.get()
        if hook is not None and not hook.done and hook.applies_to(self):
            raise NeedsLock("a bulk job records its progress in the run's transaction")
        await self._flush()
        await self.announce()
        return False

    async def __aenter__(self) -> RunTransaction:
        if self._transaction is not None or self._optimistic_open:
            raise RuntimeError("a RunTransaction is entered once")
        pool = Tortoise.get_connection("default")
        dialect = pool.capabilities.dialect
        # outside any transaction (a run created within another run's transaction nests in it)
        alone = dialect == "postgres" and not isinstance(pool, TransactionalDBClient)
        if alone and self.optimistic and self._new_run is None:
            return await self._enter_optimistic(pool)
        hook = _first_change_hook.get()
        if alone and self._new_run is not None and self._before_insert is None and (hook is None or hook.done):
            return self._enter_single_statement(pool, self._new_run)
        self._transaction = in_transaction("default")
        db = await self._transaction.__aenter__()
        try:
            self._connection = db
            if dialect == "postgres":
                self._writes = BatchedWrites(db, defer=self.batch)
            if self._new_run is not None:
                if self._before_insert is not None:
                    await self._before_insert(db)
                if self._writes is not None:
                    # inserted with the events, in the transaction's last statement
                    self._writes.hold_insert([self._new_run], Run)
                    self._new_run._saved_in_db = True
                else:
                    await self._new_run.save(using_db=db, force_create=True)
                self.run = self._new_run
            else:
                self.run = await self._lock_run(db, dialect)
                self._counted_status = self.run.status
        except BaseException:
            await self._transaction.__aexit__(*sys.exc_info())
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if self._optimistic_open:
            return await self._exit_optimistic(exc_type)
        assert self._transaction is not None
        if exc_type is None:
            try:
                await self._flush()
                hook = _first_change_hook.get()
                if hook is not None and not hook.done and hook.applies_to(self):
                    await hook.write(self.connection)
                    hook.done = True
            except BaseException as flush_error:
                await self._transaction.__aexit__(type(flush_error), flush_error, flush_error.__traceback__)
                raise
        if exc_type is not None and self._writes is not None:
            self._writes.discard()
        await self._transaction.__aexit__(exc_type, exc, tb)
        if exc_type is None:
            await self.announce()
        return False

    # -- changes ---------------------------------------------------------

    def record(
        self,
        event_type: RunEventType,
        *,
        ok: bool = True,
        step: StepRun | None = None,
        actor: str | None = None,
        reason: str | None = None,
        data: Mapping[str, Any] | None = None,
        attempt: int | None = None,
    ) -> None:
        """Append an event to this transaction. Status changes call this for their own events;
        call it directly for an event that changes no status (RUN_CREATED, RUN_RETRIED, ...).
        The event names the step's current attempt unless `attempt` says otherwise."""
        self.events.append(
            PendingEvent(
                type=event_type,
                at=utcnow(),
                step_ref=step.ref if step else None,
                step_type=step.type if step else None,
                attempt=attempt if attempt is not None else (step.attempt if step else None),
                ok=ok,
                actor=actor,
                reason=reason,
                data=dict(data) if data else None,
            )
        )

    async def change_run(
        self,
        change: RunChange,
        *,
        target: RunStatus | None = None,
        actor: str | None = None,
        reason: str | None = None,
        data: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Compare-and-set the run's status and append the change's events."""
        new_status = target or change.target
        if self.run.status not in change.sources:
            raise InvalidTransition(f"cannot {change.name} a run that is {self.run.status.value}")
        now = utcnow()
        values: dict[str, Any] = {"status": new_status.value, "updated_at": now, **(fields or {})}
        if self._writes is not None and self._writes.defer:
            self._writes.hold_run(self.run.id, change.sources, values, f"cannot {change.name} a run")
            matched = 1
        else:
            matched = await compare_and_set(self.connection, Run, self.run.id, change.sources, values)
        if matched != 1:
            current = await Run.filter(id=self.run.id).using_db(self.connection).values_list("status", flat=True)
            status = current[0] if current else "gone"
            raise InvalidTransition(f"cannot {change.name} a run that is {getattr(status, 'value', status)}")
        self.run.status = new_status
        self.run.updated_at = now
        for name, value in (fields or {}).items():
            setattr(self.run, name, value)
        self._status_changed = True
        for event_type in change.events:
            self.record(event_type, ok=change.ok, actor=actor, reason=reason, data=data)
        if new_status in TERMINAL_RUN_STATUSES and self.run.schedule_id is not None:
            await self.write_held_back()  # the schedule reads its runs' statuses
            self.released_runs += await schedule_run_ended(self.connection, self.run)

    async def change_step(
        self,
        step: StepRun,
        change: StepChange,
        *,
        target: StepStatus | None = None,
        actor: str | None = None,
        reason: str | None = None,
        data: Mapping[str, Any] | None = None,
        fields: Mapping[str, Any] | None = None,
        event_data: Iterable[Mapping[str, Any] | None] | None = None,
    ) -> None:
        """Compare-and-set one step's status and append the change's events.

        `event_data`, when given, holds one data object per event of the change.
        """
        new_status = target or change.target
        if step.status not in change.sources:
            raise InvalidTransition(f"cannot {change.name} step {step.ref!r}: it is {step.status.value}")
        values: dict[str, Any] = {"status": new_status.value, **(fields or {})}
        if self._writes is not None and self._writes.defer:
            self._writes.hold_step(step.id, change.sources, values, f"cannot {change.name} step {step.ref!r}")
            matched = 1
        else:
            matched = await compare_and_set(self.connection, StepRun, step.id, change.sources, values)
        if matched != 1:
            current = await StepRun.filter(id=step.id).using_db(self.connection).values_list("status", flat=True)
            status = current[0] if current else "gone"
            raise InvalidTransition(f"cannot {change.name} step {step.ref!r}: it is {getattr(status, 'value', status)}")
        failed_attempt = step.attempt
        step.status = new_status
        for name, value in (fields or {}).items():
            setattr(step, name, value)
        per_event = list(event_data) if event_data is not None else [data] * len(change.events)
        for event_type, payload in zip(change.events, per_event, strict=True):
            # STEP_FAILED names the attempt that failed, though a retry has already counted the next
            attempt = failed_attempt if event_type == RunEventType.STEP_FAILED else None
            self.record(event_type, ok=change.ok, step=step, actor=actor, reason=reason, data=payload, attempt=attempt)

    async def insert_rows(self, rows: Sequence[Any], model: type[Model]) -> None:
        """Insert new rows of `model` (a new run's steps, tags; instances or `new_row`s): on
        PostgreSQL with the transaction's last statement (or before its next read of the run's rows)."""
        if self._writes is not None and self.is_new:
            self._writes.hold_insert(rows, model)
        else:
            await insert_rows(self.connection, rows, model=model)

    async def write_held_back(self) -> None:
        """Send the compare-and-sets a batched transaction holds back (before reading its rows)."""
        if self._optimistic_open or self._holding:
            raise NeedsLock("reading the run's rows again needs its lock")
        if self._writes is not None:
            await self._writes.write()

    async def load_steps(self) -> list[StepRun]:
        """The run's steps in their order (position, iteration, creation), read in this transaction."""
        if self._steps_read is not None:
            steps, self._steps_read = self._steps_read, None
            self.steps_given = steps
            return steps
        await self.write_held_back()
        return await select_models(
            self.connection,
            StepRun,
            "steps of a run",
            lambda: StepRun.filter(run_id=self.run.id).order_by("position", "iteration", "created_at"),
            [StepRun._meta.fields_map["run_id"].to_db_value(self.run.id, StepRun)],
        )

    async def _lock_run(self, db: BaseDBAsyncClient, dialect: str) -> Run:
        """Read the run, locking its row until the end of the transaction (SQLite serialises writers)."""
        lock = dialect == "postgres"
        if lock and self.batch:
            found = await read_run_and_steps(db, uuid.UUID(str(self.run_id)))
            if found is None:
                raise NotFound(f"no run with id {self.run_id}")
            run, self._steps_read = found
            return run

        def build() -> QuerySet[Run]:
            query = Run.filter(id=self.run_id)
            return query.select_for_update() if lock else query

        run_id = Run._meta.pk.to_db_value(self.run_id, Run)
        runs = await select_models(db, Run, "a run, locked" if lock else "a run", build, [run_id])
        if not runs:
            raise NotFound(f"no run with id {self.run_id}")
        return runs[0]

    # -- closing ---------------------------------------------------------

    async def _flush(self) -> None:
        """Move the run's counter to its final status, allocate contiguous seqs for the collected
        events and insert them."""
        moves = counter_moves(self.run, self._counted_status, self.run.status)
        if self._writes is None:
            await count_change(self.connection, self.run, self._counted_status, self.run.status)
        self._counted_status = self.run.status
        if not self.events:
            if self._writes is not None:
                await self._writes.finish(
                    run_id=self.run.id,
                    seq_increment=0,
                    updated_at=utcnow(),
                    counters=moves,
                    events=(),
                    expected_seq=self._seq_read if self._optimistic_open and not self.is_new else None,
                )
            return
        count = len(self.events)
        if self._writes is None:
            await self._advance_event_seq(count)
        rows = self._number_events()
        if self._writes is None:
            await insert_rows(self.connection, rows, model=RunEvent)
        else:
            await self._writes.finish(
                run_id=self.run.id,
                seq_increment=count,
                updated_at=utcnow(),
                counters=moves,
                events=rows,
                expected_seq=self._seq_read if self._optimistic_open and not self.is_new else None,
            )

    def _number_events(self) -> list[PendingEvent]:
        """Give the collected events the run's next seqs (contiguous) and move its event_seq on;
        they are the events appended once the transaction commits."""
        first_seq = self.run.event_seq + 1
        self.run.event_seq += len(self.events)
        # the events are their RunEvent rows (same attributes; no model instance to build)
        for index, event in enumerate(self.events):
            event.run_id = self.run.id
            event.seq = first_seq + index
        self.appended = self.events
        return self.events

    async def _advance_event_seq(self, count: int) -> None:
        """Move the run's `event_seq` on by `count` (the run row is locked by this transaction)."""
        first, second, third = placeholders(self.connection, 3)
        sql = f'UPDATE "runs" SET "event_seq" = "event_seq" + {first}, "updated_at" = {second} WHERE "id" = {third}'
        meta = Run._meta
        updated_at = meta.fields_map["updated_at"].to_db_value(utcnow(), Run)
        await self.connection.execute_query(sql, [count, updated_at, meta.pk.to_db_value(self.run.id, Run)])

    async def _publish(self) -> None:
        if not self.appended:
            return
        run_id = str(self.run.id)
        last_seq = self.appended[-1].seq
        trace = live_trace.TRACE
        if trace is not None:
            for event in self.appended:
                trace.note(run_id, event.seq, "committed")
        await pubsub.publish(pubsub.run_topic(run_id), {"run": run_id, "seq": last_seq})
        if self._status_changed or self.is_new:
            await pubsub.publish(
                pubsub.RUNS_TOPIC,
                {"run": run_id, "project": str(self.run.project_id), "status": self.run.status.value},
            )
        for released in self.released_runs:
            # wakes the engines (the run is now free to start)
            await pubsub.publish(pubsub.run_topic(str(released)), {"run": str(released)})
        if self._status_changed and self.run.status in TERMINAL_RUN_STATUSES:
            # followers of the run's updates end with the run: tell them it ended
            await pubsub.publish(pubsub.run_updates_topic(run_id), {"run": run_id, "ended": True})


# ---------------------------------------------------------------- outcomes shared by engine and actions
# A failed attempt, a failed run and a started step are handled by one piece of code
# whoever notices them (the engine's handler, a worker's failStep, an expired lease).


def takes_a_slot(step: StepRun) -> bool:
    """Whether `step` counts against its run's maxParallelSteps: RUNNING, and not a FOR_EACH loop
    (a loop is a container; its iterations take the slots)."""
    return step.status == StepStatus.RUNNING and step.type != StepType.FOR_EACH


def retry_delay(step: StepRun) -> dt.timedelta:
    """The backoff before the next attempt: backoff_seconds * backoff_factor ** (attempt - 1)."""
    policy = step.retry or {}
    seconds = float(policy.get("backoff_seconds", 1.0))
    factor = float(policy.get("backoff_factor", 2.0))
    return dt.timedelta(seconds=seconds * factor ** max(step.attempt - 1, 0))


def attempts_left(step: StepRun) -> bool:
    """Whether the retry policy allows another attempt after `step.attempt` (null policy: one attempt)."""
    policy = step.retry or {}
    return step.attempt < int(policy.get("max_attempts", 1))


async def count_error(tx: RunTransaction) -> None:
    """Bump the run's errorCount (one per failed attempt or rejection); no status change."""
    await Run.filter(id=tx.run.id).using_db(tx.connection).update(error_count=F("error_count") + 1)
    tx.run.error_count += 1


async def start_step(
    tx: RunTransaction,
    step: StepRun,
    *,
    actor: str | None = None,
    data: Mapping[str, Any] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> None:
    """QUEUED -> RUNNING. A step's first start is attempt 1; a later try already carries its
    number, set when it went back to QUEUED (LIFECYCLE.md)."""
    await tx.change_step(
        step,
        STEP.START,
        actor=actor,
        data=data,
        fields={"attempt": first_attempt(step), "started_at": utcnow(), "due_at": None, **(fields or {})},
    )


def first_attempt(step: StepRun) -> int:
    """The attempt a step starts (RUNNING or WAITING) as: 1 the first time, else the number it was given."""
    return max(step.attempt, 1)


def next_attempt(step: StepRun) -> int:
    """The number a step that goes back to QUEUED (a retry after a failure, retryStep) is given."""
    return step.attempt + 1


async def settle_open_steps(
    tx: RunTransaction,
    steps: Iterable[StepRun],
    *,
    cancel: frozenset[StepStatus],
    cancel_cleanup: bool = True,
    skip_cleanup: bool = True,
    actor: str | None = None,
    reason: str | None = None,
) -> None:
    """Settle a run's open steps as the run ends (or starts canceling): the one place that does.

    Steps whose status is in `cancel` end CANCELED (with `reason`). Cleanup (onCancel) steps
    that never started end SKIPPED when `skip_cleanup`; the others are canceled like any
    step, unless `cancel_cleanup` is false (a cancel request: cleanup is what runs next).
    """
    now = utcnow()
    for step in steps:
        if step.on_cancel:
            if skip_cleanup and step.status in STEP.SKIP_CLEANUP.sources:
                await tx.change_step(step, STEP.SKIP_CLEANUP, actor=actor, fields={"finished_at": now})
                continue
            if not cancel_cleanup:
                continue
        if step.status in cancel:
            await tx.change_step(
                step,
                STEP.CANCEL,
                actor=actor,
                reason=reason,
                fields={"finished_at": now, "lease_expires_at": None},
            )


async def fail_run(
    tx: RunTransaction,
    *,
    error: str,
    error_type: str,
    step_ref: str | None,
    actor: str | None = None,
    reason: str | None = None,
) -> None:
    """RUNNING -> FAILED: steps in flight CANCELED, cleanup steps that never started SKIPPED.

    RUN_FAILED comes last, so a subscriber that sees it knows every step has settled.
    """
    now = utcnow()
    await settle_open_steps(tx, await tx.load_steps(), cancel=IN_FLIGHT_STEP_STATUSES, actor=actor)
    await tx.change_run(
        RUN.FAIL,
        actor=actor,
        reason=reason,
        data={"error": error, "errorType": error_type, "stepRef": step_ref},
        fields={
            "error_message": error,
            "error_type": error_type,
            "error_step_ref": step_ref,
            "finished_at": now,
        },
    )


async def fail_step_attempt(tx: RunTransaction, step: StepRun, error: str, retryable: bool) -> None:
    """A RUNNING (or WAITING) step's attempt failed: retry it after a backoff, or fail it and the run.

    With attempts left and `retryable`, a RUNNING step goes back to QUEUED with `due_at` set
    (STEP_FAILED, STEP_RETRY_SCHEDULED); otherwise it is FAILED (STEP_FAILED) and a RUNNING run
    fails with it (RUN_FAILED). A run that is PAUSED or CANCELING keeps its status: pausing
    and canceling decide what happens next there.
    """
    now = utcnow()
    released = {"error": error, "lease_expires_at": None}
    await count_error(tx)
    if retryable and step.status == StepStatus.RUNNING and attempts_left(step):
        due_at = now + retry_delay(step)
        await tx.change_step(
            step,
            STEP.RETRY_LATER,
            fields={**released, "due_at": due_at, "attempt": next_attempt(step)},
            event_data=[{"error": error}, {"dueAt": due_at.isoformat(), "nextAttempt": next_attempt(step)}],
        )
        return
    await tx.change_step(step, STEP.FAIL, fields={**released, "finished_at": now}, data={"error": error})
    if tx.run.status in RUN.FAIL.sources:
        await fail_run(tx, error=error, error_type=RunEventType.STEP_FAILED.value, step_ref=step.ref)


def step_input(run: Run, step: StepRun, steps_by_ref: Mapping[str, StepRun]) -> dict[str, Any]:
    """What a TASK or HTTP step (or a FOR_EACH iteration) is given: LIFECYCLE.md "Step input"."""
    owner = steps_by_ref.get(step.parent_ref) if step.parent_ref else None
    dependencies = (owner or step).depends_on or []
    value: dict[str, Any] = {
        "input": run.input,
        "steps": {ref: steps_by_ref[ref].output for ref in dependencies if ref in steps_by_ref},
        "config": step.config,
    }
    if owner is not None and step.iteration is not None:
        items_key = (owner.config or {}).get("items")
        items = run.input.get(items_key) if isinstance(run.input, dict) else None
        in_range = isinstance(items, list) and step.iteration < len(items)
        value["item"] = items[step.iteration] if isinstance(items, list) and in_range else None
        value["index"] = step.iteration
    return value
