"""Kill a real `flowdeck serve` process with SIGKILL mid-flight, start another: every run still
ends well, no step ran twice at the same time, and no seq has a gap."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from app.enums import RunStatus
from app.settings import Settings
from models import Run, RunEvent, StepRun
from tests.engine.factory import make_workflow, start, step
from tests.servers import free_port, spawn

ROOT = Path(__file__).resolve().parents[2]
RUNS = 20
STEPS = 4


def _spawn_server(database_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    """`flowdeck serve` (API and engine in one process) with the crash handler and a 1 s lease."""
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("FLOWDECK_")},
        "FLOWDECK_DATABASE_URL": database_url,
        "FLOWDECK_HANDLERS": "tests.engine.crash_handlers",
        "FLOWDECK_ENGINE_LEASE": "1",
        "FLOWDECK_ENGINE_POLL": "0.05",
        "FLOWDECK_CRASH_LOG": str(log_path),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "app", "serve", "--port", str(free_port())]
    return spawn(command, cwd=log_path.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _log_entries(log_path: Path) -> list[dict]:
    if not log_path.exists():
        return []
    return [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]


async def test_a_killed_server_leaves_no_run_behind(project, db: Settings, tmp_path: Path):
    steps = [step(f"s{i}", handler="crash.work", depends_on=[f"s{i - 1}"] if i else []) for i in range(STEPS)]
    workflow, version = await make_workflow(project, "crashy", steps, max_parallel_steps=2)
    runs = [await start(project, workflow, version) for _ in range(RUNS)]
    log_path = tmp_path / "attempts.jsonl"

    first = _spawn_server(db.database_url, log_path)
    try:
        # kill it once it is well into the work, with steps in flight
        deadline = time.monotonic() + 30
        while sum(e["event"] == "end" for e in _log_entries(log_path)) < RUNS and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed_at = time.time()
    assert await Run.filter(status=RunStatus.COMPLETED.value).count() < RUNS  # runs were in flight

    second = _spawn_server(db.database_url, log_path)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if await Run.filter(status=RunStatus.COMPLETED.value).count() == RUNS:
                break
            await asyncio.sleep(0.1)
    finally:
        second.terminate()
        second.wait(timeout=10)

    statuses = await Run.filter(id__in=[r.id for r in runs]).values_list("status", flat=True)
    assert all(status == RunStatus.COMPLETED for status in statuses), statuses
    for run in runs:
        seqs = await RunEvent.filter(run_id=run.id).order_by("seq").values_list("seq", flat=True)
        assert list(seqs) == list(range(1, len(seqs) + 1))
    assert await StepRun.filter(status__not="COMPLETED").count() == 0

    # No step ever had two attempts running at once; an attempt of the killed process ended with it.
    entries = _log_entries(log_path)
    timeline: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    open_attempts: dict[tuple[str, str, int], int] = {}
    for entry in entries:
        key = (entry["run"], entry["ref"])
        if entry["event"] == "start":
            timeline[key].append((entry["t"], 1))
            open_attempts[(*key, entry["attempt"])] = entry["pid"]
        else:
            timeline[key].append((entry["t"], -1))
            open_attempts.pop((*key, entry["attempt"]), None)
    for (run_id, ref, _attempt), pid in open_attempts.items():
        assert pid == first.pid, "only the killed engine may leave an attempt unfinished"
        timeline[(run_id, ref)].append((killed_at, -1))
    reran = 0
    for key, moments in timeline.items():
        running = 0
        for _t, delta in sorted(moments):
            running += delta
            assert running <= 1, f"{key} ran twice at the same time"
        reran += sum(1 for _t, delta in moments if delta == 1) > 1
    assert reran >= 1  # at least one step was cut short and run again
    assert len(timeline) == RUNS * STEPS
