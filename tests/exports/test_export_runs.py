"""exportRuns and exportJob through schema.execute; files written by the runner, read back exactly."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path
from typing import Any

from app import pubsub
from app.enums import Priority, RunStatus, Visibility
from app.exporter import ExportRunner
from app.ids import parse_global_id, to_global_id
from models import ExportJob, Project, Run, Workflow
from tests.queries.factory import StatementLog, at, make_run, make_workflow, new_run

EXPORT = """
mutation($input: ExportRunsInput!) {
  exportRuns(input: $input) {
    job { id status format filter rowCount progress url error finishedAt }
    errors { code message field }
  }
}"""
JOB = "query($id: ID!) { exportJob(id: $id) { id status format rowCount progress url error finishedAt } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on ExportJob { status } } }"

HEADER = (
    "id,workflowKey,workflowVersion,status,triggeredBy,initiatedBy,subjectType,subjectId,subjectName,tenant,"
    "batchId,priority,dryRun,errorCount,createdAt,startedAt,finishedAt,durationSeconds,reason,tags\r\n"
)


async def workflow_of(project_key: str) -> Workflow:
    return await make_workflow(await Project.get(key=project_key))


async def start_export(client: Any, **input: Any) -> dict[str, Any]:
    """The PENDING job exportRuns returned (failing the test on payload errors)."""
    payload = (await client.data(EXPORT, {"input": input}))["exportRuns"]
    assert payload["errors"] == [], payload["errors"]
    return payload["job"]


async def finished_export(client: Any, runner: ExportRunner, **input: Any) -> tuple[dict[str, Any], str]:
    """Start an export, let the runner write it, and return the job as exportJob shows it and the file."""
    job = await start_export(client, **input)
    assert await runner.run_due() == 1
    shown = (await client.data(JOB, {"id": job["id"]}))["exportJob"]
    assert shown["status"] == "COMPLETED", shown
    return shown, await file_of(job["id"])


async def file_of(global_id: str) -> str:
    parsed = parse_global_id(global_id)
    assert parsed is not None and parsed[0] == "ExportJob"
    job = await ExportJob.get(id=parsed[1])
    assert job.path is not None
    return Path(job.path).read_bytes().decode("utf-8")


def csv_ids(content: str) -> list[str]:
    return [row["id"] for row in csv.DictReader(io.StringIO(content, newline=""))]


async def two_runs(project_key: str) -> tuple[Run, Run]:
    """A run with every field set (tags, subject, quoting and a line break) and one with every null."""
    workflow = await workflow_of(project_key)
    full = await make_run(
        (await Project.get(key=project_key)),
        workflow,
        tags={"team": "a;b=c", "region": "eu"},
        created_at=at(1),
        status=RunStatus.COMPLETED,
        initiated_by="apikey:acme-operator",
        subject_type="user",
        subject_id="u-1",
        subject_name='Smith, "Jo"',
        tenant="t1",
        batch_id="b1",
        priority=Priority.HIGH,
        started_at=at(10),
        finished_at=at(100.5),
        reason="line1\nline2",
    )
    empty = await make_run(
        (await Project.get(key=project_key)),
        workflow,
        created_at=at(2),
        dry_run=True,
        error_count=2,
    )
    return full, empty


def gid(run: Run) -> str:
    return to_global_id("Run", run.id)


async def test_csv_holds_every_field_quoted_with_nulls_empty(acme, runner):
    full, empty = await two_runs("acme")
    job, content = await finished_export(acme.operator, runner)
    empty_row = (
        f"{gid(empty)},billing-sync,1,PENDING,API,apikey:someone,,,,,,NORMAL,true,2,2026-11-01T00:00:02+00:00,,,,,\r\n"
    )
    full_row = (
        f'{gid(full)},billing-sync,1,COMPLETED,API,apikey:acme-operator,user,u-1,"Smith, ""Jo""",t1,b1,HIGH,'
        "false,0,2026-11-01T00:00:01+00:00,2026-11-01T00:00:10+00:00,2026-11-01T00:01:40.500000+00:00,90.5,"
        '"line1\nline2",region=eu;team=a\\;b\\=c\r\n'
    )
    assert content == HEADER + empty_row + full_row
    assert job["rowCount"] == 2 and job["progress"] == 1.0 and job["format"] == "CSV"
    assert job["url"] == f"/exports/{job['id']}" and job["error"] is None and job["finishedAt"] is not None


async def test_jsonl_holds_the_same_fields_with_json_types(acme, runner):
    full, empty = await two_runs("acme")
    job, content = await finished_export(acme.operator, runner, format="JSONL")
    assert job["format"] == "JSONL" and job["rowCount"] == 2
    assert content.endswith("\n") and content.count("\n") == 2
    assert [json.loads(line) for line in content.splitlines()] == [
        {
            "id": gid(empty),
            "workflowKey": "billing-sync",
            "workflowVersion": 1,
            "status": "PENDING",
            "triggeredBy": "API",
            "initiatedBy": "apikey:someone",
            "subjectType": None,
            "subjectId": None,
            "subjectName": None,
            "tenant": None,
            "batchId": None,
            "priority": "NORMAL",
            "dryRun": True,
            "errorCount": 2,
            "createdAt": "2026-11-01T00:00:02+00:00",
            "startedAt": None,
            "finishedAt": None,
            "durationSeconds": None,
            "reason": None,
            "tags": {},
        },
        {
            "id": gid(full),
            "workflowKey": "billing-sync",
            "workflowVersion": 1,
            "status": "COMPLETED",
            "triggeredBy": "API",
            "initiatedBy": "apikey:acme-operator",
            "subjectType": "user",
            "subjectId": "u-1",
            "subjectName": 'Smith, "Jo"',
            "tenant": "t1",
            "batchId": "b1",
            "priority": "HIGH",
            "dryRun": False,
            "errorCount": 0,
            "createdAt": "2026-11-01T00:00:01+00:00",
            "startedAt": "2026-11-01T00:00:10+00:00",
            "finishedAt": "2026-11-01T00:01:40.500000+00:00",
            "durationSeconds": 90.5,
            "reason": "line1\nline2",
            "tags": {"region": "eu", "team": "a;b=c"},
        },
    ]


async def test_filter_where_order_and_visibility_decide_the_rows(acme, globex, superadmin, runner):
    project = await Project.get(key="acme")
    workflow = await workflow_of("acme")
    failed = {"status": RunStatus.FAILED, "tenant": "t1"}
    shared = await make_run(project, workflow, created_at=at(1), **failed)
    private = {"visibility": Visibility.PRIVATE}
    mine = await make_run(project, workflow, created_at=at(2), initiated_by="apikey:acme-operator", **private, **failed)
    others_private = await make_run(project, workflow, created_at=at(3), **private, **failed)
    await make_run(project, workflow, created_at=at(4), status=RunStatus.COMPLETED, tenant="t1")
    await make_run(project, workflow, created_at=at(5), status=RunStatus.FAILED, tenant="t2")
    other_project = await make_run(
        await Project.get(key="globex"), await workflow_of("globex"), created_at=at(6), **failed
    )
    query = {
        "filter": 'status eq "FAILED"',
        "where": {"tenant": "t1"},
        "orderBy": [{"field": "CREATED_AT", "direction": "ASC"}],
    }

    job, content = await finished_export(acme.operator, runner, **query)
    assert csv_ids(content) == [gid(shared), gid(mine)] and job["rowCount"] == 2

    _, everything = await finished_export(superadmin, runner, **query)
    assert csv_ids(everything) == [gid(shared), gid(mine), gid(others_private), gid(other_project)]

    stored = await ExportJob.get(id=parse_global_id(job["id"])[1])  # type: ignore[index]
    assert (stored.filter_text, stored.where, stored.order_by, stored.created_by) == (
        'status eq "FAILED"',
        {"tenant": "t1"},
        [{"field": "CREATED_AT", "direction": "ASC"}],
        "apikey:acme-operator",
    )
    assert str(stored.project_id) == str(project.id)


async def test_a_malformed_filter_is_a_payload_error_and_records_no_job(acme):
    payload = (await acme.operator.data(EXPORT, {"input": {"filter": 'stauts eq "FAILED"'}}))["exportRuns"]
    assert payload == {
        "job": None,
        "errors": [{"code": "BAD_FILTER", "message": "unknown field 'stauts' at 0", "field": ["input", "filter"]}],
    }
    assert await ExportJob.all().count() == 0


async def test_a_viewer_may_not_export(acme):
    error = await acme.viewer.error(EXPORT, {"input": {}})
    assert error["extensions"]["code"] == "FORBIDDEN" and "OPERATOR" in error["message"]
    assert await ExportJob.all().count() == 0


async def test_the_job_is_pending_at_once_and_visible_to_its_project_only(acme, globex, superadmin):
    job = await start_export(acme.operator, filter='status eq "FAILED"')
    assert (job["status"], job["rowCount"], job["progress"], job["url"], job["filter"]) == (
        "PENDING",
        0,
        0.0,
        None,
        'status eq "FAILED"',
    )
    # a job another key of the project made is the project's
    assert (await acme.viewer.data(JOB, {"id": job["id"]}))["exportJob"]["status"] == "PENDING"
    assert (await acme.viewer.data(NODE, {"id": job["id"]}))["node"] == {"id": job["id"], "status": "PENDING"}
    assert (await superadmin.data(JOB, {"id": job["id"]}))["exportJob"]["id"] == job["id"]
    assert (await globex.admin.data(JOB, {"id": job["id"]}))["exportJob"] is None
    assert (await globex.admin.data(NODE, {"id": job["id"]}))["node"] is None
    assert (await acme.viewer.data(JOB, {"id": "not-an-id"}))["exportJob"] is None
    # a SUPERADMIN's export spans every project, so no project's key sees it
    everything = await start_export(superadmin)
    assert (await acme.admin.data(JOB, {"id": everything["id"]}))["exportJob"] is None


async def test_a_large_export_streams_in_chunks_and_reports_progress_per_chunk(acme, runner):
    project = await Project.get(key="acme")
    workflow = await workflow_of("acme")
    await Run.bulk_create([new_run(project, workflow, created_at=at(i)) for i in range(2500)], batch_size=500)
    messages: list[tuple[str, float]] = []

    def listen(topic: str, message: dict[str, Any]) -> None:
        if topic == pubsub.EXPORTS_TOPIC:
            messages.append((message["status"], message["progress"]))

    pubsub.add_local_listener(listen)
    try:
        job = await start_export(acme.operator)
        with StatementLog() as log:
            assert await runner.run_due() == 1
    finally:
        pubsub.remove_local_listener(listen)

    assert messages == [
        ("PENDING", 0.0),
        ("RUNNING", 0.0),
        ("RUNNING", 0.2),
        ("RUNNING", 0.4),
        ("RUNNING", 0.6),
        ("RUNNING", 0.8),
        ("COMPLETED", 1.0),
    ]
    pages = [s for s in log.statements if s.startswith("SELECT") and '"runs"' in s and "ORDER BY" in s]
    assert len(pages) == 5, pages
    shown = (await acme.operator.data(JOB, {"id": job["id"]}))["exportJob"]
    assert shown["rowCount"] == 2500 and shown["progress"] == 1.0
    rows = list(csv.DictReader(io.StringIO(await file_of(job["id"]), newline="")))
    assert len(rows) == 2500 and len({row["id"] for row in rows}) == 2500
    assert [row["createdAt"] for row in rows] == sorted((row["createdAt"] for row in rows), reverse=True)


async def test_spreadsheet_formulas_are_neutralised_in_csv_and_kept_in_jsonl(acme, runner):
    await make_run(
        await Project.get(key="acme"),
        await workflow_of("acme"),
        tags={"@cmd": "x"},
        subject_type="+1",
        subject_id="-2",
        subject_name='=HYPERLINK("http://evil","click")',
        tenant="@SUM(A1)",
        reason="\t=1+1",
    )
    _, content = await finished_export(acme.operator, runner)
    row = next(csv.DictReader(io.StringIO(content, newline="")))
    assert (row["subjectType"], row["subjectId"], row["subjectName"], row["tenant"], row["reason"], row["tags"]) == (
        "'+1",
        "'-2",
        '\'=HYPERLINK("http://evil","click")',
        "'@SUM(A1)",
        "'\t=1+1",
        "'@cmd=x",
    )
    _, lines = await finished_export(acme.operator, runner, format="JSONL")
    record = json.loads(lines)
    assert (record["subjectName"], record["tags"]) == ('=HYPERLINK("http://evil","click")', {"@cmd": "x"})


async def test_an_export_that_cannot_be_written_fails_with_its_reason(acme, db, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    runner = ExportRunner(dataclasses.replace(db, export_dir=blocker / "exports"), name="tests")
    job = await start_export(acme.operator)
    assert await runner.run_due() == 1
    shown = (await acme.operator.data(JOB, {"id": job["id"]}))["exportJob"]
    assert shown["status"] == "FAILED" and shown["url"] is None and shown["finishedAt"] is not None
    assert shown["error"] == "the export file could not be written: Not a directory"
    assert not list(tmp_path.rglob("*.part"))
