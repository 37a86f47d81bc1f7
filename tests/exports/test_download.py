"""GET /exports/{id} through a real `flowdeck serve`, whose own runner writes the files."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import time
import uuid
from typing import Any

import httpx

from app.actions.accounts import create_api_key, create_project
from app.auth import Principal
from app.enums import ExportFormat, ExportStatus, Role, RunStatus
from app.ids import expect_global_id, to_global_id
from app.lifecycle import utcnow
from models import ExportJob, Project
from tests.exports.test_export_runs import EXPORT, HEADER, JOB, gid
from tests.queries.factory import at, make_run, make_workflow
from tests.servers import FlowdeckServer

CREATE_PROJECT = "mutation($key: String!) { createProject(input: {key: $key, name: $key}) { errors { message } } }"
CREATE_KEY = """mutation($project: String!) {
  createApiKey(input: {name: "ops", role: OPERATOR, project: $project}) { secret errors { message } }
}"""


async def graphql(server: FlowdeckServer, secret: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            server.graphql_url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {secret}"},
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


async def operator_of(server: FlowdeckServer, project: str) -> str:
    assert (await graphql(server, server.key, CREATE_PROJECT, {"key": project}))["createProject"]["errors"] == []
    return (await graphql(server, server.key, CREATE_KEY, {"project": project}))["createApiKey"]["secret"]


async def completed(server: FlowdeckServer, secret: str, job_id: str) -> dict[str, Any]:
    """The job once the server's runner has finished it."""
    deadline = time.monotonic() + 30
    while True:
        job = (await graphql(server, secret, JOB, {"id": job_id}))["exportJob"]
        if job["status"] in ("COMPLETED", "FAILED"):
            return job
        assert time.monotonic() < deadline, f"export still {job['status']}:\n{server.output()}"
        await asyncio.sleep(0.05)


async def download(server: FlowdeckServer, path: str, secret: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(server.url + path, headers=headers)


async def test_a_finished_export_downloads_with_the_api_key_and_only_for_its_project(live_server):
    operator = await operator_of(live_server, "acme")
    stranger = await operator_of(live_server, "globex")
    workflow = await make_workflow(await Project.get(key="acme"))
    # finished already, so that the server's engine leaves it as it is
    finished = {"status": RunStatus.COMPLETED, "started_at": at(2), "finished_at": at(4)}
    run = await make_run(
        await Project.get(key="acme"), workflow, created_at=at(1), subject_id="=1+1", tags={"k": "v"}, **finished
    )

    payload = (await graphql(live_server, operator, EXPORT, {"input": {}}))["exportRuns"]
    job = await completed(live_server, operator, payload["job"]["id"])
    assert job["status"] == "COMPLETED" and job["rowCount"] == 1 and job["url"] == f"/exports/{job['id']}"

    response = await download(live_server, job["url"], operator)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    stored = await ExportJob.get(id=expect_global_id(job["id"], "ExportJob"))
    assert (
        response.headers["content-disposition"] == f'attachment; filename="runs-{stored.created_at:%Y%m%dT%H%M%SZ}.csv"'
    )
    assert response.text == (
        HEADER + f"{gid(run)},billing-sync,1,COMPLETED,API,apikey:someone,,'=1+1,,,,NORMAL,false,0,"
        "2026-11-01T00:00:01+00:00,2026-11-01T00:00:02+00:00,2026-11-01T00:00:04+00:00,2.0,,k=v\r\n"
    )

    jsonl = (await graphql(live_server, operator, EXPORT, {"input": {"format": "JSONL"}}))["exportRuns"]["job"]
    jsonl = await completed(live_server, operator, jsonl["id"])
    response = await download(live_server, jsonl["url"], operator)
    assert response.status_code == 200 and response.headers["content-type"] == "application/x-ndjson"
    assert response.headers["content-disposition"].endswith('.jsonl"')
    assert json.loads(response.text)["subjectId"] == "=1+1"

    # the bootstrap SUPERADMIN key sees every project's exports
    assert (await download(live_server, job["url"], live_server.key)).status_code == 200
    for path, secret in (
        (job["url"], stranger),  # another project's job
        ("/exports/not-a-global-id", operator),
        (f"/exports/{to_global_id('ExportJob', uuid.uuid4())}", operator),
        (f"/exports/{gid(run)}", operator),  # a run's id, not a job's
    ):
        response = await download(live_server, path, secret)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    for secret in (None, "fdk_not-a-key"):
        response = await download(live_server, job["url"], secret)
        assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_an_unfinished_or_failed_job_has_nothing_to_download(live_server):
    operator = await operator_of(live_server, "acme")
    project = await Project.get(key="acme")
    for status in (ExportStatus.FAILED, ExportStatus.RUNNING):
        job = await ExportJob.create(
            id=uuid.uuid4(),
            project=project,
            created_by="apikey:ops",
            status=status,
            format=ExportFormat.CSV,
            # held by a live runner elsewhere, so this server leaves it alone
            claimed_by="exporter:elsewhere",
            lease_expires_at=utcnow() + dt.timedelta(hours=1),
            error="disk full" if status is ExportStatus.FAILED else None,
        )
        response = await download(live_server, f"/exports/{to_global_id('ExportJob', job.id)}", operator)
        assert response.status_code == 404, response.text


async def test_a_server_finishes_a_job_left_running_by_a_dead_one(db, start_flowdeck):
    # what a server killed mid-export leaves: its job RUNNING, the lease it stopped renewing run out
    system = Principal(key_id=None, name="tests", role=Role.SUPERADMIN, project_id=None)
    project = await create_project(system, "acme", "Acme")
    _, operator = await create_api_key(system, "ops", Role.OPERATOR, "acme")
    run = await make_run(project, await make_workflow(project), created_at=at(1), status=RunStatus.CANCELED)
    job = await ExportJob.create(
        id=uuid.uuid4(),
        project=project,
        created_by="apikey:ops",
        status=ExportStatus.RUNNING,
        format=ExportFormat.CSV,
        row_count=0,
        claimed_by="exporter:dead-server",
        lease_expires_at=utcnow() - dt.timedelta(seconds=1),
    )

    server = start_flowdeck()
    finished = await completed(server, operator, to_global_id("ExportJob", job.id))
    assert finished["status"] == "COMPLETED" and finished["rowCount"] == 1
    rows = list(csv.DictReader(io.StringIO((await download(server, finished["url"], operator)).text, newline="")))
    assert [row["id"] for row in rows] == [gid(run)]
