"""Start a coroutine now, in the caller, and make a task of it only if it has to wait.

A live feed writes each new frame to every subscriber from its own task. A websocket write
almost never waits (it waits only while the socket's send buffer is full), so running it
inline costs no task and no trip through the event loop; the rare write that does wait must
not hold up the others, so the rest of it goes on in a task of its own. Python 3.12's
`asyncio.eager_task_factory` does the same; this is that for 3.11.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Generator
from typing import Any


class _Rest:
    """Awaitable: the rest of a coroutine that already ran up to its first suspension."""

    __slots__ = ("_coroutine", "_yielded")

    def __init__(self, coroutine: Coroutine[Any, Any, None], yielded: Any) -> None:
        self._coroutine = coroutine
        self._yielded = yielded

    def __await__(self) -> Generator[Any, None, None]:
        coroutine, yielded = self._coroutine, self._yielded
        while True:
            try:
                yield yielded  # what the coroutine waits on, handed to the task that now runs it
            except BaseException as error:  # the task was cancelled: the coroutine hears of it
                try:
                    yielded = coroutine.throw(error)
                except StopIteration:
                    return
                continue
            try:
                yielded = coroutine.send(None)
            except StopIteration:
                return


async def _finish(rest: _Rest) -> None:
    await rest


def start_eagerly(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """Run `coroutine` up to its first suspension: None when it finished without one, else the
    task that finishes it. What it raises before suspending is raised here."""
    try:
        yielded = coroutine.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(_Rest(coroutine, yielded)))


__all__ = ["start_eagerly"]
