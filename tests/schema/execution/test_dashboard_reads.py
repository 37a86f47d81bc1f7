"""Every query the dashboard sends (ui/src/ops.ts) is served by the compiled path and answers
the same bytes as graphql-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse, print_ast

from tests.schema.conftest import ProjectKeys
from tests.schema.execution.differential import Differential, seed

OPS = Path(__file__).resolve().parents[3] / "ui" / "src" / "ops.ts"
# introspection is left to graphql-core by design
DECLINED = {"QueryFields"}


def dashboard_queries() -> dict[str, str]:
    """Each query operation of the dashboard, with the fragments it spreads."""
    sources = re.findall(r"graphql\(`(.*?)`\)", OPS.read_text(), flags=re.S)
    definitions = [definition for source in sources for definition in parse(source).definitions]
    fragments = {d.name.value: print_ast(d) for d in definitions if isinstance(d, FragmentDefinitionNode)}
    queries = {}
    for definition in definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.operation.value == "query":
            text = print_ast(definition)
            needed: list[str] = []
            pending = re.findall(r"\.\.\.(\w+)", text)
            while pending:
                name = pending.pop()
                if name in fragments and name not in needed:
                    needed.append(name)
                    pending += re.findall(r"\.\.\.(\w+)", fragments[name])
            assert definition.name is not None
            queries[definition.name.value] = "\n".join([text, *(fragments[name] for name in needed)])
    return queries


async def test_the_dashboards_queries_are_compiled_and_identical(acme: ProjectKeys):
    ids = await seed(acme.admin)
    assert acme.admin.secret is not None
    differential = Differential(acme.admin.settings, acme.admin.secret)
    variables: dict[str, dict[str, Any]] = {
        "Runs": {"first": 5},
        "Run": {"id": ids["run_ids"][0]},
        "RunEvents": {"id": ids["run_ids"][0], "first": 20},
        "Workflow": {"key": ids["workflow_key"]},
        "ExportJob": {"id": "RXhwb3J0Sm9iOm5vbmU="},
    }
    queries = dashboard_queries()
    assert {"Runs", "RunStats", "Run", "RunEvents", "Workflows", "Workflow"} <= set(queries)
    for name, query in queries.items():
        outcome = await differential.check(query, variables.get(name, {}))
        response = orjson.loads(outcome.encoded)
        assert response["errors"] is None, (name, response["errors"])
        served = (outcome.served.compiled, outcome.served.fallbacks, outcome.served.declined)
        assert served == ((0, 0, 1) if name in DECLINED else (1, 0, 0)), (name, served)
