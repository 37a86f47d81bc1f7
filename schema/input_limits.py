"""The input limits of `app.limits`, enforced in one place for every argument of every field.

Each request's arguments are read the way the executor will read them (literals and
variables, coerced) and every string and JSON value in them is checked against the
table, whatever field it belongs to:

- a root mutation field's own arguments: the mutation answers its payload with a
  VALIDATION error naming the field (`MutationInputLimits`, put on every mutation by
  `guard_mutations`), and does nothing;
- any other argument (queries, subscriptions, fields inside a mutation's selection): a
  top-level VALIDATION error naming the field, before anything is executed
  (`input_limit_error`, called by the `QueryLimits` extension).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.extensions import FieldExtension
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition

from app.enums import ErrorCode
from app.errors import Problem, ValidationFailed
from app.limits import json_problem, string_limit, string_problem
from schema.context import Info
from schema.errors import UserError, top_level_error, user_errors

STRING_SCALARS = {"String": False, "ID": True}
JSON_SCALAR = "JSON"
EMPTY_SCALARS: dict[object, object] = {int: 0, float: 0.0, bool: False}


def argument_problems(
    field: GraphQLField, parent: str, node: FieldNode, variables: VariableValues | None
) -> list[Problem]:
    """Every limit the arguments of one field selection break (empty when none)."""
    if not node.arguments:
        return []
    values = get_argument_values(field, node, variables)
    problems: list[Problem] = []
    for name, argument in field.args.items():
        if name in values:
            coordinate = f"{parent}.{node.name.value}({name}:)"
            problems += _value_problems(values[name], argument.type, coordinate, name, (name,))
    return problems


def _value_problems(
    value: Any, type_: GraphQLInputType, coordinate: str, name: str, path: tuple[str, ...]
) -> list[Problem]:
    if value is None:
        return []
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        problems: list[Problem] = []
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            problems += _value_problems(item, type_.of_type, coordinate, name, (*path, str(index)))
        return problems
    if isinstance(type_, GraphQLInputObjectType):
        problems = []
        for field_name, field in type_.fields.items():
            key = field.out_name or field_name
            if key in value:
                problems += _value_problems(
                    value[key], field.type, f"{type_.name}.{field_name}", field_name, (*path, field_name)
                )
        return problems
    problem = _scalar_problem(value, type_, coordinate, name)
    return [] if problem is None else [Problem(ErrorCode.VALIDATION, f"{'.'.join(path)} {problem}", path)]


def _scalar_problem(value: Any, type_: GraphQLInputType, coordinate: str, name: str) -> str | None:
    if not isinstance(type_, GraphQLScalarType):
        return None  # an enum: coercion has checked it
    if type_.name in STRING_SCALARS and isinstance(value, str):
        return string_problem(value, string_limit(coordinate, name, is_id=STRING_SCALARS[type_.name]))
    if type_.name == JSON_SCALAR:
        return json_problem(value)
    return None


def _selected_fields(
    document: DocumentNode, selection_set: SelectionSetNode, parent: GraphQLObjectType, schema: GraphQLSchema
) -> Iterator[tuple[GraphQLObjectType, FieldNode]]:
    """Every field selection under `selection_set`, with its parent type; each fragment once."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    seen: set[str] = set()
    stack: list[tuple[SelectionSetNode, Any]] = [(selection_set, parent)]
    while stack:
        selections, parent_type = stack.pop()
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield parent_type, selection
                field = getattr(parent_type, "fields", {}).get(selection.name.value)
                if field is not None and selection.selection_set is not None:
                    stack.append((selection.selection_set, get_named_type(field.type)))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                stack.append(
                    (selection.selection_set, schema.get_type(condition.name.value) if condition else parent_type)
                )
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    stack.append((fragment.selection_set, schema.get_type(fragment.type_condition.name.value)))


def input_limit_error(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: VariableValues | None,
) -> GraphQLError | None:
    """The top-level VALIDATION error for the first argument over a limit, outside a mutation's own arguments."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    for parent, node in _selected_fields(document, operation.selection_set, root, schema):
        if operation.operation == OperationType.MUTATION and parent is root:
            continue  # the mutation answers in its payload (MutationInputLimits)
        field = getattr(parent, "fields", {}).get(node.name.value)
        if field is None:
            continue  # __typename and introspection: bounded by the token limit
        problems = argument_problems(field, parent.name, node, variables)
        if problems:
            first = problems[0]
            return top_level_error(
                ErrorCode.VALIDATION.value,
                f"{node.name.value}: {first.message}",
                field=[node.name.value, *(first.field or ())],
            )
    return None


def _empty_payload(raw_info: GraphQLResolveInfo, errors: list[UserError]) -> object:
    """The mutation's payload with `errors` and every other field empty (null, 0, false or [])."""
    payload_type = get_named_type(raw_info.return_type)
    definition = get_object_definition(payload_type.extensions["strawberry-definition"].origin, strict=True)
    values: dict[str, object] = {}
    for field in definition.fields:
        if field.python_name == "errors":
            values["errors"] = errors
        elif isinstance(field.type, StrawberryOptional):
            values[field.python_name] = None
        elif isinstance(field.type, StrawberryList):
            values[field.python_name] = []
        elif field.type in EMPTY_SCALARS:
            values[field.python_name] = EMPTY_SCALARS[field.type]
    return definition.origin(**values)


class MutationInputLimits(FieldExtension):
    """Answers a mutation whose arguments break a limit with its payload's VALIDATION errors."""

    def _problems(self, info: Info) -> list[UserError]:
        raw: GraphQLResolveInfo = info._raw_info
        field = raw.parent_type.fields[raw.field_name]
        variables: Any = raw.variable_values
        if isinstance(variables, dict):  # the executor hands resolvers the coerced values alone
            variables = VariableValues(sources={}, coerced=variables)
        problems = argument_problems(field, raw.parent_type.name, raw.field_nodes[0], variables)
        if not problems:
            return []
        return user_errors(ValidationFailed(problems[0].message, problems=problems))

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        errors = self._problems(info)
        return _empty_payload(info._raw_info, errors) if errors else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any) -> Any:
        errors = self._problems(info)
        return _empty_payload(info._raw_info, errors) if errors else await next_(source, info, **kwargs)


def guard_mutations(mutation: type) -> None:
    """Put `MutationInputLimits` on every field of the Mutation type, inside its permission check."""
    definition = get_object_definition(mutation, strict=True)
    for field in definition.fields:
        field.extensions = [MutationInputLimits(), *(field.extensions or [])]
