"""What compiled plans call at run time: leaf coercion off the fast path, lists, and awaiting.

Every function here either returns exactly what graphql-core's executor would produce for a
value, or raises. The compiled path never builds an error itself: whatever raises sends the
whole operation back to graphql-core, which then produces its own errors and null propagation.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import GraphQLEnumType, GraphQLLeafType, Undefined
from graphql.pyutils import gather_with_cancel, is_iterable
from graphql.pyutils import is_awaitable as isawaitable


class Divergence(Exception):
    """The value is one the compiled path does not complete itself (null where the schema
    forbids it, a value of the wrong type, an error): graphql-core executes the operation."""


def leaf(return_type: GraphQLLeafType, nullable: bool) -> Callable[[Any], Any]:
    """`complete_leaf_value` of graphql-core, for values the plan's inline test did not take."""
    coerce = return_type.coerce_output_value

    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            if nullable:
                return None
            raise Divergence("null for a non-null field")
        if isinstance(value, Exception) or isawaitable(value):
            raise Divergence("an error or an awaitable where a leaf value was expected")
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise Divergence("a leaf value that serializes to null")
        return coerced

    return complete


def enum_names(enum_type: GraphQLEnumType) -> tuple[type | None, dict[Any, str]]:
    """The Python enum behind a Strawberry enum type and each member's GraphQL name, as
    Strawberry's own `coerce_output_value` finds it (the first name with an equal value)."""
    wrapped = getattr(enum_type, "wrapped_cls", None)
    if wrapped is None:
        return None, {}
    names: dict[Any, str] = {}
    for member in wrapped:
        for name, value in enum_type.values.items():
            if member.value == value.value:
                names[member] = name
                break
    return wrapped, names


def as_list(value: Any) -> list[Any]:
    """A list field's value as a list, when graphql-core would iterate it synchronously."""
    if isinstance(value, Exception) or hasattr(value, "__aiter__") or not is_iterable(value):
        raise Divergence("a list field whose value is not a synchronous iterable")
    return list(value)


class Deferred:
    """Completion work left to await. Awaited once; or, when the operation goes back to
    graphql-core, closed without running, along with every awaitable it holds (so no
    resolver coroutine is left behind un-awaited)."""

    __slots__ = ("_held", "_start")

    def __init__(self, start: Callable[[], Awaitable[Any]], held: list[Any]) -> None:
        self._start = start
        self._held = held

    def __await__(self) -> Any:
        return self._start().__await__()

    def close(self) -> None:
        discard(self._held)


def discard(values: list[Any]) -> None:
    """Close the awaitables among `values` without running them."""
    for value in values:
        close = getattr(value, "close", None)
        if close is not None and isawaitable(value):
            close()


def then(awaitable: Awaitable[Any], complete: Callable[[Any, Any], Any], path: Any) -> Deferred:
    """A resolver's awaitable value, completed once it is there."""

    async def start() -> Any:
        completed = complete(await awaitable, path)
        if isawaitable(completed):
            return await completed
        return completed

    return Deferred(start, [awaitable])


def settle(result: dict[str, Any], keys: list[str], awaitables: list[Any]) -> Deferred:
    """`result` once its awaitable fields are filled, awaited concurrently as graphql-core does
    (so that DataLoaders batch the loads of sibling fields and list items alike)."""

    async def start() -> dict[str, Any]:
        if len(awaitables) == 1:
            result[keys[0]] = await awaitables[0]
        else:
            for key, value in zip(keys, await gather_with_cancel(*awaitables), strict=True):
                result[key] = value
        return result

    return Deferred(start, awaitables)


def settle_list(items: list[Any]) -> list[Any] | Deferred:
    """`items` when no item is awaitable, else a Deferred of the list with every item awaited."""
    pending = [index for index, item in enumerate(items) if isawaitable(item)]
    if not pending:
        return items

    async def start() -> list[Any]:
        if len(pending) == 1:
            items[pending[0]] = await items[pending[0]]
        else:
            for index, value in zip(pending, await gather_with_cancel(*(items[i] for i in pending)), strict=True):
                items[index] = value
        return items

    return Deferred(start, [items[index] for index in pending])


__all__ = ["Deferred", "Divergence", "as_list", "discard", "enum_names", "leaf", "settle", "settle_list", "then"]
