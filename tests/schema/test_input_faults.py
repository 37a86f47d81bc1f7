"""Issue 11, point 2: an exception a bad input causes below the domain layer is answered with
the contract's code, never "Unexpected error."; a real fault is masked and logged once."""

from __future__ import annotations

import logging

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError

from app import limits
from app.input_faults import input_fault
from app.observability.logs import RequestIdFilter, bind_request_id, reset_request_id
from models import Project

CREATE_PROJECT = """mutation($name: String!) {
  createProject(input: {key: "big", name: $name}) { project { key } errors { code message field } }
}"""
SEARCH = "query($term: String!) { runs(search: $term) { totalCount } }"


@pytest.fixture
def without_input_limits(monkeypatch):
    """The input limits lifted, so that bad values reach the database as they did before them."""
    monkeypatch.setattr(limits, "STRING_LIMITS", {})
    monkeypatch.setattr(limits, "DEFAULT_STRING_MAX", 10**9)
    monkeypatch.setattr(limits, "DEFAULT_ID_MAX", 10**9)


async def test_a_name_too_long_for_its_column_is_a_payload_validation_error(superadmin, without_input_limits):
    result = await superadmin.data(CREATE_PROJECT, {"name": "n" * 1_000_000})
    [error] = result["createProject"]["errors"]
    assert result["createProject"]["project"] is None
    assert error["code"] == "VALIDATION" and "too long" in error["message"] and "200" in error["message"]
    assert "nnnn" not in error["message"]
    assert not await Project.filter(key="big").exists()


async def test_a_huge_search_term_is_never_an_unexpected_error(superadmin, without_input_limits):
    result = await superadmin.execute(SEARCH, {"term": "s%_" * 70_000})
    if result.errors:
        assert result.errors[0].extensions["code"] == "VALIDATION", result.errors[0].formatted
    else:
        assert result.data == {"runs": {"totalCount": 0}}


async def test_database_errors_from_bad_values_map_to_validation(superadmin, backend):
    connection = connections.get("default")
    if backend == "postgres":
        statement, values = "SELECT $1::int", ["not a number"]
    else:
        statement, values = "SELECT ?", [2**70]
    with pytest.raises(Exception) as raised:
        await connection.execute_query(statement, values)
    fault = input_fault(raised.value)
    assert fault is not None and fault.code.value == "VALIDATION", raised.value
    assert "SELECT" not in fault.message


async def test_an_integrity_error_in_a_mutation_is_a_payload_error(superadmin, monkeypatch):
    from app.actions import accounts

    async def clash(*args: object, **kwargs: object) -> None:
        raise IntegrityError('duplicate key value violates unique constraint "project_key"')

    monkeypatch.setattr(accounts, "create_project", clash)
    result = await superadmin.data(CREATE_PROJECT, {"name": "ok"})
    [error] = result["createProject"]["errors"]
    assert error["code"] == "VALIDATION" and "project_key" not in error["message"]


async def test_an_overflow_in_a_query_is_a_top_level_validation_error(superadmin, monkeypatch, caplog):
    from app.actions import accounts

    async def overflow(principal: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(accounts, "visible_projects", overflow)
    with caplog.at_level(logging.ERROR):
        error = await superadmin.error("{ projects { key } }")
    assert error["extensions"] == {"code": "VALIDATION"} and error["message"] != "Unexpected error."
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_a_real_fault_is_masked_and_logged_exactly_once(superadmin, monkeypatch, caplog):
    from app.actions import accounts

    async def broken(principal: object) -> None:
        raise RuntimeError("internals: password=hunter2")

    monkeypatch.setattr(accounts, "visible_projects", broken)
    caplog.handler.addFilter(RequestIdFilter())  # as flowdeck's own log handlers have it
    token = bind_request_id("req-limits-1")
    try:
        with caplog.at_level(logging.DEBUG):
            error = await superadmin.error("{ projects { key } }")
    finally:
        reset_request_id(token)
    assert error["message"] == "Unexpected error." and "hunter2" not in str(error)
    logged = [record for record in caplog.records if record.exc_info and record.exc_info[0] is RuntimeError]
    assert len(logged) == 1 and logged[0].levelno == logging.ERROR
    # the line names the request it was written for
    assert logged[0].request_id == "req-limits-1"  # type: ignore[attr-defined]
