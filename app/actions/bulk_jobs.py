"""Bulk jobs (JOBS.md "Bulk jobs"): recording one, reading, listing and canceling them.

`bulkRunAction` records a job here when the caller asks for `background`, or when the
target has more than 1,000 runs; the engines' runner (`app.engine.bulk_jobs`) then
freezes its target and acts on it in batches.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from app import pubsub
from app.auth import Principal
from app.background import get_project_job
from app.enums import BulkAction, BulkJobStatus, Role
from app.errors import InvalidTransition, ValidationFailed
from app.exporter.query import where_to_json
from app.lifecycle import utcnow
from app.queries import RunWhereSpec
from app.queries.pages import Page, decode_cursor, encode_cursor, invalid_cursor, page_window
from models import BulkJob, Project

__all__ = [
    "DEFAULT_MAX_PER_SECOND",
    "FINISHED_BULK_JOB_STATUSES",
    "MAX_PER_SECOND",
    "TYPE_NAME",
    "cancel_bulk_job",
    "create_bulk_job",
    "get_bulk_job",
    "job_principal",
    "job_progress",
    "list_bulk_jobs",
    "publish_bulk_job",
    "shown_status",
]

TYPE_NAME = "BulkJob"
DEFAULT_MAX_PER_SECOND = 500.0
MAX_PER_SECOND = 5000.0
MAX_IDEMPOTENCY_KEY = 255
FINISHED_BULK_JOB_STATUSES = frozenset({BulkJobStatus.COMPLETED, BulkJobStatus.CANCELED, BulkJobStatus.FAILED})


def cancel_role(action: BulkAction) -> Role:
    """Who may cancel (and create) a job of this action: RESTART needs ADMIN, the rest OPERATOR."""
    return Role.ADMIN if action is BulkAction.RESTART else Role.OPERATOR


def job_principal(job: BulkJob) -> Principal:
    """The caller the job acts for, as it was when the job was created."""
    return Principal(
        key_id=uuid.UUID(str(job.api_key_id)) if job.api_key_id is not None else None,
        name=job.key_name,
        role=Role(job.role),
        project_id=uuid.UUID(str(job.project_id)) if job.project_id is not None else None,
    )


def shown_status(job: BulkJob) -> BulkJobStatus:
    """The status a reader sees: a job held by a runner is PENDING until its target is frozen."""
    if job.status is BulkJobStatus.RUNNING and job.frozen_at is None:
        return BulkJobStatus.PENDING
    return job.status


def job_progress(job: BulkJob) -> float:
    """0..1: the share of the frozen target processed (1 once the job COMPLETED)."""
    if job.status is BulkJobStatus.COMPLETED:
        return 1.0
    if job.matched <= 0:
        return 0.0
    return min(job.processed / job.matched, 1.0)


async def publish_bulk_job(job: BulkJob) -> None:
    """Tell followers (and the runners) that a job changed; they re-read it."""
    await pubsub.publish(
        pubsub.BULK_JOBS_TOPIC, {"job": str(job.id), "status": job.status.value, "processed": job.processed}
    )


def _max_per_second(value: float | None) -> float:
    if value is None:
        return DEFAULT_MAX_PER_SECOND
    if not math.isfinite(value) or value <= 0 or value > MAX_PER_SECOND:
        raise ValidationFailed(
            f"maxPerSecond must be above 0 and at most {MAX_PER_SECOND:,.0f}, got {value}", ("input", "maxPerSecond")
        )
    return float(value)


def _idempotency_key(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > MAX_IDEMPOTENCY_KEY:
        raise ValidationFailed(
            f"idempotencyKey is at most {MAX_IDEMPOTENCY_KEY} characters, got {len(value)}", ("input", "idempotencyKey")
        )
    return value


async def _existing(principal: Principal, key: str) -> BulkJob | None:
    project = Q(project_id__isnull=True) if principal.project_id is None else Q(project_id=principal.project_id)
    return await BulkJob.filter(project, idempotency_key=key).first()


async def create_bulk_job(
    principal: Principal,
    *,
    action: BulkAction,
    ids: Sequence[str] | None,
    filter: str | None,
    where: RunWhereSpec | None,
    reason: str | None,
    dry_run: bool,
    max_per_second: float | None,
    idempotency_key: str | None,
) -> BulkJob:
    """Record a PENDING bulk job (the caller's rights and target checked by `bulk_run_action`).

    With an `idempotency_key` already used in the caller's project, the job it created is
    returned and nothing new is recorded.
    """
    pace = _max_per_second(max_per_second)
    key = _idempotency_key(idempotency_key)
    if key is not None and (existing := await _existing(principal, key)) is not None:
        return existing
    try:
        job = await BulkJob.create(
            id=uuid.uuid4(),
            project_id=principal.project_id,
            api_key_id=principal.key_id,
            key_name=principal.name,
            role=principal.role,
            initiated_by=principal.actor,
            action=action,
            status=BulkJobStatus.PENDING,
            filter_text=filter if filter is not None and filter.strip() else None,
            where=where_to_json(where),
            ids=list(ids) if ids else None,
            reason=reason,
            dry_run=dry_run,
            max_per_second=pace,
            idempotency_key=key,
            created_at=utcnow(),
        )
    except IntegrityError:
        # the same key, recorded by a concurrent request a moment ago
        if key is not None and (existing := await _existing(principal, key)) is not None:
            return existing
        raise
    await publish_bulk_job(job)
    return job


async def get_bulk_job(principal: Principal, job_id: str) -> BulkJob:
    """The job with this global id if the caller's project made it (any, for SUPERADMIN); NotFound otherwise."""
    return await get_project_job(principal, BulkJob, TYPE_NAME, job_id)


async def cancel_bulk_job(principal: Principal, job_id: str) -> BulkJob:
    """cancelBulkJob (OPERATOR; ADMIN for a RESTART job): a PENDING job ends CANCELED at once; a
    RUNNING one stops after the run in hand. Either way `canceled_by` names the caller."""
    principal.require(Role.OPERATOR, "cancelBulkJob")
    job = await get_bulk_job(principal, job_id)
    principal.require(cancel_role(job.action), f"cancelBulkJob of a {job.action.value} job")
    # a PENDING job no runner holds ends here; a running one is asked to stop (its runner ends it)
    ended = await BulkJob.filter(id=job.id, status=BulkJobStatus.PENDING).update(
        status=BulkJobStatus.CANCELED, canceled_by=principal.actor, finished_at=utcnow()
    )
    asked = ended or await BulkJob.filter(id=job.id, status=BulkJobStatus.RUNNING, canceled_by__isnull=True).update(
        canceled_by=principal.actor
    )
    if not asked:
        current = await BulkJob.get(id=job.id)
        if current.status is BulkJobStatus.RUNNING:
            return current  # a cancel is already under way
        raise InvalidTransition(f"cannot cancel a bulk job that is {current.status.value}")
    job = await BulkJob.get(id=job.id)
    await publish_bulk_job(job)
    return job


def _position(cursor: str) -> tuple[dt.datetime, str]:
    payload = decode_cursor("after", cursor)
    try:
        created, raw_id = payload["b"]
        return dt.datetime.fromisoformat(created), str(uuid.UUID(raw_id))
    except (KeyError, TypeError, ValueError):
        raise invalid_cursor("after", cursor, "not a bulk job cursor this server issued") from None


async def list_bulk_jobs(
    principal: Principal,
    *,
    project: str | None = None,
    statuses: Sequence[BulkJobStatus] | None = None,
    first: int | None = None,
    after: str | None = None,
    max_page_size: int = 100,
) -> Page[BulkJob]:
    """One page of the jobs of the caller's project (every project's for SUPERADMIN, narrowed by
    `project`), newest first, optionally only those in `statuses` (as readers see them)."""
    window = page_window(first, None, max_page_size)
    conditions: list[Q] = []
    if project is not None:
        project_id = await Project.filter(key=project).values_list("id", flat=True)
        conditions.append(Q(project_id__in=list(project_id)))
    if not principal.is_superadmin:
        conditions.append(Q(project_id=principal.project_id) if principal.project_id else Q(id__in=[]))
    if statuses:
        wanted = set(statuses)
        shown: list[Q] = [Q(status__in=[s for s in wanted if s is not BulkJobStatus.RUNNING])]
        if BulkJobStatus.RUNNING in wanted:
            shown.append(Q(status=BulkJobStatus.RUNNING, frozen_at__isnull=False))
        if BulkJobStatus.PENDING in wanted:
            shown.append(Q(status=BulkJobStatus.RUNNING, frozen_at__isnull=True))
        conditions.append(Q(*shown, join_type="OR"))
    condition = Q(*conditions) if conditions else Q()
    query = BulkJob.filter(condition)
    if after is not None:
        created, raw_id = _position(after)
        query = query.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=raw_id))
    rows = await query.order_by("-created_at", "-id").limit(window.size + 1)

    async def count() -> int:
        return await BulkJob.filter(condition).count()

    page = rows[: window.size]
    return Page(
        items=page,
        cursors=[encode_cursor({"b": [job.created_at.isoformat(), str(job.id)]}) for job in page],
        has_next_page=len(rows) > window.size,
        has_previous_page=after is not None,
        count=count,
    )
