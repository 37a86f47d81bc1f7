"""A bulk job's CANCEL and TERMINATE, many runs per transaction (app.run_batches), against the
same job one run per transaction: the same mixed workload, built twice in two projects, gives
the same runs, steps, events, notifications, counters and job figures (JOBS.md "Bulk jobs",
LIFECYCLE.md "cancelRun", "terminateRun")."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from typing import Any

import asyncpg
import pytest
from tortoise import Tortoise

from app import pubsub
from app.actions import run_control
from app.actions.bulk import bulk_run_action
from app.auth import Principal
from app.engine import bulk_jobs as runner_module
from app.engine.bulk_jobs import BulkJobRunner
from app.enums import BulkAction, BulkJobStatus, Role, RunEventType, RunStatus, StepStatus, StepType, Visibility
from app.ids import to_global_id
from app.run_writes import RunMovedOn
from app.statements import placeholders
from models import BulkJob, Project, Run, RunCount, RunEvent, Signal, StepRun, Workflow
from tests.actions.factory import make_project, make_run, make_run_in, put_run, put_step, step, task
from tests.conftest import TABLES
from tests.engine import factory as engine_factory
from tests.engine.test_bulk_jobs import background

# who started the runs that use a change limit up before a BLOCKED one is made (factory.make_run)
BLOCKER = "test"
# labels of the runs the job's target names (by id); "child-out" is a child run left out of it
IN_TARGET = (
    "pending",
    "pending-cleanup",
    "blocked",
    "running-mixed",
    "running-cleanup-running",
    "running-all-done",
    "paused",
    "canceling",
    "completed",
    "failed",
    "canceled",
    "terminated",
    "timed-out",
    "abandoned",
    "scheduled",
    "parent",
    "child",
    "child-done",
    "grandchild",
    "moved-on",
    "pending-2",
    "pending-3",
)


async def labeled(project: Project, label: str, status: RunStatus, steps: list[Any] | None = None) -> Run:
    return await make_run_in(project, status, steps or [task("a")], input={"label": label})


async def build_workload(project: Project) -> dict[str, Run]:
    """Runs in every status, with steps in every status, cleanup steps, waiting approvals and
    signals, a buffered signal, a run of a schedule, and a family of parent, children and a
    grandchild."""
    runs: dict[str, Run] = {}
    pending_steps = [task("a"), task("b", "a"), task("cleanup", on_cancel=True)]
    runs["pending"] = await labeled(project, "pending", RunStatus.PENDING, [task("a"), task("b", "a")])
    runs["pending-cleanup"] = await labeled(project, "pending-cleanup", RunStatus.PENDING, pending_steps)
    runs["pending-2"] = await labeled(project, "pending-2", RunStatus.PENDING)
    runs["pending-3"] = await labeled(project, "pending-3", RunStatus.PENDING)
    runs["moved-on"] = await labeled(project, "moved-on", RunStatus.PENDING)
    runs["blocked"] = await labeled(project, "blocked", RunStatus.BLOCKED)
    mixed = [
        task("done"),
        task("bad"),
        task("skipped"),
        task("canc"),
        task("work"),
        task("queued"),
        task("later", "work"),
        step("approve", StepType.APPROVAL),
        step("sig", StepType.SIGNAL, config={"signal": "go"}),
        task("cleanup", on_cancel=True),
    ]
    run = runs["running-mixed"] = await labeled(project, "running-mixed", RunStatus.RUNNING, mixed)
    for ref, status in (
        ("done", StepStatus.COMPLETED),
        ("bad", StepStatus.FAILED),
        ("skipped", StepStatus.SKIPPED),
        ("canc", StepStatus.CANCELED),
        ("work", StepStatus.RUNNING),
        ("queued", StepStatus.QUEUED),
        ("approve", StepStatus.WAITING),
        ("sig", StepStatus.WAITING),
    ):
        await put_step(run, ref, status, output={"ref": ref} if status is StepStatus.COMPLETED else None)
    await Signal.create(
        id=uuid.uuid4(), run_id=run.id, name="other", payload={"x": 1}, received_at=run.created_at, sent_by="test"
    )
    cleaning = [task("work"), task("cleanup", on_cancel=True)]
    run = runs["running-cleanup-running"] = await labeled(
        project, "running-cleanup-running", RunStatus.RUNNING, cleaning
    )
    await put_step(run, "cleanup", StepStatus.RUNNING)
    run = runs["running-all-done"] = await labeled(project, "running-all-done", RunStatus.RUNNING)
    await put_step(run, "a", StepStatus.COMPLETED, output=1)
    run = runs["paused"] = await make_run(project, [task("a"), task("b")], input={"label": "paused"})
    await put_run(run, RunStatus.RUNNING)
    await put_step(run, "a", StepStatus.RUNNING)
    runs["paused"] = await put_run(run, RunStatus.PAUSED)
    for label, status in (
        ("canceling", RunStatus.CANCELING),
        ("completed", RunStatus.COMPLETED),
        ("failed", RunStatus.FAILED),
        ("canceled", RunStatus.CANCELED),
        ("terminated", RunStatus.TERMINATED),
        ("timed-out", RunStatus.TIMED_OUT),
        ("abandoned", RunStatus.ABANDONED),
    ):
        runs[label] = await labeled(project, label, status)
    runs["scheduled"] = await labeled(project, "scheduled", RunStatus.RUNNING)
    await Run.filter(id=runs["scheduled"].id).update(schedule_id="no-such-schedule")
    parent = runs["parent"] = await labeled(
        project, "parent", RunStatus.RUNNING, [step("sub", StepType.SUBWORKFLOW), task("after", "sub")]
    )
    await put_step(parent, "sub", StepStatus.WAITING)
    for label, status, of in (
        ("child", RunStatus.RUNNING, "parent"),
        ("child-done", RunStatus.COMPLETED, "parent"),
        ("child-out", RunStatus.RUNNING, "parent"),
        ("grandchild", RunStatus.PENDING, "child-out"),
    ):
        runs[label] = await labeled(project, label, status)
        await Run.filter(id=runs[label].id).update(parent_run_id=runs[of].id)
    return runs


class Notifications:
    """The runs' notifications published while the job runs (the bulk job's own left out)."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, topic: str, message: dict[str, Any]) -> None:
        if topic != pubsub.BULK_JOBS_TOPIC:
            self.messages.append((topic, dict(message)))


async def run_job(
    project: Project, action: BulkAction, *, batched: bool, max_per_second: float
) -> tuple[BulkJob, Notifications]:
    runs = await labels_of(project)
    operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=uuid.UUID(str(project.id)))
    result = await bulk_run_action(
        operator,
        action=action,
        ids=[to_global_id("Run", runs[label]) for label in IN_TARGET],
        filter=None,
        where=None,
        reason="cleanup",
        dry_run=False,
        background=True,
        max_per_second=max_per_second,
    )
    assert result.job is not None
    notifications = Notifications()
    pubsub.add_local_listener(notifications)
    try:
        # one run at a time on the per-run path: the order of a cascade and the job's own change is
        # then the id order on both paths
        assert await BulkJobRunner(name="t", parallel=1, batched=batched).run_due() == 1
    finally:
        pubsub.remove_local_listener(notifications)
    return await BulkJob.get(id=result.job.id), notifications


async def labels_of(project: Project) -> dict[str, uuid.UUID]:
    """The labeled runs of the project by label (not the change limit's blockers, which copy the
    input of the run they block but were started by "test")."""
    rows = await Run.filter(project_id=project.id).exclude(initiated_by=BLOCKER).values_list("id", "input")
    return {row_input["label"]: uuid.UUID(str(run_id)) for run_id, row_input in rows}


class Normalizer:
    """Replaces ids (of the project, its runs, also as global ids, and workflow keys) by names in any value."""

    def __init__(self, project: Project, names: dict[str, str]) -> None:
        self.names = dict(names)
        self.names.update({to_global_id("Run", raw): f"gid:{name}" for raw, name in names.items()})
        self.names[str(project.id)] = "project"

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self(item) for item in value]
        if isinstance(value, str):
            for raw, name in self.names.items():
                value = value.replace(raw, name)
        return value


async def outcome(project: Project, job: BulkJob, notifications: Notifications) -> dict[str, Any]:
    """Everything a user could notice, with ids and timestamps left out."""
    runs = await Run.filter(project_id=project.id)
    # a change limit's blocker run shares the workflow (and input) of the run it blocks
    workflow_labels = {str(run.workflow_id): run.input["label"] for run in runs}
    named = {
        str(run.id): f"blocker of {run.input['label']}" if run.initiated_by == BLOCKER else run.input["label"]
        for run in runs
    }
    workflows = await Workflow.filter(project_id=project.id).values_list("id", "key")
    normal = Normalizer(project, {**named, **{key: f"wf {workflow_labels[str(wid)]}" for wid, key in workflows}})
    state: dict[str, Any] = {}
    for run in runs:
        state[f"run {named[str(run.id)]}"] = (
            run.status.value,
            run.event_seq,
            run.started_at is None,
            run.finished_at is None,
            run.error_count,
            normal(str(run.parent_run_id)),
        )
    for row in await StepRun.filter(run__project_id=project.id).order_by("ref"):
        state[f"step {named[str(row.run_id)]} {row.ref}"] = (
            row.status.value,
            row.attempt,
            row.finished_at is None,
            row.lease_expires_at is None,
            row.output,
            row.error,
            row.actor,
            row.reason,
        )
    for event in await RunEvent.filter(run__project_id=project.id).order_by("run_id", "seq"):
        state.setdefault(f"events {named[str(event.run_id)]}", []).append(
            (
                event.seq,
                event.type.value,
                event.step_ref,
                event.step_type.value if event.step_type else None,
                event.attempt,
                event.ok,
                normal(event.actor),
                event.reason,
                normal(event.data),
            )
        )
    signals = await Signal.filter(run__project_id=project.id).values_list("run_id", "name", "consumed_by")
    state["signals"] = sorted((named[str(run_id)], name, consumed) for run_id, name, consumed in signals)
    counters = await RunCount.filter(project_id=project.id).values_list("workflow_id", "status", "private", "count")
    counted = {
        (workflow_labels[str(workflow)], status, private): count
        for workflow, status, private, count in counters
        if count != 0
    }
    recount = Counter(
        (workflow_labels[str(run.workflow_id)], run.status.value, run.visibility == Visibility.PRIVATE) for run in runs
    )
    # the counters are exact: a full count of the runs gives the same figures
    assert counted == dict(recount), "run_counts differ from a full count of the runs"
    state["counters"] = sorted(counted.items())
    state["job"] = (
        job.status.value,
        job.matched,
        job.processed,
        job.succeeded,
        job.failed,
        sorted((normal(failure["run_id"]), failure["code"], failure["message"]) for failure in job.failures or []),
    )
    state["notifications"] = sorted(
        (normal(topic), sorted(normal(message).items())) for topic, message in notifications.messages
    )
    return state


async def copy_of_tables() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table."""
    connection = Tortoise.get_connection("default")
    return {table: list(await connection.execute_query_dict(f"SELECT * FROM {table}")) for table in TABLES}


async def put_back(copy: dict[str, list[dict[str, Any]]]) -> None:
    """The tables as `copy` holds them (the same ids: the job meets the runs in the same order)."""
    connection = Tortoise.get_connection("default")
    for table in TABLES:  # not TRUNCATE: the id sequences go on past the ids put back
        await connection.execute_query(f"DELETE FROM {table}")
    for table in reversed(TABLES):  # referenced tables first
        for row in copy[table]:
            columns = ", ".join(f'"{column}"' for column in row)
            markers = ", ".join(placeholders(connection, len(row)))
            await connection.execute_query(f"INSERT INTO {table} ({columns}) VALUES ({markers})", list(row.values()))


@pytest.mark.parametrize("action", [BulkAction.CANCEL, BulkAction.TERMINATE, BulkAction.PAUSE, BulkAction.RESUME])
@pytest.mark.parametrize("max_per_second", [5000.0, 100.0], ids=["one-batch", "batches-of-5"])
async def test_a_batched_job_changes_exactly_what_a_per_run_job_does(db, monkeypatch, action, max_per_second):
    project = await make_project()
    runs = await build_workload(project)
    real_freeze = runner_module.freeze_target

    async def freeze_then_move_one_on(*args: Any, **options: Any) -> int:
        # a run that moves on between the snapshot and its batch
        frozen = await real_freeze(*args, **options)
        await run_control.stop_run_as(runs["moved-on"].id, "apikey:other", None, terminate=True)
        return frozen

    monkeypatch.setattr(runner_module, "freeze_target", freeze_then_move_one_on)
    before = await copy_of_tables()
    outcomes = {}
    for batched in (False, True):
        await put_back(before)
        job, notifications = await run_job(project, action, batched=batched, max_per_second=max_per_second)
        assert job.status is BulkJobStatus.COMPLETED and job.matched == len(IN_TARGET)
        outcomes[batched] = await outcome(project, job, notifications)

    per_run, batched_outcome = outcomes[False], outcomes[True]
    assert per_run.keys() == batched_outcome.keys()
    for key in per_run:
        assert batched_outcome[key] == per_run[key], key
    # the workload exercises what it claims: the job changed runs and met failures
    assert per_run["job"][3] > 0 and per_run["job"][4] > 0


async def test_a_batch_takes_only_runs_no_other_transaction_holds(postgres_db):
    """On PostgreSQL a run locked by another transaction is left to the per-run path (which waits
    for it), never waited for inside the batch."""
    project = await make_project()
    free = await labeled(project, "free", RunStatus.PENDING)
    held = await labeled(project, "held", RunStatus.PENDING)
    operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=uuid.UUID(str(project.id)))
    recorded: list[run_control.ActedRuns] = []

    async def record(_connection: Any, stopped: run_control.ActedRuns) -> None:
        recorded.append(stopped)

    # another connection (a transaction of this task would be the batch's own)
    other = await asyncpg.connect(postgres_db.database_url.replace("postgres://", "postgresql://"))
    try:
        async with other.transaction():
            await other.execute("SELECT 1 FROM runs WHERE id = $1 FOR UPDATE", held.id)
            stopped = await run_control.act_on_runs(
                operator, run_control.BATCHED_ACTIONS["cancel"], [free.id, held.id], None, record=record
            )
    finally:
        await other.close()
    assert stopped.succeeded == [free.id] and stopped.one_by_one == [held.id] and recorded == [stopped]
    assert (await Run.get(id=free.id)).status is RunStatus.CANCELED
    assert (await Run.get(id=held.id)).status is RunStatus.PENDING


async def test_a_batch_never_locks_a_finished_run(postgres_db):
    """A finished run is read, not locked: a retry or restart of it (whose new run's foreign key
    takes a KEY SHARE lock on it after upserting its counter) never waits for a batch that waits
    for that counter (a deadlock); the batch fails it as the action on one run does."""
    project = await make_project()
    pending = await labeled(project, "pending", RunStatus.PENDING)
    done = await labeled(project, "done", RunStatus.COMPLETED)
    operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=uuid.UUID(str(project.id)))
    shared: list[str] = []
    other = await asyncpg.connect(postgres_db.database_url.replace("postgres://", "postgresql://"))

    async def record(_connection: Any, _outcome: run_control.ActedRuns) -> None:
        # in the batch's transaction, before it commits: the finished run is free to reference
        async with other.transaction():
            await other.execute("SELECT 1 FROM runs WHERE id = $1 FOR KEY SHARE NOWAIT", done.id)
            shared.append(str(done.id))

    try:
        # a KEY SHARE lock held meanwhile (a retry's insert) does not keep the finished run out either
        async with other.transaction():
            await other.execute("SELECT 1 FROM runs WHERE id = $1 FOR KEY SHARE", done.id)
            acted = await run_control.act_on_runs(
                operator, run_control.BATCHED_ACTIONS["cancel"], [pending.id, done.id], None, record=_no_record
            )
        assert acted.succeeded == [pending.id] and acted.one_by_one == []
        assert [(run_id, error.code) for run_id, error in acted.failed] == [(done.id, "INVALID_TRANSITION")]
        again = await labeled(project, "pending-again", RunStatus.PENDING)
        await run_control.act_on_runs(
            operator, run_control.BATCHED_ACTIONS["cancel"], [again.id, done.id], None, record=record
        )
    finally:
        await other.close()
    assert shared == [str(done.id)]
    assert (await Run.get(id=done.id)).status is RunStatus.COMPLETED


async def _no_record(_connection: Any, _outcome: run_control.ActedRuns) -> None:
    return None


async def test_a_batch_that_cannot_be_written_is_rolled_back_and_its_runs_acted_on_one_by_one(db, monkeypatch):
    project = await make_project()
    runs = [await labeled(project, f"run-{index}", RunStatus.PENDING) for index in range(3)]
    real_write = run_control.write_held_runs
    batches_written: list[int] = []

    async def write_then_find_a_row_moved_on(connection: Any, held: Any) -> None:
        await real_write(connection, held)
        batches_written.append(len(held))
        raise RunMovedOn("1 of 3 rows of runs moved on")

    monkeypatch.setattr(run_control, "write_held_runs", write_then_find_a_row_moved_on)
    operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=uuid.UUID(str(project.id)))
    started = await background(
        operator, BulkAction.TERMINATE, ids=[to_global_id("Run", run.id) for run in runs], filter=None, reason=None
    )
    assert await BulkJobRunner(name="t", parallel=1).run_due() == 1

    # the batch's writes (and its progress) were rolled back, then each run was acted on once
    assert batches_written == [3]
    job = await BulkJob.get(id=started.id)
    assert (job.status, job.processed, job.succeeded, job.failed) == (BulkJobStatus.COMPLETED, 3, 3, 0)
    terminated = await RunEvent.filter(type=RunEventType.RUN_TERMINATED).values_list("run_id", flat=True)
    assert sorted(str(run_id) for run_id in terminated) == sorted(str(run.id) for run in runs)
    assert {run.status for run in await Run.filter(project_id=project.id)} == {RunStatus.TERMINATED}
    counted = await RunCount.filter(project_id=project.id, status=RunStatus.TERMINATED.value).values_list(
        "count", flat=True
    )
    assert sum(counted) == 3


async def test_batches_beside_a_running_engine_leave_every_run_whole(db, engine):
    """The engine runs the runs (and the job) while the job cancels them a batch at a time: each
    run ends either COMPLETED (the job met it finished: a failure) or CANCELED (a success), with
    contiguous events, nothing after its last, no step left open, and exact counters."""
    project = await engine_factory.make_project("busy")
    fast = await engine_factory.make_workflow(project, "fast", engine_factory.chain(4))
    # two steps, then a wait for a signal that never comes: the job finds these running
    signal = engine_factory.step("go", StepType.SIGNAL, depends_on=["s1"], config={"signal": "go"})
    waits = [*engine_factory.chain(2), signal]
    waiting = await engine_factory.make_workflow(project, "waits", waits)
    runs = [await engine_factory.start(project, *(fast if index % 2 else waiting)) for index in range(120)]
    operator = Principal(key_id=None, name="ops", role=Role.OPERATOR, project_id=uuid.UUID(str(project.id)))
    started = await background(
        operator,
        BulkAction.CANCEL,
        ids=[to_global_id("Run", run.id) for run in runs],
        filter=None,
        reason=None,
        max_per_second=2000.0,
    )
    deadline = time.monotonic() + 60
    while (job := await BulkJob.get(id=started.id)).status is not BulkJobStatus.COMPLETED:
        assert time.monotonic() < deadline, f"the job did not finish: {job.status.value} {job.processed}"
        await asyncio.sleep(0.05)
    for run in runs:
        await engine_factory.wait_for_status(run.id, RunStatus.COMPLETED, RunStatus.CANCELED, timeout=60)

    finished = {run.id: run.status for run in await Run.filter(project_id=project.id)}
    canceled = sum(status is RunStatus.CANCELED for status in finished.values())
    assert canceled >= 60  # every run of "waits", and the runs of "fast" the job met before they ended
    assert (job.matched, job.processed, job.succeeded, job.failed) == (120, 120, canceled, 120 - canceled)
    assert {failure["code"] for failure in job.failures or []} <= {"INVALID_TRANSITION"}
    terminal = {RunEventType.RUN_COMPLETED, RunEventType.RUN_CANCELED}
    for run_id, status in finished.items():
        events = await RunEvent.filter(run_id=run_id).order_by("seq")
        assert [event.seq for event in events] == list(range(1, len(events) + 1))
        assert events[-1].type in terminal and sum(event.type in terminal for event in events) == 1
        if status is RunStatus.CANCELED:
            open_steps = await StepRun.filter(run_id=run_id, status__in=["PENDING", "QUEUED", "RUNNING", "WAITING"])
            assert open_steps == []
    counted: Counter[str] = Counter()
    for status, count in await RunCount.filter(project_id=project.id).values_list("status", "count"):
        counted[RunStatus(status).value] += count
    nonzero = {status: count for status, count in counted.items() if count != 0}
    assert nonzero == dict(Counter(status.value for status in finished.values()))
