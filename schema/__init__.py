"""The GraphQL schema: Strawberry types and thin resolvers over `app`."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaskErrors, ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.tools import merge_types

from app.settings import Settings
from schema.accounts import AccountMutations, AccountQueries, ApiKey, Project
from schema.bulk_jobs import BulkJobMutations, BulkJobQueries
from schema.bulk_mutations import BulkMutations
from schema.exports import ExportMutations, ExportQueries
from schema.metrics import GraphQLMetrics
from schema.node_query import NodeQueries
from schema.run_mutations import RunLifecycleMutations
from schema.runs import Run, RunMutations, RunQueries, StepRun
from schema.schedules import Schedule, ScheduleMutations, ScheduleQueries
from schema.step_mutations import StepMutations
from schema.subscriptions import Subscription
from schema.workflows import Workflow, WorkflowMutations, WorkflowQueries

log = logging.getLogger("flowdeck.graphql")

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


def _should_mask(error: GraphQLError) -> bool:
    """Mask only unexpected faults: our own top-level errors carry an extensions.code."""
    if error.extensions and "code" in error.extensions:
        return False
    original = error.original_error
    if original is None or not error.path:
        # parse, validation and variable-coercion errors name the caller's own mistake
        return False
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits from the settings.

    A client sends the same few documents again and again, so their parse and validation
    are cached (bounded LRUs). The validation cache is keyed by the rules too, and
    QueryDepthLimiter makes a new rule class each time it is built: the depth rule is
    therefore built once here and shared by every request.
    """
    depth_rules = QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Run, StepRun, Workflow, Project, ApiKey, Schedule],
        extensions=[
            lambda: ParserCache(maxsize=256),
            lambda: AddValidationRules(depth_rules),
            lambda: ValidationCache(maxsize=256),
            lambda: MaskErrors(should_mask_error=_should_mask, error_message="Unexpected error."),
            # after MaskErrors, so that it sees (and counts) the errors before they are masked
            GraphQLMetrics,
        ],
    )


__all__ = ["Mutation", "Query", "build_schema"]
