"""The export runner: writes the files of export jobs in the background of a server process.

Every server process runs one (started from the app's lifespan). A job is claimed by a
compare-and-set from PENDING to RUNNING that also records the claiming runner and a
lease; the runner renews the lease while it writes, so a job whose process died is
taken over by any runner once its lease runs out, and written again from the start.
Each write (progress, completion, failure) is a compare-and-set on the claim too: a
runner that lost its job (its lease ran out while it stalled) stops instead of racing
the new owner.

A job is written to a private part file, renamed into place when complete, so the
download never sees half a file. Runs are read in keyset chunks; memory does not grow
with the size of the export.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import socket
import uuid
from pathlib import Path
from typing import Any

from tortoise.expressions import Q

from app import pubsub
from app.enums import ExportStatus
from app.exporter.formats import FILE_FORMATS, run_record
from app.exporter.query import JobQuery
from app.lifecycle import utcnow
from app.settings import Settings
from models import ExportJob, RunTag

log = logging.getLogger("flowdeck.exports")

CHUNK_SIZE = 500
# below 1 until the job is COMPLETED, even when runs created meanwhile outnumber the count
RUNNING_PROGRESS_CAP = 0.99


class LostJob(Exception):
    """Another runner took the job over (this one's lease ran out)."""


async def publish_change(job: ExportJob) -> None:
    """Tell subscribers that a job's status or progress changed (small JSON; they re-read the job)."""
    await pubsub.publish(
        pubsub.EXPORTS_TOPIC, {"job": str(job.id), "status": job.status.value, "progress": job.progress}
    )


class ExportRunner:
    """Claims and writes export jobs. `start()` once per process; `stop()` before closing the database."""

    def __init__(
        self,
        settings: Settings,
        *,
        name: str | None = None,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        chunk_size: int = CHUNK_SIZE,
        concurrency: int = 2,
    ) -> None:
        self.settings = settings
        self.name = "exporter:" + (name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}")
        self.lease = dt.timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.chunk_size = chunk_size
        self.concurrency = concurrency
        self._jobs: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._main: asyncio.Task[None] | None = None
        self._stopping = False

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start polling for jobs; a job created in this process wakes the runner at once."""
        self._stopping = False
        pubsub.add_local_listener(self._on_publish)
        self._main = asyncio.create_task(self._main_loop())
        log.info("export runner %s started", self.name)

    async def stop(self) -> None:
        """Stop writing. Jobs under way end their lease now, so that another runner resumes them at once."""
        self._stopping = True
        pubsub.remove_local_listener(self._on_publish)
        # taken before cancelling: each job leaves `_jobs` as its task ends
        held = list(self._jobs)
        tasks = [task for task in (self._main, *self._jobs.values()) if task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if held:
            with contextlib.suppress(Exception):
                await ExportJob.filter(id__in=held, status=ExportStatus.RUNNING, claimed_by=self.name).update(
                    lease_expires_at=utcnow()
                )
        self._jobs.clear()
        self._main = None

    def _on_publish(self, topic: str, message: dict[str, Any]) -> None:
        if topic == pubsub.EXPORTS_TOPIC and message.get("status") == ExportStatus.PENDING.value:
            self._wake.set()

    async def _main_loop(self) -> None:
        lease_check = self.lease.total_seconds() / 3
        while not self._stopping:
            try:
                await self._renew_leases()
                self._start_claimed(await self.claim_due())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("export runner poll failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=min(self.poll_seconds, lease_check))
            self._wake.clear()

    def _start_claimed(self, jobs: list[ExportJob]) -> None:
        for job in jobs:
            task = asyncio.create_task(self.write(job))
            self._jobs[job.id] = task
            task.add_done_callback(functools.partial(self._finished, job.id))

    def _finished(self, job_id: uuid.UUID, _task: asyncio.Task[None]) -> None:
        self._jobs.pop(job_id, None)
        self._wake.set()  # a slot is free

    # ------------------------------------------------------------ claiming

    async def claim_due(self) -> list[ExportJob]:
        """Claim PENDING jobs, and RUNNING ones whose lease ran out, oldest first, up to the free slots."""
        free = self.concurrency - len(self._jobs)
        if free <= 0:
            return []
        now = utcnow()
        abandoned = Q(status=ExportStatus.RUNNING) & (Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True))
        candidates = (
            await ExportJob.filter(Q(status=ExportStatus.PENDING) | abandoned)
            .exclude(id__in=list(self._jobs))
            .order_by("created_at")
            .limit(free)
        )
        claimed = []
        for job in candidates:
            if await self._claim(job, now):
                claimed.append(job)
        return claimed

    async def _claim(self, job: ExportJob, now: dt.datetime) -> bool:
        """Compare-and-set: the job as it was read becomes this runner's, from zero rows."""
        if job.status is ExportStatus.PENDING:
            unchanged = Q(status=ExportStatus.PENDING)
        else:
            owner = Q(claimed_by__isnull=True) if job.claimed_by is None else Q(claimed_by=job.claimed_by)
            unchanged = Q(status=ExportStatus.RUNNING) & owner
            unchanged &= Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
        won = await ExportJob.filter(Q(id=job.id) & unchanged).update(
            status=ExportStatus.RUNNING,
            claimed_by=self.name,
            lease_expires_at=now + self.lease,
            row_count=0,
            progress=0.0,
            error=None,
        )
        if not won:
            return False
        if job.status is ExportStatus.RUNNING:
            log.info("export %s: taking over from %s, whose lease ran out", job.id, job.claimed_by)
        job.status, job.claimed_by, job.row_count, job.progress = ExportStatus.RUNNING, self.name, 0, 0.0
        await publish_change(job)
        return True

    async def _renew_leases(self) -> None:
        if self._jobs:
            await ExportJob.filter(id__in=list(self._jobs), status=ExportStatus.RUNNING, claimed_by=self.name).update(
                lease_expires_at=utcnow() + self.lease
            )

    async def _update_claimed(self, job: ExportJob, **values: Any) -> None:
        """Write to a job this runner holds; LostJob when it no longer does."""
        updated = await ExportJob.filter(id=job.id, status=ExportStatus.RUNNING, claimed_by=self.name).update(**values)
        if not updated:
            raise LostJob(str(job.id))
        for name, value in values.items():
            setattr(job, name, value)
        await publish_change(job)

    # ------------------------------------------------------------ writing

    async def run_due(self) -> int:
        """Claim the due jobs and write them to the end, here and now (a poll, awaited: for tests and tools)."""
        jobs = await self.claim_due()
        for job in jobs:
            await self.write(job)
        return len(jobs)

    async def write(self, job: ExportJob) -> None:
        """Write a claimed job's file, then mark it COMPLETED; FAILED with the reason if that fails."""
        file_format = FILE_FORMATS[job.format]
        export_dir = Path(self.settings.export_dir).resolve()
        final = export_dir / f"{job.id}.{file_format.extension}"
        part = export_dir / f".{job.id}.{uuid.uuid4().hex}.part"
        try:
            export_dir.mkdir(parents=True, exist_ok=True)
            rows = await self._write_file(job, part)
            # rename before the status change: a COMPLETED job always has its file
            os.replace(part, final)
            await self._update_claimed(
                job,
                status=ExportStatus.COMPLETED,
                row_count=rows,
                progress=1.0,
                path=str(final),
                finished_at=utcnow(),
                claimed_by=None,
                lease_expires_at=None,
            )
            log.info("export %s: %d runs written to %s", job.id, rows, final)
        except LostJob:
            log.warning("export %s: another runner took it over; stopped writing", job.id)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("export %s failed", job.id)
            with contextlib.suppress(LostJob):
                await self._update_claimed(
                    job,
                    status=ExportStatus.FAILED,
                    error=_failure_reason(error),
                    finished_at=utcnow(),
                    claimed_by=None,
                    lease_expires_at=None,
                )
        finally:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)

    async def _write_file(self, job: ExportJob, part: Path) -> int:
        """Write every matching run to `part`; the number written. Progress is saved once per chunk."""
        file_format = FILE_FORMATS[job.format]
        query = JobQuery.of(job, utcnow())
        total = await query.count()
        rows = 0
        with part.open("w", encoding="utf-8", newline="") as handle:
            await asyncio.to_thread(handle.write, file_format.header())
            async for runs, more in query.chunks(self.chunk_size):
                tags = await _tags_of([run.id for run in runs])
                text = file_format.rows([run_record(run, tags.get(run.id, []), query.now) for run in runs])
                # disk writes off the event loop: a slow disk must not stall requests
                await asyncio.to_thread(handle.write, text)
                rows += len(runs)
                if more:
                    progress = min(rows / total, RUNNING_PROGRESS_CAP) if total else 0.0
                    await self._update_claimed(
                        job, row_count=rows, progress=progress, lease_expires_at=utcnow() + self.lease
                    )
            await asyncio.to_thread(_flush_to_disk, handle)
        return rows


async def _tags_of(run_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """The tags of a chunk of runs, in one statement."""
    tags: dict[uuid.UUID, list[tuple[str, str]]] = {}
    if not run_ids:
        return tags
    for run_id, key, value in await RunTag.filter(run_id__in=run_ids).values_list("run_id", "key", "value"):
        tags.setdefault(uuid.UUID(str(run_id)), []).append((key, value))
    return tags


def _failure_reason(error: Exception) -> str:
    """What a FAILED job tells its reader: the cause, without server paths or internals (the log has them)."""
    if isinstance(error, OSError):
        return f"the export file could not be written: {error.strerror or type(error).__name__}"
    return "unexpected error while exporting; the server log has the details"


def _flush_to_disk(handle: Any) -> None:
    handle.flush()
    os.fsync(handle.fileno())
