"""A page of runs with their workflow and steps: the same fields as one run alone, at a fixed statement count."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tortoise.models import Model

from app.enums import StepStatus, StepType
from app.ids import to_global_id
from models import StepRun
from tests.queries.factory import StatementLog, at, make_project, make_run, make_workflow
from tests.schema.conftest import Client

PAGE = """
query Page($first: Int) {
  runs(first: $first) {
    edges { node { ...Listed } }
  }
}
fragment Listed on Run {
  id
  workflow { key }
  steps { ref status }
  ... on Run { pendingSteps { ref } step(ref: "s1") { status } }
}
"""

ONE = """
query One($id: ID!) {
  run(id: $id) { id workflow { key } steps { ref status } pendingSteps { ref } step(ref: "s1") { status } }
}
"""


async def _runs(count: int) -> list[uuid.UUID]:
    """`count` runs, alternating between two workflows, each with 3 steps (s1 RUNNING)."""
    project = await make_project("acme")
    flows = [await make_workflow(project, "billing-sync"), await make_workflow(project, "onboard-user", "Onboard")]
    ids = []
    for i in range(count):
        run = await make_run(project, flows[i % 2], created_at=at(i))
        statuses = [StepStatus.COMPLETED, StepStatus.RUNNING, StepStatus.PENDING]
        # stored out of order: the API lists them by position
        for position in (2, 0, 1):
            await StepRun.create(
                id=uuid.uuid4(),
                run=run,
                ref=f"s{position}",
                position=position,
                type=StepType.TASK,
                status=statuses[position],
                created_at=at(i),
            )
        ids.append(run.id)
    return ids


async def test_a_page_costs_the_same_statements_whatever_its_size_and_matches_each_run_alone(superadmin: Client):
    ids = await _runs(12)
    counts = []
    for first in (2, 12):
        with StatementLog() as log:
            data = await superadmin.data(PAGE, {"first": first})
        counts.append(len(log.statements))
        nodes = [edge["node"] for edge in data["runs"]["edges"]]
        assert [node["id"] for node in nodes] == [to_global_id("Run", run_id) for run_id in reversed(ids)][:first]
        for node in nodes:
            alone = (await superadmin.data(ONE, {"id": node["id"]}))["run"]
            assert node == alone
            assert [step["ref"] for step in node["steps"]] == ["s0", "s1", "s2"]
            assert node["pendingSteps"] == [{"ref": "s1"}] and node["step"] == {"status": "RUNNING"}
    # the key, the page, its workflows, its steps
    assert counts == [4, 4]


async def test_a_page_of_runs_builds_no_model_objects(superadmin: Client, monkeypatch: pytest.MonkeyPatch):
    await _runs(4)
    built: list[str] = []
    original = Model._init_from_db.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Model], **kwargs: Any) -> Model:
        built.append(cls.__name__)
        return original(cls, **kwargs)

    monkeypatch.setattr(Model, "_init_from_db", classmethod(counting))
    data = await superadmin.data(PAGE, {"first": 4})
    assert len(data["runs"]["edges"]) == 4 and all(edge["node"]["steps"] for edge in data["runs"]["edges"])
    # the caller's key is a model (authentication); runs, steps and workflows are rows
    assert "ApiKey" in built and {"Run", "StepRun", "Workflow"}.isdisjoint(built), built
