"""The limits on one GraphQL operation, checked before anything runs (SERVER.md, "Limits").

- tokens: graphql-core's parser stops at `FLOWDECK_MAX_QUERY_TOKENS` (`parse(max_tokens=...)`,
  what Strawberry's MaxTokensLimiter sets); its syntax error becomes QUERY_TOO_COMPLEX.
  Parsed documents are cached (bounded LRU), as Strawberry's ParserCache does.
- aliases, estimated nodes and depth: `schema.query_cost`, with the request's variables,
  before the standard validation rules (which then run, cached, by `ValidationAfterLimits`);
- string and JSON arguments: `schema.input_limits`, once the operation is known valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Lexer,
    OperationDefinitionNode,
    Source,
    TokenKind,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension, ValidationCache

from app.settings import Settings
from schema.input_limits import input_limit_error
from schema.query_cost import cost_rule, too_complex

PARSE_CACHE_SIZE = 256


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def _has_more_tokens_than(query: str, limit: int) -> bool:
    """Whether `query` lexes into more than `limit` tokens (stops reading at limit + 1)."""
    lexer = Lexer(Source(query))
    for _ in range(limit + 1):
        try:
            token = lexer.advance()
        except GraphQLSyntaxError:
            return False
        if token.kind == TokenKind.EOF:
            return False
    return True


class QueryLimits(SchemaExtension):
    """Parses with the token limit, then refuses an operation over a limit before it executes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            limit = self.settings.max_query_tokens
            try:
                context.graphql_document = _parse(context.query, limit)
            except GraphQLSyntaxError as error:
                if _has_more_tokens_than(context.query, limit):
                    raise too_complex(
                        f"The document has more than {limit} tokens; at most {limit} are allowed"
                        " (FLOWDECK_MAX_QUERY_TOKENS).",
                        limit=limit,
                    ) from error
                raise
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            rule = cost_rule(
                context.variables or {},
                max_aliases=self.settings.max_query_aliases,
                max_nodes=self.settings.max_query_nodes,
                max_depth=self.settings.max_query_depth,
                max_page_size=self.settings.max_page_size,
            )
            errors = validate(context.schema._schema, context.graphql_document, [rule])
            if errors:
                # ValidationAfterLimits sees these and leaves the standard rules unrun
                context.pre_execution_errors = errors[:1]
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        if document is not None and operation is not None:
            error = operation_input_error(context.schema._schema, document, operation, context.variables)
            if error is not None:
                raise error
        yield


def operation_input_error(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    raw_variables: dict[str, object] | None,
) -> GraphQLError | None:
    """The top-level error for an argument of `operation` over its input limit, or None."""
    variables = get_variable_values(schema, operation.variable_definitions or (), raw_variables or {})
    if isinstance(variables, list):
        return None  # the executor reports the variables it cannot coerce
    return input_limit_error(schema, document, operation, variables)


class ValidationAfterLimits(ValidationCache):
    """Strawberry's cached validation, skipped for a document QueryLimits has already refused."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
        else:
            yield from super().on_validate()
