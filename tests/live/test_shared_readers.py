"""The process's shared readers behind runUpdates, bulkJob and exportJob, without GraphQL, on a real hub:
one read per change for every follower, each follower still getting exactly its own items."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from app import live, pubsub
from app.actions.bulk_jobs import publish_bulk_job
from app.actions.updates import post_run_update
from app.enums import BulkJobStatus, ExportStatus, RunStatus
from app.exporter.runner import publish_change
from app.ids import to_global_id
from app.lifecycle import utcnow
from models import BulkJob, ExportJob, RunUpdate
from tests.actions.factory import make_bulk_job, make_project, make_run, principal, put_run, task
from tests.pubsub.helpers import eventually


async def _updates(who, run_id: str, since) -> list[int]:
    return [update.seq async for update in live.follow_run_updates(who, run_id, since)]


async def test_update_followers_share_one_reader_and_each_gets_the_updates_after_its_since(hub, feed_reads):
    project = await make_project()
    run = await make_run(project, [task("a")])
    who = principal(project)
    run_id = to_global_id("Run", run.id)
    posted = [await post_run_update(who, run_id, "UPDATE", f"m{n}") for n in range(4)]
    # the oldest updates were pruned (retention): the feed reads on from the last seq it holds
    await RunUpdate.filter(run_id=run.id, seq=1).delete()
    followers = [asyncio.create_task(_updates(who, run_id, since)) for since in (None, posted[2].at, utcnow())]
    await eventually(lambda: sum(feed.users for feed in live._run_feeds.values()) == 3)
    assert list(live._run_feeds) == [(RunUpdate, run.id)]
    for n in range(4, 6):
        await post_run_update(who, run_id, "UPDATE", f"m{n}")
    await put_run(run, RunStatus.TERMINATED)  # the end of the updates too
    results = await asyncio.wait_for(asyncio.gather(*followers), 10)
    assert results == [[2, 3, 4, 5, 6], [4, 5, 6], [5, 6]]
    # one initial read, one per post, one for the end (some may merge): not one per follower
    assert feed_reads.value <= 4, f"{feed_reads.value} reads for 3 followers: the reader is not shared"
    assert live._run_feeds == {}


async def test_update_reads_of_several_runs_asked_together_are_one_statement(db):
    project = await make_project()
    who = principal(project)
    runs = [await make_run(project, [task("a")]) for _ in range(3)]
    for count, run in zip((0, 1, 3), runs, strict=True):
        for n in range(count):
            await post_run_update(who, to_global_id("Run", run.id), "UPDATE", f"m{n}")
    before = live.run_news_stats()
    reader = live._run_news[RunUpdate]
    answers = await asyncio.gather(*(reader.read(run.id, after) for run, after in zip(runs, (0, 0, 1), strict=True)))
    after = live.run_news_stats()
    assert after["update_statements"] - before["update_statements"] == 1
    assert after["update_reads"] - before["update_reads"] == 3
    assert after["statements"] == before["statements"]  # the events' reader is another one
    assert [[update.seq for update in updates] for _status, updates, _complete in answers] == [[], [1], [2, 3]]
    assert [status for status, _updates, _complete in answers] == [RunStatus.PENDING] * 3


async def _progress(job: BulkJob, status: BulkJobStatus, processed: int) -> None:
    job.status, job.processed = status, processed
    job.frozen_at = job.frozen_at or utcnow()  # its target frozen: shown RUNNING (JOBS.md)
    await job.save()
    await publish_bulk_job(job)


async def test_bulk_job_followers_share_one_read_of_the_jobs_a_change_names(hub, monkeypatch):
    project = await make_project()
    who = principal(project)
    first, second = await make_bulk_job(project), await make_bulk_job(project)
    read: list[set[uuid.UUID]] = []
    original = live._JobReader._read

    async def recorded(self, job_ids):
        if job_ids:
            read.append(set(job_ids))
        await original(self, job_ids)

    monkeypatch.setattr(live._JobReader, "_read", recorded)
    seen: dict[str, list[tuple[str, int]]] = {"a1": [], "a2": [], "b": [], "late": []}

    async def follow(name: str, job: BulkJob) -> None:
        async for item in live.follow_bulk_job(who, to_global_id("BulkJob", job.id)):
            seen[name].append((item.status.value, item.processed))

    followed = (("a1", first), ("a2", first), ("b", second))
    tasks = {name: asyncio.create_task(follow(name, job)) for name, job in followed}
    await eventually(lambda: all(seen[name] == [("PENDING", 0)] for name in ("a1", "a2", "b")))
    assert live.job_reader_stats()["followers"] == 3
    read.clear()
    await _progress(first, BulkJobStatus.RUNNING, 2)
    await eventually(lambda: seen["a1"][-1:] == seen["a2"][-1:] == [("RUNNING", 2)])
    assert read == [{first.id}]  # one statement for both followers, of the job named only
    tasks["late"] = asyncio.create_task(follow("late", first))
    await eventually(lambda: seen["late"] == [("RUNNING", 2)])  # a newcomer starts at the job as it is
    read.clear()
    await pubsub.publish(pubsub.BULK_JOBS_TOPIC, {"job": str(uuid.uuid4())})  # a job nobody here follows
    await _progress(second, BulkJobStatus.RUNNING, 1)
    await eventually(lambda: seen["b"][-1:] == [("RUNNING", 1)])
    assert read == [{second.id}]
    await _progress(first, BulkJobStatus.COMPLETED, 4)
    await asyncio.wait_for(asyncio.gather(tasks["a1"], tasks["a2"], tasks["late"]), 10)  # the end ends them
    assert seen["a1"] == seen["a2"] == [("PENDING", 0), ("RUNNING", 2), ("COMPLETED", 4)]
    assert seen["late"] == [("RUNNING", 2), ("COMPLETED", 4)]
    assert seen["b"] == [("PENDING", 0), ("RUNNING", 1)]
    tasks["b"].cancel()
    await asyncio.gather(tasks["b"], return_exceptions=True)
    assert live.job_reader_stats()["followers"] == 0
    assert live._job_readers == {}  # the last one out stopped the reader


async def test_export_job_followers_get_each_change_until_the_job_ends(hub):
    project = await make_project()
    job = await ExportJob.create(id=uuid.uuid4(), project=project, created_by="apikey:ops")
    seen: list[list[tuple[str, float]]] = [[], []]

    async def follow(into: list[tuple[str, float]]) -> None:
        async for item in live.follow_export_job(principal(project), to_global_id("ExportJob", job.id)):
            into.append((item.status.value, item.progress))

    tasks = [asyncio.create_task(follow(into)) for into in seen]
    await eventually(lambda: all(len(into) == 1 for into in seen))
    for count, (status, progress) in enumerate(((ExportStatus.RUNNING, 0.5), (ExportStatus.COMPLETED, 1.0)), 2):
        job.status, job.progress = status, progress
        await job.save()
        await publish_change(job)
        await eventually(lambda count=count: all(len(into) == count for into in seen))
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert seen[0] == seen[1] == [("PENDING", 0.0), ("RUNNING", 0.5), ("COMPLETED", 1.0)]


async def test_a_failed_job_read_makes_each_follower_re_read_its_job(hub, monkeypatch):
    project = await make_project()
    job = await make_bulk_job(project)
    original = live._JobReader._read
    failures: list[Any] = []

    async def failing_after_the_first(self, job_ids):
        if live.job_reader_stats()["reads"] >= 1 and not failures:
            failures.append(job_ids)
            raise ConnectionError("the database went away")
        await original(self, job_ids)

    monkeypatch.setattr(live._JobReader, "_read", failing_after_the_first)
    seen: list[tuple[str, int]] = []

    async def follow() -> None:
        async for item in live.follow_bulk_job(principal(project), to_global_id("BulkJob", job.id)):
            seen.append((item.status.value, item.processed))

    follower = asyncio.create_task(follow())
    await eventually(lambda: seen == [("PENDING", 0)])
    await _progress(job, BulkJobStatus.RUNNING, 3)
    # the shared read failed; the follower's own re-read (its RESYNC) still sends the change
    await eventually(lambda: seen == [("PENDING", 0), ("RUNNING", 3)])
    assert failures == [{job.id}]
    follower.cancel()
    await asyncio.gather(follower, return_exceptions=True)
