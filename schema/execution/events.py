"""The executor every operation runs on: graphql-core's (Strawberry's subclass), with a
subscription's per-event memo kept per event, and no reference cycle through its helpers.

graphql-core 3.3 memoizes `collect_subfields` on the identity of a field group, in a dict that
the executor shares with the copies it makes, and it keeps each field group alive beside its
entry. A subscription runs each event on such a copy (`build_per_event_executor`), and each
event collects the root fields afresh, so every event added one entry that was never read
again: a `runChanged` subscriber open for hours held one CollectedFields (with its
FieldDetails, lists and defaultdict) per item it was sent (bench/soak.py --memory-probe
counted +16,500 CollectedFields per API process in a 3-minute soak, which grew each by
about 9 MiB a minute). Here each event gets a memo of its own, dropped with it: the memo
still serves the lists of that event, which is what it is for.

graphql-core 3.3's executor also keeps `async_helpers` (handed to every resolve info): its own
bound methods `gather_async_work` and `track_async_work`, i.e. a reference cycle through the
executor. The executor holds the request's context, so its DataLoaders and every row they
loaded stayed alive after the response until the garbage collector found the cycle: ~1,300
objects per page of runs (250 step rows, their UUIDs and lists), and a young generation full
of them made each collection cost ~140 ms at a threshold of 50,000 (app/collector.py). Here
the helpers reach the executor through a weak reference, so an execution is freed by
reference counting when it ends. While any of its work runs the executor is alive (its own
frames hold it); a helper called after it was freed does what the method would without it.
"""

from __future__ import annotations

import asyncio
import inspect
import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql.pyutils import gather_with_cancel
from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class PerEventMemoExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with a subfield memo per subscription event and helpers
    that do not keep it alive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = weak_helpers(self)

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


def weak_helpers(executor: Any) -> GraphQLResolveInfoHelpers:
    """The executor's `async_helpers`, calling its methods through a weak reference."""
    ref = weakref.ref(executor)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        alive = ref()
        return alive.gather_async_work(values) if alive is not None else gather_with_cancel(*values)

    def track(values: Sequence[Any]) -> None:
        alive = ref()
        if alive is not None:
            alive.track_async_work(values)
        else:
            _settle_orphans(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


def _settle_orphans(values: Sequence[Any]) -> None:
    """Await the awaitables among `values` in the background, their errors observed."""
    awaitables = [value for value in values if inspect.isawaitable(value)]
    if awaitables:
        future = asyncio.gather(*awaitables, return_exceptions=True)
        _orphans.add(future)
        future.add_done_callback(_orphans.discard)


_orphans: set[Awaitable[Any]] = set()


__all__ = ["PerEventMemoExecutionContext", "weak_helpers"]
