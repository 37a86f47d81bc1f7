"""Bulk jobs through GraphQL: bulkRunAction in the background, bulkJobs / bulkJob / node,
cancelBulkJob and its roles, and the bulkJob subscription to the end (JOBS.md)."""

from __future__ import annotations

import uuid

from app.engine.bulk_jobs import BulkJobRunner
from app.enums import RunStatus
from app.ids import to_global_id
from models import Project, Run
from schema import build_schema
from schema.context import Context
from tests.actions.factory import clone_runs, make_run, task

BULK = """
mutation($input: BulkRunActionInput!) {
  bulkRunAction(input: $input) {
    matched succeeded failed dryRun runs { id }
    job { id action status matched processed progress maxPerSecond initiatedBy reason }
    errors { code message field }
  }
}"""
JOB_FIELDS = """id action status filter matched processed succeeded failed progress maxPerSecond
  failures { runId code message } reason error initiatedBy canceledBy createdAt startedAt finishedAt"""
JOB = f"query($id: ID!) {{ bulkJob(id: $id) {{ {JOB_FIELDS} }} }}"
NODE = "query($id: ID!) { node(id: $id) { __typename ... on BulkJob { id status } } }"
JOBS = """query($status: [BulkJobStatus!], $first: Int, $after: String) {
  bulkJobs(status: $status, first: $first, after: $after) {
    totalCount edges { cursor node { id status } } pageInfo { hasNextPage endCursor }
  }
}"""
CANCEL = """mutation($id: ID!) {
  cancelBulkJob(id: $id) { job { id status canceledBy } errors { code message field } }
}"""
FOLLOW = "subscription($id: ID!) { bulkJob(id: $id) { status matched processed progress } }"


async def pending_runs(project_key: str, count: int) -> None:
    project = await Project.get(key=project_key)
    template = await make_run(project, [task("a")])
    await clone_runs(template, count - 1)


async def start(client, **input_fields) -> dict:
    values = {"action": "CANCEL", "filter": 'status eq "PENDING"', "background": True, **input_fields}
    payload = (await client.data(BULK, {"input": values}))["bulkRunAction"]
    assert payload["errors"] == [], payload
    return payload


async def test_a_background_action_answers_with_its_job_at_once(acme):
    await pending_runs("acme", 3)
    payload = await start(acme.operator, reason="tidy", maxPerSecond=50)
    assert (payload["matched"], payload["succeeded"], payload["failed"], payload["runs"]) == (0, 0, 0, [])
    job = payload["job"]
    assert {key: value for key, value in job.items() if key != "id"} == {
        "action": "CANCEL",
        "status": "PENDING",
        "matched": 0,
        "processed": 0,
        "progress": 0.0,
        "maxPerSecond": 50.0,
        "initiatedBy": "apikey:acme-operator",
        "reason": "tidy",
    }
    assert await Run.filter(status=RunStatus.PENDING).count() == 3

    await BulkJobRunner(name="t").run_due()
    done = (await acme.viewer.data(JOB, {"id": job["id"]}))["bulkJob"]
    assert (done["status"], done["matched"], done["processed"], done["succeeded"], done["progress"]) == (
        "COMPLETED",
        3,
        3,
        3,
        1.0,
    )
    assert done["startedAt"] is not None and done["finishedAt"] is not None and done["error"] is None
    node = (await acme.viewer.data(NODE, {"id": job["id"]}))["node"]
    assert node == {"__typename": "BulkJob", "id": job["id"], "status": "COMPLETED"}


async def test_bad_pace_and_idempotency_key_through_the_api(acme, globex):
    await pending_runs("acme", 2)
    too_fast = {"action": "CANCEL", "filter": 'status eq "PENDING"', "background": True, "maxPerSecond": 6000}
    bad = (await acme.operator.data(BULK, {"input": too_fast}))["bulkRunAction"]
    assert bad["job"] is None
    assert bad["errors"] == [
        {
            "code": "VALIDATION",
            "message": "maxPerSecond must be above 0 and at most 5,000, got 6000.0",
            "field": ["input", "maxPerSecond"],
        }
    ]
    first = (await start(acme.operator, idempotencyKey="k1"))["job"]["id"]
    again = (await start(acme.operator, idempotencyKey="k1", action="PAUSE"))["job"]
    assert (again["id"], again["action"]) == (first, "CANCEL")
    assert (await start(globex.operator, idempotencyKey="k1"))["job"]["id"] != first


async def test_bulk_jobs_newest_first_by_status_and_project_isolation(acme, globex):
    await pending_runs("acme", 2)
    ids = [(await start(acme.operator))["job"]["id"] for _ in range(3)]
    await start(globex.operator)
    canceled = (await acme.operator.data(CANCEL, {"id": ids[1]}))["cancelBulkJob"]
    assert canceled["errors"] == [] and canceled["job"]["status"] == "CANCELED"
    assert canceled["job"]["canceledBy"] == "apikey:acme-operator"

    page = (await acme.viewer.data(JOBS, {"first": 2}))["bulkJobs"]
    assert page["totalCount"] == 3 and [edge["node"]["id"] for edge in page["edges"]] == [ids[2], ids[1]]
    rest = (await acme.viewer.data(JOBS, {"first": 2, "after": page["pageInfo"]["endCursor"]}))["bulkJobs"]
    assert [edge["node"]["id"] for edge in rest["edges"]] == [ids[0]] and not rest["pageInfo"]["hasNextPage"]
    only = (await acme.viewer.data(JOBS, {"status": ["CANCELED"]}))["bulkJobs"]
    assert [edge["node"]["id"] for edge in only["edges"]] == [ids[1]]
    pending = (await acme.viewer.data(JOBS, {"status": ["PENDING"]}))["bulkJobs"]
    assert {edge["node"]["id"] for edge in pending["edges"]} == {ids[0], ids[2]}

    # another project's job: the same answer as a job that does not exist
    assert (await globex.admin.data(JOB, {"id": ids[0]}))["bulkJob"] is None
    foreign = (await globex.admin.data(CANCEL, {"id": ids[0]}))["cancelBulkJob"]
    missing_id = to_global_id("BulkJob", uuid.uuid4())
    assert foreign["errors"][0]["code"] == "NOT_FOUND" and foreign["errors"][0]["field"] == ["id"]
    assert (await acme.viewer.data(JOB, {"id": missing_id}))["bulkJob"] is None


async def test_roles_of_bulk_jobs(acme):
    await pending_runs("acme", 2)
    refused = await acme.viewer.error(BULK, {"input": {"action": "CANCEL", "filter": "x", "background": True}})
    assert refused["extensions"]["code"] == "FORBIDDEN"
    restart = await acme.operator.error(BULK, {"input": {"action": "RESTART", "filter": "x", "background": True}})
    assert restart["extensions"]["code"] == "FORBIDDEN"
    job = (await start(acme.admin, action="RESTART", filter='status eq "FAILED"'))["job"]["id"]
    by_operator = await acme.operator.error(CANCEL, {"id": job})
    assert by_operator["extensions"]["code"] == "FORBIDDEN"
    assert "ADMIN" in by_operator["message"]
    by_viewer = await acme.viewer.error(CANCEL, {"id": (await start(acme.operator))["job"]["id"]})
    assert by_viewer["extensions"]["code"] == "FORBIDDEN"
    assert (await acme.admin.data(CANCEL, {"id": job}))["cancelBulkJob"]["job"]["status"] == "CANCELED"


async def test_the_subscription_reports_progress_to_the_end(acme, hub):
    await pending_runs("acme", 40)
    job = (await start(acme.operator, maxPerSecond=40))["job"]["id"]
    schema = build_schema(acme.viewer.settings)
    context = Context(settings=acme.viewer.settings, authorization=f"Bearer {acme.viewer.secret}")
    stream = await schema.subscribe(FOLLOW, variable_values={"id": job}, context_value=context)
    first = await anext(stream)
    assert first.errors is None and first.data["bulkJob"] == {
        "status": "PENDING",
        "matched": 0,
        "processed": 0,
        "progress": 0.0,
    }
    runner = BulkJobRunner(name="t", poll_seconds=0.05)
    await runner.start()
    try:
        items = [item.data["bulkJob"] async for item in stream]
    finally:
        await runner.stop()
    assert items[-1] == {"status": "COMPLETED", "matched": 40, "processed": 40, "progress": 1.0}
    processed = [item["processed"] for item in items]
    # about one second of work at 40 a second, reported as it goes, never backwards
    assert processed == sorted(processed) and len([p for p in processed if 0 < p < 40]) >= 2
    assert {item["status"] for item in items[:-1]} <= {"PENDING", "RUNNING"}
