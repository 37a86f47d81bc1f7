"""A page of runs reads only the columns of the runs that its selection reads (issue 9): what
each Run field gives on a page is what the same run alone gives (`run(id:)` reads every column),
a field that reads more columns than the one of its name gets them, a field whose reads are not
known reads every column, and cursors work whatever the selection."""

from __future__ import annotations

import re
from typing import Any

from app.enums import Priority, RunStatus, StepStatus, StepType, TriggerSource, Visibility
from models import RunEvent, RunTag, Signal, StepRun
from tests.queries.factory import StatementLog, at, make_project, make_run, make_workflow
from tests.schema.conftest import Client

# every Run field, with a selection under it where it has one (the contract's names)
RUN_FIELDS = [
    *("id", "workflowVersion", "status", "triggeredBy", "initiatedBy", "tenant", "batchId", "priority"),
    *("dryRun", "visibility", "reason", "manuallyTriggered", "changeLimitReached", "disregardChangeLimit"),
    *("maxParallelSteps", "input", "output", "errorCount", "createdAt", "updatedAt", "scheduledAt"),
    *("startedAt", "finishedAt", "expiresAt", "durationSeconds", "__typename"),
    "trigger { source key audienceKey scheduleId cancellationKey }",
    "subject { type id name collection }",
    "error { message type stepRef }",
    "workflow { key name }",
    "project { key }",
    "tags { key value }",
    "retryOf { id status }",
    "restartOf { id }",
    "parentRun { id }",
    "parentStep { ref }",
    "childRuns { id }",
    "steps { ref status }",
    'step(ref: "s1") { ref }',
    "pendingSteps { ref }",
    "events { totalCount edges { node { seq type } } }",
    "updates { seq }",
    "signals { name }",
    "availableActions",
]
# columns of runs that no field reads: never in a narrowed read, always in a whole one
UNREAD_COLUMNS = ("idempotency_key", "timeout_seconds", "schedule_hold", "event_seq", "update_seq")


async def _runs() -> None:
    """A finished run with every column set, the run it retries, restarts and was started by
    (with a step), and a child of its own; all finished, so that their durations are fixed."""
    project = await make_project("acme")
    flow = await make_workflow(project, "billing-sync")
    parent = await make_run(
        project, flow, created_at=at(1), status=RunStatus.FAILED, started_at=at(2), finished_at=at(4)
    )
    parent_step = await StepRun.create(
        run=parent, ref="p1", position=0, type=StepType.TASK, status=StepStatus.FAILED, created_at=at(2)
    )
    run = await make_run(
        project,
        flow,
        tags={"region": "eu"},
        created_at=at(5),
        updated_at=at(120),
        status=RunStatus.FAILED,
        triggered_by=TriggerSource.SCHEDULE,
        trigger_key="nightly",
        audience_key="finance",
        schedule_id="sched-1",
        cancellation_key="cancel-me",
        subject_type="identity",
        subject_id="sub_7",
        subject_name="Ada Hopper",
        subject_collection="staff",
        tenant="t1",
        batch_id="batch-9",
        priority=Priority.HIGH,
        dry_run=True,
        visibility=Visibility.PRIVATE,
        reason="because",
        manually_triggered=True,
        change_limit_reached=True,
        disregard_change_limit=True,
        max_parallel_steps=2,
        timeout_seconds=600,
        idempotency_key="once",
        input={"in": [1, 2]},
        output={"out": "x"},
        error_message="it broke",
        error_type="Boom",
        error_step_ref="s1",
        error_count=3,
        scheduled_at=at(6),
        started_at=at(10),
        finished_at=at(100),
        expires_at=at(1000),
        retry_of=parent,
        restart_of=parent,
        parent_run=parent,
        parent_step_id=parent_step.id,
    )
    await StepRun.create(run=run, ref="s1", position=0, type=StepType.TASK, status=StepStatus.FAILED, created_at=at(11))
    await StepRun.create(
        run=run, ref="s2", position=1, type=StepType.TASK, status=StepStatus.RUNNING, created_at=at(12)
    )
    await RunEvent.create(run=run, seq=1, type="RUN_CREATED", at=at(5))
    await Signal.create(run=run, name="payment-received", received_at=at(50), sent_by="user:ada")
    await RunTag.create(run=parent, key="region", value="us")
    await make_run(
        project,
        flow,
        created_at=at(200),
        status=RunStatus.COMPLETED,
        started_at=at(201),
        finished_at=at(260),
        parent_run=run,
    )


def _run_reads(log: StatementLog) -> list[str]:
    return [statement for statement in log.statements if re.search(r'^\s*SELECT\b.*?\bFROM\s+"runs"', statement, re.S)]


def _selected(statement: str) -> str:
    return statement.split("FROM", 1)[0]


async def _page_and_alone(
    client: Client, node: str, arguments: str = "first: 10"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """Each run of a page with `node` selected, the same runs read alone, and the page's statement."""
    with StatementLog() as log:
        page = await client.data(f"{{ runs({arguments}) {{ edges {{ node {{ id {node} }} }} }} }}")
    nodes = [edge["node"] for edge in page["runs"]["edges"]]
    # every run of the page read alone, in one document
    reads = " ".join(f"r{i}: run(id: $r{i}) {{ id {node} }}" for i in range(len(nodes)))
    declared = ", ".join(f"$r{i}: ID!" for i in range(len(nodes)))
    each = await client.data(f"query Each({declared}) {{ {reads} }}", {f"r{i}": n["id"] for i, n in enumerate(nodes)})
    alone = [each[f"r{i}"] for i in range(len(nodes))]
    # the page's statement comes first; a field's loader may read runs by id after it
    return nodes, alone, _run_reads(log)[0]


async def test_each_run_field_alone_gives_on_a_page_what_the_run_alone_gives(superadmin: Client):
    await _runs()
    for field in RUN_FIELDS:
        nodes, alone, read = await _page_and_alone(superadmin, field)
        assert len(nodes) == 3, field
        assert nodes == alone, field
        every_column = field == "availableActions"
        for column in UNREAD_COLUMNS:
            assert (f'"{column}"' in _selected(read)) is every_column, (field, column)
        if field not in ("input", "availableActions"):
            assert '"input"' not in _selected(read), field


async def test_fields_that_read_columns_beyond_the_ones_they_name(superadmin: Client):
    await _runs()
    # the finished run with every column set is the middle one (created at 5 s)
    cases = {
        # Subject is null unless the subject's id is set
        "subject { name }": {"name": "Ada Hopper"},
        # RunError is null unless its message is set
        "error { stepRef }": {"stepRef": "s1"},
        "trigger { key }": {"key": "nightly"},
        # finished minus started
        "durationSeconds": 90.0,
        "workflow { key }": {"key": "billing-sync"},
        "steps { ref }": [{"ref": "s1"}, {"ref": "s2"}],
        "pendingSteps { ref }": [{"ref": "s2"}],
        # only when its run is visible too
        "parentStep { ref }": {"ref": "p1"},
        "tags { key value }": [{"key": "region", "value": "eu"}],
        "signals { name }": [{"name": "payment-received"}],
    }
    for selection, expected in cases.items():
        nodes, alone, read = await _page_and_alone(superadmin, selection)
        assert nodes == alone, selection
        value = next(value for key, value in nodes[1].items() if key != "id")
        assert value == expected, selection
        assert '"input"' not in _selected(read) and '"idempotency_key"' not in _selected(read), selection


async def test_cursors_of_a_narrow_page_in_every_order(superadmin: Client):
    """A page that selects only the id still reads its cursors' columns: each order's second
    page starts after the first page's run."""
    await _runs()
    expected = {
        # by the run's times: the child (200 s), the finished run (5 s), its parent (1 s)
        "": ["child", "run", "parent"],
        "orderBy: [{field: STARTED_AT, direction: ASC}]": ["parent", "run", "child"],
        "orderBy: [{field: PRIORITY, direction: DESC}]": ["run", "child", "parent"],
        "orderBy: [{field: UPDATED_AT, direction: DESC}]": ["child", "run", "parent"],
        # 2 s, 59 s, 90 s
        "orderBy: [{field: DURATION, direction: ASC}]": ["parent", "child", "run"],
    }
    _, alone, _ = await _page_and_alone(superadmin, "createdAt")
    name_of = {run["id"]: name for run, name in zip(alone, ["child", "run", "parent"], strict=True)}
    for order, names in expected.items():
        walked: list[str] = []
        cursor = None
        while True:
            after = f', after: "{cursor}"' if cursor else ""
            page = await superadmin.data(
                f"{{ runs(first: 1 {after} {', ' + order if order else ''}) "
                "{ edges { cursor node { id } } pageInfo { hasNextPage } } }"
            )
            [edge] = page["runs"]["edges"]
            walked.append(name_of[edge["node"]["id"]])
            cursor = edge["cursor"]
            if not page["runs"]["pageInfo"]["hasNextPage"]:
                break
        assert walked == names, order


async def test_a_substring_filter_on_a_narrow_page(superadmin: Client):
    """The exact test of a substring filter reads columns the selection does not name."""
    await _runs()
    for arguments in ('filter: "subject_name co \\"hopper\\""', 'search: "hopper"'):
        nodes, alone, _ = await _page_and_alone(superadmin, "status", f"first: 10, {arguments}")
        assert nodes == alone
        assert [node["status"] for node in nodes] == ["FAILED"], arguments
