"""The engine: runs inside each server process (or alone as `flowdeck engine`).

Besides runs, each engine carries bulk jobs forward (`app.engine.bulk_jobs`, started and
stopped with it).

It keeps a set of runs to look at. A run enters that set when this process writes
to it (the in-process pub/sub listener: no polling delay), when a timer it set comes
due (sleep steps, retry backoff, run expiry, scheduledAt), and when a poll of the
database every `engine_poll` seconds finds work that another process made due
(a change by someone else, a due timer, an expired lease). Each look is one
RunTransaction (`app.engine.advance.advance`); handlers run after the commit, and
their outcome is applied, with whatever follows from it, in one more transaction.

Several engines over one PostgreSQL never run one step at the same time: a step is claimed
by a compare-and-set from QUEUED, written only if the run has not changed since the engine
read it (its event_seq; or under the run's row lock, see `_transact`). The claim carries a
lease the engine keeps extending; when the engine dies, the lease runs out and any engine
retries the step as a new attempt (at-least-once).

The fast path (issue 9): on PostgreSQL each of those transactions is first tried as an
optimistic RunTransaction, one read and one write statement with no BEGIN/COMMIT, and a
handler's outcome starts from the state the engine's own last write left (no read), so a
step of a chain costs one statement: its completion, its events, the next step's queueing
and start. The task that ran a step runs the next step that this write started (the inline
path), with the same committed start and lease as any other.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import datetime as dt
import heapq
import logging
import os
import socket
import time
import uuid
from collections.abc import Coroutine
from typing import Any

from tortoise.expressions import Q

from app import pubsub
from app.db import OutageLog
from app.engine.advance import ENGINE_WORKER_PREFIX, Execution, Outcome, Plan, advance
from app.engine.execute import execute
from app.enums import RunStatus, StepStatus
from app.errors import InvalidTransition, NotFound
from app.handlers import load_handler_modules
from app.lifecycle import NeedsLock, RunTransaction, utcnow
from app.run_writes import RunMovedOn
from app.schedules import clock
from app.schedules.tick import fire_due_schedules
from app.settings import Settings
from models import Run, StepRun
from models.runs import TERMINAL_RUN_STATUSES

log = logging.getLogger("flowdeck.engine")

# Which engine (if any) the current task works for: its own writes need no wake-up.
_current_engine: contextvars.ContextVar[Engine | None] = contextvars.ContextVar("flowdeck_engine", default=None)

# Clocks of processes on one machine agree; this covers commit delays between them.
CHANGE_WINDOW = dt.timedelta(seconds=2)
FULL_SWEEP_SECONDS = 30.0
POLL_BATCH = 1000
APPLY_ATTEMPTS = 5
# at most this many runs' states kept between transactions (see Engine._keep)
KNOWN_RUNS = 10_000
# a finished run's last seq is kept this long (seconds): past the change window no poll reads it
FORGET_FINISHED_AFTER = 60.0


class Engine:
    """Executes runs. `start()` it once per process; `stop()` it before closing the database."""

    def __init__(
        self,
        settings: Settings,
        *,
        name: str | None = None,
        lease_seconds: float = 30.0,
        concurrency: int | None = None,
    ) -> None:
        self.settings = settings
        self.name = ENGINE_WORKER_PREFIX + (name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
        self.lease = dt.timedelta(seconds=lease_seconds)
        # SQLite has one connection per process: more concurrent transactions only queue.
        self.concurrency = concurrency or (2 if settings.is_sqlite else 8)
        # optimistic transactions first (PostgreSQL; see `_transact`)
        self.optimistic = not settings.is_sqlite
        self._dirty: dict[uuid.UUID, None] = {}
        self._active: set[uuid.UUID] = set()
        self._again: set[uuid.UUID] = set()
        self._executing: dict[uuid.UUID, tuple[asyncio.Task[None], str]] = {}
        self._timers: list[tuple[dt.datetime, uuid.UUID]] = []
        self._seen: dict[uuid.UUID, int] = {}
        # runs seen finished, oldest first (monotonic time): their `_seen` entries are dropped
        # once FORGET_FINISHED_AFTER has passed (see `_forget_finished`)
        self._finished: collections.deque[tuple[float, uuid.UUID]] = collections.deque()
        # runs as this engine's last optimistic transaction left them (see `_keep`)
        self._known: dict[uuid.UUID, tuple[Run, list[StepRun]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._wake_event = asyncio.Event()
        self._poll_now = True
        self._full_sweep_due = True
        self._external_change = False
        self._last_poll_at = utcnow()
        self._last_sweep = 0.0
        self._main: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False
        # while the database is down every poll fails alike: said once per outage, not per poll
        self._outage = OutageLog(log, "engine")
        self._topic_prefix = pubsub.run_topic("")
        # bulk jobs are engine work too: any engine carries them forward. Imported here: the
        # runner acts through app.actions, which import the engine package.
        from app.engine.bulk_jobs import BulkJobRunner

        self.bulk_jobs = BulkJobRunner(name=name, lease_seconds=lease_seconds)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Import the handler modules, listen to this process's writes, and start working."""
        load_handler_modules(self.settings.handlers)
        pubsub.add_local_listener(self._on_publish)
        self._stopping = False
        self._last_poll_at = utcnow() - CHANGE_WINDOW
        context = contextvars.copy_context()
        context.run(_current_engine.set, self)
        self._main = asyncio.create_task(self._main_loop(), context=context)
        self._heartbeat = asyncio.create_task(self._heartbeat_loop(), context=context)
        await self.bulk_jobs.start()
        log.info("engine %s started", self.name)

    async def stop(self) -> None:
        """Stop taking work; finish the transactions under way; abandon running handlers.

        An abandoned step's lease is ended at once, so any engine retries it as a new attempt.
        """
        self._stopping = True
        pubsub.remove_local_listener(self._on_publish)
        await self.bulk_jobs.stop()
        for task in (self._main, self._heartbeat):
            if task is not None:
                task.cancel()
        abandoned = [job for _task, job in self._executing.values()]
        for task, _job in list(self._executing.values()):
            task.cancel()
        pending = [t for t in (self._main, self._heartbeat, *self._tasks) if t is not None]
        if abandoned:
            # Let the lease run out now rather than in `lease` seconds: the next engine
            # (after a restart, or another process) runs these steps again at once.
            try:
                await StepRun.filter(job_run_id__in=abandoned, status=StepStatus.RUNNING.value).update(
                    lease_expires_at=utcnow()
                )
            except Exception:
                log.warning("could not release the leases of %d steps", len(abandoned), exc_info=True)
        if pending:
            _done, still = await asyncio.wait(pending, timeout=10)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=5)
        self._main = self._heartbeat = None
        log.info("engine %s stopped", self.name)

    def wake(self) -> None:
        """Look at the database now (work was made due outside this process's writes)."""
        self._poll_now = True
        self._wake_event.set()

    # ------------------------------------------------------------ marking work

    def _mark(self, run_id: uuid.UUID) -> None:
        if self._stopping:
            return
        if run_id in self._active:
            self._again.add(run_id)
        else:
            self._dirty[run_id] = None
        self._wake_event.set()

    def _on_publish(self, topic: str, message: dict[str, Any]) -> None:
        if not topic.startswith(self._topic_prefix) or _current_engine.get() is self:
            return
        raw = message.get("run")
        if not raw:
            return
        self._external_change = True
        self._mark(uuid.UUID(str(raw)))

    def _set_timer(self, when: dt.datetime, run_id: uuid.UUID) -> None:
        heapq.heappush(self._timers, (when, run_id))

    def _fire_timers(self) -> float | None:
        """Mark the runs whose timers are due; seconds until the next timer, if any."""
        now = utcnow()
        while self._timers and self._timers[0][0] <= now:
            _when, run_id = heapq.heappop(self._timers)
            self._mark(run_id)
        if not self._timers:
            return None
        return max((self._timers[0][0] - now).total_seconds(), 0.0)

    # ------------------------------------------------------------ the loop

    async def _main_loop(self) -> None:
        poll = self.settings.engine_poll
        next_poll = 0.0
        while not self._stopping:
            try:
                if self._poll_now or time.monotonic() >= next_poll:
                    self._poll_now = False
                    await self._poll()
                    self._outage.succeeded()
                    next_poll = time.monotonic() + poll
                    until_fire = await self._fire_schedules()
                    if until_fire is not None:
                        next_poll = min(next_poll, time.monotonic() + until_fire)
                elif self._external_change:
                    await self._check_executing()
                until_timer = self._fire_timers()
                self._dispatch()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not self._outage.failed(error):
                    log.exception("engine loop failed; retrying after %ss", poll)
                await asyncio.sleep(poll)
                continue
            timeout = max(next_poll - time.monotonic(), 0.0)
            if until_timer is not None:
                timeout = min(timeout, until_timer)
            # no await between _dispatch and here, so no wake-up is lost
            self._wake_event.clear()
            if self._dirty and len(self._active) < self.concurrency:
                continue
            try:
                async with asyncio.timeout(timeout):
                    await self._wake_event.wait()
            except TimeoutError:
                pass

    def _dispatch(self) -> None:
        for run_id in list(self._dirty):
            if len(self._active) >= self.concurrency:
                return
            del self._dirty[run_id]
            if run_id in self._active:
                self._again.add(run_id)
                continue
            self._active.add(run_id)
            self._spawn(self._look_at(run_id))

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _look_at(self, run_id: uuid.UUID) -> None:
        try:
            await self._advance(run_id)
        finally:
            self._active.discard(run_id)
            if run_id in self._again:
                self._again.discard(run_id)
                self._dirty[run_id] = None
            self._wake_event.set()

    async def _advance(
        self, run_id: uuid.UUID, outcome: Outcome | None = None, *, inline: bool = False
    ) -> bool | Execution:
        """One transaction over the run; False when it could not be written (retried later).

        With `inline`, a step of this run that the transaction started is handed back to run
        in the calling task (the inline path, see `_execute`); the other started steps get
        tasks of their own."""
        try:
            tx, plan = await self._transact(run_id, outcome)
        except NotFound:
            self._seen.pop(run_id, None)
            self._known.pop(run_id, None)
            return True
        except asyncio.CancelledError:
            raise
        except InvalidTransition as exc:
            # another engine changed the run between our read and our write (SQLite across
            # processes); look again shortly
            log.debug("run %s moved on under us: %s", run_id, exc)
            self._set_timer(utcnow() + dt.timedelta(seconds=self.settings.engine_poll), run_id)
            return False
        except Exception as error:
            if not self._outage.failed(error):
                log.exception("advancing run %s failed; retrying", run_id)
            self._set_timer(utcnow() + dt.timedelta(seconds=max(self.settings.engine_poll, 0.5)), run_id)
            return False
        self._seen[run_id] = tx.run.event_seq
        if tx.run.is_terminal:
            self._finished.append((time.monotonic(), run_id))
        kept = self._follow(run_id, plan, inline=inline)
        for released in tx.released_runs:
            self._mark(released)
        return kept or True

    async def _transact(self, run_id: uuid.UUID, outcome: Outcome | None) -> tuple[RunTransaction, Plan]:
        """`advance` in one RunTransaction: on PostgreSQL an optimistic one first (a read and a
        write, no lock, no BEGIN/COMMIT round trips), and a locked one when that one could not
        do the work (NeedsLock) or the run moved on under it (RunMovedOn); nothing is written
        twice, since an optimistic transaction that fails writes nothing."""
        if self.optimistic:
            # Applying an outcome, start from the run as this engine's last transaction over it
            # left it, if it has it (no read): the outcome's write checks that state (guarded by
            # its event_seq). A look (a poll, someone else's change) reads the run: that is when
            # the state may have moved without this engine.
            known = self._known.pop(run_id, None)
            if outcome is None:
                known = None
            for start_from in (known, None) if known is not None else (None,):
                try:
                    async with RunTransaction(run_id, optimistic=True, known=start_from) as tx:
                        plan = await advance(tx, owner=self.name, lease=self.lease, outcome=outcome)
                except RunMovedOn:
                    continue  # from what the database holds now, or locked
                except NeedsLock:
                    break
                if start_from is not None and not tx.appended:
                    continue  # nothing written checked that state: do it again from a read
                self._keep(run_id, tx)  # read from the database, or checked by a write
                return tx, plan
        async with RunTransaction(run_id, batch=True) as tx:
            plan = await advance(tx, owner=self.name, lease=self.lease, outcome=outcome)
        return tx, plan

    def _keep(self, run_id: uuid.UUID, tx: RunTransaction) -> None:
        """Keep the run and its steps as the optimistic transaction `tx` left them, for the next
        transaction over the run (its write is guarded by their event_seq: if anyone else
        changed the run meanwhile, it writes nothing and the run is read again)."""
        if tx.run.is_terminal or tx.steps_given is None:
            return
        if len(self._known) >= KNOWN_RUNS:
            self._known.clear()
        self._known[run_id] = (tx.run, tx.steps_given)

    def _follow(self, run_id: uuid.UUID, plan: Plan, *, inline: bool = False) -> Execution | None:
        kept: Execution | None = None
        for execution in plan.executions:
            if inline and kept is None and not self._stopping:
                # the calling task runs it next: its start (lease, job run id) is committed
                # as for any other, so a takeover finds the same rows
                kept = execution
                task = asyncio.current_task()
                assert task is not None
            else:
                task = self._spawn(self._execute(execution))
            self._executing[execution.step_id] = (task, execution.job_run_id)
        if plan.wake_at is not None:
            self._set_timer(plan.wake_at, run_id)
        for other in plan.other_runs:
            self._mark(other)
        return kept

    async def _execute(self, execution: Execution) -> None:
        """Run a started step, record its outcome, and go on with the next step that the same
        transaction started, in this task (no new task, no queue, no poll): the inline path."""
        following: Execution | None = execution
        while following is not None:
            following = await self._execute_one(following)

    async def _execute_one(self, execution: Execution) -> Execution | None:
        try:
            outcome = await execute(execution)
        finally:
            # from here on a cancel check must not interrupt the transaction below
            self._executing.pop(execution.step_id, None)
        for attempt in range(APPLY_ATTEMPTS):
            applied = await self._advance(execution.run_id, outcome, inline=True)
            if isinstance(applied, Execution):
                return applied
            if applied:
                return None
            await asyncio.sleep(0.05 * (attempt + 1))
        log.warning("could not record the outcome of %s; its lease will run out and it will run again", execution.ref)
        return None

    # ------------------------------------------------------------ polling

    async def _poll(self) -> None:
        """Find work that others made due: changed runs, due timers, expired leases."""
        now = utcnow()
        since = self._last_poll_at - CHANGE_WINDOW
        self._last_poll_at = now
        if self._full_sweep_due or time.monotonic() - self._last_sweep > FULL_SWEEP_SECONDS:
            self._full_sweep_due = False
            self._last_sweep = time.monotonic()
            rows = await Run.filter(
                status__in=[RunStatus.RUNNING.value, RunStatus.PAUSED.value, RunStatus.CANCELING.value]
            ).values_list("id", "event_seq")
            for raw_id, seq in rows:
                run_id = uuid.UUID(str(raw_id))
                if not self._has_seen(run_id, seq):
                    self._mark(run_id)
        due_pending = (
            await Run.filter(status=RunStatus.PENDING.value, schedule_hold=False)
            .filter(Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=now))
            .order_by("-priority", "created_at")
            .limit(POLL_BATCH)
            .values_list("id", flat=True)
        )
        for raw in due_pending:
            self._mark(uuid.UUID(str(raw)))
        changed = (
            await Run.filter(updated_at__gte=since)
            .limit(POLL_BATCH * 5)
            .values_list("id", "status", "event_seq", "parent_run_id")
        )
        for raw_id, status, seq, parent_id in changed:
            run_id = uuid.UUID(str(raw_id))
            if self._has_seen(run_id, seq):
                continue
            status = RunStatus(status)
            if status in (RunStatus.BLOCKED, RunStatus.PENDING):
                continue  # PENDING: the due query above decides
            if status in TERMINAL_RUN_STATUSES:
                # finished by someone else (an API process's cancel, another engine): what this
                # engine kept of the run for its next transaction is of no use any more
                self._known.pop(run_id, None)
                self._seen[run_id] = seq
                self._finished.append((time.monotonic(), run_id))
                if parent_id is not None:
                    self._mark(uuid.UUID(str(parent_id)))
            else:
                self._mark(run_id)
        due_steps = (
            await StepRun.filter(
                Q(status=StepStatus.QUEUED.value, due_at__lte=now)
                | Q(status=StepStatus.WAITING.value, due_at__lte=now)
                | Q(status=StepStatus.RUNNING.value, lease_expires_at__lte=now)
            )
            .limit(POLL_BATCH)
            .values_list("run_id", flat=True)
        )
        for raw in due_steps:
            self._mark(uuid.UUID(str(raw)))
        expiring = (
            await Run.filter(status__in=[RunStatus.RUNNING.value, RunStatus.PAUSED.value], expires_at__lte=now)
            .limit(POLL_BATCH)
            .values_list("id", flat=True)
        )
        for raw in expiring:
            self._mark(uuid.UUID(str(raw)))
        await self._check_executing()
        self._forget_finished()
        if len(self._seen) > 200_000:
            self._seen.clear()

    def _forget_finished(self) -> None:
        """Drop the `_seen` entries of runs finished more than FORGET_FINISHED_AFTER ago: no poll
        reads them any more (the change window is seconds), and should one change again, its
        seq has moved on anyway, so a missing entry only costs a look."""
        horizon = time.monotonic() - FORGET_FINISHED_AFTER
        while self._finished and self._finished[0][0] < horizon:
            _at, run_id = self._finished.popleft()
            self._seen.pop(run_id, None)
            self._known.pop(run_id, None)

    def _has_seen(self, run_id: uuid.UUID, seq: int) -> bool:
        """Whether this engine already left the run at `seq` or later: every change of a run moves
        its event_seq on, so a row read with an older seq (read before this engine's own commit)
        has nothing new in it."""
        seen = self._seen.get(run_id)
        return seen is not None and seen >= seq

    async def _fire_schedules(self) -> float | None:
        """Fire the schedules that are due (every poll, and when the next fire time comes);
        seconds until the next fire time, if any. Exactly once across engines: see
        `app.schedules.firing`."""
        started, next_fire_at = await fire_due_schedules()
        for run_id in started:
            self._mark(run_id)
        if next_fire_at is None:
            return None
        until = (next_fire_at - clock.now()).total_seconds()
        # still due (held by another engine, or failing): the next poll tries again
        return until if until > 0 else None

    async def _check_executing(self) -> None:
        """Stop handlers whose step is no longer theirs (canceled, terminated, force-completed)."""
        self._external_change = False
        if not self._executing:
            return
        held = dict(self._executing)
        rows = await StepRun.filter(id__in=list(held), status=StepStatus.RUNNING.value).values_list("id", "job_run_id")
        live = {(uuid.UUID(str(step_id)), job) for step_id, job in rows}
        for step_id, (task, job) in held.items():
            if (step_id, job) not in live and self._executing.get(step_id, (None, None))[0] is task:
                self._executing.pop(step_id, None)
                task.cancel()

    async def _heartbeat_loop(self) -> None:
        period = max(self.lease.total_seconds() / 3, 0.05)
        while not self._stopping:
            await asyncio.sleep(period)
            jobs = [job for _task, job in self._executing.values()]
            if not jobs:
                continue
            try:
                await StepRun.filter(job_run_id__in=jobs, status=StepStatus.RUNNING.value).update(
                    lease_expires_at=utcnow() + self.lease
                )
                await self._check_executing()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not self._outage.failed(error):
                    log.warning("lease heartbeat failed; retrying", exc_info=True)
