"""The process's one reader of run changes behind runChanged, without GraphQL, on a real hub."""

from __future__ import annotations

import asyncio

from app import live
from app.enums import RunStatus, Visibility
from models import Run
from tests.actions.factory import make_project, make_run, principal, put_run, task
from tests.pubsub.helpers import eventually


async def test_followers_share_one_read_per_change_and_each_applies_its_own_condition(hub):
    project = await make_project()
    alice, bob = principal(project, name="alice"), principal(project, name="bob")
    shared = await make_run(project, [task("a")])
    private = await make_run(project, [task("a")], visibility=Visibility.PRIVATE, initiated_by=alice.actor)
    reads_before = live.run_change_stats()["reads"]
    seen: dict[str, list[tuple[object, RunStatus]]] = {"alice": [], "bob": [], "failed": []}

    async def follow(name: str, who, filter: str | None) -> None:
        async for run in live.follow_run_changes(who, project=None, filter=filter, where=None):
            seen[name].append((run.id, run.status))

    tasks = [
        asyncio.create_task(follow("alice", alice, None)),
        asyncio.create_task(follow("bob", bob, None)),
        asyncio.create_task(follow("failed", alice, 'status eq "FAILED"')),
    ]
    await eventually(lambda: live.run_change_stats()["followers"] == 3)
    await put_run(shared, RunStatus.RUNNING)
    await put_run(private, RunStatus.FAILED)
    await eventually(lambda: len(seen["alice"]) == 2 and len(seen["bob"]) == 1 and len(seen["failed"]) == 1)
    assert seen["alice"] == [(shared.id, RunStatus.RUNNING), (private.id, RunStatus.FAILED)]
    assert seen["bob"] == [(shared.id, RunStatus.RUNNING)]  # never alice's PRIVATE run
    assert seen["failed"] == [(private.id, RunStatus.FAILED)]
    assert live.run_change_stats()["reads"] - reads_before == 2  # one per change, not one per follower
    for follower in tasks:
        follower.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await eventually(lambda: live.run_change_stats()["followers"] == 0)


async def test_a_failed_read_makes_every_follower_re_read_for_itself(hub, monkeypatch):
    project = await make_project()
    run = await make_run(project, [task("a")])
    original = live._RunChangeReader._read
    failures = []

    async def failing_once(self, messages):
        if not failures:
            failures.append(messages)
            raise ConnectionError("the database went away")
        await original(self, messages)

    monkeypatch.setattr(live._RunChangeReader, "_read", failing_once)
    seen: list[RunStatus] = []

    async def follow() -> None:
        async for changed in live.follow_run_changes(principal(project), project=None, filter=None, where=None):
            seen.append(changed.status)

    follower = asyncio.create_task(follow())
    await eventually(lambda: live.run_change_stats()["followers"] == 1)
    await put_run(run, RunStatus.RUNNING)
    # the shared read failed; the follower's own re-read (RESYNC) still sends the change
    await eventually(lambda: seen == [RunStatus.RUNNING])
    assert failures and (await Run.get(id=run.id)).status is RunStatus.RUNNING
    follower.cancel()
    await asyncio.gather(follower, return_exceptions=True)
