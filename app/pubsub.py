"""Topic names and message shapes for the broadcast channel. The only place they are built.

Messages are small JSON strings; a subscriber re-reads state from the database, so a
lost message costs latency, never correctness.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from broadcaster import Broadcast

log = logging.getLogger("flowdeck.pubsub")

RUNS_TOPIC = "flowdeck.runs"
EXPORTS_TOPIC = "flowdeck.exports"
KEYS_TOPIC = "flowdeck.keys"


def run_topic(run_id: str) -> str:
    return f"flowdeck.run.{run_id}"


def run_updates_topic(run_id: str) -> str:
    """Progress messages (RunUpdate) of one run; kept apart from its events."""
    return f"flowdeck.run-updates.{run_id}"


_broadcast: Broadcast | None = None
# In-process listeners (the engine's wake-up) called after every commit, before the broadcast.
_local_listeners: list[Callable[[str, dict[str, Any]], None]] = []


def set_broadcast(broadcast: Broadcast | None) -> None:
    global _broadcast
    _broadcast = broadcast


def get_broadcast() -> Broadcast | None:
    return _broadcast


def add_local_listener(listener: Callable[[str, dict[str, Any]], None]) -> None:
    _local_listeners.append(listener)


def remove_local_listener(listener: Callable[[str, dict[str, Any]], None]) -> None:
    if listener in _local_listeners:
        _local_listeners.remove(listener)


async def publish(topic: str, message: dict[str, Any]) -> None:
    """Send a small JSON message; never raises (a lost message only costs latency)."""
    for listener in list(_local_listeners):
        try:
            listener(topic, message)
        except Exception:  # a listener's bug must not undo a committed change
            log.exception("local listener failed for %s", topic)
    if _broadcast is None:
        return
    try:
        await _broadcast.publish(channel=topic, message=json.dumps(message, separators=(",", ":")))
    except Exception:
        log.warning("publish to %s failed; subscribers will catch up from the database", topic)
