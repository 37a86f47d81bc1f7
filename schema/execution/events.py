"""The executor every operation runs on: graphql-core's (Strawberry's subclass), with a
subscription's per-event memo kept per event.

graphql-core 3.3 memoizes `collect_subfields` on the identity of a field group, in a dict that
the executor shares with the copies it makes, and it keeps each field group alive beside its
entry. A subscription runs each event on such a copy (`build_per_event_executor`), and each
event collects the root fields afresh, so every event added one entry that was never read
again: a `runChanged` subscriber open for hours held one CollectedFields (with its
FieldDetails, lists and defaultdict) per item it was sent (bench/soak.py --memory-probe
counted +16,500 CollectedFields per API process in a 3-minute soak, which grew each by
about 9 MiB a minute). Here each event gets a memo of its own, dropped with it: the memo
still serves the lists of that event, which is what it is for.
"""

from __future__ import annotations

from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class PerEventMemoExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with a subfield memo per subscription event."""

    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor


__all__ = ["PerEventMemoExecutionContext"]
