"""Substring reads on SQLite choose between runs_fts and walking the order's index
(app.queries.substrings), and both ways give FILTER.md's exact answer: case-insensitive,
literal % and _, co/sw/ew, `search`."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from tortoise import Tortoise

from app.filters import Op
from app.queries import list_runs
from app.queries.substrings import COMMON, walked_substrings
from models import Run
from tests.queries.factory import at, make_project, make_workflow, new_run, save_runs, superadmin

# 50 runs of one surname (common: at least COMMON among the newest), one of another (rare), runs
# whose names hold "50%_off" literally and decoys that match it only if % and _ were wildcards
NAMES = (
    [f"Grace HOPPER {i}" for i in range(50)]
    + ["Ada Lovelace"]
    + [f"deal 50%_off no {i}" for i in range(45)]
    + [f"deal 50xyoff no {i}" for i in range(45)]
    + [f"hopper-{i} jr" for i in range(5)]
    + ["lone 7%_z", "lone 7abz", 'say "hi" now']
)


@pytest.fixture
async def named(db):
    project = await make_project()
    workflow = await make_workflow(project, "billing-sync", "Billing Sync")
    runs = [
        new_run(project, workflow, subject_name=name, subject_id=f"sub_{i:03}", created_at=at(i))
        for i, name in enumerate(NAMES)
    ]
    await save_runs(runs)
    return runs


@contextlib.contextmanager
def page_statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The SELECTs on runs sent meanwhile (the probe's excepted)."""
    statements: list[str] = []
    client_class = type(Tortoise.get_connection("default"))
    original = client_class.execute_query_dict

    def wrapped(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def call(self: Any, query: str, values: list[Any] | None = None) -> Any:
            if 'FROM "runs"' in query:
                statements.append(query)
            return await original(self, query, values)

        return call

    monkeypatch.setattr(client_class, "execute_query_dict", wrapped(original))
    yield statements
    monkeypatch.undo()


async def all_pages(**arguments: Any) -> list[uuid.UUID]:
    """Every run the read lists, 7 a page, newest first."""
    seen: list[uuid.UUID] = []
    cursor = None
    while True:
        page = await list_runs(superadmin(), first=7, after=cursor, **arguments)
        seen.extend(run.id for run in page.items)
        if not page.has_next_page:
            return seen
        cursor = page.end_cursor


def newest_first(runs: list[Run], keep: Callable[[str], bool]) -> list[uuid.UUID]:
    return [run.id for run in sorted(runs, key=lambda run: run.created_at, reverse=True) if keep(run.subject_name)]


async def test_common_terms_walk_the_order_and_rare_ones_read_runs_fts(named, monkeypatch):
    runs = named
    sqlite = Run._meta.db.capabilities.dialect == "sqlite"
    common = ("subject_name", Op.CO, "hopper")
    rare = ("subject_name", Op.CO, "lovelace")
    literal = ("subject_name", Op.CO, "50%_off")
    walked = await walked_substrings([common, rare, literal, ("subject_name", Op.SW, "grace h")])
    if sqlite:
        assert len([name for name in NAMES if "HOPPER" in name.upper()]) >= COMMON
        # "50%_off" (literally) is in 45 runs: common, walked
        assert walked == {common, literal, ("subject_name", Op.SW, "grace h")}
    else:
        assert walked == frozenset()  # PostgreSQL's planner chooses with its statistics

    cases = {
        'subject_name co "HoPpEr"': lambda name: "HOPPER" in name.upper(),
        'subject_name co "lovelace"': lambda name: "LOVELACE" in name.upper(),
        'subject_name co "50%_off"': lambda name: "50%_OFF" in name.upper(),
        'subject_name sw "grace h"': lambda name: name.upper().startswith("GRACE H"),
        'subject_name ew "jr"': lambda name: name.upper().endswith("JR"),
        'subject_name co "hopper" and subject_name co "1"': lambda name: "HOPPER" in name.upper() and "1" in name,
        'not subject_name co "hopper"': lambda name: "HOPPER" not in name.upper(),
        'subject_name co "7%_Z"': lambda name: "7%_Z" in name.upper(),
        'subject_name co "Y \\"HI\\""': lambda name: 'Y "HI"' in name.upper(),
    }
    for text, keep in cases.items():
        with page_statements(monkeypatch) as statements:
            assert await all_pages(filter=text) == newest_first(runs, keep), text
        if sqlite and text in ('subject_name co "HoPpEr"', 'subject_name co "50%_off"'):
            assert not any("runs_fts" in sql for sql in statements), text
        if sqlite and text in ('subject_name co "lovelace"', 'subject_name co "7%_Z"', 'subject_name co "Y \\"HI\\""'):
            assert all("runs_fts" in sql for sql in statements), text
    # the count reads runs_fts either way, and is exact
    page = await list_runs(superadmin(), filter='subject_name co "hopper"', first=1)
    assert await page.count() == 55 and await page.count_is_exact()

    # search: the subject's id and name (and the workflow's key and name), case-insensitively
    with page_statements(monkeypatch) as statements:
        assert await all_pages(search="HOPPER") == newest_first(runs, lambda name: "HOPPER" in name.upper())
    if sqlite:
        assert not any("runs_fts" in sql for sql in statements)
    assert await all_pages(search="lovelace") == newest_first(runs, lambda name: "LOVELACE" in name.upper())
    assert await all_pages(search="billing") == newest_first(runs, lambda name: True)
