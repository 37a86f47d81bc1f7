"""Firing (JOBS.md "Schedules"): fire times, runs started, downtime and the catch-up window,
paused stretches, the overlap policies, trigger, backfill and delete. The firing tick is run
directly with the test clock; no engine runs, so a run started stays PENDING (not finished)
until the test ends it."""

from __future__ import annotations

import uuid

import pytest

from app.actions.run_control import stop_run_as
from app.ids import parse_global_id
from app.schedules import clock as schedule_clock
from models import Run
from tests.schedules.conftest import (
    BACKFILL_SCHEDULE,
    DELETE_SCHEDULE,
    PAUSE_SCHEDULE,
    RESUME_SCHEDULE,
    TRIGGER_SCHEDULE,
    UPDATE_SCHEDULE,
    FakeClock,
    ProjectKeys,
    iso,
    make_schedule,
    make_workflow,
    read_schedule,
    tick,
)


@pytest.fixture
async def team(acme: ProjectKeys, clock: FakeClock) -> ProjectKeys:
    await make_workflow(acme.admin)
    return acme


def run_id(global_id: str) -> uuid.UUID:
    parsed = parse_global_id(global_id)
    assert parsed is not None
    return parsed[1]


async def end_run(global_id: str) -> None:
    assert await stop_run_as(run_id(global_id), "apikey:test", "done", terminate=True)


async def held(global_id: str) -> bool:
    return (await Run.get(id=run_id(global_id))).schedule_hold


def outcomes(schedule: dict) -> list[tuple[str, str]]:
    return [(fire["nominalTime"], fire["outcome"]) for fire in schedule["recentFires"]]


async def test_a_fire_time_starts_one_run_described_as_the_contract_says(team: ProjectKeys, clock: FakeClock):
    created = await make_schedule(team.admin, cron="*/5 * * * *", overlap="ALLOW_ALL")
    assert created["nextFireTimes"] == [iso("2026-06-01T12:00"), iso("2026-06-01T12:05"), iso("2026-06-01T12:10")]
    assert created["state"] == "ACTIVE" and created["timezone"] == "UTC" and created["catchupWindowSeconds"] == 31536000
    clock.set("2026-06-01T11:59:59")
    await tick()
    assert (await read_schedule(team.viewer))["recentFires"] == []

    clock.set("2026-06-01T12:00:07")
    await tick()
    await tick()  # a second tick at the same time finds nothing due
    schedule = await read_schedule(team.viewer)
    [fire] = schedule["recentFires"]
    assert fire["nominalTime"] == iso("2026-06-01T12:00")
    assert fire["actualTime"] == iso("2026-06-01T12:00:07")
    assert fire["outcome"] == "STARTED"
    run = fire["run"]
    assert run["status"] == "PENDING"
    assert run["triggeredBy"] == "SCHEDULE"
    assert run["trigger"]["scheduleId"] == schedule["id"]
    assert run["initiatedBy"] == "schedule:nightly"
    assert run["scheduledAt"] == iso("2026-06-01T12:00")
    assert schedule["lastFiredAt"] == iso("2026-06-01T12:00")
    assert schedule["runs"]["totalCount"] == 1
    assert schedule["nextFireTimes"][0] == iso("2026-06-01T12:05")


async def test_after_downtime_only_the_latest_fire_in_the_window_runs(team: ProjectKeys, clock: FakeClock):
    clock.set("2026-06-01T00:30")
    await make_schedule(team.admin, cron="0 * * * *", overlap="ALLOW_ALL", catchupWindowSeconds=3 * 3600)
    clock.set("2026-06-01T06:20")  # engines were down across 01:00 ... 06:00
    await tick()
    schedule = await read_schedule(team.viewer)
    assert outcomes(schedule) == [
        (iso("2026-06-01T06:00"), "STARTED"),
        (iso("2026-06-01T05:00"), "MISSED"),
        (iso("2026-06-01T04:00"), "MISSED"),
        (iso("2026-06-01T03:00"), "MISSED"),
        (iso("2026-06-01T02:00"), "MISSED"),
        (iso("2026-06-01T01:00"), "MISSED"),
    ]
    assert [fire["actualTime"] for fire in schedule["recentFires"][1:]] == [None] * 5
    assert schedule["missedCount"] == 5
    assert [edge["node"]["scheduledAt"] for edge in schedule["runs"]["edges"]] == [iso("2026-06-01T06:00")]
    assert schedule["nextFireTimes"][0] == iso("2026-06-01T07:00")

    # beyond the catch-up window, even the latest is missed: no run at all
    await team.admin.data(UPDATE_SCHEDULE, {"input": {"id": schedule["id"], "catchupWindowSeconds": 60}})
    clock.set("2026-06-01T09:30")
    await tick()
    schedule = await read_schedule(team.viewer)
    assert outcomes(schedule)[:3] == [
        (iso("2026-06-01T09:00"), "MISSED"),
        (iso("2026-06-01T08:00"), "MISSED"),
        (iso("2026-06-01T07:00"), "MISSED"),
    ]
    assert schedule["missedCount"] == 8
    assert schedule["runs"]["totalCount"] == 1


async def test_nothing_fires_for_a_paused_stretch(team: ProjectKeys, clock: FakeClock):
    clock.set("2026-06-01T00:30")
    created = await make_schedule(team.admin, cron="0 * * * *", overlap="ALLOW_ALL")
    clock.set("2026-06-01T00:40")
    paused = (await team.operator.data(PAUSE_SCHEDULE, {"input": {"id": created["id"], "note": "maintenance"}}))[
        "pauseSchedule"
    ]
    assert paused["errors"] == []
    assert (paused["schedule"]["state"], paused["schedule"]["note"]) == ("PAUSED", "maintenance")
    clock.set("2026-06-01T05:10")
    await tick()
    resumed = (await team.operator.data(RESUME_SCHEDULE, {"input": {"id": created["id"], "note": "back"}}))[
        "resumeSchedule"
    ]["schedule"]
    assert (resumed["state"], resumed["note"]) == ("ACTIVE", "back")
    assert resumed["nextFireTimes"][0] == iso("2026-06-01T06:00")
    await tick()
    schedule = await read_schedule(team.viewer)
    assert schedule["recentFires"] == [] and schedule["missedCount"] == 0 and schedule["runs"]["totalCount"] == 0

    clock.set("2026-06-01T06:00:02")
    await tick()
    assert outcomes(await read_schedule(team.viewer)) == [(iso("2026-06-01T06:00"), "STARTED")]

    again = (await team.operator.data(RESUME_SCHEDULE, {"input": {"id": created["id"]}}))["resumeSchedule"]
    assert again["errors"][0]["code"] == "INVALID_TRANSITION"


async def fire_twice(team: ProjectKeys, clock: FakeClock, overlap: str) -> tuple[dict, str]:
    """An every-minute schedule: 12:00 starts run A, which is still open at 12:01."""
    clock.set("2026-06-01T11:59:30")
    await make_schedule(team.admin, overlap=overlap)
    clock.set("2026-06-01T12:00:05")
    await tick()
    first = (await read_schedule(team.viewer))["recentFires"][0]["run"]["id"]
    clock.set("2026-06-01T12:01:05")
    await tick()
    return await read_schedule(team.viewer), first


async def test_skip_skips_while_the_previous_run_is_open(team: ProjectKeys, clock: FakeClock):
    schedule, first = await fire_twice(team, clock, "SKIP")
    assert outcomes(schedule) == [(iso("2026-06-01T12:01"), "SKIPPED"), (iso("2026-06-01T12:00"), "STARTED")]
    assert schedule["recentFires"][0]["run"] is None
    assert schedule["skippedCount"] == 1
    await end_run(first)
    clock.set("2026-06-01T12:02:05")
    await tick()
    schedule = await read_schedule(team.viewer)
    assert outcomes(schedule)[0] == (iso("2026-06-01T12:02"), "STARTED")
    assert schedule["skippedCount"] == 1


async def test_buffer_one_holds_one_and_skips_the_rest(team: ProjectKeys, clock: FakeClock):
    schedule, first = await fire_twice(team, clock, "BUFFER_ONE")
    assert outcomes(schedule)[0] == (iso("2026-06-01T12:01"), "BUFFERED")
    waiting = schedule["recentFires"][0]["run"]
    assert waiting["status"] == "PENDING" and waiting["scheduledAt"] == iso("2026-06-01T12:01")
    assert await held(waiting["id"])
    clock.set("2026-06-01T12:02:05")
    await tick()
    schedule = await read_schedule(team.viewer)
    assert outcomes(schedule)[0] == (iso("2026-06-01T12:02"), "SKIPPED")
    assert schedule["skippedCount"] == 1
    await end_run(first)
    assert not await held(waiting["id"])  # the previous run ended: the waiting one may start


async def test_buffer_all_holds_each_and_releases_them_in_turn(team: ProjectKeys, clock: FakeClock):
    schedule, first = await fire_twice(team, clock, "BUFFER_ALL")
    clock.set("2026-06-01T12:02:05")
    await tick()
    schedule = await read_schedule(team.viewer)
    assert [outcome for _time, outcome in outcomes(schedule)] == ["BUFFERED", "BUFFERED", "STARTED"]
    second, third = schedule["recentFires"][1]["run"]["id"], schedule["recentFires"][0]["run"]["id"]
    assert await held(second) and await held(third)
    await end_run(first)
    assert (await held(second), await held(third)) == (False, True)
    await end_run(second)
    assert not await held(third)
    assert schedule["skippedCount"] == 0


async def test_allow_all_starts_alongside(team: ProjectKeys, clock: FakeClock):
    schedule, _first = await fire_twice(team, clock, "ALLOW_ALL")
    assert [outcome for _time, outcome in outcomes(schedule)] == ["STARTED", "STARTED"]
    assert not await held(schedule["recentFires"][0]["run"]["id"])
    assert schedule["recentFires"][1]["run"]["status"] == "PENDING"


@pytest.mark.parametrize(("overlap", "ended"), [("CANCEL_OTHER", "CANCELED"), ("TERMINATE_OTHER", "TERMINATED")])
async def test_cancel_or_terminate_other_stops_the_previous_run(
    team: ProjectKeys, clock: FakeClock, overlap: str, ended: str
):
    schedule, first = await fire_twice(team, clock, overlap)
    assert [outcome for _time, outcome in outcomes(schedule)] == ["STARTED", "STARTED"]
    assert schedule["recentFires"][1]["run"]["id"] == first
    assert schedule["recentFires"][1]["run"]["status"] == ended
    assert schedule["recentFires"][0]["run"]["status"] == "PENDING"


async def test_trigger_starts_one_run_now_under_the_policy(team: ProjectKeys, clock: FakeClock):
    created = await make_schedule(team.admin, cron="0 0 1 1 *")
    clock.set("2026-06-01T12:34:56")
    result = (await team.operator.data(TRIGGER_SCHEDULE, {"input": {"id": created["id"]}}))["triggerSchedule"]
    assert result["errors"] == []
    run = result["run"]
    assert (run["status"], run["triggeredBy"], run["initiatedBy"]) == ("PENDING", "SCHEDULE", "schedule:nightly")
    assert run["scheduledAt"] == iso("2026-06-01T12:34:56")
    assert run["trigger"]["scheduleId"] == created["id"]
    # SKIP (the schedule's policy): the first is still open
    skipped = (await team.operator.data(TRIGGER_SCHEDULE, {"input": {"id": created["id"]}}))["triggerSchedule"]
    assert skipped["run"] is None
    assert skipped["errors"][0]["code"] == "CONFLICT"
    # the call's own policy wins
    clock.set("2026-06-01T12:35:00")
    allowed = (await team.operator.data(TRIGGER_SCHEDULE, {"input": {"id": created["id"], "overlap": "ALLOW_ALL"}}))[
        "triggerSchedule"
    ]
    assert allowed["errors"] == [] and allowed["run"]["status"] == "PENDING"
    schedule = await read_schedule(team.viewer)
    assert outcomes(schedule) == [(iso("2026-06-01T12:35:00"), "STARTED"), (iso("2026-06-01T12:34:56"), "STARTED")]
    assert schedule["runs"]["totalCount"] == 2


async def test_backfill_creates_a_run_per_fire_time_in_order_with_one_batch(team: ProjectKeys, clock: FakeClock):
    created = await make_schedule(team.admin, cron="0 * * * *")
    variables = {"input": {"id": created["id"], "from": iso("2026-05-01T00:00"), "to": iso("2026-05-01T05:00")}}
    result = (await team.admin.data(BACKFILL_SCHEDULE, variables))["backfillSchedule"]
    assert result["errors"] == []
    runs = result["runs"]
    assert [run["scheduledAt"] for run in runs] == [iso(f"2026-05-01T0{hour}:00") for hour in range(5)]
    assert {run["status"] for run in runs} == {"PENDING"}
    assert {run["batchId"] for run in runs} == {result["batchId"]}
    assert {run["triggeredBy"] for run in runs} == {"SCHEDULE"}
    # BUFFER_ALL (the default): the first may start, each of the others waits for the one before
    assert [await held(run["id"]) for run in runs] == [False, True, True, True, True]
    stored = await Run.filter(batch_id=result["batchId"]).order_by("created_at").values_list("scheduled_at", flat=True)
    assert [instant.isoformat() for instant in stored] == [run["scheduledAt"] for run in runs]


async def test_backfill_overlap_allow_all_and_skip(team: ProjectKeys, clock: FakeClock):
    created = await make_schedule(team.admin, cron="0 * * * *")
    window = {"id": created["id"], "from": iso("2026-05-01T00:00"), "to": iso("2026-05-01T03:00")}
    allowed = (await team.admin.data(BACKFILL_SCHEDULE, {"input": {**window, "overlap": "ALLOW_ALL"}}))[
        "backfillSchedule"
    ]
    assert [await held(run["id"]) for run in allowed["runs"]] == [False, False, False]
    # SKIP with the schedule's runs still open: nothing to start
    skipped = (await team.admin.data(BACKFILL_SCHEDULE, {"input": {**window, "overlap": "SKIP"}}))["backfillSchedule"]
    assert skipped["errors"] == [] and skipped["runs"] == []


async def test_backfill_over_1000_fire_times_is_refused_and_writes_nothing(team: ProjectKeys, clock: FakeClock):
    created = await make_schedule(team.admin, cron="* * * * *")
    # 1,001 minutes in [00:00, 16:41)
    variables = {"input": {"id": created["id"], "from": iso("2026-05-01T00:00"), "to": iso("2026-05-01T16:41")}}
    result = (await team.admin.data(BACKFILL_SCHEDULE, variables))["backfillSchedule"]
    assert result["runs"] == [] and result["batchId"] is None
    [error] = result["errors"]
    assert error["code"] == "LIMIT_REACHED" and error["field"] == ["input", "to"]
    assert "1,000" in error["message"]
    assert await Run.all().count() == 0
    backwards = {"input": {"id": created["id"], "from": iso("2026-05-02T00:00"), "to": iso("2026-05-01T00:00")}}
    assert (await team.admin.data(BACKFILL_SCHEDULE, backwards))["backfillSchedule"]["errors"][0]["field"] == [
        "input",
        "to",
    ]


def test_backfill_range_of_exactly_1000_fire_times_is_within_the_cap():
    from app.schedules.cron import parse_cron
    from app.schedules.firing import MAX_BACKFILL_RUNS, backfill_times
    from tests.schedules.conftest import utc

    times = backfill_times(parse_cron("* * * * *", "UTC"), utc("2026-05-01T00:00"), utc("2026-05-01T16:40"))
    assert len(times) == 1000 == MAX_BACKFILL_RUNS
    assert (times[0], times[-1]) == (utc("2026-05-01T00:00"), utc("2026-05-01T16:39"))


async def test_update_never_fires_a_time_already_fired(team: ProjectKeys, clock: FakeClock):
    created = await make_schedule(team.admin, cron="0 12 * * *", overlap="ALLOW_ALL")
    clock.set("2026-06-01T12:00:01")
    await tick()
    clock.set("2026-06-01T12:00:30")
    updated = (
        await team.admin.data(
            UPDATE_SCHEDULE,
            {"input": {"id": created["id"], "cron": "0 12 * * *", "timezone": "UTC", "input": {"a": 1}}},
        )
    )["updateSchedule"]
    assert updated["errors"] == []
    assert updated["schedule"]["input"] == {"a": 1}
    assert updated["schedule"]["nextFireTimes"][0] == iso("2026-06-02T12:00")
    changed = (
        await team.admin.data(
            UPDATE_SCHEDULE, {"input": {"id": created["id"], "cron": "0 9 * * *", "timezone": "Europe/Paris"}}
        )
    )["updateSchedule"]["schedule"]
    # 09:00 in Paris (CEST) is 07:00 UTC; today's has passed
    assert (changed["cron"], changed["timezone"]) == ("0 9 * * *", "Europe/Paris")
    assert changed["nextFireTimes"][0] == iso("2026-06-02T07:00")
    await tick()
    assert len((await read_schedule(team.viewer))["recentFires"]) == 1


async def test_delete_stops_the_schedule_and_keeps_its_runs(team: ProjectKeys, clock: FakeClock):
    schedule, first = await fire_twice(team, clock, "BUFFER_ALL")
    waiting = schedule["recentFires"][0]["run"]["id"]
    result = (await team.admin.data(DELETE_SCHEDULE, {"input": {"id": schedule["id"]}}))["deleteSchedule"]
    assert result["errors"] == [] and result["schedule"]["key"] == "nightly"
    assert await read_schedule(team.viewer) is None
    clock.set("2026-06-01T12:10:00")
    await tick()
    runs = await Run.all().order_by("scheduled_at").values_list("id", "schedule_hold")
    assert [(str(raw), hold) for raw, hold in runs] == [(str(run_id(first)), False), (str(run_id(waiting)), False)]
    again = (await team.admin.data(DELETE_SCHEDULE, {"input": {"id": schedule["id"]}}))["deleteSchedule"]
    assert again["errors"][0]["code"] == "NOT_FOUND"


def test_the_clock_hook_is_the_one_the_fixture_replaces(clock: FakeClock):
    assert schedule_clock.now() == clock.current


PUBLISH_VERSION = """mutation($input: PublishWorkflowVersionInput!) {
  publishWorkflowVersion(input: $input) { workflow { version } errors { message } }
}"""


async def test_a_run_that_cannot_start_is_recorded_failed_to_start(team: ProjectKeys, clock: FakeClock):
    clock.set("2026-06-01T11:59:30")
    await make_schedule(team.admin, overlap="ALLOW_ALL")
    # the latest version loops over input.pages, which the schedule's input does not have
    steps = [
        {"ref": "loop", "type": "FOR_EACH", "config": {"items": "pages", "body": {"type": "TASK", "handler": "echo"}}}
    ]
    published = await team.admin.data(PUBLISH_VERSION, {"input": {"workflowKey": "nightly", "steps": steps}})
    assert published["publishWorkflowVersion"]["workflow"]["version"] == 2
    clock.set("2026-06-01T12:00:03")
    await tick()
    await tick()
    schedule = await read_schedule(team.viewer)
    [fire] = schedule["recentFires"]
    assert (fire["nominalTime"], fire["outcome"], fire["run"]) == (iso("2026-06-01T12:00"), "FAILED_TO_START", None)
    assert "loops over input.pages, which must be a list" in fire["error"]
    assert schedule["runs"]["totalCount"] == 0
    assert schedule["nextFireTimes"][0] == iso("2026-06-01T12:01")
