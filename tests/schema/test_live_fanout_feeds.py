"""Shared feeds of runUpdates, runChanged, exportJob and bulkJob, driven in-process through the
real graphql-transport-ws handler (see test_live_fanout.py for the harness and runEvents).

Expected payloads come from the contract: runUpdates replays the updates strictly after `since`
(all when null) oldest first, then live, and ends with the run; runChanged sends each visible,
matching run when it changes status (successive changes may be merged into one item); the job
subscriptions send the job as it is when subscribing, then each change, until it ends.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app import live
from app.actions.bulk_jobs import publish_bulk_job
from app.actions.updates import post_run_update
from app.enums import BulkJobStatus, ExportStatus, Role, RunStatus, Visibility
from app.exporter import publish_change
from app.ids import to_global_id
from app.lifecycle import utcnow
from models import ExportJob, Project
from schema.live_fanout import live_fanout_stats
from tests.actions.factory import make_bulk_job, make_run, put_run, task
from tests.schema.test_live_fanout import Connection, connect, key, settings_with_hub, wait_for

__all__ = ["settings_with_hub"]  # the fixture, shared with test_live_fanout.py

RUN_UPDATES = "subscription($id: ID!, $since: DateTime) { runUpdates(runId: $id, since: $since) { seq message } }"
RUN_CHANGED = "subscription($filter: String) { runChanged(filter: $filter) { id status } }"
EXPORT_JOB = "subscription($id: ID!) { exportJob(id: $id) { status progress } }"
BULK_JOB = "subscription($id: ID!) { bulkJob(id: $id) { status processed } }"


def items(connection: Connection, field: str) -> list[dict[str, Any]]:
    return [m["payload"]["data"][field] for m in connection.socket.messages if m["type"] == "next"]


def delta(before: dict[str, int], name: str) -> int:
    return live_fanout_stats()[name] - before[name]


async def project_run(**options: Any) -> Any:
    return await make_run(await Project.get(key="acme"), [task("a")], **options)


async def test_run_updates_share_one_execution_and_each_applies_its_own_since(settings_with_hub):
    secret = await key("acme", "watcher", Role.VIEWER)
    run = await project_run()
    run_id = to_global_id("Run", run.id)
    posted = [await post_run_update(None, run_id, "UPDATE", f"m{n}") for n in range(3)]
    before = live_fanout_stats()
    everything, after_first, after_last = [await connect(settings_with_hub, secret) for _ in range(3)]
    await everything.subscribe(RUN_UPDATES, id=run_id, since=None)
    await after_first.subscribe(RUN_UPDATES, id=run_id, since=posted[0].at.isoformat())
    await after_last.subscribe(RUN_UPDATES, id=run_id, since=posted[2].at.isoformat())
    await wait_for(lambda: len(items(everything, "runUpdates")) == 3 and len(items(after_first, "runUpdates")) == 2)
    assert delta(before, "feeds_started") == 1  # since is each subscriber's own: one feed
    await post_run_update(None, run_id, "UPDATE", "live")
    await wait_for(lambda: all(len(items(c, "runUpdates")) for c in (everything, after_first, after_last)))
    await put_run(run, RunStatus.TERMINATED)
    for connection in (everything, after_first, after_last):
        assert (await connection.ended())[-1] == {"id": "1", "type": "complete"}
    assert [(u["seq"], u["message"]) for u in items(everything, "runUpdates")] == [
        (1, "m0"),
        (2, "m1"),
        (3, "m2"),
        (4, "live"),
    ]
    assert [u["message"] for u in items(after_first, "runUpdates")] == ["m1", "m2", "live"]
    assert [u["message"] for u in items(after_last, "runUpdates")] == ["live"]
    assert delta(before, "executions") == 4  # one per update, not one per update per subscriber
    assert delta(before, "deliveries") == 4 + 3 + 1


async def _changed(connection: Connection) -> list[tuple[str, str]]:
    return [(item["id"], item["status"]) for item in items(connection, "runChanged")]


async def test_run_changed_shares_per_visibility_and_reads_each_change_once(settings_with_hub):
    alice_key = await key("acme", "alice", Role.OPERATOR)
    bob_key = await key("acme", "bob", Role.OPERATOR)  # same project and role: another identity
    shared = await project_run()
    private = await project_run(visibility=Visibility.PRIVATE, initiated_by="apikey:alice")
    before, reads_before = live_fanout_stats(), live.run_change_stats()["reads"]
    alices = [await connect(settings_with_hub, alice_key) for _ in range(3)]
    bob = await connect(settings_with_hub, bob_key)
    for connection in [*alices, bob]:
        await connection.subscribe(RUN_CHANGED, filter='status eq "RUNNING"')
    # two executions (alice's, bob's), each one follower of the process's one run-change reader
    await wait_for(lambda: live.run_change_stats()["followers"] == 2)
    assert delta(before, "feeds_started") == 2
    await put_run(shared, RunStatus.RUNNING)
    await wait_for(lambda: all(len(items(c, "runChanged")) == 1 for c in [*alices, bob]))
    await put_run(private, RunStatus.RUNNING)
    await wait_for(lambda: all(len(items(c, "runChanged")) == 2 for c in alices))
    await put_run(shared, RunStatus.COMPLETED)  # no longer matches the filter: nobody is told
    await put_run(private, RunStatus.COMPLETED)
    shared_id, private_id = to_global_id("Run", shared.id), to_global_id("Run", private.id)
    await wait_for(lambda: live.run_change_stats()["reads"] - reads_before == 4)
    for connection in alices:
        assert await _changed(connection) == [(shared_id, "RUNNING"), (private_id, "RUNNING")]
    assert await _changed(bob) == [(shared_id, "RUNNING")]  # never alice's PRIVATE run
    # one read per change for the whole process, one execution per matching change per feed
    assert live.run_change_stats()["reads"] - reads_before == 4
    assert delta(before, "executions") == 2 + 1
    assert delta(before, "deliveries") == 3 * 2 + 1
    for connection in [*alices, bob]:
        await connection.handler.handle_message({"id": "1", "type": "complete"})
    await wait_for(lambda: live_fanout_stats()["feeds"] == before["feeds"])
    await wait_for(lambda: live.run_change_stats()["followers"] == 0)


async def test_a_slow_run_changed_subscriber_gets_the_latest_of_each_run_and_delays_nobody(settings_with_hub):
    secret = await key("acme", "watcher", Role.VIEWER)
    first, second = await project_run(), await project_run()
    stalled = await connect(settings_with_hub, secret, stalled=True)
    quick = await connect(settings_with_hub, secret)
    for connection in (stalled, quick):
        await connection.subscribe(RUN_CHANGED)
    await wait_for(lambda: live.run_change_stats()["followers"] == 1)
    steps = [(first, RunStatus.RUNNING), (first, RunStatus.COMPLETED), (second, RunStatus.RUNNING)]
    steps.append((second, RunStatus.TERMINATED))
    for count, (run, status) in enumerate(steps, start=1):
        await put_run(run, status)
        await wait_for(lambda count=count: len(items(quick, "runChanged")) == count)
    one, two = to_global_id("Run", first.id), to_global_id("Run", second.id)
    assert await _changed(quick) == [(one, "RUNNING"), (one, "COMPLETED"), (two, "RUNNING"), (two, "TERMINATED")]
    assert stalled.socket.writes_started == 1 and stalled.socket.messages == []  # its first write hangs
    stalled.socket.flowing.set()
    await wait_for(lambda: len(items(stalled, "runChanged")) == 3)
    # the write it was in, then the latest state of each run that changed meanwhile
    assert await _changed(stalled) == [(one, "RUNNING"), (one, "COMPLETED"), (two, "TERMINATED")]
    for connection in (stalled, quick):
        await connection.close()


async def test_a_run_changed_feed_keeps_only_what_a_subscriber_is_still_due(settings_with_hub):
    secret = await key("acme", "watcher", Role.VIEWER)
    runs = [await project_run() for _ in range(40)]
    stalled = await connect(settings_with_hub, secret, stalled=True)
    quick = await connect(settings_with_hub, secret)
    for connection in (stalled, quick):
        await connection.subscribe(RUN_CHANGED)
    await wait_for(lambda: live.run_change_stats()["followers"] == 1)
    for run in runs:
        await put_run(run, RunStatus.RUNNING)
    await wait_for(lambda: len(items(quick, "runChanged")) == 40)
    assert live_fanout_stats()["kept"] == 39  # what the stalled one is due after the write it is in
    stalled.socket.flowing.set()
    await wait_for(lambda: len(items(stalled, "runChanged")) == 40)
    assert await _changed(stalled) == await _changed(quick)
    await put_run(runs[0], RunStatus.COMPLETED)  # both are current: what they were sent is dropped
    await wait_for(lambda: len(items(stalled, "runChanged")) == 41 and len(items(quick, "runChanged")) == 41)
    assert live_fanout_stats()["kept"] <= 1
    for connection in (stalled, quick):
        await connection.close()


async def _export_job(project: Project) -> tuple[Any, Any]:
    job = await ExportJob.create(id=uuid.uuid4(), project=project, created_by="apikey:ops")

    async def change(status: str, done: float) -> None:
        job.status, job.progress = ExportStatus(status), done
        await job.save()
        await publish_change(job)

    return to_global_id("ExportJob", job.id), change


async def _bulk_job(project: Project) -> tuple[Any, Any]:
    job = await make_bulk_job(project)

    async def change(status: str, done: float) -> None:
        job.status, job.processed = BulkJobStatus(status), int(done * 4)
        job.frozen_at = job.frozen_at or utcnow()  # its target frozen: shown RUNNING (JOBS.md)
        await job.save()
        await publish_bulk_job(job)

    return to_global_id("BulkJob", job.id), change


@pytest.mark.parametrize(
    ("document", "field", "make", "shown"),
    [
        (EXPORT_JOB, "exportJob", _export_job, lambda item: (item["status"], item["progress"])),
        (BULK_JOB, "bulkJob", _bulk_job, lambda item: (item["status"], item["processed"] / 4)),
    ],
)
async def test_job_subscribers_share_and_a_late_one_starts_at_the_current_state(
    settings_with_hub, document, field, make, shown
):
    viewer = await key("acme", "viewer", Role.VIEWER)
    operator = await key("acme", "operator", Role.OPERATOR)
    job_id, change = await make(await Project.get(key="acme"))
    before = live_fanout_stats()
    early = [await connect(settings_with_hub, viewer) for _ in range(2)]
    other_role = await connect(settings_with_hub, operator)
    for connection in [*early, other_role]:
        await connection.subscribe(document, id=job_id)
    await wait_for(lambda: all(len(items(c, field)) == 1 for c in [*early, other_role]))
    assert delta(before, "feeds_started") == 2  # the viewers share; another role does not
    await change("RUNNING", 0.5)
    await wait_for(lambda: all(len(items(c, field)) == 2 for c in [*early, other_role]))
    late = await connect(settings_with_hub, viewer)
    await late.subscribe(document, id=job_id)
    await wait_for(lambda: len(items(late, field)) == 1)
    assert delta(before, "feeds_started") == 2  # it joined the viewers' feed
    await change("COMPLETED", 1.0)
    for connection in [*early, other_role, late]:
        assert (await connection.ended())[-1] == {"id": "1", "type": "complete"}
    for connection in [*early, other_role]:
        assert [shown(item) for item in items(connection, field)] == [
            ("PENDING", 0.0),
            ("RUNNING", 0.5),
            ("COMPLETED", 1.0),
        ]
    assert [shown(item) for item in items(late, field)] == [("RUNNING", 0.5), ("COMPLETED", 1.0)]
    assert delta(before, "executions") == 3 * 2  # three states, once per feed
