"""Fixtures for the schedule tests: a clock the tests move, API clients, and GraphQL documents."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from app.schedules import clock as schedule_clock
from app.schedules.tick import fire_due_schedules
from tests.schema.conftest import Client, ProjectKeys, acme, globex, superadmin

__all__ = ["acme", "globex", "superadmin"]


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def iso(text: str) -> str:
    """How the API writes a UTC instant."""
    return utc(text).isoformat()


class FakeClock:
    """Replaces `app.schedules.clock.now`: the schedules' time moves only when a test says so."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def set(self, text: str) -> None:
        self.current = utc(text)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(utc("2026-06-01T11:58:30"))
    monkeypatch.setattr(schedule_clock, "now", fake)
    return fake


async def tick() -> None:
    """One firing tick, as each engine runs it."""
    await fire_due_schedules()


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 15.0) -> Any:
    """Poll `check` until it returns something truthy (the engine works in the background)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


ERRORS = "errors { code message field }"
RUN_FIELDS = "id status scheduledAt triggeredBy initiatedBy batchId trigger { scheduleId }"
FIRE_FIELDS = f"nominalTime actualTime outcome error run {{ {RUN_FIELDS} }}"
SCHEDULE_FIELDS = f"""id key cron timezone state note overlap catchupWindowSeconds pauseOnFailure
  skippedCount missedCount lastFiredAt workflowVersion priority input tags {{ key value }}
  workflow {{ key }} project {{ key }} nextFireTimes(count: 3) recentFires {{ {FIRE_FIELDS} }}"""

CREATE_WORKFLOW = f"""mutation($input: CreateWorkflowInput!) {{
  createWorkflow(input: $input) {{ workflow {{ key }} {ERRORS} }}
}}"""
CREATE_SCHEDULE = f"""mutation($input: CreateScheduleInput!) {{
  createSchedule(input: $input) {{ schedule {{ {SCHEDULE_FIELDS} }} {ERRORS} }}
}}"""
UPDATE_SCHEDULE = f"""mutation($input: UpdateScheduleInput!) {{
  updateSchedule(input: $input) {{ schedule {{ {SCHEDULE_FIELDS} }} {ERRORS} }}
}}"""
PAUSE_SCHEDULE = f"""mutation($input: ScheduleActionInput!) {{
  pauseSchedule(input: $input) {{ schedule {{ {SCHEDULE_FIELDS} }} {ERRORS} }}
}}"""
RESUME_SCHEDULE = f"""mutation($input: ScheduleActionInput!) {{
  resumeSchedule(input: $input) {{ schedule {{ {SCHEDULE_FIELDS} }} {ERRORS} }}
}}"""
DELETE_SCHEDULE = f"""mutation($input: ScheduleActionInput!) {{
  deleteSchedule(input: $input) {{ schedule {{ id key }} {ERRORS} }}
}}"""
TRIGGER_SCHEDULE = f"""mutation($input: TriggerScheduleInput!) {{
  triggerSchedule(input: $input) {{ run {{ {RUN_FIELDS} }} {ERRORS} }}
}}"""
BACKFILL_SCHEDULE = f"""mutation($input: BackfillScheduleInput!) {{
  backfillSchedule(input: $input) {{ schedule {{ key }} batchId runs {{ {RUN_FIELDS} }} {ERRORS} }}
}}"""
SCHEDULE = f"""query($key: String!, $project: String) {{
  schedule(key: $key, project: $project) {{
    {SCHEDULE_FIELDS}
    runs(first: 50) {{ totalCount edges {{ node {{ {RUN_FIELDS} }} }} }}
  }}
}}"""
SCHEDULES = """query($project: String, $first: Int, $after: String) {
  schedules(project: $project, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { key } }
  }
}"""


async def make_workflow(
    client: Client, key: str = "nightly", handler: str = "noop", config: dict[str, Any] | None = None
) -> None:
    steps = [{"ref": "only", "type": "TASK", "handler": handler, "config": config}]
    result = await client.data(CREATE_WORKFLOW, {"input": {"key": key, "name": key.title(), "steps": steps}})
    assert result["createWorkflow"]["errors"] == []


async def make_schedule(client: Client, **fields: Any) -> dict[str, Any]:
    """createSchedule with `fields` over a workflow "nightly"; fails the test on payload errors."""
    data = {"key": "nightly", "workflowKey": "nightly", "cron": "* * * * *", **fields}
    payload = (await client.data(CREATE_SCHEDULE, {"input": data}))["createSchedule"]
    assert payload["errors"] == [], payload["errors"]
    return payload["schedule"]


async def read_schedule(client: Client, key: str = "nightly", project: str | None = None) -> dict[str, Any]:
    return (await client.data(SCHEDULE, {"key": key, "project": project}))["schedule"]


__all__ += ["Client", "ProjectKeys"]
