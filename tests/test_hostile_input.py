"""Hostile input through the real ASGI app: every mutation and every query argument, read
from the served schema, is fed wrong types, huge and empty strings, NUL bytes and odd
unicode, huge and negative numbers, deep JSON, and ids of every kind and of another
project. No answer may be a 500 or show a traceback or SQL, and an answer that reports a
failure must leave the database exactly as it was (read back after every case).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise import Tortoise

from app.actions.accounts import create_api_key, ensure_bootstrap_key
from app.asgi import create_app
from app.enums import Role, RunStatus, StepStatus, Visibility
from app.ids import to_global_id
from app.settings import Settings
from models import Project, StepRun
from schema import build_schema
from tests.actions.factory import SUPERADMIN, make_run, put_run, put_step, task
from tests.conftest import TABLES
from tests.schema.conftest import BOOTSTRAP_SECRET

# What must never reach a client: internals of Python, the ORM or a database driver.
INTERNALS = (
    "Traceback (most recent call last)",
    'File "/',
    "sqlite3.",
    "asyncpg",
    "tortoise.",
    "IntegrityError",
    "OperationalError",
    "ProgrammingError",
    "DataError",
    "UNIQUE constraint",
    "violates ",
    "SELECT ",
    "INSERT INTO",
    "syntax error at",
)
TYPE_NAMES = ("Run", "StepRun", "Workflow", "ApiKey", "Project", "ExportJob", "Nope")


@dataclasses.dataclass
class World:
    client: httpx.AsyncClient
    secrets: dict[Role, str]
    ids: list[str]  # global ids of real objects, of both projects, of every kind
    words: list[str]  # names that mean something here: project keys, workflow keys, step refs


@pytest.fixture
async def world(db: Settings) -> AsyncIterator[World]:
    await ensure_bootstrap_key(BOOTSTRAP_SECRET)
    secrets = {Role.SUPERADMIN: BOOTSTRAP_SECRET}
    ids: list[str] = []
    words = ["acme", "globex", "ask", "t"]
    for key in ("acme", "globex"):
        project = await Project.create(id=uuid.uuid4(), key=key, name=key.title())
        ids.append(to_global_id("Project", project.id))
        for role in (Role.VIEWER, Role.OPERATOR, Role.ADMIN):
            api_key, secret = await create_api_key(SUPERADMIN, f"{key}-{role.name.lower()}", role, key)
            ids.append(to_global_id("ApiKey", api_key.id))
            if key == "acme":
                secrets[role] = secret
        for status, visibility in (
            (RunStatus.RUNNING, Visibility.PROJECT),
            (RunStatus.FAILED, Visibility.PROJECT),
            (RunStatus.PAUSED, Visibility.PRIVATE),
        ):
            run = await make_run(project, [task("a"), task("t", "a", queue="jobs")], visibility=visibility)
            run = await put_run(run, status)
            if status is RunStatus.RUNNING:
                await put_step(run, "a", StepStatus.COMPLETED)
                await put_step(run, "t", StepStatus.QUEUED)
            ids.append(to_global_id("Run", run.id))
            ids.append(to_global_id("Workflow", run.workflow_id))  # type: ignore[attr-defined]
            words.append((await run.workflow).key)
            for step_run in await StepRun.filter(run_id=run.id):
                ids.append(to_global_id("StepRun", step_run.id))
    app = create_app(db, run_engine=False)  # its lifespan is not run: the db fixture opened the database
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://flowdeck.test") as client:
        yield World(client, secrets, ids, words)


def served() -> Any:
    return build_schema(Settings(database_url="sqlite://:memory:"))._schema


SCHEMA = served()
OPERATIONS: list[tuple[str, str, GraphQLField]] = [
    *(("mutation", name, field) for name, field in SCHEMA.mutation_type.fields.items()),
    *(("query", name, field) for name, field in SCHEMA.query_type.fields.items()),
]

huge_strings = st.sampled_from(["x" * 300_000, "é" * 70_000, "\U0001f600" * 50_000, "a\x00" * 10_000])
odd_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()),  # NUL, controls, surrogates, astral planes
    max_size=40,
)
sql_like = st.sampled_from(["' OR 1=1 --", '"; DROP TABLE runs; --', "%", "_", "\\", "%' AND '%'='", "\x00"])


def global_ids(world: World) -> st.SearchStrategy[str]:
    forged = st.builds(lambda name: to_global_id(name, uuid.uuid4()), st.sampled_from(TYPE_NAMES))
    malformed = st.one_of(
        st.builds(lambda raw: base64.b64encode(raw).decode(), st.binary(max_size=40)),
        st.sampled_from(["", "=", "UnVu", "UnVuOg==", "not base64!", "UnVuOm5vdC1hLXV1aWQ="]),
    )
    return st.one_of(st.sampled_from(world.ids), forged, malformed)


def strings(world: World) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["", " ", *world.words]),
        odd_text,
        huge_strings,
        sql_like,
        global_ids(world),
        st.sampled_from(["2026-13-45T99:99:99Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "now"]),
        st.sampled_from(['status eq "FAILED"', "status eq", "((((((((", "tags.x eq 1 or " * 500 + "id pr"]),
    )


def deep_json(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), odd_text)
    return st.one_of(
        st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4)),
        st.sampled_from([deep_json(60), deep_json(70), deep_json(500), {"blob": "x" * 300_000}]),
    )


def integers() -> st.SearchStrategy[int]:
    return st.one_of(
        st.integers(-3, 200),
        st.sampled_from([0, -1, -(2**31), 2**31 - 1, 2**31, 2**63, -(2**63) - 1, 10**30]),
    )


def wrong_type() -> st.SearchStrategy[Any]:
    return st.one_of(st.booleans(), st.floats(), st.lists(st.integers(), max_size=2), st.just({"a": 1}), st.text())


def value_for(world: World, graphql_type: GraphQLInputType, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values for an input of this type: mostly of the type (so the resolvers are reached),
    now and then of another type or null (so that coercion is tried too)."""
    if isinstance(graphql_type, GraphQLNonNull):
        inner = value_for(world, graphql_type.of_type, depth)
        return st.one_of(inner, inner, inner, inner, inner, inner, inner, inner, inner, st.none())
    if isinstance(graphql_type, GraphQLList):
        items = value_for(world, graphql_type.of_type, depth + 1)
        return st.one_of(st.lists(items, max_size=3), st.none(), wrong_type())
    if isinstance(graphql_type, GraphQLInputObjectType):
        if depth > 3:
            return st.none()
        fields = {name: value_for(world, field.type, depth + 1) for name, field in graphql_type.fields.items()}
        required = {name for name, field in graphql_type.fields.items() if isinstance(field.type, GraphQLNonNull)}
        base = st.fixed_dictionaries(
            {name: fields[name] for name in required},
            optional={name: fields[name] for name in fields if name not in required},
        )
        return st.one_of(base, base, base, base, base, base, base, base, wrong_type())
    if isinstance(graphql_type, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(graphql_type.values)), st.sampled_from(["", "NOPE", "cancel"]))
    assert isinstance(graphql_type, GraphQLScalarType), graphql_type
    by_scalar: dict[str, st.SearchStrategy[Any]] = {
        "String": strings(world),
        "ID": st.one_of(global_ids(world), strings(world)),
        "Int": integers(),
        "Float": st.floats(),
        "Boolean": st.booleans(),
        "JSON": json_values(),
        "DateTime": strings(world),
    }
    typed = by_scalar[graphql_type.name]
    return st.one_of(typed, typed, typed, typed, typed, typed, wrong_type())


def selection(field: GraphQLField) -> str:
    named = field.type
    while hasattr(named, "of_type"):
        named = named.of_type
    if isinstance(named, GraphQLObjectType) and "errors" in named.fields:
        return "{ __typename errors { code message field } }"
    return "{ __typename }"


@st.composite
def cases(draw: st.DrawFn, world: World) -> tuple[str, dict[str, Any], Role]:
    kind, name, field = draw(st.sampled_from(OPERATIONS))
    declared = ", ".join(f"${arg}: {field_arg.type}" for arg, field_arg in field.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    document = (
        f"{kind}{f'({declared})' if declared else ''} {{ {name}{f'({passed})' if passed else ''} {selection(field)} }}"
    )
    variables = {}
    for arg, field_arg in field.args.items():
        if isinstance(field_arg.type, GraphQLNonNull) or draw(st.booleans()):
            variables[arg] = draw(value_for(world, field_arg.type), label=arg)
    role = draw(st.sampled_from([Role.OPERATOR, Role.OPERATOR, Role.ADMIN, Role.SUPERADMIN, Role.VIEWER]))
    return document, variables, role


async def snapshot() -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its whole contents."""
    connection = Tortoise.get_connection("default")
    tables = {}
    for table in TABLES:
        rows = await connection.execute_query_dict(f"SELECT * FROM {table}")
        digest = hashlib.sha256("\n".join(sorted(repr(sorted(row.items())) for row in rows)).encode())
        tables[table] = (len(rows), digest.hexdigest())
    return tables


def failed(body: Any) -> bool:
    """Whether the answer says nothing was done: top-level errors, no data, or payload errors."""
    if not isinstance(body, dict) or body.get("errors") or not body.get("data"):
        return True
    payload = next(iter(body["data"].values()))
    return isinstance(payload, dict) and bool(payload.get("errors"))


def assert_clean(status: int, text: str, sent: str) -> None:
    assert status != 500 and status < 600, f"{status}: {text[:2000]}"
    for marker in INTERNALS:
        if marker in text and marker not in sent:
            raise AssertionError(f"the answer shows internals ({marker!r}): {text[:2000]}")


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_hostile_arguments_get_clear_answers_and_write_nothing_half(world: World, data: st.DataObject) -> None:
    document, variables, role = data.draw(cases(world), label="case")
    before = await snapshot()
    sent = json.dumps({"query": document, "variables": variables})
    response = await world.client.post(
        "/graphql",
        content=sent.encode("utf-8", "surrogatepass"),
        headers={"Authorization": f"Bearer {world.secrets[role]}", "Content-Type": "application/json"},
    )
    assert_clean(response.status_code, response.text, sent)
    body = response.json()
    if "Unexpected error." in response.text:
        raise AssertionError(f"an input answered as an unexpected fault: {sent[:500]} -> {response.text[:500]}")
    if failed(body):
        assert await snapshot() == before, f"a failed answer left writes behind: {response.text[:2000]}"


RAW_BODIES: list[tuple[str, bytes]] = [
    ("not UTF-8", b'{"query": "{ me { name } }", "x": "\xff\xfe"}'),
    ("a lone surrogate", b'{"query": "{ me { name } }", "x": "\\ud800"}'),
    ("JSON null", b"null"),
    ("a JSON string", b'"{ me { name } }"'),
    ("a JSON array", b'[{"query": "{ me { name } }"}]'),
    ("a number", b"12"),
    ("not JSON", b"{ me { name } }"),
    ("empty", b""),
    ("no query", b'{"variables": {}}'),
    ("query not a string", b'{"query": 12}'),
    ("variables not an object", b'{"query": "{ me { name } }", "variables": [1]}'),
    ("deep JSON", b'{"query": "{ me { name } }", "variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"),
    ("NaN", b'{"query": "query($f: Float) { me { name } }", "variables": {"f": NaN}}'),
    ("a NUL in the document", b'{"query": "{ me\\u0000 { name } }"}'),
]


@pytest.mark.parametrize(("label", "body"), RAW_BODIES, ids=[label for label, _ in RAW_BODIES])
async def test_malformed_request_bodies_are_refused_without_a_500(world: World, label: str, body: bytes) -> None:
    before = await snapshot()
    response = await world.client.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {world.secrets[Role.OPERATOR]}", "Content-Type": "application/json"},
    )
    assert_clean(response.status_code, response.text, body.decode("utf-8", "replace"))
    assert response.status_code < 500
    assert await snapshot() == before
