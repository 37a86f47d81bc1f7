"""Fixtures for the broadcast tests: a URL per backend, on the real servers, and hubs that stop."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from app.broadcast import Hub
from tests.servers import PostgresServer, RedisServer

BACKENDS = ["memory", "redis", "postgres"]


@pytest.fixture(params=BACKENDS)
def broadcast_url(request: pytest.FixtureRequest) -> str:
    """A broadcast URL on each backend: memory://, a real redis-server, a real PostgreSQL."""
    if request.param == "memory":
        return f"memory://{uuid.uuid4().hex}"  # a bus of its own: nothing leaks between tests
    if request.param == "redis":
        redis: RedisServer = request.getfixturevalue("redis_server")
        return redis.url
    postgres: PostgresServer = request.getfixturevalue("postgres_server")
    return postgres.url("postgres")


MakeHub = Callable[..., Awaitable[Hub]]


@pytest.fixture
async def make_hub() -> AsyncIterator[MakeHub]:
    """`await make_hub(url, **options)`: a started Hub, stopped after the test."""
    hubs: list[Hub] = []

    async def make(url: str, **options: Any) -> Hub:
        options.setdefault("ping_interval", 0.2)
        options.setdefault("reconnect_max", 0.5)
        hub = Hub(url, **options)
        await hub.start()
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        await hub.stop()
