"""Read side: keyset pages of runs, workflows and run events; run stats; visibility; the
batched and by-id reads behind the GraphQL layer (which builds no ORM query itself)."""

from app.queries.batches import rows_by_id, rows_grouped
from app.queries.events import list_run_events, list_run_updates
from app.queries.nodes import NodeModel, find_visible_node
from app.queries.pages import Page
from app.queries.rows import Row, RowReader, converter
from app.queries.runs import (
    RunOrderSpec,
    RunTest,
    RunWhereSpec,
    conversations_q,
    list_runs,
    run_condition,
    run_stats,
    search_q,
    tagged_q,
    visibility_q,
    visible_runs,
    where_matches,
    where_q,
    workflow_runs_q,
)
from app.queries.workflows import list_workflows, page_by_key, visible_workflows_q

__all__ = [
    "NodeModel",
    "Page",
    "Row",
    "RowReader",
    "RunOrderSpec",
    "RunTest",
    "RunWhereSpec",
    "conversations_q",
    "converter",
    "find_visible_node",
    "list_run_events",
    "list_run_updates",
    "list_runs",
    "list_workflows",
    "page_by_key",
    "rows_by_id",
    "rows_grouped",
    "run_condition",
    "run_stats",
    "search_q",
    "tagged_q",
    "visibility_q",
    "visible_runs",
    "visible_workflows_q",
    "where_matches",
    "where_q",
    "workflow_runs_q",
]
