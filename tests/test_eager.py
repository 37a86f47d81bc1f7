"""start_eagerly: a coroutine runs in the caller up to its first wait, and only then becomes a task."""

from __future__ import annotations

import asyncio

import pytest

from app.eager import start_eagerly


async def test_a_coroutine_that_never_waits_finishes_in_the_caller_without_a_task():
    done: list[str] = []

    async def write() -> None:
        done.append("written")

    tasks_before = len(asyncio.all_tasks())
    assert start_eagerly(write()) is None
    assert done == ["written"]  # before anything was awaited here
    assert len(asyncio.all_tasks()) == tasks_before


async def test_a_coroutine_that_waits_runs_up_to_the_wait_then_finishes_in_a_task():
    gate = asyncio.Event()
    steps: list[str] = []

    async def write() -> None:
        steps.append("started")
        await gate.wait()
        steps.append("resumed")
        await asyncio.sleep(0)  # a bare yield, after the first wait
        steps.append("finished")

    task = start_eagerly(write())
    assert task is not None
    assert steps == ["started"]
    gate.set()
    await task
    assert steps == ["started", "resumed", "finished"]


async def test_what_a_coroutine_raises_before_waiting_is_raised_to_the_caller():
    async def write() -> None:
        raise ConnectionResetError("gone")

    with pytest.raises(ConnectionResetError, match="gone"):
        start_eagerly(write())


async def test_what_it_raises_after_waiting_is_the_tasks_outcome():
    gate = asyncio.Event()

    async def write() -> None:
        await gate.wait()
        raise ConnectionResetError("gone later")

    task = start_eagerly(write())
    assert task is not None
    gate.set()
    with pytest.raises(ConnectionResetError, match="gone later"):
        await task


async def test_cancelling_the_task_cancels_the_coroutine_where_it_waits():
    gate = asyncio.Event()
    seen: list[str] = []

    async def write() -> None:
        try:
            await gate.wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        finally:
            seen.append("cleaned up")

    task = start_eagerly(write())
    assert task is not None
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled", "cleaned up"]
    assert task.cancelled()
