"""Exactly once across engine processes on PostgreSQL (JOBS.md "Schedules"): an engine killed in
the middle of a fire loses nothing and doubles nothing, and two engines running the same
every-minute schedule start one run per fire time, none missed. Time moves through a clock file
that the engine processes read (tests/schedules/engine_process.py)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.auth import Principal
from app.db import close_db, init_db, migrate_db
from app.enums import Role, ScheduleFireOutcome, ScheduleOverlap
from app.schedules import actions
from app.schedules import clock as schedule_clock
from app.settings import Settings
from models import Project, Run, ScheduleFire
from tests.engine.factory import make_workflow, step
from tests.schedules.conftest import eventually, utc
from tests.servers import PostgresServer, spawn

REPO = Path(__file__).resolve().parents[2]
SYSTEM = Principal(key_id=None, name="tests", role=Role.SUPERADMIN, project_id=None)


class EngineProcesses:
    def __init__(self, url: str, clock_file: Path, logs: Path) -> None:
        self.url, self.clock_file, self.logs = url, clock_file, logs
        self.started: list[subprocess.Popen[bytes]] = []

    def spawn(self, name: str, *, die_mid_fire: bool = False) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "tests.schedules.engine_process", self.url, str(self.clock_file), name]
        if die_mid_fire:
            command.append("die")
        log = (self.logs / f"{name}.log").open("wb")
        process = spawn(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def set_clock(self, text: str) -> None:
        # written whole then renamed, so a reader never sees half an instant
        partial = self.clock_file.with_suffix(".tmp")
        partial.write_text(utc(text).isoformat())
        partial.replace(self.clock_file)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def engines(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[EngineProcesses]:
    url = postgres_server.create_database(f"sched_once_{uuid.uuid4().hex[:8]}")
    processes = EngineProcesses(url, tmp_path / "clock", tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()


async def fires() -> list[ScheduleFire]:
    return list(await ScheduleFire.all().order_by("nominal_time"))


async def test_one_run_per_fire_time_across_engines_and_a_kill_mid_fire(
    engines: EngineProcesses, monkeypatch: pytest.MonkeyPatch
):
    settings = Settings(database_url=engines.url, engine_poll=0.05)
    await migrate_db(settings)
    await init_db(settings)
    try:
        project = await Project.create(id=uuid.uuid4(), key="fleet", name="Fleet")
        await make_workflow(project, "tick", [step("only")])
        monkeypatch.setattr(schedule_clock, "now", lambda: utc("2026-06-01T12:00:30"))
        await actions.create_schedule(
            SYSTEM,
            key="every-minute",
            project_key="fleet",
            workflow_key="tick",
            settings=actions.ScheduleSettings(cron="* * * * *", overlap=ScheduleOverlap.ALLOW_ALL),
        )
        engines.set_clock("2026-06-01T12:00:30")

        # an engine that dies inside its first fire's transaction: nothing of that fire is kept
        doomed = engines.spawn("doomed", die_mid_fire=True)
        engines.set_clock("2026-06-01T12:01:05")
        code = await asyncio.to_thread(doomed.wait, 60)
        assert code == -signal.SIGKILL, (engines.logs / "doomed.log").read_text()
        assert await fires() == []
        assert await Run.all().count() == 0

        # two engines: the 12:01 fire is still due and happens once; then one fire per minute
        engines.spawn("one")
        engines.spawn("two")

        async def fired_through(minute: int) -> bool:
            return len(await fires()) == minute

        await eventually(lambda: fired_through(1), timeout=60)
        for minute in range(2, 16):
            engines.set_clock(f"2026-06-01T12:{minute:02d}:02")
            await eventually(lambda minute=minute: fired_through(minute), timeout=30)

        recorded = await fires()
        expected = [utc(f"2026-06-01T12:{minute:02d}") for minute in range(1, 16)]
        assert [fire.nominal_time for fire in recorded] == expected
        assert {fire.outcome for fire in recorded} == {ScheduleFireOutcome.STARTED}
        runs = await Run.all().order_by("scheduled_at")
        assert [run.scheduled_at for run in runs] == expected  # one run per fire time, none missed
        assert sorted(str(fire.run_id) for fire in recorded) == sorted(str(run.id) for run in runs)
        assert {run.initiated_by for run in runs} == {"schedule:every-minute"}
        schedule = await actions.get_schedule(SYSTEM, "every-minute", "fleet")
        assert schedule is not None and schedule.missed_count == 0
        assert schedule.next_fire_at == utc("2026-06-01T12:16")
    finally:
        await close_db()
