"""The executor Strawberry runs (`Schema(execution_context_class=...)`): compiled plans for
queries and for each event of a subscription, graphql-core for everything else and for every
execution a plan cannot complete.

graphql-core still parses, validates and coerces the variables of every request (that
happens before the executor's root fields). Only the execution of a query's root fields is
replaced: by a plan compiled once per (document, operation, @skip/@include values) and kept
in a bounded LRU per schema. When a plan raises (a resolver's error, a null in a non-null
position, a value a leaf type rejects), the operation is executed again by graphql-core
from the start, so the errors, their paths and the null propagation are graphql-core's own.
A query's resolvers only read (STYLE.md: no writes in `schema/`), so that second execution
changes nothing; mutations never take the compiled path.

A subscription event is executed as a query whose root value is the event: graphql-core calls
`execute_root_grouped_field_set` on a per-event copy of the executor, whose root field's
resolver is Strawberry's identity over the event. The plan (compiled once per operation, as a
query's) completes the event's selection directly; an event it cannot complete (a null in a
non-null position, an exception as the event, a resolver's error) is executed again by
graphql-core on that event, as above.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Iterator
from typing import Any

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableNode,
)
from graphql.execution.collect_fields import GroupedFieldSet
from graphql.execution.values import get_argument_values
from graphql.pyutils import is_awaitable

from schema.execution.compiler import ArgumentSite, Compiler, Plan, Unsupported
from schema.execution.events import PerEventMemoExecutionContext

log = logging.getLogger("flowdeck.graphql.compiled")

PLAN_CACHE_SIZE = 256
# plans kept per operation, one per combination of its @skip/@include values (oldest dropped)
PLANS_PER_OPERATION = 16


@dataclasses.dataclass
class ExecutionStats:
    """How queries were executed since the process started (tests and benchmarks read these)."""

    compiled: int = 0  # served by a compiled plan
    fallbacks: int = 0  # a plan raised: graphql-core executed the operation again
    declined: int = 0  # not compilable (mutation, abstract type, ...): graphql-core only
    compilations: int = 0  # plans built (a cache miss that compiled)

    def snapshot(self) -> ExecutionStats:
        return dataclasses.replace(self)

    def since(self, before: ExecutionStats) -> ExecutionStats:
        """What was counted between the `before` snapshot and this one."""
        return ExecutionStats(
            **{
                field.name: getattr(self, field.name) - getattr(before, field.name)
                for field in dataclasses.fields(self)
            }
        )


stats = ExecutionStats()


@dataclasses.dataclass
class _OperationPlans:
    """The plans of one operation, by the values of the variables its @skip/@include read."""

    directive_variables: tuple[str, ...]
    by_values: dict[tuple[Any, ...], Plan | None] = dataclasses.field(default_factory=dict)


class PlanCache:
    """A bounded LRU of operations (by document text and operation name) for one schema."""

    def __init__(self, maxsize: int = PLAN_CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[Any, ...], _OperationPlans] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> _OperationPlans | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple[Any, ...], entry: _OperationPlans) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


_caches: weakref.WeakKeyDictionary[GraphQLSchema, PlanCache] = weakref.WeakKeyDictionary()


def plan_cache(schema: GraphQLSchema) -> PlanCache:
    cache = _caches.get(schema)
    if cache is None:
        cache = _caches[schema] = PlanCache()
    return cache


class CompiledExecutionContext(PerEventMemoExecutionContext):
    """Strawberry's executor with compiled root execution for queries and subscription events."""

    def execute_root_grouped_field_set(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        position_context: Any,
    ) -> Any:
        plan = self._plan(root_type, grouped_field_set) if self._compilable(serially, position_context) else None
        if plan is None:
            stats.declined += 1
            return super().execute_root_grouped_field_set(
                root_type, root_value, grouped_field_set, serially, position_context
            )
        try:
            arguments = [self._arguments(site) for site in plan.argument_sites]
            data = plan.make(self, arguments)(root_value, None)
        except Exception as error:
            return self._fallback(error, root_type, root_value, grouped_field_set, serially, position_context)
        if is_awaitable(data):
            return self._await_plan(data, root_type, root_value, grouped_field_set, serially, position_context)
        stats.compiled += 1
        return data

    async def _await_plan(
        self,
        data: Awaitable[dict[str, Any]],
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        position_context: Any,
    ) -> Any:
        try:
            completed = await data
        except Exception as error:
            result = self._fallback(error, root_type, root_value, grouped_field_set, serially, position_context)
            return await result if is_awaitable(result) else result
        stats.compiled += 1
        return completed

    def _arguments(self, site: ArgumentSite) -> dict[str, Any]:
        """A field's arguments for this request: by GraphQL name for a resolver (Strawberry
        converts them), by parameter name for an inline resolver."""
        values = get_argument_values(
            site.field, site.field_details_list[0].node, self.variable_values, None, self.hide_suggestions
        )
        names = site.python_names
        return values if names is None else {names[name]: value for name, value in values.items()}

    def _fallback(
        self,
        error: Exception,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        position_context: Any,
    ) -> Any:
        stats.fallbacks += 1
        log.debug("compiled plan left the operation to graphql-core: %r", error)
        return super().execute_root_grouped_field_set(
            root_type, root_value, grouped_field_set, serially, position_context
        )

    def _compilable(self, serially: bool, position_context: Any) -> bool:
        """Queries and subscription events, without resolve middleware (a schema extension's `resolve`) or an abort
        signal, whose behaviour per field the compiled path would have to reproduce."""
        middleware = self.middleware_manager
        return (
            not serially
            and position_context is None
            and self.operation.operation in (OperationType.QUERY, OperationType.SUBSCRIPTION)
            and self.abort_signal is None
            and (middleware is None or not middleware.middlewares)
        )

    def _plan(self, root_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan | None:
        cache = plan_cache(self.schema)
        operation = self.operation
        source = operation.loc.source.body if operation.loc is not None else operation
        key = (source, operation.name.value if operation.name else None)
        entry = cache.get(key)
        if entry is None:
            entry = _OperationPlans(tuple(sorted(set(self._directive_variables()))))
            cache.put(key, entry)
        coerced = self.variable_values.coerced
        values = tuple(coerced.get(name, Undefined) for name in entry.directive_variables)
        if values in entry.by_values:
            return entry.by_values[values]
        plan: Plan | None
        try:
            plan = Compiler(
                self.schema, self.fragments, self.variable_values, operation, self.hide_suggestions
            ).compile(root_type, grouped_field_set)
            stats.compilations += 1
        except Unsupported as reason:
            log.debug("operation not compiled: %s", reason)
            plan = None
        except Exception:  # a defect of the compiler must cost speed, never an answer
            log.exception("the compiler failed; graphql-core executes this operation")
            plan = None
        if len(entry.by_values) >= PLANS_PER_OPERATION:
            del entry.by_values[next(iter(entry.by_values))]
        entry.by_values[values] = plan
        return plan

    def _directive_variables(self) -> Iterator[str]:
        """The variables that @skip/@include read anywhere in the operation or its fragments."""
        selection_sets: list[SelectionSetNode | None] = [self.operation.selection_set]
        selection_sets += [fragment.selection_set for fragment in self.fragment_definitions.values()]
        while selection_sets:
            selection_set = selection_sets.pop()
            for selection in selection_set.selections if selection_set else ():
                yield from _variables_in(selection.directives or ())
                if isinstance(selection, FieldNode | InlineFragmentNode):
                    selection_sets.append(selection.selection_set)
                elif not isinstance(selection, FragmentSpreadNode):  # pragma: no cover - the three kinds
                    raise TypeError(selection)


def _variables_in(directives: tuple[DirectiveNode, ...] | list[DirectiveNode]) -> Iterator[str]:
    for directive in directives:
        for argument in directive.arguments or ():
            if isinstance(argument.value, VariableNode):
                yield argument.value.name.value


__all__ = ["CompiledExecutionContext", "ExecutionStats", "PlanCache", "plan_cache", "stats"]
