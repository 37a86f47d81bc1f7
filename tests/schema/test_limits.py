"""SERVER.md "Limits": QUERY_TOO_COMPLEX before execution, and a maximum for every input.

The figures below are the contract's and the README's ("Limits"), written out here: a
default of 255 characters for any string or ID, JSON inputs at most 64 levels deep and
256 KiB encoded, 100 aliases, 10,000 tokens, 50,000 nodes.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_named_type,
)

from models import Project
from schema import build_schema
from tests.schema.conftest import Client

DEFAULT_MAX = 255
TOO_LONG = "x" * 1_000_001

ME_ALIASES = "{ " + " ".join(f"a{i}: me {{ name }}" for i in range(20_000)) + " }"
RUNS_PAGE = "runs(first: 100) { edges { node { id status steps { ref status attempt } } } }"
RUNS_ALIASES = "{ " + " ".join(f"r{i}: {RUNS_PAGE}" for i in range(200)) + " }"
NESTED_CONNECTIONS = """query($runs: Int) {
  workflows(first: 100) { edges { node { runs(first: $runs) { edges { node { steps { ref } } } } } } }
}"""
FRAGMENTS = """
fragment RunParts on Run { steps { ref } tags { key } }
fragment Page on RunConnection { edges { node { ...RunParts } } }
{ a: runs(first: 100) { ...Page } b: runs(first: 100) { edges { node { ...RunParts } } } }
"""
NO_FIRST = "{ runs { edges { node { id } } } }"
INTROSPECTION = "{ __schema { types { name fields { name args { name type { name ofType { name } } } } } } }"
SEARCH = "query($term: String!) { runs(search: $term) { totalCount } }"
CREATE_PROJECT = """mutation($name: String!) {
  createProject(input: {key: "big", name: $name}) { project { key } errors { code message field } }
}"""
POST_UPDATE = """mutation($details: JSON) {
  postRunUpdate(input: {runId: "UnVuOjA=", message: "m", details: $details}) {
    update { seq } errors { code message field }
  }
}"""


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"a": value}
    return value


def client(superadmin: Client, **settings: int) -> Client:
    return Client(dataclasses.replace(superadmin.settings, **settings), superadmin.secret)


# ---------------------------------------------------------------- QUERY_TOO_COMPLEX


async def test_twenty_thousand_aliases_of_me_are_refused_by_the_token_limit(superadmin):
    error = await superadmin.error(ME_ALIASES)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "10000 tokens" in error["message"] and "FLOWDECK_MAX_QUERY_TOKENS" in error["message"]
    assert "data" not in error


async def test_an_ordinary_syntax_error_stays_a_syntax_error(superadmin):
    result = await superadmin.execute("{ me { name ")
    assert "code" not in (result.errors[0].extensions or {}) and "Syntax Error" in result.errors[0].message


async def test_aliases_over_the_limit_are_refused_with_the_count(superadmin):
    ok = "{ " + " ".join(f"a{i}: me {{ name }}" for i in range(100)) + " }"
    assert len(await superadmin.data(ok)) == 100
    error = await superadmin.error("{ " + " ".join(f"a{i}: me {{ name }}" for i in range(101)) + " }")
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "aliases": 101, "limit": 100}
    assert "101 aliases" in error["message"] and "FLOWDECK_MAX_QUERY_ALIASES" in error["message"]


async def test_two_hundred_aliases_of_a_runs_page_are_refused_before_execution(superadmin, monkeypatch):
    from app.queries import runs

    async def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("executed")

    monkeypatch.setattr(runs, "run_page", never, raising=False)
    error = await superadmin.error(RUNS_ALIASES)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_nested_connections_multiply_with_variables_resolved(superadmin):
    # workflows 100, each with runs $runs, each with steps 10 (a plain list)
    error = await superadmin.error(NESTED_CONNECTIONS, {"runs": 100})
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "nodes": 100 + 100 * (100 + 100 * 10), "limit": 50_000}
    assert "FLOWDECK_MAX_QUERY_NODES" in error["message"]
    assert (await superadmin.data(NESTED_CONNECTIONS, {"runs": 4}))["workflows"]["edges"] == []


async def test_a_passed_document_is_not_measured_again_for_the_same_variables_and_limits(superadmin, monkeypatch):
    from schema import query_limits

    variables = {"runs": 3}
    assert (await superadmin.data(NESTED_CONNECTIONS, variables))["workflows"]["edges"] == []

    def measured(*args: object, **kwargs: object) -> None:
        raise AssertionError("measured again")

    with monkeypatch.context() as patched:
        patched.setattr(query_limits, "cost_rule", measured)
        assert (await superadmin.data(NESTED_CONNECTIONS, variables))["workflows"]["edges"] == []


async def test_a_passed_document_is_measured_again_with_other_variables_or_limits(superadmin):
    assert (await superadmin.data(NESTED_CONNECTIONS, {"runs": 5}))["workflows"]["edges"] == []
    # the same document with other variables, then with a lower limit, then refused again
    error = await superadmin.error(NESTED_CONNECTIONS, {"runs": 100})
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "nodes": 100 + 100 * (100 + 100 * 10), "limit": 50_000}
    nodes = 100 + 100 * (5 + 5 * 10)
    tight = client(superadmin, max_query_nodes=nodes - 1)
    for _ in range(2):
        error = await tight.error(NESTED_CONNECTIONS, {"runs": 5})
        assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "nodes": nodes, "limit": nodes - 1}


async def test_fragments_and_aliases_are_summed(superadmin):
    # each runs page: 100 runs + 100 * (10 steps + 10 tags)
    expected = 2 * (100 + 100 * (10 + 10))
    assert (await client(superadmin, max_query_nodes=expected).data(FRAGMENTS))["a"]["edges"] == []
    error = await client(superadmin, max_query_nodes=expected - 1).error(FRAGMENTS)
    assert error["extensions"]["nodes"] == expected


async def test_a_connection_without_first_counts_the_largest_page(superadmin):
    assert (await client(superadmin, max_query_nodes=100).data(NO_FIRST))["runs"]["edges"] == []
    error = await client(superadmin, max_query_nodes=99).error(NO_FIRST)
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "nodes": 100, "limit": 99}


async def test_introspection_is_not_counted(superadmin):
    types = (await client(superadmin, max_query_nodes=1, max_query_depth=2).data(INTROSPECTION))["__schema"]["types"]
    assert any(t["name"] == "Run" for t in types)


async def test_introspection_still_obeys_the_alias_limit(superadmin):
    aliases = " ".join(f"t{i}: types {{ name }}" for i in range(101))
    error = await superadmin.error("{ __schema { " + aliases + " } }")
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "aliases": 101, "limit": 100}


async def test_a_fragment_bomb_is_estimated_quickly(superadmin):
    # F0 spreads F1 twice, F1 spreads F2 twice ... 2**40 runs pages if walked naively
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    document = "{ ...F0 }\n" + fragments + "\nfragment F40 on Query { runs(first: 1) { totalCount } }"
    error = await superadmin.error(document)
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "nodes": 2**40, "limit": 50_000}


async def test_depth_over_the_limit_is_refused_with_the_figure(superadmin):
    nested = "id"
    for _ in range(4):  # runs/edges/node/workflow four times: 16 deep, over the default 12
        nested = f"runs(first: 1) {{ edges {{ node {{ workflow {{ {nested} }} }} }} }}"
    error = await superadmin.error("{ " + nested + " }")
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "depth": 16, "limit": 12}
    assert "exceeds maximum operation depth of 12" in error["message"]


async def test_a_fragment_bomb_without_lists_is_validated_and_served_quickly(superadmin):
    # nothing to count as nodes: before this change, the depth limiter walked it 2**40 times
    fragments = "\n".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    document = "{ ...F0 }\n" + fragments + "\nfragment F40 on Query { me { name } }"
    assert (await superadmin.data(document))["me"]["name"]


# ---------------------------------------------------------------- input limits


async def test_a_query_string_over_its_maximum_is_a_top_level_validation_error(superadmin):
    error = await superadmin.error(SEARCH, {"term": "x" * 200_000})
    assert error["extensions"] == {"code": "VALIDATION", "field": ["runs", "search"]}
    assert f"at most {DEFAULT_MAX}" in error["message"] and "200000" in error["message"]
    assert (await superadmin.data(SEARCH, {"term": "x" * DEFAULT_MAX}))["runs"]["totalCount"] == 0


async def test_a_nul_character_is_refused(superadmin):
    error = await superadmin.error(SEARCH, {"term": "a\x00b"})
    assert error["extensions"]["code"] == "VALIDATION" and "NUL" in error["message"]


async def test_a_mutation_string_over_its_maximum_is_a_payload_error_and_writes_nothing(superadmin):
    result = await superadmin.data(CREATE_PROJECT, {"name": "n" * 1_000_000})
    assert result["createProject"]["project"] is None
    [error] = result["createProject"]["errors"]
    assert error["code"] == "VALIDATION" and error["field"] == ["input", "name"]
    assert "at most 200" in error["message"]
    assert not await Project.filter(key="big").exists()
    ok = await superadmin.data(CREATE_PROJECT, {"name": "n" * 200})
    assert ok["createProject"] == {"project": {"key": "big"}, "errors": []}


@pytest.mark.parametrize(
    ("details", "problem"),
    [
        (nested(65), "more than 64 levels"),
        ({"blob": "x" * (256 * 1024)}, "at most 262144 bytes"),
        ({"text": "a\x00b"}, "NUL"),
        ("[1]", "bare JSON string"),
    ],
)
async def test_json_inputs_over_their_bounds_are_payload_errors(superadmin, details, problem):
    result = await superadmin.data(POST_UPDATE, {"details": details})
    [error] = result["postRunUpdate"]["errors"]
    assert error["code"] == "VALIDATION" and error["field"] == ["input", "details"] and problem in error["message"]


async def test_json_inputs_within_their_bounds_reach_the_action(superadmin):
    for details in (nested(63), {"blob": "x" * (256 * 1024 - 20)}):
        result = await superadmin.data(POST_UPDATE, {"details": details})
        assert [e["code"] for e in result["postRunUpdate"]["errors"]] == ["NOT_FOUND"], len(json.dumps(details))


async def test_a_subscription_argument_over_its_maximum_is_refused(superadmin):
    schema = build_schema(superadmin.settings)
    from schema.context import Context

    stream = await schema.subscribe(
        'subscription { runChanged(filter: "' + "x" * 20_000 + '") { id } }',
        context_value=Context(settings=superadmin.settings, authorization=f"Bearer {superadmin.secret}"),
    )
    first = await stream.__anext__()  # type: ignore[union-attr]
    assert first.errors[0].extensions == {"code": "VALIDATION", "field": ["runChanged", "filter"]}


# ------------------------------------------- every string of every field, generated from the schema


def _sample(type_: Any) -> Any:
    """A value of `type_` with every required part filled in."""
    if isinstance(type_, GraphQLNonNull):
        return _sample(type_.of_type)
    if isinstance(type_, GraphQLList):
        return [_sample(type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _sample(field.type)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
        }
    return {"Int": 1, "Float": 1.0, "Boolean": False, "JSON": {}, "DateTime": "2026-01-01T00:00:00+00:00"}.get(
        type_.name, "x"
    )


def _with_leaf(type_: Any, path: tuple[str, ...], leaf: Any) -> Any:
    """A sample of `type_` with `leaf` at `path` (list items: "0")."""
    if not path:
        return leaf
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        return [_with_leaf(type_.of_type, path[1:], leaf)]
    value = _sample(type_)
    value[path[0]] = _with_leaf(type_.fields[path[0]].type, path[1:], leaf)
    return value


def _string_paths(type_: Any, path: tuple[str, ...], seen: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    """Every path to a String or ID inside an input type (lists: their first item)."""
    named = get_named_type(type_)
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return _string_paths(inner.of_type, (*path, "0"), seen)
    if isinstance(named, GraphQLScalarType):
        return [path] if named.name in ("String", "ID") else []
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        return [
            p
            for name, field in named.fields.items()
            for p in _string_paths(field.type, (*path, name), seen | {named.name})
        ]
    return []


@functools.cache
def _served_schema() -> GraphQLSchema:
    from app.settings import Settings

    return build_schema(Settings())._schema


def _cases(operation: str) -> list[tuple[str, str, tuple[str, ...]]]:
    schema = _served_schema()
    root = schema.mutation_type if operation == "mutation" else schema.query_type
    assert root is not None
    return [
        (field_name, arg_name, path)
        for field_name, field in root.fields.items()
        for arg_name, argument in field.args.items()
        for path in _string_paths(argument.type, (arg_name,))
    ]


def _document(operation: str, field_name: str, path: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    """The document calling `field_name` with every argument a variable, and TOO_LONG at `path`."""
    schema = _served_schema()
    root = schema.mutation_type if operation == "mutation" else schema.query_type
    assert root is not None
    field = root.fields[field_name]
    definitions = ", ".join(f"${name}: {argument.type}" for name, argument in field.args.items())
    arguments = ", ".join(f"{name}: ${name}" for name in field.args)
    named = get_named_type(field.type)
    selection = (
        " { errors { code field } }"
        if operation == "mutation"
        else (" { __typename }" if hasattr(named, "fields") else "")
    )
    head = f"{operation}({definitions})" if definitions else operation
    call = f"{field_name}({arguments})" if arguments else field_name
    variables = {
        name: _sample(argument.type)
        for name, argument in field.args.items()
        if isinstance(argument.type, GraphQLNonNull)
    }
    variables[path[0]] = _with_leaf(field.args[path[0]].type, path[1:], TOO_LONG)
    return f"{head} {{ {call}{selection} }}", variables


MUTATION_CASES = _cases("mutation")
QUERY_CASES = _cases("query")


def test_the_generated_cases_cover_the_served_schema():
    # a sanity check on the generator: the fields the issue names are among the cases
    assert ("createProject", "input", ("input", "name")) in MUTATION_CASES
    assert ("runs", "search", ("search",)) in QUERY_CASES
    assert len(MUTATION_CASES) > 60 and len(QUERY_CASES) > 20


async def _answers(superadmin: Client, operation: str, cases: list[tuple[str, str, tuple[str, ...]]]) -> list[Any]:
    """Each case's answer: the mutation payload's errors, or the query's top-level error extensions."""
    from schema.context import Context

    schema = build_schema(superadmin.settings)
    answers = []
    for field_name, _, path in cases:
        document, variables = _document(operation, field_name, path)
        context = Context(settings=superadmin.settings, authorization=f"Bearer {superadmin.secret}")
        result = await schema.execute(document, variable_values=variables, context_value=context)
        if operation == "mutation":
            answers.append(result.data[field_name]["errors"] if result.data else [e.formatted for e in result.errors])
        else:
            answers.append(result.errors[0].extensions if result.errors else result.data)
    return answers


async def test_every_mutation_string_has_a_maximum(superadmin):
    answers = await _answers(superadmin, "mutation", MUTATION_CASES)
    wrong = [
        (case, answer)
        for case, answer in zip(MUTATION_CASES, answers, strict=True)
        if {"code": "VALIDATION", "field": list(case[2])} not in answer
    ]
    assert wrong == []


async def test_every_query_string_has_a_maximum(superadmin):
    answers = await _answers(superadmin, "query", QUERY_CASES)
    wrong = [
        (case, answer)
        for case, answer in zip(QUERY_CASES, answers, strict=True)
        if answer != {"code": "VALIDATION", "field": [case[0], *case[2]]}
    ]
    assert wrong == []
