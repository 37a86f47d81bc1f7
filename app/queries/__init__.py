"""Read side: keyset pages of runs, workflows and run events; run stats; visibility."""

from app.queries.events import list_run_events
from app.queries.pages import Page
from app.queries.runs import (
    RunOrderSpec,
    RunWhereSpec,
    list_runs,
    run_condition,
    run_stats,
    search_q,
    tagged_q,
    visibility_q,
    visible_runs,
    where_q,
)
from app.queries.workflows import list_workflows, visible_workflows_q

__all__ = [
    "Page",
    "RunOrderSpec",
    "RunWhereSpec",
    "list_run_events",
    "list_runs",
    "list_workflows",
    "run_condition",
    "run_stats",
    "search_q",
    "tagged_q",
    "visibility_q",
    "visible_runs",
    "visible_workflows_q",
    "where_q",
]
