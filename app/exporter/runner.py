"""The export runner: writes the files of export jobs in the background of a server process.

Every server process runs one (started from the app's lifespan). Jobs are claimed and
held as all background work is (`app.background`): a lease the runner renews while it
writes, every write fenced by the claim, a job whose process died taken over by any
runner once its lease runs out (and written again from the start), and given up with an
error after a bounded number of takeovers.

A job is written to a private part file, renamed into place when complete, so the
download never sees half a file. Runs are read in keyset chunks; memory does not grow
with the size of the export.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app import pubsub
from app.background import BackgroundRunner, Leases, LostClaim, owner_name
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


def export_leases(name: str | None = None, lease_seconds: float = 30.0) -> Leases[ExportJob]:
    """How export jobs are claimed and held (app.background)."""
    return Leases(
        model=ExportJob,
        owner=owner_name("exporter", name),
        lease=dt.timedelta(seconds=lease_seconds),
        pending=ExportStatus.PENDING,
        running=ExportStatus.RUNNING,
        failed=ExportStatus.FAILED,
        kind="export",
    )


async def publish_change(job: ExportJob) -> None:
    """Tell subscribers that a job's status or progress changed (small JSON; they re-read the job)."""
    await pubsub.publish(
        pubsub.EXPORTS_TOPIC, {"job": str(job.id), "status": job.status.value, "progress": job.progress}
    )


class ExportRunner(BackgroundRunner[ExportJob]):
    """Claims and writes export jobs. `start()` once per process; `stop()` before closing the database."""

    wake_topic = pubsub.EXPORTS_TOPIC
    housekeeping_seconds = 60.0

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
        super().__init__(export_leases(name, lease_seconds), poll_seconds=poll_seconds, concurrency=concurrency)
        self.settings = settings
        self.chunk_size = chunk_size

    def wants_wake(self, message: Mapping[str, Any]) -> bool:
        return message.get("status") == ExportStatus.PENDING.value

    async def claim_due(self) -> list[ExportJob]:
        """Claim PENDING jobs, and RUNNING ones whose lease ran out, oldest first, up to the free slots.

        A job taken over is written again from the start."""
        claimed, given_up = await self.leases.claim(
            self.free_slots,
            exclude=self._work,
            on_claim={"row_count": 0, "progress": 0.0, "error": None},
        )
        for job in [*claimed, *given_up]:
            await publish_change(job)
        return claimed

    async def _update_claimed(self, job: ExportJob, **values: Any) -> None:
        """Write to a job this runner holds; LostClaim when it no longer does."""
        await self.leases.write(job, **values)
        await publish_change(job)

    async def work(self, job: ExportJob) -> None:
        await self.write(job)

    async def housekeeping(self) -> None:
        await delete_expired_files(utcnow())

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
            finished = utcnow()
            await self.leases.finish(
                job,
                ExportStatus.COMPLETED,
                row_count=rows,
                progress=1.0,
                path=str(final),
                finished_at=finished,
                expires_at=finished + dt.timedelta(hours=self.settings.export_retention_hours),
            )
            await publish_change(job)
            log.info("export %s: %d runs written to %s", job.id, rows, final)
        except LostClaim:
            log.warning("export %s: another runner took it over; stopped writing", job.id)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("export %s failed", job.id)
            with contextlib.suppress(LostClaim):
                await self.leases.finish(job, ExportStatus.FAILED, error=_failure_reason(error))
                await publish_change(job)
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
                        job, row_count=rows, progress=progress, lease_expires_at=utcnow() + self.leases.lease
                    )
            await asyncio.to_thread(_flush_to_disk, handle)
        return rows


async def delete_expired_files(now: dt.datetime) -> int:
    """Delete the files of COMPLETED jobs whose retention ran out; the job keeps its row and
    `expires_at`, and its url is null from then on. How many were deleted."""
    expired = await ExportJob.filter(
        status=ExportStatus.COMPLETED, path__isnull=False, expires_at__lte=now
    ).values_list("id", "path")
    for job_id, path in expired:
        # the row first: a download that finds no path answers NOT_FOUND, never a half-deleted file
        if await ExportJob.filter(id=job_id, path=path).update(path=None):
            with contextlib.suppress(FileNotFoundError):
                Path(path).unlink()
            log.info("export %s: file deleted, its retention ran out", job_id)
    return len(expired)


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
