"""Generated documents over the real schema (hypothesis-graphql), varied with aliases, inline
fragments, __typename and @include/@skip on a variable, with and without broken data: the
compiled path and graphql-core must encode the same bytes for every one."""

from __future__ import annotations

import asyncio
from typing import Any

import hypothesis_graphql
import pytest
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    print_ast,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from tests.schema.conftest import ProjectKeys
from tests.schema.execution.differential import CORRUPTIONS, Differential, seed

# `node` (an interface: graphql-core only) is in the hand-written documents
ROOT_FIELDS = ["runs", "run", "runStats", "workflows", "workflow", "conversations", "me", "projects"]
SCALARS = {
    "DateTime": st.sampled_from(["2026-11-01T12:00:00+00:00", "2026-11-01T12:00:03Z", "bad"]).map(nodes.String),
    "JSON": st.sampled_from(['{"a": 1}', "[]"]).map(nodes.String),
}
EXAMPLES = 25


def _name(value: str) -> NameNode:
    return NameNode(value=value)


class Variation:
    """Draws the variations of one generated document; remembers whether any reads $flag."""

    def __init__(self, draw: Any, ids: dict[str, Any]) -> None:
        self.draw = draw
        self.ids = ids
        self.reads_flag = False

    def directives(self) -> tuple[DirectiveNode, ...]:
        kind = self.draw(st.sampled_from(["none", "none", "include", "skip", "literal"]))
        if kind == "none":
            return ()
        if kind == "literal":
            value: BooleanValueNode | VariableNode = BooleanValueNode(value=self.draw(st.booleans()))
        else:
            value, self.reads_flag = VariableNode(name=_name("flag")), True
        name = "skip" if kind == "skip" else "include"
        return (DirectiveNode(name=_name(name), arguments=(ArgumentNode(name=_name("if"), value=value),)),)

    def root_arguments(self, field: FieldNode) -> tuple[ArgumentNode, ...]:
        """Arguments that find rows (or, drawn, the generated ones)."""
        name = field.name.value
        if not self.draw(st.booleans()):
            return tuple(field.arguments or ())
        if name in ("run", "node"):
            value = self.draw(st.sampled_from(self.ids["run_ids"]))
            return (ArgumentNode(name=_name("id"), value=StringValueNode(value=value)),)
        if name == "workflow":
            return (ArgumentNode(name=_name("key"), value=StringValueNode(value=self.ids["workflow_key"])),)
        return ()

    def field(self, field: FieldNode, root: bool) -> FieldNode:
        """`field` with an alias, directives, __typename and inline fragments drawn below it."""
        draw = self.draw
        selection_set = field.selection_set
        if selection_set is not None:
            selections: list[Any] = [
                self.field(selection, False) if isinstance(selection, FieldNode) else selection
                for selection in selection_set.selections
            ]
            if draw(st.booleans()):
                selections.insert(draw(st.integers(0, len(selections))), FieldNode(name=_name("__typename")))
            if draw(st.booleans()):
                split = draw(st.integers(0, len(selections)))
                inline = SelectionSetNode(selections=tuple(selections[split:]))
                fragment = InlineFragmentNode(type_condition=None, directives=self.directives(), selection_set=inline)
                selections = [*selections[:split], fragment]
            selection_set = SelectionSetNode(selections=tuple(selections))
        alias = _name(f"a_{field.name.value}") if draw(st.integers(0, 3)) == 0 else field.alias
        return FieldNode(
            alias=alias,
            name=field.name,
            arguments=self.root_arguments(field) if root else field.arguments,
            directives=(*tuple(field.directives or ()), *(() if root else self.directives())),
            selection_set=selection_set,
        )

    def document(self, generated: DocumentNode) -> str:
        operation = generated.definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        # one root field: when two fail, which error graphql-core reports depends on which
        # fails first, even between two runs of graphql-core alone
        roots = operation.selection_set.selections
        fields = (self.field(roots[self.draw(st.integers(0, len(roots) - 1))], True),)
        flag = VariableDefinitionNode(
            variable=VariableNode(name=_name("flag")), type=NonNullTypeNode(type=NamedTypeNode(name=_name("Boolean")))
        )
        varied = OperationDefinitionNode(
            operation=operation.operation,
            name=_name("Generated"),
            variable_definitions=(flag,) if self.reads_flag else (),
            directives=(),
            selection_set=SelectionSetNode(selections=fields),
        )
        return print_ast(DocumentNode(definitions=(varied,)))


@pytest.fixture
async def world(acme: ProjectKeys) -> tuple[Differential, dict[str, Any]]:
    ids = await seed(acme.admin)
    assert acme.admin.secret is not None
    return Differential(acme.admin.settings, acme.admin.secret), ids


async def test_generated_documents_answer_the_same_through_both_executors(world):
    differential, ids = world
    loop = asyncio.get_running_loop()
    generated = hypothesis_graphql.queries(
        differential.compiled._schema, fields=ROOT_FIELDS, custom_scalars=SCALARS, print_ast=lambda node: node
    )
    compiled: list[int] = []

    def check(query: str, flag: bool) -> None:
        variables = {"flag": flag} if "$flag" in query else None
        outcome = asyncio.run_coroutine_threadsafe(differential.check(query, variables), loop).result()
        compiled.append(outcome.served.compiled)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(data=st.data(), document=generated, corruption=st.sampled_from([None, *CORRUPTIONS]))
    def explore(data: st.DataObject, document: DocumentNode, corruption: str | None) -> None:
        query = Variation(data.draw, ids).document(document)
        with pytest.MonkeyPatch.context() as monkeypatch:
            if corruption is not None:
                CORRUPTIONS[corruption][0](differential.compiled, monkeypatch)
            for flag in (True, False):
                check(query, flag)

    # hypothesis runs in a thread; the checks run on this loop, where the database connections live
    await loop.run_in_executor(None, explore)
    assert len(compiled) >= 2 * EXAMPLES and sum(compiled) >= EXAMPLES // 2, compiled
