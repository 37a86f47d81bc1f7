"""The bulk job runner: every engine runs one, so any process carries bulk jobs forward.

A job is claimed and held like all background work (`app.background`). Its target is
frozen first, inside the job: the ids of the runs matching at that moment (relative
times measured from the job's creation) are copied by the database into bulk_targets,
and `matched` is set in the same transaction. Until then readers see the job PENDING.

The frozen ids are then walked in id order, a batch at a time, several runs at once (on
PostgreSQL) and no more than `maxPerSecond`. A run's target row is deleted, and the job's
counts are written, in the same transaction as the change the action makes to the run
(`with_first_change_of`), so a process killed at any point leaves either both or
neither: the rows left are exactly the work left, the next process resumes with them,
and no run is acted on twice (deleting a row already gone rolls the change back). A
cancel is seen before each run and, as a backstop, inside that transaction: the job
stops after the runs in hand.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from app import pubsub
from app.actions.bulk import (
    MAX_LISTED,
    BatchAct,
    batched_run_action,
    forget_target,
    freeze_target,
    frozen_run_ids,
    run_action,
    target_condition,
)
from app.actions.bulk_jobs import (
    FINISHED_BULK_JOB_STATUSES,
    TYPE_NAME,
    job_principal,
    publish_bulk_job,
)
from app.actions.run_control import ActedRuns
from app.background import BackgroundRunner, Leases, LostClaim, owner_name
from app.enums import BulkJobStatus
from app.errors import FlowdeckError, InvalidTransition
from app.exporter.query import where_from_json
from app.ids import to_global_id
from app.lifecycle import utcnow, with_first_change_of
from models import BulkJob, BulkTarget

log = logging.getLogger("flowdeck.bulk_jobs")

# JOBS.md: a bigger target ends the job FAILED (tests lower it)
MAX_TARGET = 10_000_000
FREEZE_TRIES = 3
MAX_RUNNING_PER_PROJECT = 2
BATCH = 500
# the most runs a batched action (CANCEL, TERMINATE, PAUSE, RESUME) acts on in one transaction
BATCH_MOST = 250
BATCHES_AT_ONCE = 2
CANCEL_CHECK_SECONDS = 0.05
PUBLISH_SECONDS = 0.25
KEEP_FINISHED = dt.timedelta(days=30)
# a synchronous action's snapshot older than this was left by a process that died
ORPHAN_SNAPSHOT_AGE = dt.timedelta(hours=1)
# serialises the per-project admission check of bulk job claims on PostgreSQL
_ADMISSION_LOCK = 72_531_001


class _TargetTooLarge(Exception):
    pass


def bulk_job_leases(name: str | None = None, lease_seconds: float = 30.0) -> Leases[BulkJob]:
    """How bulk jobs are claimed and held (app.background)."""
    return Leases(
        model=BulkJob,
        owner=owner_name("bulk", name),
        lease=dt.timedelta(seconds=lease_seconds),
        pending=BulkJobStatus.PENDING,
        running=BulkJobStatus.RUNNING,
        failed=BulkJobStatus.FAILED,
        kind="bulk job",
    )


class _Pace:
    """At most `per_second` starts a second: each start waits for its slot."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self.next_at = time.monotonic()

    async def wait(self, count: int = 1) -> None:
        """Wait for `count` consecutive slots: until the last, so that no run of a batch goes
        before its own slot."""
        # the slots are taken before sleeping: concurrent callers get consecutive slots
        first = max(self.next_at, time.monotonic())
        self.next_at = first + count * self.interval
        last = first + (count - 1) * self.interval
        while (delay := last - time.monotonic()) > 0:
            await asyncio.sleep(delay)


class BulkJobRunner(BackgroundRunner[BulkJob]):
    """Freezes the targets of bulk jobs and acts on them. Started and stopped by the engine."""

    wake_topic = pubsub.BULK_JOBS_TOPIC
    housekeeping_seconds = 300.0

    def __init__(
        self,
        *,
        name: str | None = None,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        concurrency: int = 2,
        batch: int = BATCH,
        parallel: int | None = None,
        batched: bool = True,
    ) -> None:
        super().__init__(bulk_job_leases(name, lease_seconds), poll_seconds=poll_seconds, concurrency=concurrency)
        self.batch = batch
        # CANCEL, TERMINATE, PAUSE and RESUME act on many runs per transaction; False: one run per transaction
        self.batched = batched
        # runs of one job acted on at once; None: 8 on PostgreSQL, 1 on SQLite (one connection)
        self._parallel = parallel

    @property
    def parallel(self) -> int:
        if self._parallel is not None:
            return self._parallel
        return 8 if Tortoise.get_connection("default").capabilities.dialect == "postgres" else 1

    def wants_wake(self, message: Mapping[str, Any]) -> bool:
        # a new job, or a finished one (its project may start the next)
        status = message.get("status")
        return status == BulkJobStatus.PENDING.value or status in {s.value for s in FINISHED_BULK_JOB_STATUSES}

    async def claim_due(self) -> list[BulkJob]:
        claimed, given_up = await self.leases.claim(self.free_slots, exclude=self._work, admit=_admit)
        for job in given_up:
            await forget_target(job.id)
        for job in [*claimed, *given_up]:
            await publish_bulk_job(job)
        return claimed

    # ------------------------------------------------------------ the work

    async def work(self, job: BulkJob) -> None:
        if job.canceled_by is not None:
            await self._end(job, BulkJobStatus.CANCELED)
            return
        if job.frozen_at is None and not await self._freeze(job):
            return
        if job.dry_run:
            await self._end(job, BulkJobStatus.COMPLETED)
            return
        await self._act(job)

    async def _freeze(self, job: BulkJob) -> bool:
        """Resolve and freeze the target; False when the job ended (FAILED) or must be tried again."""
        # counted before trying: a process that dies while freezing counts as a try too
        await self.leases.write(job, freeze_attempts=F("freeze_attempts") + 1)
        job.freeze_attempts += 1
        try:
            condition = target_condition(
                job_principal(job),
                ids=job.ids,
                filter=job.filter_text,
                where=where_from_json(job.where),
                now=job.created_at,
            )
        except FlowdeckError as error:
            await self._end(job, BulkJobStatus.FAILED, error=f"the target cannot be resolved: {error.message}")
            return False
        try:
            async with in_transaction("default") as connection:
                await BulkTarget.filter(snapshot_id=job.id).using_db(connection).delete()
                matched = await freeze_target(job.id, condition, limit=MAX_TARGET + 1, connection=connection)
                if matched > MAX_TARGET:
                    raise _TargetTooLarge
                now = utcnow()
                await self.leases.write(job, connection, matched=matched, frozen_at=now, started_at=now)
        except _TargetTooLarge:
            await self._end(
                job,
                BulkJobStatus.FAILED,
                error=f"the target has more than {MAX_TARGET:,} runs; narrow the filter and try again",
            )
            return False
        except LostClaim:
            raise
        except Exception as error:
            log.exception("bulk job %s: freezing its target failed (try %d)", job.id, job.freeze_attempts)
            if job.freeze_attempts >= FREEZE_TRIES:
                await self._end(
                    job,
                    BulkJobStatus.FAILED,
                    error=f"the target could not be resolved after {job.freeze_attempts} tries "
                    f"({type(error).__name__}; the server log has the details)",
                )
            else:
                await self.leases.release([job.id])
            return False
        await publish_bulk_job(job)
        return True

    async def _act(self, job: BulkJob) -> None:
        """Act on the frozen runs not yet acted on, in id order, at the job's pace."""
        principal = job_principal(job)
        act = run_action(principal, job.action, job.reason, batch_id=to_global_id(TYPE_NAME, job.id))
        act_on_batch = batched_run_action(principal, job.action, job.reason) if self.batched else None
        walk = _Walk(self.leases, job, act, self.parallel, act_on_batch)
        async for ids in frozen_run_ids(job.id, batch=self.batch):
            await walk.batch(ids)
            if walk.canceled:
                await self._end(job, BulkJobStatus.CANCELED, failures=walk.failures)
                return
            await publish_bulk_job(await BulkJob.get(id=job.id))
        await self._end(job, BulkJobStatus.COMPLETED, failures=walk.failures)

    async def _end(
        self,
        job: BulkJob,
        status: BulkJobStatus,
        *,
        error: str | None = None,
        failures: list[dict[str, str]] | None = None,
    ) -> None:
        values: dict[str, Any] = {"error": error}
        if failures is not None:
            values["failures"] = failures  # the whole list: writes of concurrent runs may have crossed
        await self.leases.finish(job, status, **values)
        await forget_target(job.id)
        await publish_bulk_job(await BulkJob.get(id=job.id))
        log.info("bulk job %s %s", job.id, status.value)

    # ------------------------------------------------------------ housekeeping

    async def housekeeping(self) -> None:
        """Delete jobs finished more than 30 days ago, and snapshots left by dead processes."""
        await purge_bulk_jobs(utcnow())


class _Walk:
    """Acts on the runs of one job: `parallel` at a time, at the job's pace, until canceled."""

    def __init__(
        self,
        leases: Leases[BulkJob],
        job: BulkJob,
        act: Callable[[uuid.UUID], Awaitable[object]],
        parallel: int,
        act_on_batch: BatchAct | None = None,
    ) -> None:
        self.leases = leases
        self.job = job
        self.act = act
        self.act_on_batch = act_on_batch
        # runs per batch: as many as the pace allows in CANCEL_CHECK_SECONDS (one at 20 a second),
        # so that a cancel stops the job after as many runs in hand as the per-run path would
        self.batch_size = max(1, min(BATCH_MOST, int(job.max_per_second * CANCEL_CHECK_SECONDS)))
        self.slots = asyncio.Semaphore(parallel)
        # batches in flight at once: one's statements run in the database while the next is built
        self.batch_slots = asyncio.Semaphore(min(parallel, BATCHES_AT_ONCE))
        self.pace = _Pace(job.max_per_second)
        self.failures: list[dict[str, str]] = list(job.failures or [])
        self.canceled = False
        self._checked = 0.0
        self._published = time.monotonic()

    async def batch(self, ids: list[uuid.UUID]) -> None:
        """Act on these runs (each at most once) and return when all in hand are done."""
        if self.act_on_batch is not None:
            chunks = [ids[start : start + self.batch_size] for start in range(0, len(ids), self.batch_size)]
            await _all(self._many(chunk) for chunk in chunks)
        else:
            await _all(self._one(run_id) for run_id in ids)

    async def _many(self, ids: list[uuid.UUID]) -> None:
        """Act on a batch of runs in one transaction, then on those it left one at a time."""
        assert self.act_on_batch is not None
        async with self.batch_slots:
            if self.canceled:
                return
            await self.pace.wait(len(ids))
            if await self._cancel_seen():
                return
            outcome = await self.act_on_batch(ids, self._record_batch)
        for run_id in outcome.one_by_one:
            await self._one(run_id, paced=False)
        await self._publish_now_and_then()

    async def _record_batch(self, connection: BaseDBAsyncClient, outcome: ActedRuns) -> None:
        """A batch's outcome, in its transaction: the runs acted on (or found moved on) recorded."""
        for run_id, error in outcome.failed:
            self._list_failure(run_id, error)
        failed = [run_id for run_id, _error in outcome.failed]
        if outcome.succeeded or failed:
            await self._record([*outcome.succeeded, *failed], connection, succeeded=len(outcome.succeeded))

    async def _one(self, run_id: uuid.UUID, *, paced: bool = True) -> None:
        async with self.slots:
            if self.canceled:
                return
            if paced:
                await self.pace.wait()
            if await self._cancel_seen():
                return
            error: FlowdeckError | None = None
            with with_first_change_of(run_id, functools.partial(self._record, [run_id], succeeded=1)) as hook:
                try:
                    await self.act(run_id)
                except FlowdeckError as failure:
                    error = failure
            if not hook.done:
                await self._record_failure(run_id, error)
            await self._publish_now_and_then()

    async def _record_failure(self, run_id: uuid.UUID, error: FlowdeckError | None) -> None:
        if error is None:
            error = InvalidTransition("the action changed nothing on this run")
        self._list_failure(run_id, error)
        async with in_transaction("default") as connection:
            await self._record([run_id], connection, succeeded=0)

    def _list_failure(self, run_id: uuid.UUID, error: FlowdeckError) -> None:
        if len(self.failures) < MAX_LISTED:
            self.failures.append({"run_id": str(run_id), "code": error.code.value, "message": error.message})

    async def _publish_now_and_then(self) -> None:
        if time.monotonic() - self._published >= PUBLISH_SECONDS:
            self._published = time.monotonic()
            await publish_bulk_job(await BulkJob.get(id=self.job.id))

    async def _cancel_seen(self) -> bool:
        # before every run at a slow pace, at most every CANCEL_CHECK_SECONDS at a fast one
        due = self.pace.interval >= CANCEL_CHECK_SECONDS or time.monotonic() - self._checked >= CANCEL_CHECK_SECONDS
        if not self.canceled and due:
            self._checked = time.monotonic()
            rows = await BulkJob.filter(id=self.job.id).values_list("canceled_by", flat=True)
            self.canceled = bool(rows) and rows[0] is not None
        return self.canceled

    async def _record(self, run_ids: list[uuid.UUID], connection: BaseDBAsyncClient, *, succeeded: int) -> None:
        """The outcome of these runs (the first `succeeded` of them succeeded, the others failed), in
        the transaction given (the runs' own change, when one succeeded): their target rows deleted
        and the counts moved, fenced by the claim, or nothing at all."""
        gone = await BulkTarget.filter(snapshot_id=self.job.id, run_id__in=run_ids).using_db(connection).delete()
        if gone != len(run_ids):
            raise LostClaim(f"{len(run_ids) - gone} of runs {run_ids} of bulk job {self.job.id} were already acted on")
        values: dict[str, Any] = {"processed": F("processed") + len(run_ids)}
        if succeeded:
            values["succeeded"] = F("succeeded") + succeeded
        if succeeded < len(run_ids):
            values["failed"] = F("failed") + (len(run_ids) - succeeded)
            values["failures"] = self.failures
        held = self.leases.held(self.job.id)
        if not await BulkJob.filter(held, canceled_by__isnull=True).using_db(connection).update(**values):
            # canceled meanwhile: the run in hand is recorded all the same, then the job stops
            await self.leases.write(self.job, connection, **values)
            self.canceled = True


async def _all(work: Iterable[Awaitable[None]]) -> None:
    """Run these together; the first exception raised once all are done."""
    results = await asyncio.gather(*work, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result


async def _admit(connection: BaseDBAsyncClient, job: BulkJob) -> bool:
    """At most MAX_RUNNING_PER_PROJECT jobs of a project run at once; a job taken over already runs."""
    if job.status is BulkJobStatus.RUNNING:
        return True
    if Tortoise.get_connection("default").capabilities.dialect == "postgres":
        await connection.execute_query(f"SELECT pg_advisory_xact_lock({_ADMISSION_LOCK})")
    project = Q(project_id__isnull=True) if job.project_id is None else Q(project_id=job.project_id)
    running = await BulkJob.filter(project, status=BulkJobStatus.RUNNING).using_db(connection).count()
    return running < MAX_RUNNING_PER_PROJECT


async def purge_bulk_jobs(now: dt.datetime) -> int:
    """Delete jobs finished before now - 30 days (and their targets), and the snapshots of
    synchronous actions whose process died (uuid1 ids older than an hour); jobs deleted."""
    old = await BulkJob.filter(
        status__in=list(FINISHED_BULK_JOB_STATUSES), finished_at__lt=now - KEEP_FINISHED
    ).values_list("id", flat=True)
    for job_id in old:
        await forget_target(uuid.UUID(str(job_id)))
    deleted = await BulkJob.filter(id__in=list(old)).delete() if old else 0
    snapshots = await BulkTarget.all().distinct().values_list("snapshot_id", flat=True)
    for raw in snapshots:
        snapshot = uuid.UUID(str(raw))
        if snapshot.version == 1 and _uuid1_time(snapshot) < now - ORPHAN_SNAPSHOT_AGE:
            await forget_target(snapshot)
    return int(deleted)


def _uuid1_time(value: uuid.UUID) -> dt.datetime:
    # uuid1 time: 100-ns intervals since 1582-10-15
    return dt.datetime(1582, 10, 15, tzinfo=dt.UTC) + dt.timedelta(microseconds=value.time // 10)
