"""Bulk jobs (JOBS.md): the BulkJob type, Query.bulkJobs / bulkJob and Mutation.cancelBulkJob."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.actions import bulk_jobs
from app.auth import Principal
from app.enums import BulkJobStatus
from app.errors import NotFound
from app.ids import to_global_id
from models import BulkJob as BulkJobModel
from schema.context import Authenticated, Info, principal_of
from schema.enums import BulkAction, ErrorCode
from schema.errors import UserError, attempt, query_or_raise
from schema.node import Node, PageInfo, check_page_size, page_info

strawberry.enum(BulkJobStatus)


@strawberry.type
class BulkFailure:
    run_id: strawberry.ID
    code: ErrorCode
    message: str


@strawberry.type(
    description="A bulk action run by the engines as a durable job (JOBS.md); its target is frozen at creation."
)
class BulkJob(Node):
    id: strawberry.ID
    action: BulkAction
    status: BulkJobStatus
    filter: str | None
    matched: int = strawberry.field(description="runs frozen as the target when the job was created")
    processed: int
    succeeded: int
    failed: int
    progress: float = strawberry.field(description="0..1")
    max_per_second: float | None
    failures: list[BulkFailure] = strawberry.field(description="at most 100 listed")
    reason: str | None
    error: str | None = strawberry.field(
        description="why the job FAILED (its target could not be resolved, a limit was reached)"
    )
    initiated_by: str
    canceled_by: str | None = strawberry.field(description="who canceled it, when CANCELED")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @classmethod
    def from_model(cls, job: BulkJobModel) -> BulkJob:
        return cls(
            id=strawberry.ID(to_global_id(bulk_jobs.TYPE_NAME, job.id)),
            action=job.action,
            status=bulk_jobs.shown_status(job),
            filter=job.filter_text,
            matched=job.matched,
            processed=job.processed,
            succeeded=job.succeeded,
            failed=job.failed,
            progress=bulk_jobs.job_progress(job),
            max_per_second=job.max_per_second,
            failures=[
                BulkFailure(
                    run_id=strawberry.ID(to_global_id("Run", failure["run_id"])),
                    code=ErrorCode(failure["code"]),
                    message=failure["message"],
                )
                for failure in job.failures or []
            ],
            reason=job.reason,
            error=job.error,
            initiated_by=job.initiated_by,
            canceled_by=job.canceled_by,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
        )


async def visible_bulk_job(principal: Principal, global_id: str) -> BulkJob | None:
    """The job, or null when it does not exist or the caller cannot see it (queries and `node`)."""
    try:
        return BulkJob.from_model(await bulk_jobs.get_bulk_job(principal, global_id))
    except NotFound:
        return None


@strawberry.type
class BulkJobEdge:
    cursor: str
    node: BulkJob


@strawberry.type
class BulkJobConnection:
    edges: list[BulkJobEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class BulkJobPayload:
    job: BulkJob | None
    errors: list[UserError]


@strawberry.type
class BulkJobQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def bulk_jobs(
        self,
        info: Info,
        project: str | None = None,
        status: list[BulkJobStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> BulkJobConnection:
        check_page_size(info, first=first)
        page = await query_or_raise(
            bulk_jobs.list_bulk_jobs(
                principal_of(info),
                project=project,
                statuses=status,
                first=first,
                after=after,
                max_page_size=info.context.settings.max_page_size,
            )
        )
        edges = [
            BulkJobEdge(cursor=cursor, node=BulkJob.from_model(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return BulkJobConnection(edges=edges, page_info=page_info(page), total_count=await page.count())

    @strawberry.field(permission_classes=[Authenticated])
    async def bulk_job(self, info: Info, id: strawberry.ID) -> BulkJob | None:
        return await visible_bulk_job(principal_of(info), id)


@strawberry.type
class BulkJobMutations:
    @strawberry.mutation(permission_classes=[Authenticated], description="stops after the run in hand")
    async def cancel_bulk_job(self, info: Info, id: strawberry.ID) -> BulkJobPayload:
        job, errors = await attempt(bulk_jobs.cancel_bulk_job(principal_of(info), id))
        return BulkJobPayload(job=BulkJob.from_model(job) if job is not None else None, errors=errors)
