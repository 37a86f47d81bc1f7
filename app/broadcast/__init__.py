"""The broadcast layer: a per-process hub over memory://, redis:// or postgres:// (see hub.py)."""

from __future__ import annotations

from app.broadcast.backends import Backend, BackendLost, MemoryBackend, PostgresBackend, RedisBackend, make_backend
from app.broadcast.hub import FLEET_RESYNC_TOPIC, MAX_PAYLOAD, RESYNC, Hub, Subscription

__all__ = [
    "FLEET_RESYNC_TOPIC",
    "MAX_PAYLOAD",
    "RESYNC",
    "Backend",
    "BackendLost",
    "Hub",
    "MemoryBackend",
    "PostgresBackend",
    "RedisBackend",
    "Subscription",
    "make_backend",
]
