"""The authorization matrix, generated from the served schema.

Every field of Query, Mutation and Subscription that the server serves must have a row in
REQUIRED_ROLE, written out by hand from SERVER.md's and JOBS.md's role tables (never read
from the code), so a new field cannot escape the matrix. Each served field is called by
each role on an object of the caller's project, of another project, and (for fields that
reach a run) on a PRIVATE run another key started, and the answers are held to the
contract:

- a role below the one needed: a top-level FORBIDDEN, whatever the object;
- an object within reach: answered (no top-level error, no NOT_FOUND, no payload error);
- an object out of reach: NOT_FOUND in the payload (mutations), null or nothing of it
  (queries), a top-level NOT_FOUND (subscriptions) -- and the whole answer, ids replaced,
  is exactly the answer for an object that does not exist at all;
- no answer given to a key of the caller's project names an object of the other project
  or the PRIVATE run.

SUPERADMIN keys span every project and see PRIVATE runs, so for them every object is
within reach. Fields the contract lists but this server does not serve yet (schedules and
bulk jobs, JOBS.md) keep their row; the test prints them and exercises them once served.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import json
import uuid
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import pytest

from app import pubsub
from app.actions.accounts import create_api_key, ensure_bootstrap_key
from app.actions.bulk_jobs import create_bulk_job
from app.actions.exports import export_runs
from app.actions.updates import post_run_update
from app.actions.workers import claim_steps
from app.auth import Principal
from app.enums import BulkAction, ExportFormat, Role, RunStatus, StepStatus, StepType, Visibility
from app.ids import to_global_id
from app.schedules.actions import ScheduleSettings, create_schedule
from app.schedules.identity import schedule_global_id
from app.settings import Settings
from models import Project, Run, Workflow
from schema import build_schema
from schema.context import Context
from tests.actions.factory import SUPERADMIN, make_run, put_run, put_step, step, task
from tests.pubsub.helpers import WAIT, eventually
from tests.schema.conftest import BOOTSTRAP_SECRET

V, OP, A, S = Role.VIEWER, Role.OPERATOR, Role.ADMIN, Role.SUPERADMIN

# SERVER.md "Permissions" and JOBS.md "Roles of the new operations", written out by hand.
REQUIRED_ROLE: dict[str, dict[str, Role]] = {
    "Query": {
        "node": V,
        "me": V,
        "projects": V,
        "apiKeys": V,
        "workflows": V,
        "workflow": V,
        "runs": V,
        "run": V,
        "conversations": V,
        "runStats": V,
        "exportJob": V,
        "schedules": V,
        "schedule": V,
        "bulkJobs": V,
        "bulkJob": V,
    },
    "Mutation": {
        "createProject": S,
        "createApiKey": A,
        "revokeApiKey": A,
        "createWorkflow": A,
        "publishWorkflowVersion": A,
        "restartRun": A,
        "startRun": OP,
        "triggerWorkflow": OP,
        "cancelRun": OP,
        "terminateRun": OP,
        "pauseRun": OP,
        "resumeRun": OP,
        "retryRun": OP,
        "signalRun": OP,
        "postRunUpdate": OP,
        "unblockRuns": OP,
        "bulkRunAction": OP,
        "approveStep": OP,
        "rejectStep": OP,
        "skipStep": OP,
        "forceCompleteStep": OP,
        "retryStep": OP,
        "replaySubtree": OP,
        "claimSteps": OP,
        "heartbeatStep": OP,
        "completeStep": OP,
        "failStep": OP,
        # not in the contract (an addition for workers stopping on SIGTERM): a worker operation
        # like claimSteps ... failStep, so OPERATOR as they are
        "releaseStep": OP,
        "exportRuns": OP,
        "createSchedule": A,
        "updateSchedule": A,
        "deleteSchedule": A,
        "backfillSchedule": A,
        "pauseSchedule": OP,
        "resumeSchedule": OP,
        "triggerSchedule": OP,
        "cancelBulkJob": OP,
    },
    "Subscription": {"runEvents": V, "runUpdates": V, "runChanged": V, "exportJob": V, "bulkJob": V},
}
# bulkRunAction RESTART needs ADMIN (SERVER.md): a row of its own, exercised like a field
# and SUPERADMIN keys only by SUPERADMIN ("createApiKey ... for roles up to ADMIN")
VARIANTS = {("Mutation", "bulkRunAction RESTART"): A, ("Mutation", "createApiKey SUPERADMIN"): S}

ROLES = (V, OP, A, S)


class Place(enum.Enum):
    OWN = "the caller's project"
    FOREIGN = "another project"
    PRIVATE = "a PRIVATE run another key started"
    MISSING = "nothing at all"


OWN_PROJECT, FOREIGN_PROJECT, MISSING_PROJECT = "acme", "globex", "nowhere"
STRANGER = "apikey:someone-else"
WORKER = "worker-1"
QUEUE = "jobs"


def missing_gid(type_name: str) -> str:
    return to_global_id(type_name, uuid.uuid4())


@dataclasses.dataclass
class Scene:
    """Makes the objects a call needs, fresh for each call, at a Place; remembers every
    object it made outside the caller's reach so that no answer may name one."""

    projects: dict[str, Project]
    out_of_reach: set[str] = dataclasses.field(default_factory=set)

    def project_key(self, place: Place) -> str:
        return {Place.FOREIGN: FOREIGN_PROJECT, Place.MISSING: MISSING_PROJECT}.get(place, OWN_PROJECT)

    def _note(self, place: Place, *identifiers: object) -> None:
        if place in (Place.FOREIGN, Place.PRIVATE):
            self.out_of_reach.update(str(identifier) for identifier in identifiers)

    async def run(
        self, place: Place, status: RunStatus = RunStatus.RUNNING, steps: StepStates | None = None, queue: str = QUEUE
    ) -> tuple[str, Run | None]:
        """A run with an APPROVAL step `ask`, a queued TASK `t` (queue "jobs") and a TASK `x`."""
        if place is Place.MISSING:
            return missing_gid("Run"), None
        private = place is Place.PRIVATE
        project = self.projects[self.project_key(place)]
        run = await make_run(
            project,
            [step("ask", StepType.APPROVAL), task("t", queue=queue), task("x")],
            blocked=status in (RunStatus.BLOCKED, RunStatus.ABANDONED),
            visibility=Visibility.PRIVATE if private else Visibility.PROJECT,
            initiated_by=STRANGER if private else "apikey:tests",
        )
        run = await put_run(run, status)
        for ref, step_status in (steps or {}).items():
            await put_step(run, ref, step_status)
        gid = to_global_id("Run", run.id)
        self._note(place, gid, run.id)
        return gid, run

    async def workflow_key(self, place: Place) -> str:
        """The key of a workflow of the place's project (any key for a missing project)."""
        if place is Place.MISSING:
            return "wf-missing"
        _, run = await self.run(place, RunStatus.PENDING)
        assert run is not None
        workflow = await Workflow.get(id=run.workflow_id)  # type: ignore[attr-defined]
        self._note(place, workflow.key, to_global_id("Workflow", workflow.id))
        return workflow.key

    async def claimed_step(self, place: Place) -> str:
        """The global id of step `t`, claimed by WORKER."""
        if place is Place.MISSING:
            return missing_gid("StepRun")
        queue = f"q-{uuid.uuid4().hex[:8]}"  # a queue of its own: no earlier step is claimed instead
        _, run = await self.run(place, RunStatus.RUNNING, {"t": StepStatus.QUEUED}, queue)
        assert run is not None
        project = self.projects[self.project_key(place)]
        worker = Principal(key_id=uuid.uuid4(), name="worker", role=OP, project_id=uuid.UUID(str(project.id)))
        claimed = await claim_steps(worker, queue, WORKER)
        assert [step.run_id for step in claimed] == [run.id]  # type: ignore[attr-defined]
        gid = to_global_id("StepRun", claimed[0].id)
        self._note(place, gid, claimed[0].id)
        return gid

    async def schedule(self, place: Place, paused: bool = False) -> tuple[str, str]:
        """A schedule (hourly, of a workflow of the place's project): its global id and key."""
        if place is Place.MISSING:
            return missing_gid("Schedule"), "sched-missing"
        workflow_key = await self.workflow_key(place)
        key = f"s-{uuid.uuid4().hex[:8]}"
        schedule = await create_schedule(
            SUPERADMIN,
            key=key,
            project_key=self.project_key(place),
            workflow_key=workflow_key,
            settings=ScheduleSettings(cron="0 * * * *"),
            paused=paused,
        )
        gid = schedule_global_id(schedule.id)
        self._note(place, gid, schedule.id, key)
        return gid, key

    async def bulk_job(self, place: Place) -> str:
        """A PENDING background bulk CANCEL made by an OPERATOR of the place's project."""
        if place is Place.MISSING:
            return missing_gid("BulkJob")
        run_gid, _ = await self.run(place, RunStatus.RUNNING)
        project = self.projects[self.project_key(place)]
        owner = Principal(key_id=None, name="bulk", role=OP, project_id=uuid.UUID(str(project.id)))
        job = await create_bulk_job(
            owner,
            action=BulkAction.CANCEL,
            ids=[run_gid],
            filter=None,
            where=None,
            reason=None,
            dry_run=False,
            max_per_second=None,
            idempotency_key=None,
        )
        gid = to_global_id("BulkJob", job.id)
        self._note(place, gid, job.id)
        return gid

    async def api_key(self, place: Place) -> str:
        if place is Place.MISSING:
            return missing_gid("ApiKey")
        key, _ = await create_api_key(SUPERADMIN, f"k-{uuid.uuid4().hex[:8]}", V, self.project_key(place))
        gid = to_global_id("ApiKey", key.id)
        self._note(place, gid, key.id, key.name)
        return gid

    async def export_job(self, place: Place) -> str:
        if place is Place.MISSING:
            return missing_gid("ExportJob")
        project = self.projects[self.project_key(place)]
        owner = Principal(key_id=None, name="exporter", role=OP, project_id=uuid.UUID(str(project.id)))
        job = await export_runs(owner, filter=None, where=None, order_by=None, format=ExportFormat.CSV)
        gid = to_global_id("ExportJob", job.id)
        self._note(place, gid, job.id)
        return gid


StepStates = dict[str, StepStatus]


@dataclasses.dataclass
class Call:
    document: str
    variables: dict[str, Any]
    # what names the object: replaced before a foreign answer is compared with a missing one
    names: tuple[str, ...] = ()
    # runChanged replays nothing: what to make once the subscription is registered, returning
    # the global ids of the run made at the place (None for a missing one) and of a sentinel
    after_subscribe: Callable[[], Awaitable[tuple[str | None, str]]] | None = None
    made: tuple[str | None, str] | None = None


Prepare = Callable[[Scene, Place], Awaitable[Call]]


def run_action(field: str, status: RunStatus) -> Prepare:
    async def prepare(scene: Scene, place: Place) -> Call:
        gid, _ = await scene.run(place, status)
        document = f"mutation($id: ID!) {{ {field}(input: {{id: $id}}) {{ run {{ id }} errors {{ code message }} }} }}"
        return Call(document, {"id": gid}, (gid,))

    return prepare


def step_action(field: str, steps: StepStates, ref: str) -> Prepare:
    async def prepare(scene: Scene, place: Place) -> Call:
        gid, _ = await scene.run(place, RunStatus.RUNNING, steps)
        document = (
            f"mutation($id: ID!) {{ {field}(input: {{runId: $id, stepRef: {json.dumps(ref)}}}) "
            "{ errors { code message } } }"
        )
        return Call(document, {"id": gid}, (gid,))

    return prepare


def worker_action(field: str, extra: str) -> Prepare:
    async def prepare(scene: Scene, place: Place) -> Call:
        gid = await scene.claimed_step(place)
        document = (
            f'mutation($id: ID!) {{ {field}(input: {{stepRunId: $id, workerId: "{WORKER}"{extra}}}) '
            "{ errors { code message } } }"
        )
        return Call(document, {"id": gid}, (gid,))

    return prepare


def by_project(document: str) -> Prepare:
    """A field whose object is a project, named by `$project`."""

    async def prepare(scene: Scene, place: Place) -> Call:
        key = scene.project_key(place)
        return Call(document, {"project": key}, (key,))

    return prepare


def by_run(document: str, status: RunStatus = RunStatus.RUNNING, steps: StepStates | None = None) -> Prepare:
    async def prepare(scene: Scene, place: Place) -> Call:
        gid, _ = await scene.run(place, status, steps)
        return Call(document, {"id": gid}, (gid,))

    return prepare


def no_object(document: str) -> Prepare:
    """A field that names no object: only the role matters."""

    async def prepare(scene: Scene, place: Place) -> Call:
        return Call(document, {})

    return prepare


async def prepare_workflow(scene: Scene, place: Place) -> Call:
    key = await scene.workflow_key(place)
    project = scene.project_key(place)
    document = "query($key: String!, $project: String) { workflow(key: $key, project: $project) { key name } }"
    return Call(document, {"key": key, "project": project}, (key, project))


async def prepare_node(scene: Scene, place: Place) -> Call:
    gid, _ = await scene.run(place)
    return Call("query($id: ID!) { node(id: $id) { id } }", {"id": gid}, (gid,))


async def prepare_export_job(scene: Scene, place: Place) -> Call:
    gid = await scene.export_job(place)
    return Call("query($id: ID!) { exportJob(id: $id) { id status } }", {"id": gid}, (gid,))


async def prepare_export_job_subscription(scene: Scene, place: Place) -> Call:
    gid = await scene.export_job(place)
    return Call("subscription($id: ID!) { exportJob(id: $id) { id status } }", {"id": gid}, (gid,))


async def prepare_run_updates(scene: Scene, place: Place) -> Call:
    gid, run = await scene.run(place)
    if run is not None:  # one update to replay, so that a subscriber within reach gets an item
        await post_run_update(None, gid, "UPDATE", "hello")
    return Call("subscription($id: ID!) { runUpdates(runId: $id) { seq message } }", {"id": gid}, (gid,))


async def prepare_run_changed(scene: Scene, place: Place) -> Call:
    """runChanged over every run the caller may see. Once it is registered, a run is made at
    the place, then a sentinel run in the caller's own project: a subscriber that may see the
    first gets it first; one that may not gets the sentinel first (ordered, so no waiting on
    an absence)."""
    call = Call("subscription { runChanged { id status } }", {})

    async def make() -> tuple[str | None, str]:
        target = None if place is Place.MISSING else (await scene.run(place, RunStatus.PENDING))[0]
        sentinel, _ = await scene.run(Place.OWN, RunStatus.PENDING)
        call.names = (*call.names, *(name for name in (target, sentinel) if name))
        return target, sentinel

    call.after_subscribe = make
    return call


async def prepare_start_run(scene: Scene, place: Place) -> Call:
    key = await scene.workflow_key(place)
    project = scene.project_key(place)
    document = (
        "mutation($wf: String!, $project: String) { startRun(input: {workflowKey: $wf, project: $project}) "
        "{ run { id } errors { code message } } }"
    )
    return Call(document, {"wf": key, "project": project}, (key, project))


async def prepare_trigger(scene: Scene, place: Place) -> Call:
    key = await scene.workflow_key(place)
    project = scene.project_key(place)
    document = (
        "mutation($wf: String!, $project: String) { triggerWorkflow(input: {workflowKey: $wf, project: $project, "
        'subjects: [{type: "user", id: "u1"}]}) { errors { code message } } }'
    )
    return Call(document, {"wf": key, "project": project}, (key, project))


async def prepare_publish(scene: Scene, place: Place) -> Call:
    key = await scene.workflow_key(place)
    project = scene.project_key(place)
    document = (
        "mutation($wf: String!, $project: String) { publishWorkflowVersion(input: {workflowKey: $wf, "
        'project: $project, steps: [{ref: "a", type: TASK, handler: "noop"}]}) { errors { code message } } }'
    )
    return Call(document, {"wf": key, "project": project}, (key, project))


async def prepare_create_workflow(scene: Scene, place: Place) -> Call:
    project = scene.project_key(place)
    document = (
        "mutation($project: String, $key: String!) { createWorkflow(input: {project: $project, key: $key, "
        'name: "W", steps: [{ref: "a", type: TASK, handler: "noop"}]}) { errors { code message } } }'
    )
    return Call(document, {"project": project, "key": f"wf-{uuid.uuid4().hex[:8]}"}, (project,))


async def prepare_create_api_key(scene: Scene, place: Place) -> Call:
    project = scene.project_key(place)
    document = (
        "mutation($project: String, $name: String!) { createApiKey(input: {name: $name, role: VIEWER, "
        "project: $project}) { apiKey { id } errors { code message } } }"
    )
    name = f"k-{uuid.uuid4().hex[:8]}"
    return Call(document, {"project": project, "name": name}, (project,))


async def prepare_create_superadmin_key(scene: Scene, place: Place) -> Call:
    document = (
        "mutation($name: String!) { createApiKey(input: {name: $name, role: SUPERADMIN}) "
        "{ apiKey { id } errors { code message } } }"
    )
    return Call(document, {"name": f"k-{uuid.uuid4().hex[:8]}"})


async def prepare_revoke(scene: Scene, place: Place) -> Call:
    gid = await scene.api_key(place)
    document = "mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { id } errors { code message } } }"
    return Call(document, {"id": gid}, (gid,))


async def prepare_create_project(scene: Scene, place: Place) -> Call:
    key = f"p-{uuid.uuid4().hex[:8]}"
    document = "mutation($key: String!) { createProject(input: {key: $key, name: $key}) { errors { code message } } }"
    return Call(document, {"key": key})


async def prepare_signal(scene: Scene, place: Place) -> Call:
    gid, _ = await scene.run(place)
    document = (
        'mutation($id: ID!) { signalRun(input: {id: $id, name: "go", message: "m"}) { errors { code message } } }'
    )
    return Call(document, {"id": gid}, (gid,))


async def prepare_post_update(scene: Scene, place: Place) -> Call:
    gid, _ = await scene.run(place)
    document = 'mutation($id: ID!) { postRunUpdate(input: {runId: $id, message: "m"}) { errors { code message } } }'
    return Call(document, {"id": gid}, (gid,))


async def prepare_unblock(scene: Scene, place: Place) -> Call:
    gid, _ = await scene.run(place, RunStatus.BLOCKED)
    document = (
        "mutation($id: ID!) { unblockRuns(input: {id: $id, action: ABANDON}) "
        "{ matched succeeded errors { code message } } }"
    )
    return Call(document, {"id": gid}, (gid,))


def prepare_bulk(action: str, status: RunStatus) -> Prepare:
    async def prepare(scene: Scene, place: Place) -> Call:
        gid, _ = await scene.run(place, status)
        document = (
            f"mutation($id: ID!) {{ bulkRunAction(input: {{action: {action}, ids: [$id]}}) "
            "{ matched succeeded failed errors { code message } } }"
        )
        return Call(document, {"id": gid}, (gid,))

    return prepare


async def prepare_claim(scene: Scene, place: Place) -> Call:
    # a queue is the caller's own project's: a step of the other project is never claimed
    await scene.run(place, RunStatus.RUNNING, {"t": StepStatus.QUEUED})
    document = f'mutation {{ claimSteps(input: {{queue: "{QUEUE}", workerId: "{WORKER}"}}) {{ steps {{ id }} }} }}'
    return Call(document, {})


async def prepare_export_runs(scene: Scene, place: Place) -> Call:
    await scene.run(place)
    return Call("mutation { exportRuns(input: {format: CSV}) { job { id } errors { code message } } }", {})


def schedule_action(field: str, extra: str = "", selection: str = "schedule { id }", paused: bool = False) -> Prepare:
    async def prepare(scene: Scene, place: Place) -> Call:
        gid, _ = await scene.schedule(place, paused)
        document = (
            f"mutation($id: ID!) {{ {field}(input: {{id: $id{extra}}}) {{ {selection} errors {{ code message }} }} }}"
        )
        return Call(document, {"id": gid}, (gid,))

    return prepare


async def prepare_schedule(scene: Scene, place: Place) -> Call:
    _, key = await scene.schedule(place)
    project = scene.project_key(place)
    document = "query($key: String!, $project: String) { schedule(key: $key, project: $project) { id key } }"
    return Call(document, {"key": key, "project": project}, (key, project))


async def prepare_create_schedule(scene: Scene, place: Place) -> Call:
    workflow_key = await scene.workflow_key(place)
    project = scene.project_key(place)
    document = (
        "mutation($project: String, $wf: String!, $key: String!) { createSchedule(input: {key: $key, "
        'project: $project, workflowKey: $wf, cron: "0 * * * *"}) { schedule { id } errors { code message } } }'
    )
    return Call(document, {"project": project, "wf": workflow_key, "key": f"s-{uuid.uuid4().hex[:8]}"}, (project,))


def by_bulk_job(document: str) -> Prepare:
    async def prepare(scene: Scene, place: Place) -> Call:
        gid = await scene.bulk_job(place)
        return Call(document, {"id": gid}, (gid,))

    return prepare


FINISHED = RunStatus.FAILED
PREPARE: dict[tuple[str, str], Prepare] = {
    ("Query", "node"): prepare_node,
    ("Query", "me"): no_object("{ me { name role } }"),
    ("Query", "projects"): no_object("{ projects { id key name } }"),
    ("Query", "apiKeys"): no_object("{ apiKeys { id name role } }"),
    ("Query", "workflows"): by_project(
        "query($project: String) { workflows(project: $project) { edges { node { id key } } } }"
    ),
    ("Query", "workflow"): prepare_workflow,
    ("Query", "runs"): by_project(
        "query($project: String) { runs(project: $project) { totalCount edges { node { id initiatedBy } } } }"
    ),
    ("Query", "run"): by_run("query($id: ID!) { run(id: $id) { id status } }"),
    ("Query", "conversations"): by_project(
        "query($project: String) { conversations(project: $project) { edges { node { id } } } }"
    ),
    ("Query", "runStats"): by_project("query($project: String) { runStats(project: $project) { total } }"),
    ("Query", "exportJob"): prepare_export_job,
    ("Mutation", "createProject"): prepare_create_project,
    ("Mutation", "createApiKey"): prepare_create_api_key,
    ("Mutation", "createApiKey SUPERADMIN"): prepare_create_superadmin_key,
    ("Mutation", "revokeApiKey"): prepare_revoke,
    ("Mutation", "createWorkflow"): prepare_create_workflow,
    ("Mutation", "publishWorkflowVersion"): prepare_publish,
    ("Mutation", "startRun"): prepare_start_run,
    ("Mutation", "triggerWorkflow"): prepare_trigger,
    ("Mutation", "cancelRun"): run_action("cancelRun", RunStatus.RUNNING),
    ("Mutation", "terminateRun"): run_action("terminateRun", RunStatus.RUNNING),
    ("Mutation", "pauseRun"): run_action("pauseRun", RunStatus.RUNNING),
    ("Mutation", "resumeRun"): run_action("resumeRun", RunStatus.PAUSED),
    ("Mutation", "retryRun"): run_action("retryRun", FINISHED),
    ("Mutation", "restartRun"): run_action("restartRun", FINISHED),
    ("Mutation", "signalRun"): prepare_signal,
    ("Mutation", "postRunUpdate"): prepare_post_update,
    ("Mutation", "approveStep"): step_action("approveStep", {"ask": StepStatus.WAITING}, "ask"),
    ("Mutation", "rejectStep"): step_action("rejectStep", {"ask": StepStatus.WAITING}, "ask"),
    ("Mutation", "skipStep"): step_action("skipStep", {}, "x"),
    ("Mutation", "forceCompleteStep"): step_action("forceCompleteStep", {"x": StepStatus.FAILED}, "x"),
    ("Mutation", "retryStep"): step_action("retryStep", {"x": StepStatus.FAILED}, "x"),
    ("Mutation", "replaySubtree"): step_action("replaySubtree", {"x": StepStatus.COMPLETED}, "x"),
    ("Mutation", "claimSteps"): prepare_claim,
    ("Mutation", "heartbeatStep"): worker_action("heartbeatStep", ""),
    ("Mutation", "completeStep"): worker_action("completeStep", ""),
    ("Mutation", "failStep"): worker_action("failStep", ', error: "boom"'),
    ("Mutation", "releaseStep"): worker_action("releaseStep", ""),
    ("Mutation", "unblockRuns"): prepare_unblock,
    ("Mutation", "bulkRunAction"): prepare_bulk("CANCEL", RunStatus.RUNNING),
    ("Mutation", "bulkRunAction RESTART"): prepare_bulk("RESTART", FINISHED),
    ("Mutation", "exportRuns"): prepare_export_runs,
    ("Query", "schedules"): by_project(
        "query($project: String) { schedules(project: $project) { edges { node { id key } } } }"
    ),
    ("Query", "schedule"): prepare_schedule,
    ("Mutation", "createSchedule"): prepare_create_schedule,
    ("Mutation", "updateSchedule"): schedule_action("updateSchedule", ', cron: "5 * * * *"'),
    ("Mutation", "pauseSchedule"): schedule_action("pauseSchedule"),
    ("Mutation", "resumeSchedule"): schedule_action("resumeSchedule", paused=True),
    ("Mutation", "deleteSchedule"): schedule_action("deleteSchedule"),
    ("Mutation", "triggerSchedule"): schedule_action("triggerSchedule", selection="run { id }"),
    ("Mutation", "backfillSchedule"): schedule_action(
        "backfillSchedule", ', from: "2026-01-01T00:00:00Z", to: "2026-01-01T02:00:00Z"', "batchId"
    ),
    ("Query", "bulkJobs"): by_project(
        "query($project: String) { bulkJobs(project: $project) { edges { node { id status } } } }"
    ),
    ("Query", "bulkJob"): by_bulk_job("query($id: ID!) { bulkJob(id: $id) { id status } }"),
    ("Mutation", "cancelBulkJob"): by_bulk_job(
        "mutation($id: ID!) { cancelBulkJob(id: $id) { job { id status } errors { code message } } }"
    ),
    ("Subscription", "bulkJob"): by_bulk_job("subscription($id: ID!) { bulkJob(id: $id) { id status } }"),
    ("Subscription", "runEvents"): by_run("subscription($id: ID!) { runEvents(runId: $id) { seq type } }"),
    ("Subscription", "runUpdates"): prepare_run_updates,
    ("Subscription", "runChanged"): prepare_run_changed,
    ("Subscription", "exportJob"): prepare_export_job_subscription,
}
# Fields whose object is no run, so a PRIVATE run is no place for them; and the worker
# fields, which name no run or act on the steps of their project's queue (claimSteps is
# scoped by project: a worker runs its project's steps whoever started the run).
NO_PRIVATE_PLACE = {
    "me",
    "projects",
    "schedules",
    "schedule",
    "bulkJobs",
    "bulkJob",
    "cancelBulkJob",
    "createSchedule",
    "updateSchedule",
    "pauseSchedule",
    "resumeSchedule",
    "deleteSchedule",
    "triggerSchedule",
    "backfillSchedule",
    "apiKeys",
    "workflows",
    "workflow",
    "runs",
    "conversations",
    "runStats",
    "exportJob",
    "createProject",
    "createApiKey",
    "revokeApiKey",
    "createWorkflow",
    "publishWorkflowVersion",
    "startRun",
    "triggerWorkflow",
    "claimSteps",
    "heartbeatStep",
    "completeStep",
    "failStep",
    "releaseStep",
    "exportRuns",
}
# bulkRunAction selects "the runs the target selected (visible to the caller)" (BulkActionPayload.matched):
# a run out of reach is simply not selected, exactly as one that does not exist. unblockRuns(id:)
# names one run, so it answers NOT_FOUND for a run out of reach, like every single-run mutation.
SELECTIONS = {"bulkRunAction"}
# Fields that name no object: only the role is checked; what they list is held by the
# "names nothing out of reach" check.
NO_OBJECT = {"me", "projects", "apiKeys", "createProject", "claimSteps", "exportRuns", "createApiKey SUPERADMIN"}


def served_fields(settings: Settings) -> dict[str, list[str]]:
    """The fields of Query, Mutation and Subscription, read by introspection of the served schema."""
    schema = build_schema(settings)
    query = (
        "{ __schema { queryType { fields { name } } mutationType { fields { name } } "
        "subscriptionType { fields { name } } } }"
    )
    result = schema.execute_sync(query)
    assert result.errors is None and result.data is not None
    types = result.data["__schema"]
    return {
        kind: [field["name"] for field in types[f"{kind.lower()}Type"]["fields"]]
        for kind in ("Query", "Mutation", "Subscription")
    }


@dataclasses.dataclass
class Caller:
    schema: Any
    settings: Settings
    role: Role
    secret: str

    def context(self) -> Context:
        return Context(settings=self.settings, authorization=f"Bearer {self.secret}")

    async def answer(self, kind: str, call: Call) -> dict[str, Any]:
        """The whole answer as a client sees it: data and formatted errors (the first item
        of a subscription)."""
        if kind != "Subscription":
            result = await self.schema.execute(
                call.document, variable_values=call.variables, context_value=self.context()
            )
        else:
            result = await self.first_item(call)
        errors = [{"message": e.message, "extensions": e.extensions} for e in result.errors or []]
        return {"data": result.data, "errors": errors}

    async def first_item(self, call: Call) -> Any:
        hub = pubsub.get_hub()
        # earlier subscriptions are closed, and their feeds leave the hub once cancelled
        await eventually(lambda: hub.subscriber_count == 0)
        generator = await self.schema.subscribe(
            call.document, variable_values=call.variables, context_value=self.context()
        )
        if not isinstance(generator, AsyncGenerator):
            return generator  # an error before the subscription began
        try:
            if call.after_subscribe is None:
                return await asyncio.wait_for(anext(generator), WAIT)
            first = asyncio.create_task(anext(generator))
            try:
                await eventually(lambda: first.done() or hub.subscriber_count > 0)
                call.made = await call.after_subscribe()
                return await asyncio.wait_for(first, WAIT)
            finally:
                first.cancel()
                await asyncio.gather(first, return_exceptions=True)
        finally:
            await generator.aclose()


def scrub(answer: dict[str, Any], names: tuple[str, ...]) -> str:
    text = json.dumps(answer, sort_keys=True)
    for name in names:
        text = text.replace(name, "<name>")
    return text


def top_codes(answer: dict[str, Any]) -> list[str]:
    return [(error["extensions"] or {}).get("code") for error in answer["errors"]]


def payload_codes(answer: dict[str, Any]) -> list[str]:
    """The codes of the payload's `errors`, wherever they sit in the answer."""
    codes: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "errors" and isinstance(item, list):
                    codes.extend(error.get("code") for error in item if isinstance(error, dict))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(answer["data"])
    return codes


def within_reach(role: Role, place: Place) -> bool:
    return place is Place.OWN or role is S


def check(
    kind: str, field: str, role: Role, place: Place, call: Call, answer: dict[str, Any], needed: Role
) -> list[str]:
    """What is wrong with one answer, as sentences (empty when it is what the contract says)."""
    where = f"{kind}.{field} as {role.name} on {place.value}"
    base = field.split()[0]
    if call.made is not None and role >= needed:  # runChanged: the place's run first, or the sentinel
        target, sentinel = call.made
        first = ((answer["data"] or {}).get(field) or {}).get("id")
        wanted = target if within_reach(role, place) else sentinel
        return [] if first == wanted and not answer["errors"] else [f"{where}: expected {wanted} first, got {answer}"]
    if role < needed:
        if top_codes(answer) != ["FORBIDDEN"]:
            return [f"{where}: expected a top-level FORBIDDEN, got {answer}"]
        return []
    if base in SELECTIONS:
        selected = (answer["data"] or {}).get(base) or {}
        wanted = 1 if within_reach(role, place) else 0
        if (
            answer["errors"]
            or payload_codes(answer)
            or (selected.get("matched"), selected.get("succeeded"))
            != (
                wanted,
                wanted,
            )
        ):
            return [f"{where}: expected {wanted} run selected and acted on, got {answer}"]
        return []
    if within_reach(role, place) or field in NO_OBJECT:
        if answer["errors"] or payload_codes(answer):
            return [f"{where}: expected an answer, got {answer}"]
        data = answer["data"] or {}
        if data.get(field.split()[0]) is None:
            return [f"{where}: expected the object, got {answer}"]
        return []
    if kind == "Mutation":
        if payload_codes(answer) != ["NOT_FOUND"] or answer["errors"]:
            return [f"{where}: expected NOT_FOUND in the payload, got {answer}"]
    elif kind == "Subscription":
        if top_codes(answer) != ["NOT_FOUND"]:
            return [f"{where}: expected a top-level NOT_FOUND, got {answer}"]
    elif answer["errors"] or (
        (answer["data"] or {}).get(base) not in (None, [], {}) and not empty_list(answer["data"][base])
    ):
        return [f"{where}: expected null or nothing, got {answer}"]
    return []


def empty_list(value: Any) -> bool:
    """A connection or stats with nothing in it."""
    if isinstance(value, dict):
        if "edges" in value:
            return value["edges"] == []
        if "total" in value:
            return value["total"] == 0
    return False


@pytest.fixture
async def scene(db: Settings) -> Scene:
    projects = {}
    for key in (OWN_PROJECT, FOREIGN_PROJECT):
        projects[key] = await Project.create(id=uuid.uuid4(), key=key, name=key.title())
    return Scene(projects)


@pytest.fixture
async def callers(db: Settings, scene: Scene) -> list[Caller]:
    schema = build_schema(db)
    await ensure_bootstrap_key(BOOTSTRAP_SECRET)
    found = [Caller(schema, db, S, BOOTSTRAP_SECRET)]
    for role in (V, OP, A):
        _, secret = await create_api_key(SUPERADMIN, f"acme-{role.name.lower()}", role, OWN_PROJECT)
        found.append(Caller(schema, db, role, secret))
    return sorted(found, key=lambda caller: caller.role)


@pytest.fixture
async def hub(db: Settings) -> AsyncGenerator[None, None]:
    await pubsub.start_hub(f"memory://{uuid.uuid4().hex}")
    try:
        yield
    finally:
        await pubsub.stop_hub()


@pytest.mark.parametrize("kind", ["Query", "Mutation", "Subscription"])
async def test_every_served_field_has_a_row(db: Settings, kind: str) -> None:
    served = served_fields(db)[kind]
    missing = [field for field in served if field not in REQUIRED_ROLE[kind]]
    assert missing == [], f"{kind} fields with no row in REQUIRED_ROLE (write it from the contract): {missing}"
    unprepared = [field for field in served if (kind, field) not in PREPARE]
    assert unprepared == [], f"{kind} fields served but never exercised (add them to PREPARE): {unprepared}"
    not_served = [field for field in REQUIRED_ROLE[kind] if field not in served]
    print(f"{kind}: rows for fields not served yet, not exercised: {not_served}")


@pytest.mark.parametrize("kind", ["Query", "Mutation", "Subscription"])
async def test_each_role_gets_what_the_contract_promises_and_learns_nothing_out_of_reach(
    db: Settings, scene: Scene, callers: list[Caller], hub: None, kind: str
) -> None:
    served = served_fields(db)[kind]
    rows = [(field, REQUIRED_ROLE[kind][field]) for field in served]
    rows += [(name, role) for (row_kind, name), role in VARIANTS.items() if row_kind == kind]
    problems: list[str] = []
    for field, needed in rows:
        prepare = PREPARE[(kind, field)]
        for caller in callers:
            for place in (Place.OWN, Place.FOREIGN, Place.PRIVATE):
                if place is Place.PRIVATE and field.split()[0] in NO_PRIVATE_PLACE:
                    continue
                if place is not Place.OWN and field in NO_OBJECT and caller.role is not S:
                    continue
                call = await prepare(scene, place)
                answer = await caller.answer(kind, call)
                problems += check(kind, field, caller.role, place, call, answer, needed)
                if caller.role is S or caller.role < needed or place is Place.OWN:
                    continue
                # out of reach: exactly the answer for an object that does not exist
                missing_call = await prepare(scene, Place.MISSING)
                missing = await caller.answer(kind, missing_call)
                if scrub(answer, call.names) != scrub(missing, missing_call.names):
                    problems.append(
                        f"{kind}.{field} as {caller.role.name}: {place.value} answers {answer}, "
                        f"nothing at all answers {missing}"
                    )
    # no answer to a key of the caller's project names anything out of its reach
    for field, _ in rows:
        prepare = PREPARE[(kind, field)]
        for caller in callers:
            if caller.role is S:
                continue
            call = await prepare(scene, Place.OWN)
            text = json.dumps(await caller.answer(kind, call))
            leaked = sorted(name for name in scene.out_of_reach if name in text)
            if leaked:
                problems.append(f"{kind}.{field} as {caller.role.name} names objects out of reach: {leaked}")
    assert problems == [], "\n".join(problems)
