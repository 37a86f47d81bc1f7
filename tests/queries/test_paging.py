"""Keyset paging through 500 runs under every order: no duplicate, no gap, right pageInfo,
in both directions, with runs inserted between pages."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import uuid
from typing import Any

import pytest

from app.enums import Priority, RunOrderField, RunStatus, SortDirection
from app.errors import ValidationFailed
from app.queries import RunOrderSpec, list_runs
from models import Run
from tests.queries.factory import at, make_project, make_workflow, member, new_run, save_runs

NOW = at(100_000)
PAGE = 45
WORKFLOW_KEYS = ["alpha", "beta", "gamma", "delta"]
GROUPING = {RunOrderField.PRIORITY, RunOrderField.STATUS, RunOrderField.WORKFLOW_KEY}

ORDERS: list[list[tuple[RunOrderField, SortDirection]]] = [
    [(RunOrderField.CREATED_AT, SortDirection.DESC)],
    [(RunOrderField.CREATED_AT, SortDirection.ASC)],
    [(RunOrderField.UPDATED_AT, SortDirection.DESC)],
    [(RunOrderField.STARTED_AT, SortDirection.DESC)],
    [(RunOrderField.STARTED_AT, SortDirection.ASC)],
    [(RunOrderField.FINISHED_AT, SortDirection.ASC)],
    [(RunOrderField.FINISHED_AT, SortDirection.DESC)],
    [(RunOrderField.PRIORITY, SortDirection.DESC)],
    [(RunOrderField.STATUS, SortDirection.ASC)],
    [(RunOrderField.WORKFLOW_KEY, SortDirection.DESC)],
    [(RunOrderField.DURATION, SortDirection.DESC)],
    [(RunOrderField.DURATION, SortDirection.ASC)],
    [(RunOrderField.PRIORITY, SortDirection.DESC), (RunOrderField.CREATED_AT, SortDirection.ASC)],
    [(RunOrderField.WORKFLOW_KEY, SortDirection.ASC), (RunOrderField.STARTED_AT, SortDirection.ASC)],
    [(RunOrderField.STATUS, SortDirection.ASC), (RunOrderField.PRIORITY, SortDirection.ASC)],
]


def _order_id(order: list[tuple[RunOrderField, SortDirection]]) -> str:
    return "+".join(f"{field.value}-{direction.value}" for field, direction in order)


def _random_run(project: Any, workflows: dict[str, Any], rng: random.Random) -> Run:
    # few distinct values, so that ties (and the id tie-breaker) are everywhere
    created = rng.randint(0, 150)
    started = rng.choice([None, created + rng.randint(0, 20)])
    finished = None if started is None else rng.choice([None, started + rng.randint(0, 40)])
    key = rng.choice(WORKFLOW_KEYS)
    return new_run(
        project,
        workflows[key],
        created_at=at(created),
        updated_at=at(created + rng.randint(0, 3)),
        started_at=None if started is None else at(started),
        finished_at=None if finished is None else at(finished),
        priority=rng.choice(list(Priority)),
        status=rng.choice(list(RunStatus)),
    )


def _sort_value(run: Run, field: RunOrderField) -> Any:
    if field is RunOrderField.DURATION:
        if run.started_at is None:
            return None
        return ((run.finished_at or NOW) - run.started_at).total_seconds()
    column = {"PRIORITY": "priority", "STATUS": "status", "WORKFLOW_KEY": "workflow_key"}.get(field.value)
    value = getattr(run, column or field.value.lower())
    return value.value if hasattr(value, "value") else value


def expected_order(runs: list[Run], order: list[tuple[RunOrderField, SortDirection]]) -> list[uuid.UUID]:
    """The documented order: NULL after every value; after PRIORITY, STATUS or WORKFLOW_KEY
    as the last field, CREATED_AT in the same direction; then the id in that direction."""
    fields = [field for field, _direction in order]
    if fields[-1] in GROUPING and RunOrderField.CREATED_AT not in fields:
        order = [*order, (RunOrderField.CREATED_AT, order[-1][1])]
    result = sorted(runs, key=lambda run: str(run.id), reverse=order[-1][1] is SortDirection.DESC)
    for field, direction in reversed(order):
        present = [run for run in result if _sort_value(run, field) is not None]
        missing = [run for run in result if _sort_value(run, field) is None]
        present.sort(key=lambda run: _sort_value(run, field), reverse=direction is SortDirection.DESC)
        # NULL is the greatest value: last going up, first going down
        result = present + missing if direction is SortDirection.ASC else missing + present
    return [run.id for run in result]


@pytest.fixture
async def five_hundred(db):
    project = await make_project()
    workflows = {key: await make_workflow(project, key, key.title()) for key in WORKFLOW_KEYS}
    rng = random.Random(500)
    runs = [_random_run(project, workflows, rng) for _ in range(500)]
    await save_runs(runs)
    return project, workflows, runs, rng


@pytest.mark.parametrize("order", ORDERS, ids=_order_id)
async def test_forward_and_backward_visit_every_run_once_in_order(five_hundred, order):
    project, _workflows, runs, _rng = five_hundred
    me = member(project)
    specs = [RunOrderSpec(field, direction) for field, direction in order]
    expected = expected_order(runs, order)

    forward: list[uuid.UUID] = []
    cursor = None
    pages = 0
    while True:
        page = await list_runs(me, order_by=specs, first=PAGE, after=cursor, now=NOW)
        pages += 1
        forward.extend(run.id for run in page.items)
        assert page.has_previous_page is (pages > 1)
        assert page.start_cursor == page.cursors[0] and page.end_cursor == page.cursors[-1]
        if not page.has_next_page:
            break
        cursor = page.end_cursor
    assert forward == expected
    assert pages == -(-500 // PAGE)

    backward: list[list[uuid.UUID]] = []
    cursor = None
    while True:
        page = await list_runs(me, order_by=specs, last=PAGE, before=cursor, now=NOW)
        backward.append([run.id for run in page.items])
        assert page.has_next_page is (len(backward) > 1)
        if not page.has_previous_page:
            break
        cursor = page.start_cursor
    assert [run_id for chunk in reversed(backward) for run_id in chunk] == expected


@pytest.mark.parametrize("order", [ORDERS[0], ORDERS[4], ORDERS[10], ORDERS[12]], ids=_order_id)
async def test_rows_inserted_between_pages_cause_no_duplicate_and_no_gap(five_hundred, order):
    project, workflows, runs, rng = five_hundred
    me = member(project)
    specs = [RunOrderSpec(field, direction) for field, direction in order]
    original = {run.id for run in runs}

    for backward in (False, True):
        seen: list[uuid.UUID] = []
        cursor = None
        inserted: list[Run] = []
        while True:
            if backward:
                page = await list_runs(me, order_by=specs, last=PAGE, before=cursor, now=NOW)
                seen.extend(reversed([run.id for run in page.items]))
                more, cursor = page.has_previous_page, page.start_cursor
            else:
                page = await list_runs(me, order_by=specs, first=PAGE, after=cursor, now=NOW)
                seen.extend(run.id for run in page.items)
                more, cursor = page.has_next_page, page.end_cursor
            # new runs land everywhere in the order: before, at and after the cursor
            batch = [_random_run(project, workflows, rng) for _ in range(7)]
            await save_runs(batch)
            inserted.extend(batch)
            if not more:
                break
        assert len(seen) == len(set(seen)), "a run was returned twice"
        assert original <= set(seen), "a run that existed throughout was skipped"
        everything = await Run.filter(project_id=project.id)
        in_walk_order = expected_order(everything, order)
        if backward:
            in_walk_order.reverse()
        # what was seen is in order, and is everything up to the end but the inserted runs
        # that landed behind the cursor
        assert seen == [run_id for run_id in in_walk_order if run_id in set(seen)]
        runs.extend(inserted)
        original = {run.id for run in runs}


@pytest.mark.parametrize("direction", list(SortDirection), ids=lambda d: d.value)
@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
async def test_duration_pages_measure_to_the_first_page_while_runs_start_and_finish(db, direction, backward):
    """DURATION walks keep the order of their first page's instant: runs that finish or start
    between pages (and so change duration) are neither repeated nor skipped, ties included."""
    project = await make_project()
    workflow = await make_workflow(project, "alpha", "Alpha")
    rng = random.Random(77)
    runs = []
    for _ in range(240):
        kind = rng.choice(["finished", "running", "pending"])
        started = rng.choice([10, 20, 30])  # many equal starts and durations: ties everywhere
        runs.append(
            new_run(
                project,
                workflow,
                created_at=at(0),
                started_at=None if kind == "pending" else at(started),
                finished_at=at(started + rng.choice([5, 7])) if kind == "finished" else None,
            )
        )
    await save_runs(runs)
    me = member(project)
    specs = [RunOrderSpec(RunOrderField.DURATION, direction)]
    expected = expected_order(runs, [(RunOrderField.DURATION, direction)])  # as of NOW
    if backward:
        expected.reverse()
    seen: list[uuid.UUID] = []
    cursor = None
    later = 0
    while True:
        later += 60
        if backward:
            page = await list_runs(me, order_by=specs, last=20, before=cursor, now=NOW + dt.timedelta(seconds=later))
            seen.extend(reversed([run.id for run in page.items]))
            more, cursor = page.has_previous_page, page.start_cursor
        else:
            page = await list_runs(me, order_by=specs, first=20, after=cursor, now=NOW + dt.timedelta(seconds=later))
            seen.extend(run.id for run in page.items)
            more, cursor = page.has_next_page, page.end_cursor
        # between pages, some running runs finish and some pending ones start
        running = await Run.filter(project_id=project.id, started_at__not_isnull=True, finished_at__isnull=True)
        pending = await Run.filter(project_id=project.id, started_at__isnull=True)
        moment = NOW + dt.timedelta(seconds=later + 1)
        for run in rng.sample(running, min(6, len(running))):
            await Run.filter(id=run.id).update(finished_at=moment)
        for run in rng.sample(pending, min(6, len(pending))):
            await Run.filter(id=run.id).update(started_at=moment)
        if not more:
            break
    assert seen == expected


@pytest.mark.parametrize("direction", list(SortDirection), ids=lambda d: d.value)
async def test_duration_after_and_before_together_bound_a_range(five_hundred, direction):
    project, _workflows, runs, _rng = five_hundred
    me = member(project)
    specs = [RunOrderSpec(RunOrderField.DURATION, direction)]
    expected = expected_order(runs, [(RunOrderField.DURATION, direction)])
    # a page across the runs without a duration and the ones with one, in either direction
    start = next(i for i, run_id in enumerate(expected) if run_id in {r.id for r in runs if r.started_at is None})
    whole = await list_runs(me, order_by=specs, first=500, max_page_size=500, now=NOW)
    assert [run.id for run in whole.items] == expected
    cursors = dict(zip(expected, whole.cursors, strict=True))
    low, high = max(start - 30, 0), min(start + 30, len(expected) - 1)
    after, before = cursors[expected[low]], cursors[expected[high]]
    forward = await list_runs(me, order_by=specs, first=100, after=after, before=before, now=NOW)
    assert [run.id for run in forward.items] == expected[low + 1 : high]
    backward = await list_runs(me, order_by=specs, last=5, after=after, before=before, now=NOW)
    assert [run.id for run in backward.items] == expected[high - 5 : high]


async def test_a_duration_cursor_with_a_bad_instant_is_a_validation_error(five_hundred):
    project, _workflows, _runs, _rng = five_hundred
    me = member(project)
    specs = [RunOrderSpec(RunOrderField.DURATION)]
    page = await list_runs(me, order_by=specs, first=1)
    payload = json.loads(base64.urlsafe_b64decode(page.end_cursor))
    assert "t" in payload  # the instant the walk measures to
    for instant in ["yesterday", 12, "2026-01-01T00:00:00"]:
        forged = base64.urlsafe_b64encode(json.dumps({**payload, "t": instant}).encode()).decode()
        with pytest.raises(ValidationFailed, match=r"^invalid cursor") as caught:
            await list_runs(me, order_by=specs, first=1, after=forged)
        assert caught.value.field == ("after",)


async def test_a_duration_cursor_of_ages_pages_without_an_error(five_hundred):
    """A cursor's duration past the calendar (forged: this server issues none) reads what follows it."""
    project, _workflows, runs, _rng = five_hundred
    me = member(project)
    for direction in SortDirection:
        specs = [RunOrderSpec(RunOrderField.DURATION, direction)]
        page = await list_runs(me, order_by=specs, first=1, now=NOW)
        payload = json.loads(base64.urlsafe_b64decode(page.end_cursor))
        for seconds in ["1e300", "-1e300"]:
            payload["k"] = [seconds, payload["k"][1]]
            forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()
            rest = await list_runs(me, order_by=specs, first=500, max_page_size=500, after=forged)
            expected = expected_order(runs, [(RunOrderField.DURATION, direction)])
            # past every duration going up (then the runs without one), before all going down
            beyond = [run.id for run in rest.items]
            assert beyond == [run_id for run_id in expected if run_id in set(beyond)]
            started = {run.id for run in runs if run.started_at is not None}
            if (direction is SortDirection.ASC) == (seconds == "1e300"):
                assert not set(beyond) & started
            else:
                assert started <= set(beyond)
