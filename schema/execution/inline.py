"""Resolvers a compiled plan calls directly, without graphql-core's resolve info (issue 9).

A field declares its inline form with `@strawberry.field(metadata=inline(function))`, where
`function(source, context, **arguments)` is what its resolver returns, written so that the
resolver itself is `return function(self, info.context, ...)`: the two cannot drift apart.
Such a function only maps what the source object and the request's DataLoaders already hold
(a value at once when the page preloaded it, else the loader's awaitable), so calling it
without an `Info`, Strawberry's argument conversion and its extension wrapping is calling
the resolver.

The compiler takes the inline form only when nothing else would run around the resolver:
no permission classes, no field extensions, and arguments that Strawberry passes through
unconverted (Boolean, Int, Float, String, ID, or a nullable one of these). Otherwise the
field is resolved through Strawberry as any other; the differential tests
(tests/schema/execution) execute every inline field both ways.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
)
from strawberry.utils.str_converters import to_camel_case

INLINE = "flowdeck.inline"
STRAWBERRY_FIELD = "strawberry-definition"
# argument types Strawberry hands to a resolver as graphql-core coerced them
PLAIN_ARGUMENTS = frozenset({GraphQLBoolean, GraphQLInt, GraphQLFloat, GraphQLString, GraphQLID})


def inline(function: Callable[..., Any]) -> Mapping[str, Any]:
    """The metadata declaring `function(source, context, **arguments)` a field's inline form."""
    return {INLINE: function}


@dataclasses.dataclass(frozen=True)
class InlineForm:
    function: Callable[..., Any]
    python_names: dict[str, str]  # each argument's GraphQL name -> the resolver's parameter


def inline_form(field: GraphQLField) -> InlineForm | None:
    """The inline form of a field, when it has one and nothing else runs around its resolver."""
    definition = (field.extensions or {}).get(STRAWBERRY_FIELD)
    if definition is None:
        return None
    function = (definition.metadata or {}).get(INLINE)
    if function is None or definition.permission_classes or definition.extensions:
        return None
    arguments = definition.arguments
    if len(arguments) != len(field.args):
        return None
    names: dict[str, str] = {}
    for (name, argument), strawberry_argument in zip(field.args.items(), arguments, strict=True):
        argument_type = argument.type.of_type if isinstance(argument.type, GraphQLNonNull) else argument.type
        if not isinstance(argument_type, GraphQLScalarType) or argument_type not in PLAIN_ARGUMENTS:
            return None
        if name != (strawberry_argument.graphql_name or to_camel_case(strawberry_argument.python_name)):
            return None
        names[name] = strawberry_argument.python_name
    return InlineForm(function, names)


__all__ = ["INLINE", "InlineForm", "inline", "inline_form"]
