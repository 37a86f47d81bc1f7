"""How much an operation asks for, estimated before it runs: its aliases, nodes and depth.

Nodes are estimated as GitHub's GraphQL API does (SERVER.md, "Limits"): a connection
counts its `first`/`last` (the largest page size when neither is given), a plain list
of objects (such as `Run.steps` or `Run.tags`) counts 10, nested ones multiply, and the
estimate is summed over the operation, aliases and fragments included. Introspection
(`__schema`, `__type`) is not counted.

A fragment's cost is linear in how many times its parent repeats it, so each fragment is
costed once per document and multiplied: a document of fragments that each spread the
next one twice is estimated in linear time. Strawberry's MaxAliasesLimiter and
QueryDepthLimiter walk such a document exponentially (40 fragments of two spreads each
held a CPU for minutes), which is why aliases and depth are measured here too, and
before the standard validation rules run.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    is_composite_type,
    value_from_ast,
)

PLAIN_LIST_SIZE = 10
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def too_complex(message: str, **figures: int) -> GraphQLError:
    """The top-level QUERY_TOO_COMPLEX error, with the limit and the figure in its extensions."""
    return GraphQLError(message, extensions={"code": QUERY_TOO_COMPLEX, **figures})


def _is_connection(type_: Any) -> bool:
    fields = getattr(type_, "fields", None)
    return isinstance(type_, GraphQLObjectType) and fields is not None and "edges" in fields and "pageInfo" in fields


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


@dataclasses.dataclass(frozen=True)
class Figures:
    aliases: int = 0
    nodes: int = 0
    depth: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.aliases + other.aliases, self.nodes + other.nodes, max(self.depth, other.depth))


class Cost:
    """The figures of selection sets, with each fragment measured once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        max_page_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.max_page_size = max_page_size
        self._fragments_measured: dict[str, Figures] = {}

    def of(self, selection_set: SelectionSetNode | None, parent: Any, connection: bool = False) -> Figures:
        """The figures under `selection_set`, counted once (the caller multiplies)."""
        total = Figures()
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, connection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                parent_type = self.schema.get_type(condition.name.value) if condition else parent
                total += self.of(selection.selection_set, parent_type, connection)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> Figures:
        if name not in self._fragments_measured:
            fragment = self.fragments.get(name)
            # this runs before validation: an unknown fragment or a cycle counts nothing here
            # (validation refuses them next)
            self._fragments_measured[name] = Figures()
            if fragment is not None:
                parent = self.schema.get_type(fragment.type_condition.name.value)
                self._fragments_measured[name] = self.of(fragment.selection_set, parent, _is_connection(parent))
        return self._fragments_measured[name]

    def _field(self, node: FieldNode, parent: Any, in_connection: bool) -> Figures:
        alias = 1 if node.alias is not None else 0
        name = node.name.value
        if node.selection_set is None:
            return Figures(aliases=alias)
        field = getattr(parent, "fields", {}).get(name)
        named = get_named_type(field.type) if field is not None else None
        child = self.of(node.selection_set, named, _is_connection(named))
        if name.startswith("__"):
            # introspection: its aliases count, its nodes and depth do not
            return Figures(aliases=alias + child.aliases)
        if field is None or not is_composite_type(named):
            return Figures(alias + child.aliases, 0, child.depth + 1)
        if _is_connection(named):
            size = self._page_size(node)
        elif _is_list(field.type) and not (in_connection and name in ("edges", "nodes")):
            size = self._argument(node, "first") or PLAIN_LIST_SIZE
        else:
            # a single object, or a connection's own edges: no multiplication
            return Figures(alias + child.aliases, child.nodes, child.depth + 1)
        return Figures(alias + size * child.aliases, size + size * child.nodes, child.depth + 1)

    def _page_size(self, node: FieldNode) -> int:
        sizes = [size for size in (self._argument(node, "first"), self._argument(node, "last")) if size is not None]
        return max(sizes) if sizes else self.max_page_size

    def _argument(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = value_from_ast(argument.value, GraphQLInt, self.variables)
                return value if isinstance(value, int) and value > 0 else None
        return None


def cost_rule(
    variables: dict[str, Any], *, max_aliases: int, max_nodes: int, max_depth: int, max_page_size: int
) -> type[ValidationRule]:
    """A validation rule, for one request's variables, that refuses too many aliases or nodes, or too deep."""

    class QueryCostRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            document = context.document
            self.cost = Cost(
                context.schema,
                {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)},
                variables,
                max_page_size,
            )

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: object) -> object:
            root = self.context.schema.get_root_type(node.operation)
            figures = self.cost.of(node.selection_set, root)
            aliases, nodes, depth = figures.aliases, figures.nodes, figures.depth
            if depth > max_depth:
                name = node.name.value if node.name else "anonymous"
                self.report_error(
                    too_complex(
                        f"'{name}' exceeds maximum operation depth of {max_depth}: it is {depth} deep"
                        " (FLOWDECK_MAX_QUERY_DEPTH).",
                        depth=depth,
                        limit=max_depth,
                    )
                )
            elif aliases > max_aliases:
                self.report_error(
                    too_complex(
                        f"The operation has {aliases} aliases; at most {max_aliases} are allowed"
                        " (FLOWDECK_MAX_QUERY_ALIASES).",
                        aliases=aliases,
                        limit=max_aliases,
                    )
                )
            elif nodes > max_nodes:
                self.report_error(
                    too_complex(
                        f"The operation may return about {nodes} nodes; at most {max_nodes} are allowed"
                        " (FLOWDECK_MAX_QUERY_NODES). Ask for smaller pages (first/last) or fewer nested lists.",
                        nodes=nodes,
                        limit=max_nodes,
                    )
                )
            return self.SKIP

    return QueryCostRule
