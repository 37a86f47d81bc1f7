"""The pieces of a file without a database: cells, tags, and the query stored with a job."""

from __future__ import annotations

import datetime as dt

from app.enums import Priority, RunOrderField, RunStatus, SortDirection, TriggerSource
from app.exporter.formats import csv_cell, neutralise_formula, tags_text
from app.exporter.query import order_from_json, order_to_json, where_from_json, where_to_json
from app.queries import RunOrderSpec, RunWhereSpec


def test_cells_print_nulls_empty_and_flags_as_words():
    assert [csv_cell(value) for value in (None, True, False, 0, 2, 90.5, "plain")] == [
        "",
        "true",
        "false",
        "0",
        "2",
        "90.5",
        "plain",
    ]


def test_text_that_a_spreadsheet_would_run_starts_with_an_apostrophe():
    assert [neutralise_formula(text) for text in ("=1", "+1", "-1", "@A1", "\t=1", "\r=1", "a=1", "")] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A1",
        "'\t=1",
        "'\r=1",
        "a=1",
        "",
    ]


def test_tags_cell_escapes_its_separators():
    assert tags_text({}) == ""
    assert tags_text({"a": "1", "k;=\\": "v;=\\"}) == "a=1;k\\;\\=\\\\=v\\;\\=\\\\"
    assert csv_cell({"+x": "y"}) == "'+x=y"


def test_the_stored_where_and_order_read_back_as_given():
    where = RunWhereSpec(
        ids=["UnVuOjE="],
        workflow_key="billing",
        status=[RunStatus.FAILED, RunStatus.TIMED_OUT],
        triggered_by=[TriggerSource.SCHEDULE],
        initiated_by="apikey:ops",
        tenant="t1",
        subject_id="u-1",
        subject_type="user",
        batch_id="b1",
        has_errors=False,
        dry_run=True,
        priority=[Priority.HIGH, Priority.LOW],
        created_after=dt.datetime(2026, 11, 1, 12, 30, tzinfo=dt.UTC),
        created_before=dt.datetime(2026, 11, 2, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        started_after=None,
        started_before=dt.datetime(2026, 11, 3, 0, 0, 0, 500, tzinfo=dt.UTC),
        tags=[("region", "eu"), ("team", "a")],
    )
    stored = where_to_json(where)
    assert stored is not None
    assert stored["priority"] == ["HIGH", "LOW"] and stored["created_before"] == "2026-11-01T22:00:00+00:00"
    assert "started_after" not in stored
    assert where_from_json(stored) == where
    assert where_to_json(None) is None and where_from_json(None) is None

    order = [RunOrderSpec(RunOrderField.DURATION, SortDirection.ASC), RunOrderSpec(RunOrderField.CREATED_AT)]
    assert order_to_json(order) == [
        {"field": "DURATION", "direction": "ASC"},
        {"field": "CREATED_AT", "direction": "DESC"},
    ]
    assert order_from_json(order_to_json(order)) == order
    assert order_to_json([]) is None and order_from_json(None) is None
