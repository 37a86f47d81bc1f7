"""FLOWDECK_LIVE_TRACE: the stages of a live event are noted where they happen, and written per process."""

from __future__ import annotations

import asyncio
import json
import os

from app import live
from app.enums import RunEventType, RunStatus
from app.ids import to_global_id
from app.lifecycle import RunTransaction
from app.observability import live_trace
from tests.actions.factory import make_project, make_run, principal, put_run, task
from tests.pubsub.helpers import eventually


async def test_a_followed_event_is_noted_at_its_commit_its_hub_and_its_read(hub, tmp_path, monkeypatch):
    trace = live_trace.LiveTrace(tmp_path / "trace", sample=1, role="serve")
    monkeypatch.setattr(live_trace, "TRACE", trace)
    project = await make_project()
    run = await make_run(project, [task("a")])
    seen: list[int] = []

    async def follow() -> None:
        async for event in live.follow_run_events(principal(project), to_global_id("Run", run.id), 0):
            seen.append(event.seq)

    follower = asyncio.create_task(follow())
    await eventually(lambda: seen == [1])
    async with RunTransaction(run.id) as tx:
        tx.record(RunEventType.RUN_RESUMED, actor="test")
    await eventually(lambda: seen == [1, 2])
    stages = trace.events[f"{run.id}:2"]
    assert set(stages) == {"committed", "hub", "asked", "read"}
    assert stages["committed"] <= stages["hub"] <= stages["read"] and stages["asked"] <= stages["read"]
    await put_run(run, RunStatus.TERMINATED)
    await asyncio.wait_for(follower, 10)
    assert trace._watching is not None  # the event loop's stalls are watched from the first note on
    trace._watching.cancel()
    trace.write()
    written = json.loads((tmp_path / f"trace.serve-{os.getpid()}.json").read_text())
    assert written["role"] == "serve" and written["events"][f"{run.id}:2"] == stages


def test_every_nth_seq_is_noted_and_the_environment_turns_it_on(tmp_path, monkeypatch):
    trace = live_trace.LiveTrace(tmp_path / "trace", sample=3, role="engine")
    for seq in range(1, 8):
        trace.note("run", seq, "committed", when=float(seq))
    assert trace.events == {"run:3": {"committed": 3.0}, "run:6": {"committed": 6.0}}
    monkeypatch.setattr(live_trace, "TRACE", None)
    monkeypatch.delenv(live_trace.TRACE_ENV, raising=False)
    live_trace.install_from_environment("serve")
    assert live_trace.TRACE is None  # off unless asked for
