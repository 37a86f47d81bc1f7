"""Live fan-out computed once: subscribers of `runEvents`, `runUpdates`, `runChanged`, `exportJob`
and `bulkJob` who would receive the same bytes share one execution and one encoded payload per
event.

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

The other feeds follow the same pattern, each with its own way of joining (`FeedSpec`):
`runUpdates` is a history too (the feed runs with `since: null`; each subscriber skips the
updates at or before its own `since`); `runChanged`, `exportJob` and `bulkJob` are *states*:
the feed keeps the latest payload per run (per job) in the order they changed, a subscriber
joins at the end (`runChanged`: changes from now on) or at the latest state (the jobs: the
job as it is now), and one that falls behind is sent the latest payload of each run that
changed meanwhile: successive changes merged into one item, as the contract allows, and the
RESYNC rule of a slow subscriber without a queue of its own. At most `STATE_LIMIT` runs are
kept per feed (the bound of the re-read a RESYNC does without sharing).

Visibility is part of the key: the project scope and role of the caller, and the caller's
identity when the run is PRIVATE (always for `runChanged`, whose runs may be PRIVATE ones).
Each subscriber is authenticated and checked against the run (or job) itself before it joins,
so a feed never reaches anyone who could not see it. What this
does not recognise (another root field, a syntax or validation error, a variable with a default,
an unknown key or run) goes through Strawberry's own path unchanged, errors included.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import datetime as dt
import functools
import json
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Final

import strawberry
from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    NullValueNode,
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
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from app.actions.bulk_jobs import get_bulk_job
from app.actions.exports import get_export_job
from app.actions.runs import get_visible_run
from app.eager import start_eagerly
from app.enums import Visibility
from app.errors import FlowdeckError, Unauthenticated
from app.observability import live_trace, metrics
from app.observability.logs import outside_request
from schema.context import Context
from schema.loaders import Loaders
from schema.metrics import count_subscription

if TYPE_CHECKING:
    from app.auth import Principal

log = logging.getLogger("flowdeck.live")

_DOCUMENT_CACHE_SIZE = 256
# the most runs a `runChanged` feed keeps the latest payload of (see the module's docstring)
STATE_LIMIT = 500
# past this many, a state feed drops the payloads every subscriber has been sent (a newcomer to
# runChanged starts at the end, so they serve nobody): memory follows the slowest subscriber
_STATE_PRUNE_AT = 32


Send = Callable[[str], Coroutine[Any, Any, None]]


class _Subscriber:
    """One subscriber of a feed: where it is (the index of the next payload it is due), how to
    write to it, and while it is caught up, the future the feed resolves when it stops pushing
    to it (the feed ended, a write had to wait, or the socket failed)."""

    __slots__ = ("failure", "in_flight", "position", "prefix", "released", "send", "since")

    def __init__(self, position: int, send: Send, prefix: str, since: dt.datetime | None) -> None:
        self.position = position
        self.send = send
        self.prefix = prefix  # '{"id":...,"type":"next","payload":'
        self.since = since  # runUpdates: only the updates after this
        self.released: asyncio.Future[None] | None = None
        self.in_flight: asyncio.Task[None] | None = None  # a write the feed started that had to wait
        self.failure: BaseException | None = None  # a write the feed started failed with this

    def wants(self, instant: dt.datetime | None) -> bool:
        return self.since is None or instant is None or instant > self.since

    def frame(self, payload: str) -> str:
        return self.prefix + payload + "}"


@dataclasses.dataclass(frozen=True)
class FeedSpec:
    """How the subscribers of one root field share a feed."""

    subject: str | None  # the argument naming the run or job followed (runChanged: none)
    own: str | None  # the subscriber's own argument: the feed runs with it neutral, each subscriber applies its own
    history: bool  # True: the payloads are kept whole and walked from the subscriber's start; False: latest per item
    replays_current: bool = False  # a state feed: a new subscriber gets the latest payload first (the jobs)


SPECS: Final = {
    "runEvents": FeedSpec(subject="runId", own="after", history=True),
    "runUpdates": FeedSpec(subject="runId", own="since", history=True),
    "runChanged": FeedSpec(subject=None, own=None, history=False),
    "exportJob": FeedSpec(subject="id", own=None, history=False, replays_current=True),
    "bulkJob": FeedSpec(subject="id", own=None, history=False, replays_current=True),
}


@dataclasses.dataclass
class _Counters:
    feeds_started: int = 0
    executions: int = 0  # per-event executions of a shared feed (one per event per feed)
    deliveries: int = 0  # payloads written to subscribers


_counters = _Counters()
_feeds: dict[tuple[str, ...], SharedFeed] = {}


def live_fanout_stats() -> dict[str, int]:
    """Counters for metrics and tests: open shared feeds, the subscribers on them, how many feeds
    were started, how many per-event executions they ran, how many payloads they delivered, the
    payloads state feeds keep, and the subscribers caught up (written to by their feed's task)."""
    return {
        "feeds": len(_feeds),
        "subscribers": sum(feed.users for feed in _feeds.values()),
        "feeds_started": _counters.feeds_started,
        "executions": _counters.executions,
        "deliveries": _counters.deliveries,
        "kept": sum(len(feed.latest) for feed in _feeds.values()),
        "caught_up": sum(len(feed.pushed) for feed in _feeds.values()),
    }


# -- which subscriptions can share -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Shape:
    """What one document says about a shareable subscription, independent of its variables."""

    field: str  # the root field (a key of SPECS)
    feed_query: str  # the document as the feed runs it: the subscriber's own argument made neutral when inline
    subject: str | None  # inline runId / id
    subject_variable: str | None
    own: object  # the inline value of the subscriber's own argument (after, since), None when absent
    own_variable: str | None
    variables_with_defaults: frozenset[str]


@dataclasses.dataclass(frozen=True)
class SharePlan:
    """How one subscriber joins a shared feed."""

    field: str
    feed_query: str
    operation_name: str | None
    feed_variables: dict[str, Any]
    subject: str | None  # the run or job followed (runChanged: None)
    start: int  # runEvents: the subscriber's own `after`: it is sent the payloads from this index on
    since: dt.datetime | None = None  # runUpdates: the subscriber's own `since`


class _FromTheStart(Visitor):
    """Rewrites the inline `after` (to 0) or `since` (to null): the feed starts at the beginning."""

    def __init__(self, argument: ArgumentNode) -> None:
        super().__init__()
        self.argument = argument

    def enter_argument(self, node: ArgumentNode, *_: object) -> ArgumentNode | None:
        if node is self.argument:
            neutral = IntValueNode(value="0") if node.name.value == "after" else NullValueNode()
            return ArgumentNode(name=node.name, value=neutral)
        return None


def _literal(value: ValueNode) -> object:
    if isinstance(value, StringValueNode):
        return value.value
    if isinstance(value, IntValueNode):
        return int(value.value)
    if isinstance(value, NullValueNode):
        return None
    return ...  # anything else (a list ...) is left to Strawberry


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
    spec = SPECS.get(field.name.value)
    if spec is None or field.directives:
        return None
    subject: object = None
    own: object = None
    subject_variable = own_variable = None
    own_literal: ArgumentNode | None = None
    for argument in field.arguments or ():
        name, value = argument.name.value, argument.value
        if name not in (spec.subject, spec.own):
            continue  # runChanged's project, filter and where: part of the document and variables
        if isinstance(value, VariableNode):
            if name == spec.subject:
                subject_variable = value.name.value
            else:
                own_variable = value.name.value
        elif name == spec.subject:
            subject = _literal(value)
        else:
            own = _literal(value)
            own_literal = argument
    if spec.subject is not None and subject_variable is None and not isinstance(subject, str):
        return None
    if own is ...:
        return None
    feed_document = document if own_literal is None else visit(document, _FromTheStart(own_literal))
    return _Shape(
        field=field.name.value,
        feed_query=print_ast(feed_document),
        subject=subject if isinstance(subject, str) else None,
        subject_variable=subject_variable,
        own=own,
        own_variable=own_variable,
        variables_with_defaults=frozenset(
            definition.variable.name.value
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        ),
    )


def _instant(value: object) -> dt.datetime | None:
    """A `since` as the DateTime scalar reads it; ValueError when it is not one a feed can apply."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not a DateTime")
    instant = dt.datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError("a DateTime without a time zone")
    return instant


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
    subject = variables.get(shape.subject_variable) if shape.subject_variable else shape.subject
    own = variables.get(shape.own_variable) if shape.own_variable else shape.own
    if SPECS[shape.field].subject is not None and not isinstance(subject, str):
        return None
    start, since = 0, None
    if shape.field == "runEvents":
        if not (own is None or (isinstance(own, int) and not isinstance(own, bool))):
            return None
        start = max(own or 0, 0)
    elif shape.field == "runUpdates":
        try:
            since = _instant(own)
        except ValueError:
            return None
    if shape.own_variable:
        variables[shape.own_variable] = 0 if shape.field == "runEvents" else None
    return SharePlan(
        shape.field,
        shape.feed_query,
        operation_name,
        variables,
        subject if isinstance(subject, str) else None,
        start,
        since,
    )


def visibility_key(principal: Principal, visibility: Visibility) -> tuple[str, str, str]:
    """What decides what a caller may see of a run: project scope, role, and who it is when the
    run is PRIVATE (only its initiator, and SUPERADMINs, see those)."""
    scope = "*" if principal.project_id is None else str(principal.project_id)
    identity = principal.actor if visibility == Visibility.PRIVATE else ""
    return scope, principal.role.name, identity


# -- the shared feed ---------------------------------------------------------------------------


# the view's encode_json: text frames, so bytes are decoded
Encoder = Callable[[object], str | bytes]


_NO_KEY: Final = object()


class SharedFeed:
    """One execution of a shareable subscription, its `next` payloads encoded once, in order.

    A history feed (runEvents, runUpdates) keeps every payload; a state feed (runChanged and the
    jobs) keeps the latest payload per run or job, in the order of their last change.
    """

    def __init__(self, schema: strawberry.Schema, plan: SharePlan, context: Context, encode: Encoder) -> None:
        self.spec = SPECS[plan.field]
        self.field = plan.field
        self.payloads: list[str] = []  # a history feed's payloads
        self.instants: list[dt.datetime | None] = []  # runUpdates: each payload's update time
        # a state feed's latest payload per item: key -> (index, payload), oldest change first
        self.latest: collections.OrderedDict[object, tuple[int, str]] = collections.OrderedDict()
        self.subscribers: set[_Subscriber] = set()
        # the caught-up subscribers: the feed's task writes each new payload to them itself
        self.pushed: dict[_Subscriber, None] = {}
        self.produced = 0  # payloads so far: the index the next one gets
        # set when the execution stops: a PreExecutionError, an exception, or None (it completed)
        self.ended = False
        self.pre_execution_error: PreExecutionError | None = None
        self.failure: BaseException | None = None
        self.users = 0
        self._encode = encode
        self._item: object = None  # the item behind the result being executed (schema.subscriptions)
        _counters.feeds_started += 1
        self.errored = False  # a payload carried errors
        context.feed_item = self._note_item
        self.task = asyncio.create_task(
            self._execute(schema, plan, context), name="flowdeck-live-feed", context=outside_request()
        )

    def _note_item(self, item: object) -> None:
        self._item = item

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
                    item, self._item = self._item, None
                    trace = live_trace.TRACE if self.field == "runEvents" and item is not None else None
                    if trace is not None:
                        trace.note(getattr(item, "run_id", ""), getattr(item, "seq", 0), "executed")
                    self._append(encoded if isinstance(encoded, str) else encoded.decode(), item)
                    if trace is not None:
                        trace.note(getattr(item, "run_id", ""), getattr(item, "seq", 0), "pushed")
        except Exception as error:  # handed to every subscriber, which logs it and completes
            self.failure = error
        finally:
            self.ended = True
            for subscriber in tuple(self.pushed):
                self._release(subscriber)

    def _append(self, payload: str, item: object) -> None:
        index = self.produced
        self.produced += 1
        if self.spec.history:
            self.payloads.append(payload)
            if self.field == "runUpdates":
                self.instants.append(getattr(item, "at", None))
        else:
            # a run (runChanged) or the one job; a payload without an item (an error) stands alone
            key = getattr(item, "id", _NO_KEY) if self.field == "runChanged" else "job"
            if key is _NO_KEY:
                key = object()
            self.latest.pop(key, None)
            self.latest[key] = (index, payload)
            if len(self.latest) > _STATE_PRUNE_AT:
                self._prune()
        self._push(index, payload)

    def _prune(self) -> None:
        latest = self.latest
        floor = min((subscriber.position for subscriber in self.subscribers), default=self.produced)
        if self.spec.replays_current:
            floor = min(floor, self.produced - 1)  # a newcomer is sent the latest payload
        while latest and (len(latest) > STATE_LIMIT or next(iter(latest.values()))[0] < floor):
            latest.popitem(last=False)

    def start_of(self, plan: SharePlan) -> int:
        """Where a subscriber joining now starts: its `after` (runEvents), the beginning
        (runUpdates), the latest state (the jobs) or what comes next (runChanged)."""
        if self.spec.history:
            return plan.start
        if self.spec.replays_current:
            return max(self.produced - 1, 0)
        return self.produced

    # -- delivery: each subscriber catches up at its own pace, then the feed's task writes to it

    async def serve(self, start: int, since: dt.datetime | None, send: Send, prefix: str) -> None:
        """Write the payloads from index `start` on to one subscriber (each as `prefix + payload +
        "}"`), live, until the execution ends. While it is behind, this task writes what it is due
        at its own pace; once it is caught up, the feed's task writes each new payload to it
        directly (no task wake-up per delivery) until a write has to wait. Then this task finishes
        that write and catches up again: a slow subscriber holds one write in flight and its
        position in the shared payloads, never delays the others and never grows a queue (a state
        feed merges what it missed into the latest payload per item). Raises what a write raised."""
        subscriber = _Subscriber(start, send, prefix, since)
        self.subscribers.add(subscriber)
        try:
            while True:
                for payload in self._due(subscriber):
                    await send(subscriber.frame(payload))
                    _counters.deliveries += 1
                if subscriber.position < self.produced:
                    continue  # more came while it wrote
                if self.ended:
                    return
                # caught up (nothing awaited since the check): the feed pushes from here on
                subscriber.released = asyncio.get_running_loop().create_future()
                self.pushed[subscriber] = None
                try:
                    await subscriber.released
                finally:
                    self.pushed.pop(subscriber, None)
                if subscriber.in_flight is not None:
                    in_flight, subscriber.in_flight = subscriber.in_flight, None
                    await in_flight
                    _counters.deliveries += 1
                if subscriber.failure is not None:
                    raise subscriber.failure
        finally:
            self.subscribers.discard(subscriber)
            if subscriber.in_flight is not None:
                subscriber.in_flight.cancel()

    def _due(self, subscriber: _Subscriber) -> list[str]:
        """What `subscriber` is due now, in order; its position moves past it."""
        start = subscriber.position
        subscriber.position = max(start, self.produced)  # a runEvents `after` may be ahead of the feed
        if self.spec.history:
            if subscriber.since is None:
                return self.payloads[start:]
            return [self.payloads[i] for i in range(start, len(self.payloads)) if subscriber.wants(self.instants[i])]
        fresh: list[str] = []
        for index, payload in reversed(self.latest.values()):
            if index < start:
                break
            fresh.append(payload)
        fresh.reverse()
        return fresh

    def _push(self, index: int, payload: str) -> None:
        """Write the payload just produced to every caught-up subscriber, from the feed's task."""
        instant = self.instants[index] if self.field == "runUpdates" else None
        for subscriber in tuple(self.pushed):
            if index < subscriber.position:
                continue  # before its `after`
            subscriber.position = index + 1
            if not subscriber.wants(instant):
                continue
            try:
                subscriber.in_flight = start_eagerly(subscriber.send(subscriber.frame(payload)))
            except Exception as error:  # the socket failed: its own task ends with the error
                subscriber.failure = error
                self._release(subscriber)
                continue
            if subscriber.in_flight is None:
                _counters.deliveries += 1
            else:  # the socket is full: its own task finishes this write, then catches up
                self._release(subscriber)

    def _release(self, subscriber: _Subscriber) -> None:
        """Stop pushing to `subscriber`; its own task takes over."""
        self.pushed.pop(subscriber, None)
        if subscriber.released is not None and not subscriber.released.done():
            subscriber.released.set_result(None)


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
    if feed is None or feed.ended or (feed.errored and not feed.spec.history):
        # an ended feed is not reused: a run can be reopened after it ended (and a state feed
        # that answered with an error ends with it: a newcomer gets its own answer)
        feed = _feeds[key] = SharedFeed(schema, plan, context, encode)
    feed.users += 1
    return feed


def _leave(key: tuple[str, ...], feed: SharedFeed) -> None:
    feed.users -= 1
    if feed.users == 0:
        feed.task.cancel()
        if _feeds.get(key) is feed:
            del _feeds[key]


async def _subject_visibility(principal: Principal, plan: SharePlan) -> Visibility:
    """The visibility that decides who shares with whom, once the caller is known to see the
    subject: the run's own (runEvents, runUpdates); PROJECT for a job (any caller of the project
    sees it the same); PRIVATE for runChanged (its runs may be the caller's PRIVATE ones).
    Raises the subject's NotFound."""
    if plan.field in ("exportJob", "bulkJob"):
        assert plan.subject is not None
        get_job = get_export_job if plan.field == "exportJob" else get_bulk_job
        await get_job(principal, plan.subject)
        return Visibility.PROJECT
    if plan.subject is None:
        return Visibility.PRIVATE
    run = await get_visible_run(principal, plan.subject, ("runId",))
    return run.visibility


# -- the websocket handler -----------------------------------------------------------------------


class SharedFeedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with the subscriptions of SPECS served from shared feeds."""

    @property
    def _strawberry_schema(self) -> strawberry.Schema:
        assert isinstance(self.schema, strawberry.Schema), "flowdeck serves a strawberry.Schema"
        return self.schema

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_init_received:
            # Strawberry cancelled the init timeout's task but keeps it for the connection's life
            # (~0.5 KiB of each idle subscriber); cancelled, it ends without anyone awaiting it
            self.connection_init_timeout_task = None

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        feed_key = await self._feed_key(operation)
        if feed_key is None:
            await super().run_operation(operation)
            return
        key, plan = feed_key
        feed_context = dataclasses.replace(self.context, request=None, loaders=Loaders(), serves_shared_feed=True)
        feed = await _join(key, self._strawberry_schema, plan, feed_context, self.view.encode_json)
        start = feed.start_of(plan)  # no await since the join: nothing was produced in between
        # the metrics count subscribers, as for a subscription executed on its own
        open_subscriptions = metrics.OPEN_SUBSCRIPTIONS.labels(subscription=plan.field)
        open_subscriptions.inc()
        try:
            await self._deliver(operation, feed, plan, start)
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
            visibility = await _subject_visibility(principal, plan)
        except (Unauthenticated, FlowdeckError):
            return None  # Strawberry's path answers with the error and its code
        variables = json.dumps(plan.feed_variables, sort_keys=True, separators=(",", ":"), default=str)
        key = (plan.feed_query, plan.operation_name or "", variables, *visibility_key(principal, visibility))
        return key, plan

    async def _deliver(
        self, operation: Operation[Context, None], feed: SharedFeed, plan: SharePlan, start: int
    ) -> None:
        prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        send_text = self.websocket.ws.send_text  # type: ignore[attr-defined]
        try:
            await feed.serve(start, plan.since, send_text, prefix)
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
