from __future__ import annotations

import json

from models import Run, RunEvent
from tests.schema.test_start_runs import start
from tests.schema.test_workflows import chain, create

UNBLOCK = """
mutation($input: UnblockRunsInput!) {
  unblockRuns(input: $input) {
    matched succeeded failed failures { runId code message } runs { id status } errors { code message field }
  }
}"""
BULK = """
mutation($input: BulkRunActionInput!) {
  bulkRunAction(input: $input) {
    matched succeeded failed dryRun failures { runId code message } runs { id status retryOf { id } }
    errors { code message field }
  }
}"""


async def blocked_runs(acme, count: int) -> list[dict]:
    await create(acme.admin, chain("a"), changeLimit={"maxRuns": 1, "windowSeconds": 3600})
    runs = [(await start(acme.operator))["run"] for _ in range(count + 1)]
    assert [r["status"] for r in runs] == ["PENDING"] + ["BLOCKED"] * count
    return runs


async def test_unblock_by_filter_releases_only_blocked_runs(acme):
    runs = await blocked_runs(acme, 2)
    payload = (
        await acme.operator.data(
            UNBLOCK, {"input": {"filter": 'workflow_key eq "wf"', "action": "RUN", "reason": "ok"}}
        )
    )["unblockRuns"]
    assert payload["errors"] == [] and (payload["matched"], payload["succeeded"], payload["failed"]) == (2, 2, 0)
    assert {r["id"] for r in payload["runs"]} == {runs[1]["id"], runs[2]["id"]}
    assert {r["status"] for r in payload["runs"]} == {"PENDING"}
    event = await RunEvent.filter(type="RUN_UNBLOCKED").first()
    assert event.reason == "ok" and event.actor == "apikey:acme-operator" and event.seq == 3


async def test_abandon_by_id_and_invalid_transition_for_a_run_not_blocked(acme):
    runs = await blocked_runs(acme, 1)
    abandoned = (await acme.operator.data(UNBLOCK, {"input": {"id": runs[1]["id"], "action": "ABANDON"}}))[
        "unblockRuns"
    ]
    assert (
        abandoned["succeeded"] == 1
        and (await Run.all().order_by("created_at").values_list("status", flat=True))[1] == "ABANDONED"
    )
    again = (await acme.operator.data(UNBLOCK, {"input": {"id": runs[0]["id"], "action": "RUN"}}))["unblockRuns"]
    assert again["failed"] == 1
    assert again["failures"] == [
        {"runId": runs[0]["id"], "code": "INVALID_TRANSITION", "message": "cannot unblock a run that is PENDING"}
    ]


async def test_unblock_by_id_out_of_reach_is_not_found_whether_foreign_or_missing(acme, globex):
    [_, foreign] = await blocked_runs(globex, 1)
    missing = "UnVuOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA=="  # Run:00000000-0000-4000-8000-000000000000
    answers = []
    for run_id in (foreign["id"], missing):
        payload = (await acme.operator.data(UNBLOCK, {"input": {"id": run_id, "action": "RUN"}}))["unblockRuns"]
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("NOT_FOUND", ["input", "id"])]
        assert (payload["matched"], payload["succeeded"], payload["failed"]) == (0, 0, 0)
        answers.append(json.dumps(payload).replace(run_id, "<id>"))
    assert answers[0] == answers[1]
    assert await Run.filter(status="BLOCKED").count() == 1  # globex's run is untouched


async def test_empty_target_and_bad_filter_are_payload_errors(acme):
    await blocked_runs(acme, 1)
    empty = (await acme.operator.data(UNBLOCK, {"input": {"action": "RUN"}}))["unblockRuns"]
    assert empty["errors"][0]["code"] == "VALIDATION"
    bad = (await acme.operator.data(UNBLOCK, {"input": {"filter": 'stauts eq "BLOCKED"', "action": "RUN"}}))[
        "unblockRuns"
    ]
    assert bad["errors"][0]["code"] == "BAD_FILTER" and bad["errors"][0]["field"] == ["input", "filter"]
    assert "stauts" in bad["errors"][0]["message"] and "0" in bad["errors"][0]["message"]
    assert await Run.filter(status="BLOCKED").count() == 1


async def test_bulk_pause_dry_run_and_real(acme, globex):
    await create(acme.admin, chain("a"))
    await create(globex.admin, chain("a"))
    for _ in range(3):
        await start(acme.operator)
    await start(globex.operator)
    dry = (
        await acme.operator.data(BULK, {"input": {"action": "PAUSE", "where": {"workflowKey": "wf"}, "dryRun": True}})
    )["bulkRunAction"]
    assert (dry["matched"], dry["succeeded"], dry["dryRun"]) == (3, 0, True)
    assert await Run.filter(status="PAUSED").count() == 0
    real = (await acme.operator.data(BULK, {"input": {"action": "PAUSE", "filter": 'status eq "PENDING"'}}))[
        "bulkRunAction"
    ]
    assert (real["matched"], real["succeeded"], real["failed"]) == (3, 3, 0)
    # the other project's run is never selected
    assert await Run.filter(status="PAUSED").count() == 3 and await Run.filter(status="PENDING").count() == 1


async def test_bulk_restart_needs_admin_and_empty_target_is_rejected(acme):
    await create(acme.admin, chain("a"))
    run = (await start(acme.operator))["run"]
    error = await acme.operator.error(BULK, {"input": {"action": "RESTART", "ids": [run["id"]]}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    empty = (await acme.operator.data(BULK, {"input": {"action": "CANCEL", "ids": []}}))["bulkRunAction"]
    assert empty["errors"][0]["code"] == "VALIDATION" and empty["matched"] == 0
    terminated = (await acme.operator.data(BULK, {"input": {"action": "TERMINATE", "ids": [run["id"]]}}))[
        "bulkRunAction"
    ]
    assert terminated["succeeded"] == 1
    restarted = (await acme.admin.data(BULK, {"input": {"action": "RESTART", "ids": [run["id"]]}}))["bulkRunAction"]
    assert restarted["succeeded"] == 1 and restarted["runs"][0]["status"] == "PENDING"
