"""What the request limits cost, and how fast they refuse the issue's hostile documents.

    .venv/bin/python bench/limits.py [--rounds 200]

No database: it times the checks themselves on parsed documents, side by side with the
standard validation they run beside, and the whole refusal (parse included) of the
documents issue 11 names. Prints microseconds per call (median of the rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema, get_operation_ast, parse, specified_rules, validate

from app.settings import Settings
from schema import build_schema
from schema.context import Context
from schema.query_limits import operation_input_error, settings_cost_rule

Q1 = """query($first: Int) { runs(first: $first) { totalCount edges { cursor node {
  id status workflowVersion priority dryRun visibility reason createdAt updatedAt startedAt finishedAt
  durationSeconds errorCount initiatedBy tenant batchId manuallyTriggered changeLimitReached
  input output workflow { key } tags { key value }
  steps { id ref type status attempt startedAt finishedAt error queue handler }
} } } }"""
START_RUN = """mutation($input: StartRunInput!) { startRun(input: $input) { run { id status } errors { code } } }"""
START_VARIABLES = {
    "input": {
        "workflowKey": "billing-sync",
        "input": {"account": "a-1", "items": [{"sku": f"s{i}", "qty": i} for i in range(50)]},
        "tags": [{"key": "k", "value": "v"}],
        "reason": "nightly",
    }
}
HOSTILE = {
    "20,000 aliases of me": "{ " + " ".join(f"a{i}: me {{ name }}" for i in range(20_000)) + " }",
    "200 aliases of a runs page": "{ "
    + " ".join(f"r{i}: runs(first: 100) {{ edges {{ node {{ id steps {{ ref }} }} }} }}" for i in range(200))
    + " }",
    "fragment bomb (2**40 spreads)": "{ ...F0 }\n"
    + "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    + "\nfragment F40 on Query { runs(first: 1) { totalCount } }",
}


def median_us(call: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def time_checks(
    settings: Settings, graphql_schema: GraphQLSchema, document: str, variables: dict[str, Any], rounds: int
) -> list[str]:
    """Median microseconds of: the standard rules, the cost rule, the input limits."""
    parsed = parse(document)
    operation = get_operation_ast(parsed)
    assert operation is not None
    rule = settings_cost_rule(settings, variables)
    standard = median_us(lambda: validate(graphql_schema, parsed, specified_rules), rounds)
    cost = median_us(lambda: validate(graphql_schema, parsed, [rule]), rounds)
    inputs = median_us(lambda: operation_input_error(graphql_schema, parsed, operation, variables), rounds)
    return [f"{standard:>18.0f}us", f"{cost:>18.0f}us", f"{inputs:>12.0f}us"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    settings = Settings()
    schema = build_schema(settings)
    graphql_schema = schema._schema

    print(f"{'document':<34} {'standard validation':>20} {'aliases+nodes+depth':>20} {'input limits':>14}")
    cases = (("Q1 runs(first: 50)", Q1, {"first": 50}), ("startRun", START_RUN, START_VARIABLES))
    for name, document, variables in cases:
        print(f"{name:<34} " + " ".join(time_checks(settings, graphql_schema, document, variables, rounds)))

    print()
    print(f"{'hostile document (whole refusal)':<34} {'size':>10} {'time':>12}  answer")
    context = Context(settings=settings, authorization=None)
    for name, document in HOSTILE.items():
        start = time.perf_counter()
        result = asyncio.run(schema.execute(document, context_value=context))
        elapsed = (time.perf_counter() - start) * 1e3
        error = result.errors[0] if result.errors else None
        code = (error.extensions or {}).get("code") if error else None
        print(f"{name:<34} {len(document):>8} B {elapsed:>9.1f} ms  {code}")


if __name__ == "__main__":
    main()
