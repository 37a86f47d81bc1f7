"""The GraphQL schema: Strawberry types and thin resolvers over `app`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import strawberry
from strawberry.tools import merge_types

from app.settings import Settings
from schema.accounts import AccountMutations, AccountQueries, ApiKey, Project
from schema.bulk_jobs import BulkJobMutations, BulkJobQueries
from schema.bulk_mutations import BulkMutations
from schema.errors import MaskUnexpectedErrors
from schema.execution import CompiledExecutionContext
from schema.execution.events import PerEventMemoExecutionContext
from schema.exports import ExportMutations, ExportQueries
from schema.input_limits import guard_mutations
from schema.metrics import GraphQLMetrics
from schema.node_query import NodeQueries
from schema.query_limits import QueryLimits, ValidationAfterLimits
from schema.run_mutations import RunLifecycleMutations
from schema.runs import Run, RunMutations, RunQueries, StepRun
from schema.schedules import Schedule, ScheduleMutations, ScheduleQueries
from schema.step_mutations import StepMutations
from schema.subscriptions import Subscription
from schema.workflows import Workflow, WorkflowMutations, WorkflowQueries

if TYPE_CHECKING:
    from graphql import GraphQLError
    from strawberry.types import ExecutionContext

Query = merge_types(
    "Query",
    (NodeQueries, AccountQueries, WorkflowQueries, RunQueries, ExportQueries, ScheduleQueries, BulkJobQueries),
)
Mutation = merge_types(
    "Mutation",
    (
        AccountMutations,
        WorkflowMutations,
        RunMutations,
        RunLifecycleMutations,
        StepMutations,
        BulkMutations,
        ExportMutations,
        ScheduleMutations,
        BulkJobMutations,
    ),
)


# every mutation answers an input over a limit in its payload; a new one cannot escape it
guard_mutations(Mutation)


class FlowdeckSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log nothing here: a client's own mistakes are not server faults, and MaskUnexpectedErrors
        logs each real fault once (Strawberry's default logs every error, faults twice)."""


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits from the settings.

    A client sends the same few documents again and again, so their parse (with the token
    limit) and validation are cached (bounded LRUs). QueryLimits measures aliases, nodes and
    depth before the standard validation rules run, and the input limits before execution.

    Queries run through compiled plans (`schema.execution`) unless the settings turn that off.
    """
    return FlowdeckSchema(
        execution_context_class=(
            CompiledExecutionContext if settings.compiled_execution else PerEventMemoExecutionContext
        ),
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Run, StepRun, Workflow, Project, ApiKey, Schedule],
        extensions=[
            lambda: QueryLimits(settings),
            lambda: ValidationAfterLimits(maxsize=256),
            MaskUnexpectedErrors,
            # after MaskUnexpectedErrors, so that it sees (and counts) the errors before they are masked
            GraphQLMetrics,
        ],
    )


__all__ = ["Mutation", "Query", "build_schema"]
