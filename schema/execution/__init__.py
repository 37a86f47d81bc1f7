"""Compiled execution of queries and subscription events (issue 9): see `schema.execution.executor`."""

from __future__ import annotations

from schema.execution.executor import CompiledExecutionContext, ExecutionStats, stats

__all__ = ["CompiledExecutionContext", "ExecutionStats", "stats"]
