"""unblockRuns and bulkRunAction."""

from __future__ import annotations

import strawberry

from app.actions import bulk
from app.ids import to_global_id
from schema.bulk_jobs import BulkFailure, BulkJob
from schema.context import Authenticated, Info, principal_of
from schema.enums import BulkAction, UnblockAction
from schema.errors import UserError, attempt
from schema.runs import Run, RunWhere


@strawberry.input
class UnblockRunsInput:
    id: strawberry.ID | None = None
    filter: str | None = None
    action: UnblockAction
    reason: str | None = None


@strawberry.input(
    description=(
        "Target runs by ids, or by filter/where (all matching runs visible to the caller).\n"
        "At least one of ids, filter, where must be given and non-empty: an empty target is a\n"
        'VALIDATION error, never "every run".'
    )
)
class BulkRunActionInput:
    action: BulkAction
    ids: list[strawberry.ID] | None = None
    filter: str | None = None
    where: RunWhere | None = None
    reason: str | None = None
    dry_run: bool | None = strawberry.field(default=False, description="count what would be acted on, change nothing")
    background: bool | None = strawberry.field(
        default=False,
        description="run as a durable background job (always so for targets over 1,000 runs); see JOBS.md",
    )
    max_per_second: float | None = strawberry.field(
        default=None, description="background jobs only: act on at most this many runs a second"
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=(
            "background jobs only: a second request with the same key in the same project returns the first job"
        ),
    )


@strawberry.type
class BulkActionPayload:
    matched: int = strawberry.field(description="runs the target selected (visible to the caller)")
    succeeded: int
    failed: int
    dry_run: bool
    failures: list[BulkFailure] = strawberry.field(description="at most 100 listed")
    runs: list[Run] = strawberry.field(
        description="RETRY / RESTART / UNBLOCK: the new or released runs, at most 100 listed"
    )
    job: BulkJob | None = strawberry.field(
        description=(
            "set when the action runs as a background job (JOBS.md); "
            "the counts here are then 0 and the job reports them"
        )
    )
    errors: list[UserError]


def _payload(result: bulk.BulkResult | None, errors: list[UserError]) -> BulkActionPayload:
    if result is None:
        return BulkActionPayload(
            matched=0, succeeded=0, failed=0, dry_run=False, failures=[], runs=[], job=None, errors=errors
        )
    return BulkActionPayload(
        matched=result.matched,
        succeeded=result.succeeded,
        failed=result.failed,
        dry_run=result.dry_run,
        failures=[
            BulkFailure(run_id=strawberry.ID(to_global_id("Run", f.run_id)), code=f.code, message=f.message)
            for f in result.failures
        ],
        runs=[Run.from_model(run) for run in result.runs],
        job=BulkJob.from_model(result.job) if result.job is not None else None,
        errors=[],
    )


@strawberry.type
class BulkMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def unblock_runs(self, info: Info, input: UnblockRunsInput) -> BulkActionPayload:
        return _payload(
            *await attempt(
                bulk.unblock_runs(
                    principal_of(info), run_id=input.id, filter=input.filter, action=input.action, reason=input.reason
                )
            )
        )

    @strawberry.mutation(permission_classes=[Authenticated])
    async def bulk_run_action(self, info: Info, input: BulkRunActionInput) -> BulkActionPayload:
        return _payload(
            *await attempt(
                bulk.bulk_run_action(
                    principal_of(info),
                    action=input.action,
                    ids=[str(i) for i in input.ids] if input.ids else None,
                    filter=input.filter,
                    where=input.where.to_spec() if input.where else None,
                    reason=input.reason,
                    dry_run=bool(input.dry_run),
                    background=bool(input.background),
                    max_per_second=input.max_per_second,
                    idempotency_key=input.idempotency_key,
                )
            )
        )
