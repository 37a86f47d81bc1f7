"""GraphQL figures for /metrics: operations by type and outcome, their latency, errors by code."""

from __future__ import annotations

import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.observability import metrics

# a top-level error without extensions.code: the caller's own parse, validation or variable mistake,
# or an unexpected fault (masked as "Unexpected error.")
GRAPHQL_VALIDATION = "GRAPHQL_VALIDATION"
INTERNAL = "INTERNAL"


def count_subscription(*, ok: bool) -> None:
    """One subscription answered (counted when it ends)."""
    metrics.GRAPHQL_REQUESTS.labels(operation_type="subscription", outcome="ok" if ok else "error").inc()


def error_code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    return INTERNAL if error.original_error is not None and error.path else GRAPHQL_VALIDATION


class GraphQLMetrics(SchemaExtension):
    """Counts each operation once, when it is answered (a subscription: when it ends)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        if getattr(context.context, "serves_shared_feed", False):
            return  # a shared runEvents feed: the websocket handler counts each of its subscribers
        try:
            operation_type = context.operation_type.value
        except Exception:  # no document: it did not parse, or named no operation
            operation_type = "unknown"
        # Strawberry copies the result's errors to pre_execution_errors too: count them once
        result_errors = context.result.errors if context.result is not None else None
        errors = list(result_errors or context.pre_execution_errors or [])
        metrics.GRAPHQL_REQUESTS.labels(operation_type=operation_type, outcome="error" if errors else "ok").inc()
        if operation_type != "subscription":
            metrics.GRAPHQL_DURATION.labels(operation_type=operation_type).observe(time.perf_counter() - started)
        for error in errors:
            metrics.ERRORS.labels(code=error_code(error), where="top_level").inc()
