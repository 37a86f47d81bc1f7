"""The schedule API: roles (JOBS.md's table), project isolation, validation errors, the list."""

from __future__ import annotations

import datetime as dt

import pytest

from app.enums import ScheduleFireOutcome
from models import Schedule, ScheduleFire
from tests.queries.factory import StatementLog
from tests.schedules.conftest import (
    BACKFILL_SCHEDULE,
    CREATE_SCHEDULE,
    DELETE_SCHEDULE,
    PAUSE_SCHEDULE,
    RESUME_SCHEDULE,
    SCHEDULES,
    TRIGGER_SCHEDULE,
    UPDATE_SCHEDULE,
    Client,
    FakeClock,
    ProjectKeys,
    iso,
    make_schedule,
    make_workflow,
    read_schedule,
)

NEXT_FIRE_TIMES = """query($key: String!, $count: Int) { schedule(key: $key) { nextFireTimes(count: $count) } }"""


@pytest.fixture
async def team(acme: ProjectKeys, clock: FakeClock) -> ProjectKeys:
    await make_workflow(acme.admin)
    return acme


def window(schedule_id: str) -> dict:
    return {"id": schedule_id, "from": iso("2026-05-01T00:00"), "to": iso("2026-05-01T00:02")}


async def forbidden(client: Client, document: str, variables: dict) -> str:
    error = await client.error(document, variables)
    assert error["extensions"]["code"] == "FORBIDDEN", error
    return error["message"]


async def test_roles_follow_the_jobs_table(team: ProjectKeys):
    create = {"input": {"key": "nightly", "workflowKey": "nightly", "cron": "0 3 * * *"}}
    for client in (team.viewer, team.operator):
        assert "createSchedule needs role ADMIN" in await forbidden(client, CREATE_SCHEDULE, create)
    schedule = await make_schedule(team.admin, cron="0 3 * * *")
    target = {"input": {"id": schedule["id"]}}
    # VIEWER reads
    assert (await read_schedule(team.viewer))["key"] == "nightly"
    # OPERATOR pauses, resumes and triggers; a VIEWER may not
    for document in (PAUSE_SCHEDULE, RESUME_SCHEDULE, TRIGGER_SCHEDULE):
        await forbidden(team.viewer, document, target)
    assert (await team.operator.data(PAUSE_SCHEDULE, target))["pauseSchedule"]["errors"] == []
    assert (await team.operator.data(RESUME_SCHEDULE, target))["resumeSchedule"]["errors"] == []
    assert (await team.operator.data(TRIGGER_SCHEDULE, target))["triggerSchedule"]["errors"] == []
    # ADMIN updates, backfills and deletes; an OPERATOR may not
    await forbidden(team.operator, UPDATE_SCHEDULE, {"input": {"id": schedule["id"], "cron": "0 4 * * *"}})
    await forbidden(team.operator, BACKFILL_SCHEDULE, {"input": window(schedule["id"])})
    await forbidden(team.operator, DELETE_SCHEDULE, target)
    updated = await team.admin.data(UPDATE_SCHEDULE, {"input": {"id": schedule["id"], "cron": "0 4 * * *"}})
    assert updated["updateSchedule"]["schedule"]["cron"] == "0 4 * * *"
    backfilled = (await team.admin.data(BACKFILL_SCHEDULE, {"input": window(schedule["id"])}))["backfillSchedule"]
    assert backfilled["errors"] == []
    assert (await team.admin.data(DELETE_SCHEDULE, target))["deleteSchedule"]["errors"] == []


NODE = """query($id: ID!) { node(id: $id) { id ... on Schedule { key } } }"""


async def test_another_project_sees_nothing_and_gets_not_found(team: ProjectKeys, globex: ProjectKeys):
    schedule = await make_schedule(team.admin)
    assert (await team.viewer.data(NODE, {"id": schedule["id"]}))["node"] == {"id": schedule["id"], "key": "nightly"}
    assert (await globex.admin.data(NODE, {"id": schedule["id"]}))["node"] is None
    target = {"input": {"id": schedule["id"]}}
    assert await read_schedule(globex.admin, project="acme") is None
    assert await read_schedule(globex.admin) is None
    listed = (await globex.admin.data(SCHEDULES, {}))["schedules"]
    assert (listed["totalCount"], listed["edges"]) == (0, [])
    for document, name in (
        (PAUSE_SCHEDULE, "pauseSchedule"),
        (RESUME_SCHEDULE, "resumeSchedule"),
        (TRIGGER_SCHEDULE, "triggerSchedule"),
        (DELETE_SCHEDULE, "deleteSchedule"),
        (UPDATE_SCHEDULE, "updateSchedule"),
    ):
        variables = {"input": {**target["input"], "cron": "0 1 * * *"}} if name == "updateSchedule" else target
        [error] = (await globex.admin.data(document, variables))[name]["errors"]
        assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "id"])
    [error] = (await globex.admin.data(BACKFILL_SCHEDULE, {"input": window(schedule["id"])}))["backfillSchedule"][
        "errors"
    ]
    assert error["code"] == "NOT_FOUND"
    # a globex admin cannot create one in acme either
    create = {"input": {"key": "x", "project": "acme", "workflowKey": "nightly", "cron": "* * * * *"}}
    [error] = (await globex.admin.data(CREATE_SCHEDULE, create))["createSchedule"]["errors"]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "project"])
    # and the schedule is untouched
    assert (await read_schedule(team.viewer))["state"] == "ACTIVE"


@pytest.mark.parametrize(
    ("fields", "code", "field", "words"),
    [
        ({"cron": "0 0 30 2 *"}, "VALIDATION", ["input", "cron"], "invalid cron '0 0 30 2 *'"),
        ({"cron": "every day"}, "VALIDATION", ["input", "cron"], "Wrong number of fields"),
        ({"timezone": "Mars/Olympus"}, "VALIDATION", ["input", "timezone"], "unknown time zone 'Mars/Olympus'"),
        ({"catchupWindowSeconds": -1}, "VALIDATION", ["input", "catchupWindowSeconds"], "must not be negative"),
        ({"input": [1, 2]}, "VALIDATION", ["input", "input"], "input must be a JSON object"),
        ({"key": "Bad Key"}, "VALIDATION", ["input", "key"], "key must be lowercase"),
        ({"workflowKey": "nope"}, "NOT_FOUND", ["input", "workflowKey"], "no workflow 'nope'"),
        ({"workflowVersion": 7}, "NOT_FOUND", ["input", "workflowVersion"], "has no version 7"),
    ],
)
async def test_create_reports_bad_input_on_its_field_and_writes_nothing(
    team: ProjectKeys, fields: dict, code: str, field: list[str], words: str
):
    data = {"key": "nightly", "workflowKey": "nightly", "cron": "* * * * *", **fields}
    payload = (await team.admin.data(CREATE_SCHEDULE, {"input": data}))["createSchedule"]
    assert payload["schedule"] is None
    error = payload["errors"][0]
    assert (error["code"], error["field"]) == (code, field)
    assert words in error["message"]
    assert (await team.viewer.data(SCHEDULES, {}))["schedules"]["totalCount"] == 0


async def test_duplicate_key_and_bad_update(team: ProjectKeys):
    schedule = await make_schedule(team.admin)
    data = {"key": "nightly", "workflowKey": "nightly", "cron": "0 1 * * *"}
    [error] = (await team.admin.data(CREATE_SCHEDULE, {"input": data}))["createSchedule"]["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", ["input", "key"])
    assert "already exists" in error["message"]
    update = {"input": {"id": schedule["id"], "cron": "0 0 31 4 *", "timezone": "Nowhere"}}
    errors = (await team.admin.data(UPDATE_SCHEDULE, update))["updateSchedule"]["errors"]
    assert [e["field"] for e in errors] == [["input", "cron"], ["input", "timezone"]]
    assert (await read_schedule(team.viewer))["cron"] == "* * * * *"


async def test_next_fire_times_count_is_at_most_100(team: ProjectKeys):
    await make_schedule(team.admin)
    assert (
        len((await team.viewer.data(NEXT_FIRE_TIMES, {"key": "nightly", "count": 100}))["schedule"]["nextFireTimes"])
        == 100
    )
    error = await team.viewer.error(NEXT_FIRE_TIMES, {"key": "nightly", "count": 101})
    assert error["extensions"]["code"] == "VALIDATION"
    assert "count must be between 0 and 100" in error["message"]


async def test_create_takes_every_setting_and_the_list_pages_by_key(team: ProjectKeys, clock: FakeClock):
    created = await make_schedule(
        team.admin,
        key="b-weekly",
        cron="@weekly",
        timezone="Europe/Paris",
        input={"region": "eu"},
        tags=[{"key": "team", "value": "data"}],
        priority="HIGH",
        overlap="BUFFER_ONE",
        catchupWindowSeconds=600,
        pauseOnFailure=True,
        paused=True,
        note="starts next month",
        workflowVersion=1,
    )
    assert created["state"] == "PAUSED" and created["note"] == "starts next month"
    assert created["input"] == {"region": "eu"} and created["tags"] == [{"key": "team", "value": "data"}]
    assert (created["priority"], created["overlap"], created["catchupWindowSeconds"]) == ("HIGH", "BUFFER_ONE", 600)
    assert created["pauseOnFailure"] is True and created["workflowVersion"] == 1
    assert created["workflow"] == {"key": "nightly"} and created["project"] == {"key": "acme"}
    # Sunday midnight in Paris (CEST): Saturday 22:00 UTC
    assert created["nextFireTimes"][0] == iso("2026-06-06T22:00")
    await make_schedule(team.admin, key="a-daily", cron="@daily")
    await make_schedule(team.admin, key="c-hourly", cron="@hourly")
    first = (await team.viewer.data(SCHEDULES, {"first": 2}))["schedules"]
    assert [edge["node"]["key"] for edge in first["edges"]] == ["a-daily", "b-weekly"]
    assert first["totalCount"] == 3 and first["pageInfo"]["hasNextPage"] is True
    rest = (await team.viewer.data(SCHEDULES, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["schedules"]
    assert [edge["node"]["key"] for edge in rest["edges"]] == ["c-hourly"]
    assert rest["pageInfo"]["hasNextPage"] is False
    # a workflow cursor is not a schedule cursor
    error = await team.viewer.error(
        SCHEDULES, {"after": "eyJ3IjpbIm5pZ2h0bHkiLCIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAiXX0="}
    )
    assert error["extensions"]["code"] == "VALIDATION"


async def test_pausing_twice_is_an_invalid_transition(team: ProjectKeys):
    schedule = await make_schedule(team.admin, paused=True)
    [error] = (await team.operator.data(PAUSE_SCHEDULE, {"input": {"id": schedule["id"]}}))["pauseSchedule"]["errors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert "PAUSED already" in error["message"]


FIRES_OF_A_PAGE = """query($first: Int) {
  schedules(first: $first) { edges { node { key recentFires(first: 2) { nominalTime outcome } } } }
}"""


async def test_a_page_of_schedules_reads_their_recent_fires_in_one_statement(team: ProjectKeys):
    hours = {"a": 5, "b": 1, "c": 3}
    for key, count in hours.items():
        await make_schedule(team.admin, key=key, cron="0 * * * *")
        schedule = await Schedule.get(key=key)
        for hour in range(count):
            nominal = dt.datetime(2026, 5, 1, hour, tzinfo=dt.UTC)
            await ScheduleFire.create(
                schedule_id=schedule.id, nominal_time=nominal, actual_time=nominal, outcome=ScheduleFireOutcome.STARTED
            )
    counts = []
    for first in (1, 3):
        with StatementLog() as log:
            edges = (await team.viewer.data(FIRES_OF_A_PAGE, {"first": first}))["schedules"]["edges"]
        counts.append(len(log.statements))
        assert len(edges) == first
    # newest first, at most two per schedule, each schedule its own
    fires = {edge["node"]["key"]: [fire["nominalTime"] for fire in edge["node"]["recentFires"]] for edge in edges}
    assert fires == {
        "a": [iso("2026-05-01T04:00"), iso("2026-05-01T03:00")],
        "b": [iso("2026-05-01T00:00")],
        "c": [iso("2026-05-01T02:00"), iso("2026-05-01T01:00")],
    }
    assert counts[0] == counts[1]
