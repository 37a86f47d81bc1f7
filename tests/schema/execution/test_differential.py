"""The compiled path against graphql-core on the same data: the same bytes, and the dashboard's
and the benchmark's reads served by the compiled path."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from tests.schema.conftest import ProjectKeys
from tests.schema.execution import documents as docs
from tests.schema.execution.differential import CORRUPTIONS, Differential, seed

Q3_FILTER = 'status eq "FAILED" and workflow_key sw "billing"'


@pytest.fixture
async def world(acme: ProjectKeys) -> tuple[Differential, dict[str, Any]]:
    ids = await seed(acme.admin)
    assert acme.admin.secret is not None
    return Differential(acme.admin.settings, acme.admin.secret), ids


def dashboard_reads(ids: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    first_run = ids["run_ids"][0]
    return [
        (docs.RUNS_PAGE, {"first": 4}),
        (docs.RUNS_PAGE, {"first": 50, "filter": 'status eq "FAILED"'}),
        (docs.BENCH_PAGE, {}),
        (docs.BENCH_PAGE, {"filter": Q3_FILTER}),
        (docs.RUN_STATS, {}),
        (docs.WORKFLOWS, {}),
        (docs.EVENTS, {"id": first_run}),
        (docs.EVENTS, {"id": first_run, "after": 1}),
        *[(docs.RUN_DETAIL, {"id": run_id}) for run_id in ids["run_ids"]],
    ]


async def test_the_dashboards_and_benchmarks_reads_are_compiled_and_identical(world):
    differential, ids = world
    for query, variables in dashboard_reads(ids):
        outcome = await differential.check(query, variables)
        response = orjson.loads(outcome.encoded)
        assert response["errors"] is None, response["errors"]
        assert (outcome.served.compiled, outcome.served.fallbacks, outcome.served.declined) == (1, 0, 0), query
    # the run page asked for the runs' steps: they are there, with the events the API wrote
    detail = orjson.loads((await differential.check(docs.RUN_DETAIL, {"id": ids["run_ids"][0]})).encoded)
    run = detail["data"]["run"]
    assert [step["ref"] for step in run["steps"]] == ["fetch", "charge", "notify"]
    assert run["events"]["totalCount"] >= 1 and run["events"]["edges"][0]["node"]["seq"] == 1


async def test_aliases_fragments_and_directives_compile_once_per_directive_values(world):
    differential, _ids = world
    compilations = 0
    for variables in docs.CORNER_VARIABLES:
        outcome = await differential.check(docs.CORNERS, variables)
        assert outcome.served.compiled == 1 and outcome.served.fallbacks == 0
        compilations += outcome.served.compilations
    # one plan per (withSteps, skipWorkflow); `first` is an argument, read per request
    assert compilations == 4
    page = orjson.loads((await differential.check(docs.CORNERS, docs.CORNER_VARIABLES[0])).encoded)["data"]
    node = page["page"]["edges"][0]["node"]
    assert page["__typename"] == "Query" and node["__typename"] == "Run" and node["runId"] == node["id"]
    assert list(node)[:5] == ["__typename", "runId", "id", "state", "priority"]


async def test_declined_operations_answer_the_same(world):
    differential, ids = world
    outcome = await differential.check(docs.NODE, {"id": ids["run_ids"][0]})
    assert outcome.served.declined == 1 and outcome.served.compiled == 0
    outcome = await differential.check(docs.RUN_DETAIL, {"id": "not-a-run"})
    assert orjson.loads(outcome.encoded)["data"] == {"run": None}


@pytest.mark.parametrize("name", list(CORRUPTIONS))
async def test_broken_data_gives_graphql_cores_errors_and_nulls(world, monkeypatch: pytest.MonkeyPatch, name: str):
    differential, ids = world
    corrupt, breaks = CORRUPTIONS[name]
    corrupt(differential.compiled, monkeypatch)
    reads = [
        (docs.RUNS_PAGE, {"first": 6}),
        (docs.RUN_DETAIL, {"id": ids["run_ids"][0]}),
        (docs.BENCH_PAGE, {}),
    ]
    # (not CORNERS: when two root fields fail, which error graphql-core reports depends on
    # which fails first, even between two runs of graphql-core alone)
    errors = fallbacks = 0
    for query, variables in reads:
        outcome = await differential.check(query, variables)
        errors += bool(orjson.loads(outcome.encoded)["errors"])
        fallbacks += outcome.served.fallbacks
    if breaks:
        assert errors and fallbacks == errors
    else:
        assert errors == 0 and fallbacks == 0
