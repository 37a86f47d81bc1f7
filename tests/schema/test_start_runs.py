from __future__ import annotations

import asyncio
from typing import Any

from models import Run, RunEvent, RunTag, StepRun
from tests.schema.conftest import Client
from tests.schema.test_workflows import chain, create

START = """
mutation($input: StartRunInput!) {
  startRun(input: $input) {
    run {
      id status workflowVersion triggeredBy initiatedBy tenant priority dryRun visibility reason
      manuallyTriggered changeLimitReached disregardChangeLimit maxParallelSteps input output errorCount
      subject { type id name collection } trigger { source key cancellationKey } tags { key value }
      workflow { key } project { key } scheduledAt
      steps { ref status type attempt dependsOn depsRequired depsCompleted }
    }
    errors { code message field }
  }
}"""
TRIGGER = """
mutation($input: TriggerWorkflowInput!) {
  triggerWorkflow(input: $input) { batchId runs { batchId subject { id } status } errors { code message field } }
}"""
RUN = "query($id: ID!) { run(id: $id) { id status steps { ref } events { edges { node { seq type } } } } }"


async def start(client: Client, **input: Any) -> dict[str, Any]:
    return (await client.data(START, {"input": {"workflowKey": "wf", **input}}))["startRun"]


async def test_start_run_creates_run_steps_tags_and_event(acme):
    await create(acme.admin, chain("a", "b", "c"))
    payload = await start(
        acme.operator,
        input={"userId": "u1"},
        subject={"type": "identity", "id": "u1", "name": "Ada"},
        tenant="t1",
        priority="HIGH",
        tags=[{"key": "region", "value": "eu"}],
        trigger={"source": "MANUAL", "key": "hr.left", "cancellationKey": "u1"},
        reason="left",
    )
    assert payload["errors"] == []
    run = payload["run"]
    assert run["status"] == "PENDING" and run["workflowVersion"] == 1
    assert run["initiatedBy"] == "apikey:acme-operator" and run["triggeredBy"] == "MANUAL"
    assert run["manuallyTriggered"] is True and run["priority"] == "HIGH" and run["tenant"] == "t1"
    assert run["subject"] == {"type": "identity", "id": "u1", "name": "Ada", "collection": None}
    assert run["trigger"] == {"source": "MANUAL", "key": "hr.left", "cancellationKey": "u1"}
    assert run["tags"] == [{"key": "region", "value": "eu"}]
    assert run["workflow"] == {"key": "wf"} and run["project"] == {"key": "acme"}
    assert run["input"] == {"userId": "u1"} and run["maxParallelSteps"] == 4
    assert [(s["ref"], s["status"], s["attempt"], s["depsRequired"], s["depsCompleted"]) for s in run["steps"]] == [
        ("a", "PENDING", 0, 0, 0),
        ("b", "PENDING", 0, 1, 0),
        ("c", "PENDING", 0, 1, 0),
    ]
    read = (await acme.viewer.data(RUN, {"id": run["id"]}))["run"]
    assert read["events"]["edges"] == [{"node": {"seq": 1, "type": "RUN_CREATED"}}]


async def test_bad_start_input_is_reported_and_writes_nothing(acme):
    await create(acme.admin, chain("a"))
    payload = await start(
        acme.operator, input=[1, 2], tags=[{"key": "x", "value": "1"}, {"key": "x", "value": "2"}], timeoutSeconds=0
    )
    assert payload["run"] is None
    assert {tuple(e["field"]) for e in payload["errors"]} == {
        ("input", "input"),
        ("input", "tags", "1", "key"),
        ("input", "timeoutSeconds"),
    }
    unknown = await start(acme.operator, workflowKey="nope")
    assert unknown["errors"][0]["code"] == "NOT_FOUND" and unknown["errors"][0]["field"] == ["input", "workflowKey"]
    version = await start(acme.operator, version=7)
    assert version["errors"][0]["field"] == ["input", "version"] and "latest is 1" in version["errors"][0]["message"]
    assert await Run.all().count() == 0 and await StepRun.all().count() == 0 and await RunEvent.all().count() == 0


async def test_wrong_graphql_types_are_rejected_before_execution(acme):
    result = await acme.operator.execute(START, {"input": {"workflowKey": "wf", "priority": "URGENT"}})
    assert result.errors and "URGENT" in result.errors[0].message
    assert await Run.all().count() == 0


async def test_idempotency_key_returns_the_first_run(acme):
    await create(acme.admin, chain("a"))
    first = await start(acme.operator, idempotencyKey="order-1")
    results = await asyncio.gather(*[start(acme.operator, idempotencyKey="order-1") for _ in range(5)])
    assert {r["run"]["id"] for r in results} == {first["run"]["id"]}
    assert await Run.all().count() == 1


async def test_change_limit_blocks_runs_beyond_the_window_limit(acme):
    await create(acme.admin, chain("a"), changeLimit={"maxRuns": 2, "windowSeconds": 3600})
    statuses = [(await start(acme.operator))["run"] for _ in range(3)]
    assert [(r["status"], r["changeLimitReached"]) for r in statuses] == [
        ("PENDING", False),
        ("PENDING", False),
        ("BLOCKED", True),
    ]
    forced = (await start(acme.operator, disregardChangeLimit=True))["run"]
    assert forced["status"] == "PENDING" and forced["disregardChangeLimit"] is True
    blocked = (await acme.viewer.data(RUN, {"id": statuses[2]["id"]}))["run"]
    assert [e["node"]["type"] for e in blocked["events"]["edges"]] == ["RUN_CREATED", "RUN_BLOCKED"]


async def test_trigger_workflow_fans_out_with_one_batch(acme):
    await create(acme.admin, chain("a"))
    subjects = [{"type": "account", "id": f"acct-{n}"} for n in range(3)]
    payload = (await acme.operator.data(TRIGGER, {"input": {"workflowKey": "wf", "subjects": subjects}}))[
        "triggerWorkflow"
    ]
    assert payload["errors"] == [] and len(payload["batchId"]) == 32
    assert [(r["batchId"], r["subject"]["id"], r["status"]) for r in payload["runs"]] == [
        (payload["batchId"], f"acct-{n}", "PENDING") for n in range(3)
    ]
    empty = (await acme.operator.data(TRIGGER, {"input": {"workflowKey": "wf", "subjects": []}}))["triggerWorkflow"]
    assert empty["errors"][0]["field"] == ["input", "subjects"] and empty["runs"] == []


async def test_viewer_cannot_start_and_other_projects_cannot_see(acme, globex):
    await create(acme.admin, chain("a"))
    error = await acme.viewer.error(START, {"input": {"workflowKey": "wf"}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    run = (await start(acme.operator))["run"]
    assert (await globex.viewer.data(RUN, {"id": run["id"]}))["run"] is None
    assert (await acme.viewer.data(RUN, {"id": "garbage"}))["run"] is None


async def test_private_runs_are_seen_only_by_their_initiator_and_superadmin(acme, superadmin):
    await create(acme.admin, chain("a"))
    run = (await start(acme.operator, visibility="PRIVATE"))["run"]
    assert (await acme.operator.data(RUN, {"id": run["id"]}))["run"]["id"] == run["id"]
    assert (await acme.admin.data(RUN, {"id": run["id"]}))["run"] is None
    assert (await superadmin.data(RUN, {"id": run["id"]}))["run"]["id"] == run["id"]


async def test_for_each_needs_a_list_in_the_input(acme):
    steps = [
        {"ref": "loop", "type": "FOR_EACH", "config": {"items": "pages", "body": {"type": "TASK", "handler": "echo"}}}
    ]
    await create(acme.admin, steps)
    payload = await start(acme.operator, input={"pages": "nope"})
    assert payload["errors"][0]["field"] == ["input", "input"] and "input.pages" in payload["errors"][0]["message"]
    assert (await start(acme.operator, input={"pages": [1, 2]}))["errors"] == []
    assert await RunTag.all().count() == 0


CONVERSATIONS = "{ conversations(first: 10) { totalCount edges { node { id tags { key value } } } } }"


async def test_conversations_are_runs_tagged_kind_conversation_with_visibility(acme, superadmin):
    await create(acme.admin, chain("a"))
    chat = (await start(acme.operator, tags=[{"key": "kind", "value": "conversation"}]))["run"]
    private = (await start(acme.operator, tags=[{"key": "kind", "value": "conversation"}], visibility="PRIVATE"))["run"]
    await start(acme.operator, tags=[{"key": "kind", "value": "batch"}])
    mine = (await acme.operator.data(CONVERSATIONS))["conversations"]
    assert mine["totalCount"] == 2 and {e["node"]["id"] for e in mine["edges"]} == {chat["id"], private["id"]}
    others = (await acme.viewer.data(CONVERSATIONS))["conversations"]
    assert [e["node"]["id"] for e in others["edges"]] == [chat["id"]]
    assert (await superadmin.data(CONVERSATIONS))["conversations"]["totalCount"] == 2
