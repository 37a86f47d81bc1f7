"""Runs in GraphQL, by concern: types, inputs, the run connection, root queries and mutations."""

from schema.runs.connection import RunConnectionArgs, preload_page, resolve_run_connection
from schema.runs.inputs import (
    RunOrder,
    RunWhere,
    StartRunInput,
    SubjectInput,
    TagInput,
    TriggerInput,
    TriggerWorkflowInput,
)
from schema.runs.mutations import RunMutations, RunPayload, TriggerPayload
from schema.runs.queries import RunQueries
from schema.runs.types import (
    Run,
    RunConnection,
    RunEdge,
    RunError,
    RunEvent,
    RunEventConnection,
    RunEventEdge,
    RunStats,
    RunUpdate,
    Signal,
    StatusCount,
    StepRun,
    Subject,
    Tag,
    Trigger,
)

__all__ = [
    "Run",
    "RunConnection",
    "RunConnectionArgs",
    "RunEdge",
    "RunError",
    "RunEvent",
    "RunEventConnection",
    "RunEventEdge",
    "RunMutations",
    "RunOrder",
    "RunPayload",
    "RunQueries",
    "RunStats",
    "RunUpdate",
    "RunWhere",
    "Signal",
    "StartRunInput",
    "StatusCount",
    "StepRun",
    "Subject",
    "SubjectInput",
    "Tag",
    "TagInput",
    "Trigger",
    "TriggerInput",
    "TriggerPayload",
    "TriggerWorkflowInput",
    "preload_page",
    "resolve_run_connection",
]
