"""Exports: the ExportJob type, Query.exportJob and Mutation.exportRuns."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.actions import exports
from app.auth import Principal
from app.errors import NotFound
from app.ids import to_global_id
from models import ExportJob as ExportJobModel
from schema.context import Authenticated, Info, principal_of
from schema.enums import ExportFormat, ExportStatus
from schema.errors import UserError, attempt
from schema.node import Node
from schema.runs import RunOrder, RunWhere


@strawberry.type
class ExportJob(Node):
    id: strawberry.ID
    status: ExportStatus
    format: ExportFormat
    filter: str | None
    row_count: int
    progress: float = strawberry.field(description="0..1")
    url: str | None = strawberry.field(
        description="relative URL of the file, GET with the same Authorization header; set when COMPLETED"
    )
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None = strawberry.field(
        description=(
            "when the file is deleted (FLOWDECK_EXPORT_RETENTION_HOURS after it was written); url is null from then on"
        )
    )

    @classmethod
    def from_model(cls, job: ExportJobModel) -> ExportJob:
        return cls(
            id=strawberry.ID(to_global_id(exports.TYPE_NAME, job.id)),
            status=job.status,
            format=job.format,
            filter=job.filter_text,
            row_count=job.row_count,
            progress=job.progress,
            url=exports.export_url(job),
            error=job.error,
            created_at=job.created_at,
            finished_at=job.finished_at,
            expires_at=job.expires_at,
        )


async def visible_export_job(principal: Principal, global_id: str) -> ExportJob | None:
    """The job, or null when it does not exist or the caller cannot see it (queries and `node`)."""
    try:
        return ExportJob.from_model(await exports.get_export_job(principal, global_id))
    except NotFound:
        return None


@strawberry.input
class ExportRunsInput:
    filter: str | None = None
    where: RunWhere | None = None
    order_by: list[RunOrder] | None = None
    format: ExportFormat | None = ExportFormat.CSV


@strawberry.type
class ExportPayload:
    job: ExportJob | None
    errors: list[UserError]


@strawberry.type
class ExportQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def export_job(self, info: Info, id: strawberry.ID) -> ExportJob | None:
        return await visible_export_job(principal_of(info), id)


@strawberry.type
class ExportMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def export_runs(self, info: Info, input: ExportRunsInput) -> ExportPayload:
        job, errors = await attempt(
            exports.export_runs(
                principal_of(info),
                filter=input.filter,
                where=input.where.to_spec() if input.where else None,
                order_by=[order.to_spec() for order in input.order_by or []],
                format=input.format or ExportFormat.CSV,
            )
        )
        return ExportPayload(job=ExportJob.from_model(job) if job is not None else None, errors=errors)
