"""Helpers for the broadcast tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from app.broadcast import Subscription

WAIT = 10.0  # an upper bound on waiting for something that must happen, never a speed claim


async def receive(subscription: Subscription, timeout: float = WAIT) -> Any:
    """The next item of a subscription (a dict or RESYNC); fails the test if none comes."""
    return await asyncio.wait_for(anext(subscription), timeout)


async def eventually(predicate: Callable[[], bool], timeout: float = WAIT) -> None:
    """Wait until `predicate()` holds; fails the test if it never does."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still false after {timeout}s: {predicate}")
        await asyncio.sleep(0.02)


async def receive_until(subscription: Subscription, wanted: Any, timeout: float = WAIT) -> list[Any]:
    """Everything received up to and including `wanted` (RESYNC or a dict)."""
    seen: list[Any] = []
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        item = await asyncio.wait_for(anext(subscription), max(0.01, deadline - asyncio.get_running_loop().time()))
        seen.append(item)
        if item is wanted or item == wanted:
            return seen
