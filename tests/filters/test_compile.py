"""The filter compiler against the database: FILTER.md's semantics, literal matching, and
a property test comparing the database with a reference evaluator written here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import random
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise.transactions import in_transaction

from app.enums import Priority, RunStatus, TriggerSource, Visibility
from app.filters import FIELDS, compile_filter, matches, parse_filter
from app.filters.sql import NONE_WALKED, Substring, substring_tests
from app.ids import to_global_id
from models import Project, Run, RunTag
from tests.queries.factory import at, make_project, make_run, make_workflow

NOW = at(1000)


async def matching(
    project: Project, text: str, now: dt.datetime = NOW, walked: frozenset[Substring] = NONE_WALKED
) -> set[uuid.UUID]:
    """The runs of `project` the database says `text` matches. The substring indexes answer
    where they can: SQLite's runs_fts always (the compiled query reads it) but for the tests in
    `walked` (app.queries.substrings: the exact test alone), PostgreSQL's trigram indexes because
    sequential scans are off here, so that a few rows do not make them moot."""
    query = Run.filter(project_id=project.id).filter(compile_filter(parse_filter(text), now, walked))
    if Run._meta.db.capabilities.dialect != "postgres":
        return {run.id for run in await query}
    async with in_transaction() as connection:
        await connection.execute_script("SET LOCAL enable_seqscan = off")
        return {run.id for run in await query.using_db(connection)}


# ---------------------------------------------------------------- semantics, by example


@pytest.fixture
async def little(db):
    """Three runs: one with everything set, one with nothing optional, one in between."""
    project = await make_project()
    workflow = await make_workflow(project, key="billing-sync", name="Billing Sync")
    full = await make_run(
        project,
        workflow,
        tenant="acme",
        subject_name="Ada Smith",
        subject_id="u-1",
        priority=Priority.HIGH,
        error_count=2,
        created_at=at(10),
        started_at=at(20),
        finished_at=at(80),
        reason="Manual retry",
        tags={"region": "eu", "kind": "conversation"},
        status=RunStatus.FAILED,
    )
    bare = await make_run(project, workflow, created_at=at(30), priority=Priority.LOW)
    running = await make_run(
        project,
        workflow,
        tenant="globex",
        subject_name="bob",
        created_at=at(40),
        started_at=at(900),
        priority=Priority.CRITICAL,
        tags={"region": "us"},
        retry_of=full,
        status=RunStatus.RUNNING,
    )
    return project, full, bare, running


async def test_ne_is_the_negation_of_eq_so_it_matches_missing_values(little):
    project, full, bare, running = little
    assert await matching(project, 'tenant ne "acme"') == {bare.id, running.id}
    assert await matching(project, 'tags.region ne "eu"') == {bare.id, running.id}
    assert await matching(project, 'tenant eq "acme"') == {full.id}


async def test_other_comparisons_with_a_missing_value_are_false_and_not_negates_exactly(little):
    project, full, bare, running = little
    assert await matching(project, 'subject_id co "U"') == {full.id}
    assert await matching(project, 'not subject_id co "U"') == {bare.id, running.id}
    assert await matching(project, 'not (tenant eq "acme" or subject_name sw "b")') == {bare.id}
    assert await matching(project, 'not not tenant eq "acme"') == {full.id}
    assert await matching(project, 'not started_at lt "2026-11-01T00:10:00Z"') == {bare.id, running.id}
    assert await matching(project, "tenant eq null") == {bare.id}
    assert await matching(project, "tenant ne null") == {full.id, running.id}
    assert await matching(project, "tenant pr and not reason pr") == {running.id}


async def test_case_rules(little):
    project, full, _bare, running = little
    assert await matching(project, 'subject_name eq "ADA SMITH"') == {full.id}
    assert await matching(project, 'workflow eq "billing sync"') == {full.id, _bare.id, running.id}
    assert await matching(project, 'tenant eq "ACME"') == set()
    assert await matching(project, 'subject_name co "SMI"') == {full.id}
    assert await matching(project, 'workflow_key sw "BILLING"') == {full.id, _bare.id, running.id}
    assert await matching(project, 'reason co "RETRY"') == {full.id}
    assert await matching(project, 'tags.region eq "EU"') == set()
    assert await matching(project, 'tags.region co "E"') == {full.id}


async def test_priority_compares_by_rank(little):
    project, full, bare, running = little
    assert await matching(project, 'priority ge "HIGH"') == {full.id, running.id}
    assert await matching(project, 'priority gt "NORMAL"') == {full.id, running.id}
    assert await matching(project, 'priority lt "normal"') == {bare.id}
    assert await matching(project, 'priority ne "CRITICAL"') == {full.id, bare.id}


async def test_times_and_durations(little):
    project, full, bare, running = little
    assert await matching(project, 'created_at gt "2026-11-01T00:00:30"') == {running.id}
    assert await matching(project, 'created_at ge "2026-11-01T02:00:30+02:00"') == {bare.id, running.id}
    assert await matching(project, 'created_at eq "2026-11-01T00:00:10Z"') == {full.id}
    assert await matching(project, "finished_at pr") == {full.id}
    # full ran 60 s; running has run 100 s until NOW; bare has not started
    assert await matching(project, "duration ge 60") == {full.id, running.id}
    assert await matching(project, "duration gt 60") == {running.id}
    assert await matching(project, "duration lt 99.5") == {full.id}
    assert await matching(project, "not duration lt 99.5") == {bare.id, running.id}
    assert await matching(project, "duration lt 99.5", now=at(950)) == {full.id, running.id}


async def test_ids_errors_and_booleans(little):
    project, full, bare, running = little
    assert await matching(project, f'id eq "{to_global_id("Run", full.id)}"') == {full.id}
    assert await matching(project, f'id ne "{to_global_id("Run", full.id)}"') == {bare.id, running.id}
    assert await matching(project, f'retry_of eq "{to_global_id("Run", full.id)}"') == {running.id}
    assert await matching(project, "retry_of pr") == {running.id}
    assert await matching(project, "restart_of pr or parent_run pr") == set()
    assert await matching(project, "has_errors eq true") == {full.id}
    assert await matching(project, "has_errors eq false") == {bare.id, running.id}
    assert await matching(project, "error_count ge 2 and dry_run eq false") == {full.id}
    assert await matching(project, 'status eq "failed" or triggered_by ne "API"') == {full.id}
    assert await matching(project, "tags.kind pr") == {full.id}
    assert await matching(project, "tags.kind eq null") == {bare.id, running.id}


# ---------------------------------------------------------------- injection

NASTY = [
    "50%",
    "a_b",
    "back\\slash",
    "it's",
    'say "hi"',
    "%",
    "_",
    "\\",
    "\\%",
    "'; DROP TABLE runs; --",
    '" OR 1=1 --',
    "x') OR ('1'='1",
    "$1",
    "?",
]


async def test_quotes_wildcards_backslashes_and_sql_match_literally(db):
    project = await make_project()
    workflow = await make_workflow(project)
    runs = {text: await make_run(project, workflow, subject_name=text, tags={"note": text}) for text in NASTY}
    decoy = await make_run(project, workflow, subject_name="50 percent ab back slash its", tags={"note": "x"})
    for text, run in runs.items():
        literal = json.dumps(text)
        # a value equals only itself
        assert await matching(project, f"subject_name eq {literal}") == {run.id}, text
        assert await matching(project, f"tags.note eq {literal}") == {run.id}, text
        # and is contained only in values that contain it literally
        expected = {other.id for other_text, other in runs.items() if text.upper() in other_text.upper()}
        assert await matching(project, f"subject_name co {literal}") == expected, text
        assert await matching(project, f"tags.note co {literal}") == expected, text
        starting = {other.id for other_text, other in runs.items() if other_text.upper().startswith(text.upper())}
        assert await matching(project, f"subject_name sw {literal}") == starting, text
        ending = {other.id for other_text, other in runs.items() if other_text.upper().endswith(text.upper())}
        assert await matching(project, f"subject_name ew {literal}") == ending, text
    assert decoy.id not in await matching(project, 'subject_name co "%"')
    assert await Run.all().count() == len(NASTY) + 1
    assert await RunTag.all().count() == len(NASTY) + 1


# ---------------------------------------------------------------- property test

WORKFLOWS = [
    ("billing-sync", "Billing Sync"),
    ("Billing_Export", "billing EXPORT"),
    ("onboard%user", "Onboard 100% users"),
]
KEYS = [None, "order-1", "ORDER-1", "a_b", "a%b", "x\\y", "o'neil"]
POOLS: dict[str, list[Any]] = {
    "trigger_key": KEYS,
    "cancellation_key": KEYS,
    "schedule_id": [None, "sched-1", "SCHED-1"],
    "audience_key": [None, "aud", "Aud_x"],
    "initiated_by": ["apikey:alice", "apikey:bob", "user:O'Brien"],
    "subject_type": [None, "user", "team"],
    "subject_id": [None, "u-1", "U-10", "50%", "a_b"],
    "subject_name": [None, "Ada Smith", "ADA SMITHSON", "bob", 'say "hi"', "back\\slash"],
    "tenant": [None, "acme", "ACME", "globex"],
    "batch_id": [None, "b1", "b2"],
    "reason": [None, "manual fix", "Retry after 50% failure", ""],
}
TAG_VALUES = {"region": ["eu", "EU", "us"], "kind": ["conversation", "batch"], "team": ["a_b", "50%", "x"]}
TIME_FIELDS = ["created_at", "updated_at", "scheduled_at", "started_at", "finished_at", "expires_at"]


@dataclasses.dataclass
class Row:
    """A run as the reference evaluator sees it: plain Python values."""

    id: uuid.UUID
    values: dict[str, Any]
    tags: dict[str, str]


def _random_rows(rng: random.Random, count: int) -> list[Row]:
    rows: list[Row] = []
    for _ in range(count):
        created = rng.randint(0, 20)
        started = rng.choice([None, created + rng.randint(0, 10)])
        finished = None if started is None else rng.choice([None, started + rng.randint(0, 30)])
        workflow_key, workflow_name = rng.choice(WORKFLOWS)
        earlier = [row.id for row in rows]
        values: dict[str, Any] = {name: rng.choice(pool) for name, pool in POOLS.items()}
        values.update(
            workflow_key=workflow_key,
            workflow=workflow_name,
            workflow_version=rng.randint(1, 3),
            status=rng.choice(list(RunStatus)).name,
            triggered_by=rng.choice(list(TriggerSource)).name,
            priority=rng.randint(0, 3),
            dry_run=rng.random() < 0.5,
            visibility=rng.choice(list(Visibility)).name,
            manually_triggered=rng.random() < 0.5,
            change_limit_reached=rng.random() < 0.3,
            disregard_change_limit=rng.random() < 0.3,
            error_count=rng.choice([0, 0, 1, 3]),
            created_at=at(created),
            updated_at=at(created + rng.randint(0, 5)),
            scheduled_at=rng.choice([None, at(rng.randint(0, 30))]),
            started_at=None if started is None else at(started),
            finished_at=None if finished is None else at(finished),
            expires_at=rng.choice([None, at(rng.randint(10, 2000))]),
            retry_of=rng.choice([None, *earlier[-3:]]),
            restart_of=rng.choice([None, None, *earlier[-2:]]),
            parent_run=rng.choice([None, None, *earlier[:2]]),
        )
        tags = {key: rng.choice(choices) for key, choices in TAG_VALUES.items() if rng.random() < 0.6}
        rows.append(Row(uuid.uuid4(), values, tags))
    return rows


@pytest.fixture
async def population(db):
    """40 random runs (fixed seed) in one project, and 5 in another that no filter may reach."""
    rows = _random_rows(random.Random(2026), 40)
    project = await make_project("main")
    workflows = {key: await make_workflow(project, key, name) for key, name in WORKFLOWS}
    for row in rows:
        v = dict(row.values)
        workflow = workflows[v.pop("workflow_key")]
        v.pop("workflow")
        await make_run(
            project,
            workflow,
            tags=row.tags,
            id=row.id,
            status=RunStatus[v.pop("status")],
            triggered_by=TriggerSource[v.pop("triggered_by")],
            priority=Priority(v.pop("priority")),
            visibility=Visibility[v.pop("visibility")],
            retry_of_id=v.pop("retry_of"),
            restart_of_id=v.pop("restart_of"),
            parent_run_id=v.pop("parent_run"),
            **v,
        )
    other = await make_project("other")
    other_workflow = await make_workflow(other)
    for i in range(5):
        await make_run(other, other_workflow, created_at=at(i), tenant="acme", tags={"region": "eu"})
    runs = {run.id: run for run in await Run.filter(project_id=project.id)}
    return project, rows, runs


def _reference_value(row: Row, field: str) -> Any:
    if field.startswith("tags."):
        return row.tags.get(field[len("tags.") :])
    if field == "has_errors":
        return row.values["error_count"] > 0
    if field == "duration":
        started, finished = row.values["started_at"], row.values["finished_at"]
        return None if started is None else ((finished or NOW) - started).total_seconds()
    if field == "id":
        return row.id
    return row.values[field]


def reference(node: tuple, row: Row) -> bool:
    """FILTER.md, read literally, over plain Python values."""
    if node[0] == "not":
        return not reference(node[1], row)
    if node[0] == "and":
        return all(reference(child, row) for child in node[1:])
    if node[0] == "or":
        return any(reference(child, row) for child in node[1:])
    _, field, op, value = node
    actual = _reference_value(row, field)
    if op == "pr":
        return actual is not None
    if op == "ne":
        return not reference(("cmp", field, "eq", value), row)
    if field == "priority" and value is not None:
        value = Priority[value].value
    if field in ("status", "triggered_by", "visibility") and value is not None:
        value = value.upper()
    if value is None:  # eq null
        return actual is None
    if actual is None:
        return False
    if op == "eq":
        if field in ("subject_name", "workflow"):
            return actual.upper() == value.upper()
        return actual == value
    if op in ("co", "sw", "ew"):
        a, v = actual.upper(), value.upper()
        return v in a if op == "co" else a.startswith(v) if op == "sw" else a.endswith(v)
    return {"gt": actual > value, "ge": actual >= value, "lt": actual < value, "le": actual <= value}[op]


def _value_strategy(field: str, op: str, run_ids: list[uuid.UUID]) -> st.SearchStrategy[Any]:
    spec = FIELDS.get(field)
    kind = spec.kind.name if spec else "STRING"
    null = [None] if op in ("eq", "ne") else []
    if field.startswith("tags."):
        return st.sampled_from([*null, *{v for values in TAG_VALUES.values() for v in values}, "e", "%", "_"])
    if field in ("workflow_key", "workflow"):
        return st.sampled_from(
            [*null, *(w[0 if field == "workflow_key" else 1] for w in WORKFLOWS), "billing", "%", "_", "SYNC"]
        )
    if kind == "STRING":
        pool = [v for v in POOLS[field] if v is not None] + ["a", "%", "_", "\\", "'", "1"]
        return st.sampled_from([*null, *pool])
    if kind == "ENUM":
        choices: dict[str, type[enum.Enum]] = {
            "status": RunStatus,
            "triggered_by": TriggerSource,
            "visibility": Visibility,
            "priority": Priority,
        }
        return st.sampled_from([*null, *(m.name for m in choices[field])])
    if kind == "BOOL":
        return st.booleans()
    if kind == "INT":
        return st.sampled_from([*null, -1, 0, 1, 2, 3, 4])
    if kind == "SECONDS":
        return st.sampled_from([0, 0.5, 5, 9.5, 10, 30, 100, 990, 999.5])
    if kind == "TIME":
        return st.sampled_from([*null, *(at(s) for s in (0, 5, 10, 15, 20, 25, 1000))])
    return st.sampled_from([*null, *run_ids[:6], uuid.UUID(int=7)])


def _render_value(field: str, value: Any, draw: Any) -> str:
    if value is None:
        return draw(st.sampled_from(["null", "NULL"]))
    if isinstance(value, bool):
        return draw(st.sampled_from(["true", "TRUE"] if value else ["false", "False"]))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, uuid.UUID):
        return json.dumps(to_global_id("Run", value))
    if isinstance(value, dt.datetime):
        form = draw(st.sampled_from(["z", "naive", "offset"]))
        if form == "z":
            return json.dumps(value.strftime("%Y-%m-%dT%H:%M:%SZ"))
        if form == "naive":
            return json.dumps(value.replace(tzinfo=None).isoformat())
        return json.dumps(value.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat())
    if field in ("status", "triggered_by", "visibility", "priority"):
        return json.dumps(draw(st.sampled_from([value, value.lower()])))
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


LEAF_FIELDS = [*FIELDS, "tags.region", "tags.kind", "tags.team", "tags.absent"]


@st.composite
def comparisons(draw: Any, run_ids: list[uuid.UUID]) -> tuple[tuple, str]:
    field = draw(st.sampled_from(LEAF_FIELDS))
    ops = sorted(op.value for op in FIELDS[field].ops) if field in FIELDS else ["eq", "ne", "co", "sw", "ew", "pr"]
    op = draw(st.sampled_from(ops))
    written_op = draw(st.sampled_from([op, op.upper()]))
    if op == "pr":
        return ("cmp", field, op, None), f"{field} {written_op}"
    value = draw(_value_strategy(field, op, run_ids))
    return ("cmp", field, op, value), f"{field} {written_op} {_render_value(field, value, draw)}"


@st.composite
def expressions(draw: Any, run_ids: list[uuid.UUID], depth: int = 0) -> tuple[tuple, str, int]:
    """(tree, text, precedence): 3 a comparison or parenthesised, 2 and, 1 or, 4 not."""
    kind = draw(st.sampled_from(["cmp", "cmp", "and", "or", "not"] if depth < 3 else ["cmp"]))
    if kind == "cmp":
        tree, text = draw(comparisons(run_ids))
        return tree, text, 3
    if kind == "not":
        tree, text, prec = draw(expressions(run_ids, depth + 1))
        keyword = draw(st.sampled_from(["not", "NOT", "Not"]))
        return ("not", tree), f"{keyword} {text}" if prec >= 3 else f"{keyword} ({text})", 3
    children = [draw(expressions(run_ids, depth + 1)) for _ in range(draw(st.integers(2, 3)))]
    own = 2 if kind == "and" else 1
    keyword = draw(st.sampled_from([kind, kind.upper()]))
    # parenthesise only where precedence needs it, so that "and binds tighter" is exercised
    parts = [text if prec >= own else f"({text})" for _tree, text, prec in children]
    return (kind, *[tree for tree, _text, _prec in children]), f" {keyword} ".join(parts), own


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
async def test_the_database_agrees_with_a_reference_evaluator(population, data):
    project, rows, runs = population
    run_ids = [row.id for row in rows]
    tree, text, _ = data.draw(expressions(run_ids), label="filter")
    expected = {row.id for row in rows if reference(tree, row)}
    assert await matching(project, text) == expected, text
    # SQLite without runs_fts for the co/sw/ew tests (what a read does for a common term) agrees
    walked = frozenset(substring_tests(parse_filter(text)))
    if walked:
        assert await matching(project, text, walked=walked) == expected, text
    # the Python matcher (for subscriptions) agrees too
    tags = {row.id: row.tags for row in rows}
    expr = parse_filter(text)
    assert {run_id for run_id, run in runs.items() if matches(expr, run, tags[run_id], NOW)} == expected, text
