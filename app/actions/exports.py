"""exportRuns, and reading export jobs and their files.

The action only records the job (validated, PENDING) and returns it; the runner in
`app.exporter` writes the file in the background.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from app.auth import Principal
from app.background import get_project_job
from app.enums import ExportFormat, ExportStatus, Role
from app.errors import BadFilter, NotFound
from app.exporter import order_to_json, publish_change, where_to_json
from app.ids import to_global_id
from app.queries import RunOrderSpec, RunWhereSpec, run_condition
from models import ExportJob

__all__ = ["TYPE_NAME", "export_file", "export_runs", "export_url", "get_export_job"]

TYPE_NAME = "ExportJob"


async def export_runs(
    principal: Principal,
    *,
    filter: str | None,
    where: RunWhereSpec | None,
    order_by: Sequence[RunOrderSpec] | None,
    format: ExportFormat,
) -> ExportJob:
    """Record an export of the runs the caller sees that match filter/where, in order_by (OPERATOR).

    Returns the PENDING job at once; a malformed filter is BadFilter on ["input", "filter"]
    and records nothing.
    """
    principal.require(Role.OPERATOR, "exportRuns")
    filter_text = filter if filter is not None and filter.strip() else None
    try:
        run_condition(principal, filter=filter_text, where=where)
    except BadFilter as error:
        raise BadFilter(error.message, error.position, ("input", "filter")) from None
    job = await ExportJob.create(
        id=uuid.uuid4(),
        project_id=principal.project_id,
        api_key_id=principal.key_id,
        created_by=principal.actor,
        status=ExportStatus.PENDING,
        format=format,
        filter_text=filter_text,
        where=where_to_json(where),
        order_by=order_to_json(order_by),
    )
    await publish_change(job)
    return job


async def get_export_job(principal: Principal, job_id: str) -> ExportJob:
    """The job with this global id if the caller's project made it (any, for SUPERADMIN); NotFound otherwise."""
    return await get_project_job(principal, ExportJob, TYPE_NAME, job_id)


def export_url(job: ExportJob) -> str | None:
    """Where a COMPLETED job's file is downloaded (relative, same Authorization as GraphQL)."""
    if job.status is not ExportStatus.COMPLETED or job.path is None:
        return None  # unfinished, or its file was deleted after the retention
    return f"/exports/{to_global_id(TYPE_NAME, job.id)}"


async def export_file(principal: Principal, job_id: str) -> tuple[ExportJob, Path]:
    """A visible COMPLETED job and its file; NotFound for anything else (unknown, unseen, unfinished)."""
    job = await get_export_job(principal, job_id)
    path = Path(job.path) if job.path else None
    if job.status is ExportStatus.COMPLETED and path is None:
        raise NotFound(f"export {job_id!r} has no file any more: it was deleted after the retention period")
    if job.status is not ExportStatus.COMPLETED or path is None or not path.is_file():
        raise NotFound(f"export {job_id!r} has no file to download (status {job.status.value})")
    return job, path
