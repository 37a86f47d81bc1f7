"""Taking and holding background work: one way for exports, bulk jobs and whatever comes next.

A unit of background work is a row (an export job, a bulk job) with a status, an owner
(`claimed_by`), a lease (`lease_expires_at`) and a count of `takeovers`. A process claims
a PENDING row, or a RUNNING one whose owner stopped renewing its lease, in one
transaction: on PostgreSQL the candidates are locked with `FOR UPDATE SKIP LOCKED` (two
processes never wait on, or win, the same row), and on both databases the claim itself is
a compare-and-set on the row as it was read. The owner renews its lease while it works,
fences every write with its ownership (a process whose lease ran out while it stalled
stops instead of racing its successor), and ends the lease at once when it stops, so
that another process resumes the work without waiting.

A row taken over from a process that died counts a takeover; after `max_takeovers` of
them the row is given up (FAILED with a clear error) rather than handed to the next
process: work whose process dies every time it is taken must not be retried forever. A
lease released by a clean stop (owner cleared) is not a takeover.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import dataclasses
import datetime as dt
import functools
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Expression, F, Q
from tortoise.transactions import in_transaction

from app import pubsub
from app.auth import Principal
from app.db import OutageLog
from app.errors import NotFound
from app.ids import expect_global_id
from app.lifecycle import utcnow

__all__ = ["DEFAULT_MAX_TAKEOVERS", "BackgroundRunner", "Leases", "LostClaim", "get_project_job", "owner_name"]

log = logging.getLogger("flowdeck.background")

JobModel = TypeVar("JobModel", bound="Any")


async def get_project_job(principal: Principal, model: type[JobModel], type_name: str, job_id: str) -> JobModel:
    """A background job (export, bulk job) by global id, if the caller's project made it (any, for
    SUPERADMIN); NotFound otherwise. A job belongs to its project, like a PROJECT run."""
    raw_id = expect_global_id(job_id, type_name, ("id",))
    job = await model.get_or_none(id=raw_id)
    visible = job is not None and (
        principal.is_superadmin or (job.project_id is not None and principal.can_see_project(job.project_id))
    )
    if not visible:
        raise NotFound(f"no {type_name} with id {job_id!r}", ("id",))
    return job


DEFAULT_MAX_TAKEOVERS = 3
# how long `stop()` lets a poll under way finish its statement before cancelling it
STOP_GRACE_SECONDS = 2.0


# a model of background work: id, status, claimed_by, lease_expires_at, takeovers, created_at
M = TypeVar("M", bound=Any)
Admit = Callable[[BaseDBAsyncClient, Any], Awaitable[bool]]


class LostClaim(Exception):
    """This process no longer holds the row (its lease ran out and another took it over)."""


def owner_name(kind: str, name: str | None = None) -> str:
    """A claimant's name, unique per process: `kind:host:pid:random` unless given."""
    return f"{kind}:" + (name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")


def _is_postgres() -> bool:
    return bool(Tortoise.get_connection("default").capabilities.dialect == "postgres")


@dataclasses.dataclass
class Leases(Generic[M]):
    """Claims, renews, fences and releases rows of one model for one owner."""

    model: type[M]
    owner: str
    lease: dt.timedelta
    pending: Enum
    running: Enum
    failed: Enum
    # what the rows are, for logs and the error of a row given up ("export", "bulk job")
    kind: str
    max_takeovers: int = DEFAULT_MAX_TAKEOVERS

    def held(self, row_id: uuid.UUID) -> Q:
        """The condition every write of the owner carries: the row is still RUNNING and ours."""
        return Q(id=row_id, status=self.running, claimed_by=self.owner)

    async def claim(
        self,
        limit: int,
        *,
        exclude: Iterable[uuid.UUID] = (),
        admit: Admit | None = None,
        on_claim: Mapping[str, Any] | None = None,
    ) -> tuple[list[M], list[M]]:
        """Claim up to `limit` rows, oldest first: PENDING ones and RUNNING ones whose lease ran out.

        `admit(connection, row)` may refuse a candidate inside the claiming transaction (a
        per-project limit); `on_claim` are more values written with the claim. Returns the
        rows claimed and the rows given up (too many takeovers), both as now written.
        """
        if limit <= 0:
            return [], []
        now = utcnow()
        expired = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True) | Q(claimed_by__isnull=True)
        claimed: list[M] = []
        given_up: list[M] = []
        async with in_transaction("default") as connection:
            query = (
                self.model.filter(Q(status=self.pending) | (Q(status=self.running) & expired))
                .exclude(id__in=list(exclude))
                .order_by("created_at")
                .limit(limit)
                .using_db(connection)
            )
            if _is_postgres():
                query = query.select_for_update(skip_locked=True)
            for row in await query:
                if admit is not None and not await admit(connection, row):
                    continue
                takeover = row.status == self.running and row.claimed_by is not None
                if takeover and row.takeovers >= self.max_takeovers:
                    if await self._give_up(connection, row, now):
                        given_up.append(row)
                    continue
                values: dict[str, Any] = {
                    "status": self.running,
                    "claimed_by": self.owner,
                    "lease_expires_at": now + self.lease,
                    **(on_claim or {}),
                }
                if takeover:
                    values["takeovers"] = F("takeovers") + 1
                if await self.model.filter(self._as_read(row, now)).using_db(connection).update(**values):
                    if takeover:
                        log.info("%s %s: taking over from %s, whose lease ran out", self.kind, row.id, row.claimed_by)
                        row.takeovers += 1
                    for name, value in values.items():
                        if name != "takeovers":
                            setattr(row, name, value)
                    claimed.append(row)
        return claimed, given_up

    def _as_read(self, row: M, now: dt.datetime) -> Q:
        """Compare-and-set: the row is still as this claim read it."""
        if row.status == self.pending:
            return Q(id=row.id, status=self.pending)
        owner = Q(claimed_by__isnull=True) if row.claimed_by is None else Q(claimed_by=row.claimed_by)
        lease = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True) | Q(claimed_by__isnull=True)
        return Q(id=row.id, status=self.running, takeovers=row.takeovers) & owner & lease

    async def _give_up(self, connection: BaseDBAsyncClient, row: M, now: dt.datetime) -> bool:
        error = (
            f"given up after {row.takeovers} takeovers: the process working on this {self.kind} "
            "stopped each time (see the server logs)"
        )
        values = {
            "status": self.failed,
            "error": error,
            "finished_at": now,
            "claimed_by": None,
            "lease_expires_at": None,
        }
        if not await self.model.filter(self._as_read(row, now)).using_db(connection).update(**values):
            return False
        log.error("%s %s: %s", self.kind, row.id, error)
        for name, value in values.items():
            setattr(row, name, value)
        return True

    async def renew(self, row_ids: Iterable[uuid.UUID]) -> None:
        """Extend the lease of the rows this owner still holds."""
        ids = list(row_ids)
        if ids:
            await self.model.filter(id__in=ids, status=self.running, claimed_by=self.owner).update(
                lease_expires_at=utcnow() + self.lease
            )

    async def release(self, row_ids: Iterable[uuid.UUID]) -> None:
        """Hand the rows back at once (a clean stop): any process resumes them, not as a takeover."""
        ids = list(row_ids)
        if ids:
            await self.model.filter(id__in=ids, status=self.running, claimed_by=self.owner).update(
                claimed_by=None, lease_expires_at=utcnow()
            )

    async def write(self, row: M, connection: BaseDBAsyncClient | None = None, **values: Any) -> None:
        """Write to a row this owner holds (in `connection`'s transaction if given); LostClaim if it does not."""
        query = self.model.filter(self.held(row.id))
        if connection is not None:
            query = query.using_db(connection)
        if not await query.update(**values):
            raise LostClaim(f"{self.kind} {row.id} is no longer held by {self.owner}")
        for name, value in values.items():
            if not isinstance(value, Expression):
                setattr(row, name, value)

    async def finish(self, row: M, status: Enum, **values: Any) -> None:
        """End the work: the final status, the owner and lease cleared."""
        ending: dict[str, Any] = {"finished_at": utcnow(), "claimed_by": None, "lease_expires_at": None}
        await self.write(row, status=status, **{**ending, **values})


class BackgroundRunner(abc.ABC, Generic[M]):
    """Polls for rows, claims them through `Leases`, works on each in a task, renews the leases.

    `start()` once per process; `stop()` before closing the database. A message on
    `wake_topic` published in this process wakes the poll at once.
    """

    wake_topic: ClassVar[str]
    # how often `housekeeping()` runs in the poll loop (None: never)
    housekeeping_seconds: ClassVar[float | None] = None

    def __init__(self, leases: Leases[M], *, poll_seconds: float, concurrency: int) -> None:
        self.leases = leases
        self.poll_seconds = poll_seconds
        self.concurrency = concurrency
        # while the database is down every poll fails alike: said once per outage, not per poll
        self._outage = OutageLog(log, f"{leases.kind} runner")
        self._work: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._main: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def name(self) -> str:
        return self.leases.owner

    @property
    def free_slots(self) -> int:
        """How many more rows this runner may work on at once."""
        return self.concurrency - len(self._work)

    @abc.abstractmethod
    async def work(self, row: M) -> None:
        """Do the work of a claimed row to its end (or until LostClaim)."""

    @abc.abstractmethod
    async def claim_due(self) -> list[M]:
        """Claim due rows up to the free slots (`self.leases.claim`), telling followers of each."""

    def wants_wake(self, message: Mapping[str, Any]) -> bool:
        """Whether a local message on `wake_topic` means new work."""
        return True

    async def housekeeping(self) -> None:
        """Periodic clean-up (old rows, expired files), every `housekeeping_seconds`."""

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start polling; work published in this process wakes the runner at once."""
        self._stopping = False
        pubsub.add_local_listener(self._on_publish)
        self._main = asyncio.create_task(self._main_loop())
        log.info("%s runner %s started", self.leases.kind, self.name)

    async def stop(self) -> None:
        """Stop working; the rows in hand are released so that another process resumes them at once."""
        self._stopping = True
        pubsub.remove_local_listener(self._on_publish)
        if self._main is not None:
            # the poll ends by itself after its statement; cancelled mid-statement, asyncpg would
            # cancel it on a connection of its own and keep the pooled one until that is answered
            self._wake.set()
            await asyncio.wait({self._main}, timeout=STOP_GRACE_SECONDS)
        held = list(self._work)  # taken before cancelling: each row leaves `_work` as its task ends
        tasks = [task for task in (self._main, *self._work.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.leases.release(held)
        self._work.clear()
        self._main = None

    def wake(self) -> None:
        self._wake.set()

    def _on_publish(self, topic: str, message: dict[str, Any]) -> None:
        if topic == self.wake_topic and self.wants_wake(message):
            self._wake.set()

    async def _main_loop(self) -> None:
        lease_check = self.leases.lease.total_seconds() / 3
        housekeeping_due = time.monotonic()
        while not self._stopping:
            try:
                await self.leases.renew(self._work)
                self._start(await self.claim_due())
                if self.housekeeping_seconds is not None and time.monotonic() >= housekeeping_due:
                    housekeeping_due = time.monotonic() + self.housekeeping_seconds
                    await self.housekeeping()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not self._outage.failed(error):
                    log.exception("%s runner poll failed; trying again", self.leases.kind)
            else:
                self._outage.succeeded()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(min(self.poll_seconds, lease_check), 0.01))
            self._wake.clear()

    def _start(self, rows: list[M]) -> None:
        for row in rows:
            task = asyncio.create_task(self._guarded(row))
            self._work[row.id] = task
            task.add_done_callback(functools.partial(self._finished, row.id))

    async def _guarded(self, row: M) -> None:
        try:
            await self.work(row)
        except LostClaim:
            log.warning("%s %s: another process took it over; stopped", self.leases.kind, row.id)
        except Exception:
            # its lease runs out and another process takes it over (a bounded number of times)
            log.exception("%s %s failed unexpectedly; it will be taken over", self.leases.kind, row.id)

    def _finished(self, row_id: uuid.UUID, _task: asyncio.Task[None]) -> None:
        self._work.pop(row_id, None)
        self._wake.set()  # a slot is free

    async def run_due(self) -> int:
        """Claim the due rows and work each to its end, here and now (a poll, awaited: tests and tools)."""
        rows = await self.claim_due()
        for row in rows:
            await self._guarded(row)
        return len(rows)
