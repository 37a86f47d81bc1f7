"""The per-request context: settings, the caller, and the DataLoaders.

On a websocket, Strawberry builds the context once per connection; subscriptions
must therefore build fresh loaders for each event (`Context.fresh_loaders`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from strawberry.permission import BasePermission
from strawberry.types import Info as StrawberryInfo

from app.auth import Principal, authenticate
from app.db import database_unreachable
from app.errors import Unauthenticated
from app.settings import Settings
from schema.errors import database_unavailable, unauthenticated
from schema.loaders import Loaders

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.websockets import WebSocket

log = logging.getLogger("flowdeck")


@dataclasses.dataclass
class Context:
    settings: Settings
    authorization: str | None
    request: Request | WebSocket | None = None
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = dataclasses.field(default_factory=Loaders)
    principal: Principal | None = None
    # True for the one execution behind a shared runEvents feed (schema/live_fanout.py): its
    # subscribers are counted in the metrics by the websocket handler, one by one, not here
    serves_shared_feed: bool = False
    # set on that execution's context: told each item the subscription yields, before its result
    feed_item: Callable[[object], None] | None = None
    # an UNAVAILABLE (database down) was logged for this request: once is enough
    unavailable_logged: bool = False
    # the result goes to orjson, which writes a UTC datetime as its isoformat() reads, ~7x
    # faster: a compiled plan may leave such datetimes in the result (set over HTTP only;
    # a caller of schema.execute reads the strings graphql-core gives)
    datetimes_as_objects: bool = False

    async def authenticate(self) -> Principal:
        """The caller, looked up on every operation, so a revoked key stops at once."""
        authorization = self.authorization
        if self.connection_params:
            authorization = (
                self.connection_params.get("Authorization")
                or self.connection_params.get("authorization")
                or authorization
            )
        self.principal = await authenticate(authorization)
        self.unavailable_logged = False  # a websocket's context outlives an outage: the next one is said again
        return self.principal


# What every resolver in schema/ is given: `info.context` is a Context.
Info: TypeAlias = StrawberryInfo[Context, None]


class Authenticated(BasePermission):
    """Every root field needs a valid key; failures are top-level UNAUTHENTICATED errors."""

    message = "UNAUTHENTICATED"

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        context = info.context
        if context.principal is not None and info.operation.operation.value != "subscription":
            return True
        try:
            await context.authenticate()
        except Unauthenticated as error:
            raise unauthenticated(error) from error
        except Exception as error:
            # every operation starts with this lookup: while the database is down, say so
            # (a clear, retryable error) rather than "Unexpected error."
            if database_unreachable(error):
                raise database_unavailable(error, context) from error
            raise
        return True


def principal_of(info: Info) -> Principal:
    principal = info.context.principal
    assert principal is not None, "root fields carry the Authenticated permission"
    return principal


def settings_of(info: Info) -> Settings:
    return info.context.settings
