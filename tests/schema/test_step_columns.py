"""A page of runs reads only the columns of their steps that its selection reads (issue 9): what
each step field gives is what the same run alone gives (`run(id:)` reads every column), and a
selection with a field that reads more than its row reads every column."""

from __future__ import annotations

import re
import uuid
from typing import Any

from app.enums import StepStatus, StepType
from models import StepRun
from tests.queries.factory import StatementLog, at, make_project, make_run, make_workflow
from tests.schema.conftest import Client

# every StepRun field that reads only its row (the contract's names)
PLAIN_STEP_FIELDS = [
    *("id", "ref", "name", "type", "status", "attempt", "dependsOn", "input", "output", "error", "queue"),
    *("handler", "jobRunId", "iteration", "parentRef", "reused", "reason", "actor", "createdAt", "startedAt"),
    *("finishedAt", "leaseExpiresAt", "depsRequired", "__typename"),
]
# the columns of step_runs that no plain field reads (config, retry, ...: never in a narrowed read)
UNREAD_COLUMNS = ("config", "retry", "timeout_seconds", "on_cancel", "worker_id", "due_at", "position")


async def _run_with_steps() -> uuid.UUID:
    """A run with a completed step (every column set), a running one depending on it, and a
    FOR_EACH loop step with one iteration."""
    project = await make_project("acme")
    flow = await make_workflow(project, "billing-sync")
    run = await make_run(project, flow, created_at=at(1))
    common: dict[str, Any] = {"run": run, "type": StepType.TASK, "created_at": at(2)}
    await StepRun.create(
        ref="s1",
        position=0,
        name="First",
        status=StepStatus.COMPLETED,
        attempt=2,
        input={"in": [1, 2]},
        output={"out": "x"},
        error="flaky",
        queue="billing",
        handler="charge",
        job_run_id="job-7",
        reason="retried",
        actor="user:ada",
        started_at=at(3),
        finished_at=at(4),
        lease_expires_at=at(5),
        config={"secret": "never read by a page"},
        **common,
    )
    await StepRun.create(ref="s2", position=1, status=StepStatus.RUNNING, depends_on=["s1"], **common)
    await StepRun.create(ref="loop", position=2, status=StepStatus.RUNNING, **common)
    await StepRun.create(
        ref="loop[0]", position=3, status=StepStatus.COMPLETED, iteration=0, parent_ref="loop", reused=True, **common
    )
    return run.id


def _step_reads(log: StatementLog) -> list[str]:
    return [statement for statement in log.statements if re.search(r'FROM\s+"step_runs"', statement)]


def _selected(statement: str) -> str:
    return statement.split("FROM", 1)[0]


async def _page_and_alone(client: Client, node: str) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    with StatementLog() as log:
        page = await client.data(f"{{ runs(first: 5) {{ edges {{ node {{ id {node} }} }} }} }}")
    [edge] = page["runs"]["edges"]
    alone = await client.data(f"query One($id: ID!) {{ run(id: $id) {{ id {node} }} }}", {"id": edge["node"]["id"]})
    return edge["node"], alone["run"], _step_reads(log)


async def test_each_step_field_alone_reads_its_columns_and_gives_what_the_run_alone_gives(superadmin: Client):
    await _run_with_steps()
    for field in PLAIN_STEP_FIELDS:
        node, alone, reads = await _page_and_alone(superadmin, f"steps(includeLoopIterations: true) {{ {field} }}")
        assert node == alone, field
        assert len(node["steps"]) == 4
        [read] = reads
        for column in UNREAD_COLUMNS:
            assert f'"{column}"' not in _selected(read), (field, column)
    # the page's own values, as the contract gives them
    node, _, _ = await _page_and_alone(superadmin, "steps { ref input output dependsOn depsRequired name }")
    first = {"ref": "s1", "input": {"in": [1, 2]}, "output": {"out": "x"}, "dependsOn": [], "depsRequired": 0}
    assert node["steps"] == [
        {**first, "name": "First"},
        {"ref": "s2", "input": None, "output": None, "dependsOn": ["s1"], "depsRequired": 1, "name": None},
        {"ref": "loop", "input": None, "output": None, "dependsOn": [], "depsRequired": 0, "name": None},
    ]


async def test_columns_a_field_needs_beyond_the_ones_it_names(superadmin: Client):
    await _run_with_steps()
    cases = {
        # counts dependsOn, which the selection does not name
        "steps { depsRequired }": [{"depsRequired": 0}, {"depsRequired": 1}, {"depsRequired": 0}],
        # loop iterations left out by their iteration
        "steps { id }": 3,
        # pending by status, found by ref
        "pendingSteps { createdAt }": [{"createdAt": "2026-11-01T00:00:02+00:00"}] * 2,
        'step(ref: "s1") { output }': {"output": {"out": "x"}},
    }
    for selection, expected in cases.items():
        node, alone, [read] = await _page_and_alone(superadmin, selection)
        assert node == alone, selection
        value = next(value for key, value in node.items() if key != "id")
        assert (len(value) if isinstance(expected, int) else value) == expected, selection
        assert '"input"' not in _selected(read) and '"config"' not in _selected(read), selection


async def test_a_field_that_reads_more_than_its_row_reads_every_column(superadmin: Client):
    await _run_with_steps()
    for selection in (
        "steps { ref depsCompleted }",
        "steps { ref waitingFor }",
        "steps { ref run { id } }",
        "steps { ref ... on StepRun { availableActions } }",
        'step(ref: "s2") { attempts { attempt } }',
    ):
        node, alone, reads = await _page_and_alone(superadmin, selection)
        assert node == alone, selection
        # the page's read of the steps selects every column (their config among them)
        assert any('"config"' in _selected(read) for read in reads), selection


async def test_two_pages_of_the_same_runs_with_different_selections(superadmin: Client):
    """Each page's steps come from a loader of its own columns: one page's narrow read does not
    serve the other's fields, in either order, nor a run read alone in the same document."""
    run_id = await _run_with_steps()
    from app.ids import to_global_id

    document = """
    query Both($id: ID!) {
      narrow: runs(first: 5) { edges { node { steps { ref } } } }
      wide: runs(first: 5) { edges { node { steps { ref input output name } } } }
      again: runs(first: 5) { edges { node { steps { ref } ...Wide } } }
      alone: run(id: $id) { steps { ref input } }
    }
    fragment Wide on Run { steps { queue handler } }
    """
    data = await superadmin.data(document, {"id": to_global_id("Run", run_id)})
    [narrow] = data["narrow"]["edges"]
    [wide] = data["wide"]["edges"]
    [again] = data["again"]["edges"]
    assert narrow["node"]["steps"] == [{"ref": "s1"}, {"ref": "s2"}, {"ref": "loop"}]
    assert wide["node"]["steps"][0] == {"ref": "s1", "input": {"in": [1, 2]}, "output": {"out": "x"}, "name": "First"}
    assert again["node"]["steps"][0] == {"ref": "s1", "queue": "billing", "handler": "charge"}
    assert data["alone"]["steps"][0] == {"ref": "s1", "input": {"in": [1, 2]}}
