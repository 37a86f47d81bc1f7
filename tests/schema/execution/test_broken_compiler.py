"""The differential check must catch a broken compiler: each mutant below changes one decision
of the compiler, and some document over some data must then answer differently."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLField, GraphQLFloat, GraphQLInt, GraphQLOutputType
from graphql.execution.collect_fields import FieldDetailsList

import schema.execution.executor
from schema.execution.compiler import Compiler, _serializes_by_isoformat
from schema.execution.inline import InlineForm
from tests.schema.conftest import ProjectKeys
from tests.schema.execution import documents as docs
from tests.schema.execution.differential import CORRUPTIONS, Differential, seed


class DropsAliases(Compiler):
    def response_key(self, key: str, field_details_list: FieldDetailsList) -> str:
        return field_details_list[0].node.name.value


class NullsWithoutPropagating(Compiler):
    """Returns null wherever it meets one, as if every position were nullable."""

    def null_outcome(self, nullable: bool) -> str:
        return "return None"

    def leaf_expression(self, return_type: GraphQLOutputType, nullable: bool, value: str) -> str:
        return super().leaf_expression(return_type, True, value)


class EnumByValue(Compiler):
    def leaf_expression(self, return_type: GraphQLOutputType, nullable: bool, value: str) -> str:
        if isinstance(return_type, GraphQLEnumType):
            return f"getattr({value}, 'value', {value})"
        return super().leaf_expression(return_type, nullable, value)


class IntWithoutRange(Compiler):
    def leaf_expression(self, return_type: GraphQLOutputType, nullable: bool, value: str) -> str:
        if return_type is GraphQLInt:
            return f"({value} if type({value}) is int else int({value}))"
        return super().leaf_expression(return_type, nullable, value)


class FloatWithoutFiniteCheck(Compiler):
    def leaf_expression(self, return_type: GraphQLOutputType, nullable: bool, value: str) -> str:
        if return_type is GraphQLFloat:
            return f"(None if {value} is None else float({value}))"
        return super().leaf_expression(return_type, nullable, value)


class InlineWithoutArguments(Compiler):
    """Resolves inline fields as if called without arguments (their defaults)."""

    def inline_form(self, field: GraphQLField) -> InlineForm | None:
        form = super().inline_form(field)
        if form is None:
            return None
        function = form.function
        return InlineForm(lambda source, context, **_arguments: function(source, context), form.python_names)


class InlineUncompleted(Compiler):
    """Puts what an inline resolver returns in the response as it is, without completing it."""

    def inline_value(self, completer: str, path: str) -> str:
        return "y"


class DatetimesAsObjectsInAnyZone(Compiler):
    """Leaves every datetime to orjson over HTTP, whatever its zone."""

    def leaf_expression(self, return_type: GraphQLOutputType, nullable: bool, value: str) -> str:
        written = super().leaf_expression(return_type, nullable, value)
        if _serializes_by_isoformat(return_type):
            return f"({value} if RAWDT else {written})"
        return written


MUTANTS = [
    DatetimesAsObjectsInAnyZone,
    DropsAliases,
    NullsWithoutPropagating,
    EnumByValue,
    IntWithoutRange,
    FloatWithoutFiniteCheck,
    InlineWithoutArguments,
    InlineUncompleted,
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda mutant: mutant.__name__)
async def test_a_broken_compiler_is_caught(acme: ProjectKeys, monkeypatch: pytest.MonkeyPatch, mutant: type[Compiler]):
    ids = await seed(acme.admin)
    assert acme.admin.secret is not None
    probes: list[tuple[str, dict[str, Any], str | None]] = [
        (docs.CORNERS, docs.CORNER_VARIABLES[0], None),
        (docs.RUNS_PAGE, {"first": 6}, None),
        (docs.RUNS_PAGE, {"first": 6}, "null in a non-null enum"),
        (docs.RUNS_PAGE, {"first": 6}, "Int past 32 bits"),
        (docs.RUNS_PAGE, {"first": 6}, "NaN Float"),
        (docs.RUNS_PAGE, {"first": 6}, "DateTime with a sub-minute offset"),
        (docs.RUN_DETAIL, {"id": ids["run_ids"][0]}, "null item in a non-null list"),
        (docs.INLINE_FIELDS, {"loops": True}, None),
    ]
    # the probes pass with the real compiler ...
    honest = Differential(acme.admin.settings, acme.admin.secret)
    for query, variables, corruption in probes:
        with monkeypatch.context() as patch:
            if corruption:
                CORRUPTIONS[corruption][0](honest.compiled, patch)
            assert not await honest.differs(query, variables)
    # ... and one of them fails with the mutant
    monkeypatch.setattr(schema.execution.executor, "Compiler", mutant)
    broken = Differential(acme.admin.settings, acme.admin.secret)
    caught = []
    for query, variables, corruption in probes:
        with monkeypatch.context() as patch:
            if corruption:
                CORRUPTIONS[corruption][0](broken.compiled, patch)
            caught.append(await broken.differs(query, variables))
    assert any(caught), f"{mutant.__name__} went unnoticed"
