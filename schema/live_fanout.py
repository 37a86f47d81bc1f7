"""Live fan-out computed once: `runEvents` subscribers who would receive the same bytes share one
execution and one encoded payload per event.

Over graphql-transport-ws, Strawberry runs `schema.stream` per subscription, so a thousand
subscribers of one run used to execute the same selection on the same event a thousand times.
Here, subscribers whose documents are the same, with the same variables and the same
visibility, join one *shared feed*: it runs the subscription once (starting at `after: 0`),
encodes each event's `next` payload once, and keeps the payloads in order. Each subscriber walks
that list from its own `after` (payload `i` is the event with seq `i + 1`: a run's seqs are
1, 2, 3 ... without gaps), so replay-then-live, no gap, no duplicate and the end at the terminal
status are those of the one execution. The only per-subscriber cost is the websocket write.

A slow subscriber holds only its position: the feed never waits for anyone and keeps nothing
per subscriber (the payloads are the run's history, which `app.live` keeps anyway).

Visibility is part of the key: the project scope and role of the caller, and the caller's
identity when the run is PRIVATE. Each subscriber is authenticated and checked against the run
itself before it joins, so a feed never reaches anyone who could not see the run. What this
does not recognise (another root field, a syntax or validation error, a variable with a default,
an unknown key or run) goes through Strawberry's own path unchanged, errors included.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, Final

import strawberry
from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    OperationType,
    StringValueNode,
    ValueNode,
    VariableNode,
    Visitor,
    get_operation_ast,
    parse,
    print_ast,
    validate,
    visit,
)
from starlette.websockets import WebSocketDisconnect
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from app.actions.runs import get_visible_run
from app.enums import Visibility
from app.errors import FlowdeckError, Unauthenticated
from app.observability import metrics
from app.observability.logs import outside_request
from schema.context import Context
from schema.loaders import Loaders
from schema.metrics import count_subscription

if TYPE_CHECKING:
    from app.auth import Principal

log = logging.getLogger("flowdeck.live")

SHARED_FIELD: Final = "runEvents"
_DOCUMENT_CACHE_SIZE = 256


@dataclasses.dataclass
class _Counters:
    feeds_started: int = 0
    executions: int = 0  # per-event executions of a shared feed (one per event per feed)
    deliveries: int = 0  # payloads written to subscribers


_counters = _Counters()
_feeds: dict[tuple[str, ...], SharedFeed] = {}


def live_fanout_stats() -> dict[str, int]:
    """Counters for metrics and tests: open shared feeds, the subscribers on them, how many feeds
    were started, how many per-event executions they ran and how many payloads they delivered."""
    return {
        "feeds": len(_feeds),
        "subscribers": sum(feed.users for feed in _feeds.values()),
        "feeds_started": _counters.feeds_started,
        "executions": _counters.executions,
        "deliveries": _counters.deliveries,
    }


# -- which subscriptions can share -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Shape:
    """What one document says about a runEvents subscription, independent of its variables."""

    feed_query: str  # the document as the feed runs it: `after` set to 0 when written inline
    run_id: str | None  # inline runId
    run_id_variable: str | None
    after: int | None  # inline after
    after_variable: str | None
    variables_with_defaults: frozenset[str]


@dataclasses.dataclass(frozen=True)
class SharePlan:
    """How one subscriber joins a shared feed."""

    feed_query: str
    operation_name: str | None
    feed_variables: dict[str, Any]
    run_id: str
    start: int  # the subscriber's own `after`: it is sent the payloads from this index on


class _AfterFromZero(Visitor):
    """Rewrites the inline `after` of the runEvents field to 0: the feed starts at the beginning."""

    def __init__(self, argument: ArgumentNode) -> None:
        super().__init__()
        self.argument = argument

    def enter_argument(self, node: ArgumentNode, *_: object) -> ArgumentNode | None:
        if node is self.argument:
            return ArgumentNode(name=node.name, value=IntValueNode(value="0"))
        return None


def _literal(value: ValueNode) -> object:
    if isinstance(value, StringValueNode):
        return value.value
    if isinstance(value, IntValueNode):
        return int(value.value)
    return ...  # anything else (null, a list ...) is left to Strawberry


# A shared feed's document is a small subscription; a longer one is left to Strawberry's
# path, where the request limits (FLOWDECK_MAX_QUERY_TOKENS ...) answer it.
_SHARED_MAX_TOKENS = 2_000


@functools.lru_cache(maxsize=_DOCUMENT_CACHE_SIZE)
def _shape(schema: GraphQLSchema, query: str, operation_name: str | None) -> _Shape | None:
    try:
        document = parse(query, max_tokens=_SHARED_MAX_TOKENS)
    except GraphQLError:
        return None
    if validate(schema, document):
        return None
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation != OperationType.SUBSCRIPTION:
        return None
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    field = selections[0]
    if field.name.value != SHARED_FIELD or field.directives:
        return None
    run_id: object = None
    run_id_variable = after_variable = None
    after: object = None
    after_literal: ArgumentNode | None = None
    for argument in field.arguments or ():
        name, value = argument.name.value, argument.value
        if isinstance(value, VariableNode):
            if name == "runId":
                run_id_variable = value.name.value
            else:
                after_variable = value.name.value
        elif name == "runId":
            run_id = _literal(value)
        else:
            after = _literal(value)
            after_literal = argument
    if (run_id_variable is None and not isinstance(run_id, str)) or after is ...:
        return None
    feed_document = document if after_literal is None else visit(document, _AfterFromZero(after_literal))
    return _Shape(
        feed_query=print_ast(feed_document),
        run_id=run_id if isinstance(run_id, str) else None,
        run_id_variable=run_id_variable,
        after=after if isinstance(after, int) else None,
        after_variable=after_variable,
        variables_with_defaults=frozenset(
            definition.variable.name.value
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        ),
    )


def share_plan(
    schema: GraphQLSchema, query: str, variables: dict[str, Any] | None, operation_name: str | None
) -> SharePlan | None:
    """How this subscription joins a shared feed, or None when it must run on its own."""
    if not isinstance(query, str) or not (variables is None or isinstance(variables, dict)):
        return None
    shape = _shape(schema, query, operation_name)
    if shape is None:
        return None
    variables = dict(variables or {})
    if shape.variables_with_defaults - variables.keys():
        return None  # the default would apply: left to graphql-core's coercion
    run_id = variables.get(shape.run_id_variable) if shape.run_id_variable else shape.run_id
    after = variables.get(shape.after_variable) if shape.after_variable else shape.after
    if not isinstance(run_id, str) or not (after is None or (isinstance(after, int) and not isinstance(after, bool))):
        return None
    if shape.after_variable:
        variables[shape.after_variable] = 0
    return SharePlan(shape.feed_query, operation_name, variables, run_id, max(after or 0, 0))


def visibility_key(principal: Principal, visibility: Visibility) -> tuple[str, str, str]:
    """What decides what a caller may see of a run: project scope, role, and who it is when the
    run is PRIVATE (only its initiator, and SUPERADMINs, see those)."""
    scope = "*" if principal.project_id is None else str(principal.project_id)
    identity = principal.actor if visibility == Visibility.PRIVATE else ""
    return scope, principal.role.name, identity


# -- the shared feed ---------------------------------------------------------------------------


# the view's encode_json: text frames, so bytes are decoded
Encoder = Callable[[object], str | bytes]


class SharedFeed:
    """One execution of a runEvents subscription, its `next` payloads encoded once, in order."""

    def __init__(self, schema: strawberry.Schema, plan: SharePlan, context: Context, encode: Encoder) -> None:
        self.payloads: list[str] = []
        # set when the execution stops: a PreExecutionError, an exception, or None (it completed)
        self.ended = False
        self.pre_execution_error: PreExecutionError | None = None
        self.failure: BaseException | None = None
        self.users = 0
        self._news = asyncio.Event()
        self._encode = encode
        _counters.feeds_started += 1
        self.errored = False  # a payload carried errors
        self.task = asyncio.create_task(
            self._execute(schema, plan, context), name="flowdeck-live-feed", context=outside_request()
        )

    async def _execute(self, schema: strawberry.Schema, plan: SharePlan, context: Context) -> None:
        try:
            results = await schema.stream(
                plan.feed_query,
                variable_values=plan.feed_variables,
                context_value=context,
                operation_name=plan.operation_name,
            )
            async with aclosing(results):
                async for result in results:
                    if isinstance(result, PreExecutionError):
                        self.pre_execution_error = result
                        return
                    if not isinstance(result, ExecutionResult):
                        raise TypeError("incremental delivery is not supported over graphql-transport-ws")
                    _counters.executions += 1
                    self.errored = self.errored or bool(result.errors)
                    encoded = self._encode(_next_payload(result))
                    self._append(encoded if isinstance(encoded, str) else encoded.decode())
        except Exception as error:  # handed to every subscriber, which logs it and completes
            self.failure = error
        finally:
            self.ended = True
            self._wake()

    def _append(self, payload: str) -> None:
        self.payloads.append(payload)
        self._wake()

    def _wake(self) -> None:
        news, self._news = self._news, asyncio.Event()
        news.set()

    async def follow(self, start: int) -> AsyncIterator[str]:
        """The encoded payloads from index `start` on, live, until the execution ends."""
        position = start
        while True:
            news = self._news
            payloads = self.payloads
            while position < len(payloads):
                yield payloads[position]
                position += 1
            if self.ended:
                if position >= len(self.payloads):
                    return
                continue
            await news.wait()


def _next_payload(result: ExecutionResult) -> dict[str, Any]:
    # as Strawberry's Operation.send_next builds it
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


async def _join(
    key: tuple[str, ...], schema: strawberry.Schema, plan: SharePlan, context: Context, encode: Encoder
) -> SharedFeed:
    feed = _feeds.get(key)
    if feed is None or feed.ended:
        # an ended feed is not reused: a run can be reopened after it ended
        feed = _feeds[key] = SharedFeed(schema, plan, context, encode)
    feed.users += 1
    return feed


def _leave(key: tuple[str, ...], feed: SharedFeed) -> None:
    feed.users -= 1
    if feed.users == 0:
        feed.task.cancel()
        if _feeds.get(key) is feed:
            del _feeds[key]


# -- the websocket handler -----------------------------------------------------------------------


class SharedFeedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with runEvents subscriptions served from shared feeds."""

    @property
    def _strawberry_schema(self) -> strawberry.Schema:
        assert isinstance(self.schema, strawberry.Schema), "flowdeck serves a strawberry.Schema"
        return self.schema

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        feed_key = await self._feed_key(operation)
        if feed_key is None:
            await super().run_operation(operation)
            return
        key, plan = feed_key
        feed_context = dataclasses.replace(self.context, request=None, loaders=Loaders(), serves_shared_feed=True)
        feed = await _join(key, self._strawberry_schema, plan, feed_context, self.view.encode_json)
        # the metrics count subscribers, as for a subscription executed on its own
        open_subscriptions = metrics.OPEN_SUBSCRIPTIONS.labels(subscription=SHARED_FIELD)
        open_subscriptions.inc()
        try:
            await self._deliver(operation, feed, plan.start)
        finally:
            open_subscriptions.dec()
            _leave(key, feed)
            count_subscription(ok=not (feed.errored or feed.failure or feed.pre_execution_error))

    async def _feed_key(self, operation: Operation[Context, None]) -> tuple[tuple[str, ...], SharePlan] | None:
        try:
            graphql_schema = self._strawberry_schema._schema
            plan = share_plan(graphql_schema, operation.query, operation.variables, operation.operation_name)
        except Exception:  # a document this module misreads still gets Strawberry's own answer
            log.exception("live fan-out: cannot plan a shared feed; running the subscription on its own")
            return None
        if plan is None:
            return None
        try:
            principal = await self.context.authenticate()
            run = await get_visible_run(principal, plan.run_id, ("runId",))
        except (Unauthenticated, FlowdeckError):
            return None  # Strawberry's path answers with the error and its code
        variables = json.dumps(plan.feed_variables, sort_keys=True, separators=(",", ":"))
        key = (plan.feed_query, plan.operation_name or "", variables, *visibility_key(principal, run.visibility))
        return key, plan

    async def _deliver(self, operation: Operation[Context, None], feed: SharedFeed, start: int) -> None:
        prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        send_text = self.websocket.ws.send_text  # type: ignore[attr-defined]
        try:
            async for payload in feed.follow(start):
                await send_text(prefix + payload + "}")
                _counters.deliveries += 1
        except WebSocketDisconnect:
            return
        if feed.pre_execution_error is not None:
            try:
                await self._handle_pre_execution_error(operation, feed.pre_execution_error)
            except _OperationStreamClosed:
                return  # the socket was closed, as Strawberry closes it for this error
        elif feed.failure is not None:
            await self.handle_task_exception(feed.failure)  # type: ignore[arg-type]
        await operation.send_operation_message({"id": operation.id, "type": "complete"})


__all__ = ["SharePlan", "SharedFeed", "SharedFeedTransportWSHandler", "live_fanout_stats", "share_plan"]
