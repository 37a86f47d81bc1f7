"""The limits on one GraphQL operation, checked before anything runs (SERVER.md, "Limits").

- tokens: graphql-core's parser stops at `FLOWDECK_MAX_QUERY_TOKENS` (`parse(max_tokens=...)`,
  what Strawberry's MaxTokensLimiter sets); its syntax error becomes QUERY_TOO_COMPLEX.
  Parsed documents are cached (bounded LRU), as Strawberry's ParserCache does.
- aliases, estimated nodes and depth: `schema.query_cost`, with the request's variables,
  before the standard validation rules (which then run, cached, by `ValidationAfterLimits`).
  A (document, variables, limits) that passed is remembered (bounded LRU): a dashboard or a
  client repeating its page query does not walk the document again on every request. A
  refusal is not remembered: a refused document is measured again each time, as before;
- string and JSON arguments: `schema.input_limits`, once the operation is known valid.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Lexer,
    OperationDefinitionNode,
    Source,
    TokenKind,
    ValidationRule,
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
PASSED_CACHE_SIZE = 1024


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


class PassedOperations:
    """The (document text, variables, limits) whose cost passed the limits: a bounded LRU."""

    def __init__(self, maxsize: int = PASSED_CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._keys: OrderedDict[tuple[object, ...], None] = OrderedDict()
        self._lock = threading.Lock()

    def __contains__(self, key: tuple[object, ...]) -> bool:
        with self._lock:
            if key not in self._keys:
                return False
            self._keys.move_to_end(key)
            return True

    def add(self, key: tuple[object, ...]) -> None:
        with self._lock:
            self._keys[key] = None
            self._keys.move_to_end(key)
            while len(self._keys) > self.maxsize:
                self._keys.popitem(last=False)

    def __len__(self) -> int:
        return len(self._keys)


passed = PassedOperations()


def _variables_key(variables: dict[str, object]) -> bytes | None:
    """The variables as canonical JSON, or None when they are not plain JSON values (then the
    cost is measured without the cache: two different values could otherwise share a key)."""
    try:
        return orjson.dumps(variables, option=orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER)
    except (TypeError, orjson.JSONEncodeError):
        return None


def settings_cost_rule(settings: Settings, variables: dict[str, Any]) -> type[ValidationRule]:
    """The cost rule for one request's variables, with the configured limits."""
    return cost_rule(
        variables,
        max_aliases=settings.max_query_aliases,
        max_nodes=settings.max_query_nodes,
        max_depth=settings.max_query_depth,
        max_page_size=settings.max_page_size,
    )


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
            settings = self.settings
            limits = (
                settings.max_query_aliases,
                settings.max_query_nodes,
                settings.max_query_depth,
                settings.max_page_size,
                settings.max_query_tokens,
            )
            variables = context.variables or {}
            variables_key = _variables_key(variables) if context.query else None
            # the document is the parse of the query text with the token limit (on_parse)
            key = (context.query, variables_key, limits) if variables_key is not None else None
            if key is None or key not in passed:
                rule = settings_cost_rule(settings, variables)
                errors = validate(context.schema._schema, context.graphql_document, [rule])
                if errors:
                    # ValidationAfterLimits sees these and leaves the standard rules unrun
                    context.pre_execution_errors = errors[:1]
                elif key is not None:
                    passed.add(key)
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
