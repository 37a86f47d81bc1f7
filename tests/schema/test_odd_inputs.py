"""Issue 11, point 2: no input is answered "Unexpected error.".

Every argument and input field of every query and mutation of the served schema gets, one
at a time, values at the edges of its type (empty and odd strings, ids of other kinds,
the extreme Int and Float values, the first and last dates, odd JSON), against a real
workflow and run of the caller's project, so that the values reach the actions and the
database. Whatever the answer, it is never a masked fault.
"""

from __future__ import annotations

import base64
from typing import Any

from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, GraphQLScalarType, get_named_type

from schema import build_schema
from schema.context import Context
from tests.schema.test_limits import _sample, _served_schema, _with_leaf

ODD_VALUES: dict[str, list[Any]] = {
    "String": ["", " ", "\u202e\U0001f600", "y" * 255, "status eq", "%_\\", "a"],
    "ID": ["", "UnVuOjA=", base64.b64encode(b"Run:not-a-uuid").decode()],
    "Int": [-1, 0, 2147483647, -2147483648],
    "Float": [1e308, -1e308, 0.0],
    "DateTime": ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"],
    "JSON": [{"a": 1e308}, [], 1e308, -(2**63), None, "s"],
}
WORKFLOW = """mutation { createWorkflow(input: {key: "wf", name: "W", steps: [
  {ref: "a", type: TASK, handler: "noop"}, {ref: "b", type: APPROVAL, dependsOn: ["a"]}
]}) { errors { message } } }"""
START = 'mutation { startRun(input: {workflowKey: "wf"}) { run { id } errors { message } } }'


def _scalar_paths(
    type_: Any, path: tuple[str, ...], seen: frozenset[str] = frozenset()
) -> list[tuple[tuple[str, ...], str]]:
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return _scalar_paths(inner.of_type, (*path, "0"), seen)
    named = get_named_type(type_)
    if isinstance(named, GraphQLScalarType):
        return [(path, named.name)]
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        return [
            found
            for name, field in named.fields.items()
            for found in _scalar_paths(field.type, (*path, name), seen | {named.name})
        ]
    return []


def _pointing_at(value: Any, real: dict[str, str]) -> Any:
    """`value` with the placeholder ids and keys of the sample replaced by real ones."""
    if isinstance(value, dict):
        return {k: real[k] if v == "x" and k in real else _pointing_at(v, real) for k, v in value.items()}
    if isinstance(value, list):
        return [_pointing_at(item, real) for item in value]
    return value


async def test_no_input_is_answered_with_an_unexpected_error(acme):
    assert (await acme.admin.data(WORKFLOW))["createWorkflow"]["errors"] == []
    run_id = (await acme.admin.data(START))["startRun"]["run"]["id"]
    real = {"workflowKey": "wf", "project": "acme", "runId": run_id, "id": run_id, "stepRef": "b"}
    schema = build_schema(acme.admin.settings)
    served = _served_schema()
    masked = []
    for operation, root in (("mutation", served.mutation_type), ("query", served.query_type)):
        assert root is not None
        for field_name, field in root.fields.items():
            definitions = ", ".join(f"${name}: {argument.type}" for name, argument in field.args.items())
            arguments = ", ".join(f"{name}: ${name}" for name in field.args)
            named = get_named_type(field.type)
            selection = (
                " { errors { code } }"
                if operation == "mutation"
                else (" { __typename }" if hasattr(named, "fields") else "")
            )
            document = f"{operation}({definitions}) {{ {field_name}({arguments}){selection} }}"
            for arg_name, argument in field.args.items():
                for path, kind in _scalar_paths(argument.type, (arg_name,)):
                    for value in ODD_VALUES.get(kind, []):
                        variables = {
                            name: _sample(arg.type)
                            for name, arg in field.args.items()
                            if isinstance(arg.type, GraphQLNonNull)
                        }
                        variables = _pointing_at({**real, **variables}, real)
                        variables = {name: variables[name] for name in field.args if name in variables}
                        variables[arg_name] = _pointing_at(_with_leaf(argument.type, path[1:], value), real)
                        context = Context(settings=acme.admin.settings, authorization=f"Bearer {acme.admin.secret}")
                        result = await schema.execute(document, variable_values=variables, context_value=context)
                        if any(error.message == "Unexpected error." for error in result.errors or []):
                            masked.append((field_name, path, value))
    assert masked == []
