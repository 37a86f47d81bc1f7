"""Topic names and message shapes for the broadcast channel. The only place they are built.

Messages are small JSON strings; a subscriber re-reads state from the database, so a
lost message costs latency, never correctness.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.broadcast import RESYNC, Hub, Subscription
from app.settings import ConfigError

__all__ = [
    "BULK_JOBS_TOPIC",
    "EXPORTS_TOPIC",
    "KEYS_TOPIC",
    "RESYNC",
    "RUNS_TOPIC",
    "Hub",
    "Subscription",
    "add_local_listener",
    "get_broadcast",
    "get_hub",
    "publish",
    "remove_local_listener",
    "run_topic",
    "run_updates_topic",
    "set_broadcast",
    "start_hub",
    "stop_hub",
]

log = logging.getLogger("flowdeck.pubsub")

RUNS_TOPIC = "flowdeck.runs"
EXPORTS_TOPIC = "flowdeck.exports"
BULK_JOBS_TOPIC = "flowdeck.bulk-jobs"
KEYS_TOPIC = "flowdeck.keys"


def run_topic(run_id: str) -> str:
    """History events (RunEvent) of one run."""
    return f"flowdeck.run.{run_id}"


def run_updates_topic(run_id: str) -> str:
    """Progress messages (RunUpdate) of one run; kept apart from its events."""
    return f"flowdeck.run-updates.{run_id}"


_hub: Hub | None = None
# In-process listeners (the engine's wake-up) called after every commit, before the broadcast.
_local_listeners: list[Callable[[str, dict[str, Any]], None]] = []


async def start_hub(url: str, **options: Any) -> Hub:
    """Connect this process's hub to FLOWDECK_BROADCAST_URL and make it the one `publish()` and
    `get_hub()` use. `options` go to `Hub` (queue_limit, ping_interval, ...)."""
    hub = Hub(url, **options)
    try:
        await hub.start()
    except Exception as error:
        raise ConfigError("FLOWDECK_BROADCAST_URL", f"cannot reach the broadcast backend: {error}") from None
    set_broadcast(hub)
    return hub


async def stop_hub() -> None:
    """Stop the hub started by `start_hub` (its subscriptions end); publishing becomes local only."""
    global _hub
    hub, _hub = _hub, None
    if hub is not None:
        await hub.stop()


def set_broadcast(hub: Hub | None) -> None:
    """Make `hub` the process's hub; None: no hub, `publish()` only calls local listeners."""
    global _hub
    _hub = hub


def get_broadcast() -> Hub | None:
    """The process's hub, or None when none is running."""
    return _hub


def get_hub() -> Hub:
    """The process's hub; RuntimeError when none is running (start it in the lifespan)."""
    if _hub is None:
        raise RuntimeError("no broadcast hub is running: call pubsub.start_hub() first")
    return _hub


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
    hub = _hub
    if hub is None:
        return
    try:
        await hub.publish(topic, message)
    except Exception:  # Hub.publish does not raise; belt and braces for a committed change
        log.exception("publish to %s failed; subscribers will catch up from the database", topic)
