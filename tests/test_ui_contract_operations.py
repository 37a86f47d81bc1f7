"""The dashboard's operations for schedules and bulk jobs (ui/src/contract/*.graphql) are not
typed by the code generator, which reads the served schema: they are written against the
contract's SDL instead, and checked here against it, and against the served schema once it
offers them."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_SDL = ROOT.parent / "shared" / "contract" / "schema.graphql"
SERVED_SDL = ROOT / "schema" / "schema.graphql"
OPERATIONS = sorted((ROOT / "ui" / "src" / "contract").glob("*.graphql"))
# the Query field that tells the dashboard, by introspection, that a server offers a document's operations
OFFERED_BY = {"schedules.graphql": "schedules", "jobs.graphql": "bulkJobs"}


def test_every_contract_document_is_named_here() -> None:
    assert [path.name for path in OPERATIONS] == sorted(OFFERED_BY)


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda path: path.name)
def test_operations_are_valid_against_the_contract(path: Path) -> None:
    errors = validate(build_schema(CONTRACT_SDL.read_text()), parse(path.read_text()))
    assert [error.message for error in errors] == []


@pytest.mark.parametrize("path", OPERATIONS, ids=lambda path: path.name)
def test_operations_are_valid_against_the_served_schema_when_it_offers_them(path: Path) -> None:
    served = build_schema(SERVED_SDL.read_text())
    query_type = served.query_type
    assert query_type is not None
    if OFFERED_BY[path.name] not in query_type.fields:
        return  # the dashboard detects this and says so (tests/test_ui_browser.py)
    errors = validate(served, parse(path.read_text()))
    assert [error.message for error in errors] == []
