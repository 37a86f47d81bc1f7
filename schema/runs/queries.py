"""The run root fields of Query: runs, run, conversations, runStats."""

from __future__ import annotations

import strawberry

from app.actions import runs as run_actions
from app.errors import NotFound
from app.queries import conversations_q, run_stats
from schema.context import Authenticated, Info, principal_of
from schema.errors import query_or_raise
from schema.runs.connection import RunConnectionArgs, resolve_run_connection
from schema.runs.inputs import RunOrder, RunWhere
from schema.runs.types import Run, RunConnection, RunStats, StatusCount


@strawberry.type
class RunQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def runs(
        self,
        info: Info,
        project: str | None = None,
        filter: str | None = None,
        where: RunWhere | None = None,
        search: str | None = None,
        order_by: list[RunOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> RunConnection:
        args = RunConnectionArgs(
            project=project,
            filter=filter,
            where=where,
            search=search,
            order_by=order_by,
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return await resolve_run_connection(info, args)

    @strawberry.field(permission_classes=[Authenticated])
    async def run(self, info: Info, id: strawberry.ID) -> Run | None:
        try:
            return Run.from_model(await run_actions.get_visible_run(principal_of(info), id))
        except NotFound:
            return None

    @strawberry.field(
        permission_classes=[Authenticated],
        description=(
            "agent/conversation runs (runs tagged kind=conversation); PRIVATE ones only for their initiator and "
            "SUPERADMIN"
        ),
    )
    async def conversations(
        self,
        info: Info,
        project: str | None = None,
        filter: str | None = None,
        where: RunWhere | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> RunConnection:
        args = RunConnectionArgs(project=project, filter=filter, where=where, first=first, after=after)
        return await resolve_run_connection(info, args, base=conversations_q())

    @strawberry.field(permission_classes=[Authenticated])
    async def run_stats(
        self, info: Info, project: str | None = None, filter: str | None = None, where: RunWhere | None = None
    ) -> RunStats:
        tally = await query_or_raise(
            run_stats(principal_of(info), project=project, filter=filter, where=where.to_spec() if where else None)
        )
        return RunStats(
            total=tally.total,
            by_status=[StatusCount(status=status, count=count) for status, count in tally.by_status],
            exact=tally.exact,
        )
