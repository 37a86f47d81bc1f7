"""unblockRuns and bulkRunAction."""

from __future__ import annotations

import strawberry

from app.actions import bulk
from app.ids import to_global_id
from schema.context import Authenticated, Info, principal_of
from schema.enums import BulkAction, ErrorCode, UnblockAction
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


@strawberry.type
class BulkFailure:
    run_id: strawberry.ID
    code: ErrorCode
    message: str


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
    errors: list[UserError]


def _payload(result: bulk.BulkResult | None, errors: list[UserError]) -> BulkActionPayload:
    if result is None:
        return BulkActionPayload(matched=0, succeeded=0, failed=0, dry_run=False, failures=[], runs=[], errors=errors)
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
                )
            )
        )
