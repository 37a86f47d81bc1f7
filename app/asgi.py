"""The Starlette application: one lifespan (database, broadcast, engine) and the routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from app import pubsub
from app.actions.accounts import ensure_bootstrap_key
from app.db import close_db, init_db, ping_db
from app.errors import Unauthenticated
from app.exporter import ExportRunner
from app.exporter.download import download_export
from app.settings import Settings, get_settings
from schema import build_schema
from schema.context import Context

log = logging.getLogger("flowdeck")


_watchers: set[asyncio.Task[None]] = set()
REVOCATION_CHECK_SECONDS = 1.0


def _connected(websocket: WebSocket) -> bool:
    return WebSocketState.DISCONNECTED not in (websocket.client_state, websocket.application_state)


async def close_when_revoked(websocket: WebSocket, key_id: uuid.UUID) -> None:
    """Close a socket with 4403 as soon as the key it authenticated with is revoked."""
    from models import ApiKey

    async with pubsub.get_hub().subscribe(pubsub.KEYS_TOPIC) as subscription:
        messages = aiter(subscription)
        while _connected(websocket):
            try:
                message = await asyncio.wait_for(anext(messages), REVOCATION_CHECK_SECONDS)
            except TimeoutError:
                continue
            except StopAsyncIteration:
                return
            if isinstance(message, dict) and message.get("revoked") != str(key_id):  # else RESYNC: check
                continue
            key = await ApiKey.get_or_none(id=key_id)
            if key is None or key.revoked_at is not None:
                with contextlib.suppress(RuntimeError):
                    await websocket.close(code=4403, reason="API key revoked")
                return


class FlowdeckGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with flowdeck's context, auth on websocket connect, and offline GraphiQL."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            allowed_origins=settings.allowed_origins,
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.settings = settings

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            settings=self.settings,
            authorization=request.headers.get("authorization"),
            request=request,
        )

    async def on_ws_connect(self, context: Context) -> Any:
        try:
            principal = await context.authenticate()
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": str(error)}) from error
        if isinstance(context.request, WebSocket) and principal.key_id is not None:
            watcher = asyncio.create_task(close_when_revoked(context.request, principal.key_id))
            _watchers.add(watcher)
            watcher.add_done_callback(_watchers.discard)
        return await super().on_ws_connect(context)

    def encode_json(self, data: object) -> str:
        # a page of 50 runs with their steps is ~110 KB of JSON: orjson writes it several
        # times faster than the standard library. A str, not bytes: websocket messages must
        # go out as text frames.
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        from app.graphiql import graphiql_html

        return HTMLResponse(graphiql_html("/graphql"))


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    database = await ping_db()
    hub = pubsub.get_broadcast()
    broadcast = hub is not None and hub.healthy
    status = 200 if database and broadcast else 503
    return JSONResponse({"database": database, "broadcast": broadcast}, status_code=status)


def create_app(settings: Settings | None = None, *, run_engine: bool = True) -> Starlette:
    """The ASGI app. Everything it needs starts in its lifespan and stops with it."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await init_db(settings)
        if settings.bootstrap_key:
            await ensure_bootstrap_key(settings.bootstrap_key)
        await pubsub.start_hub(settings.broadcast_url)
        engine = None
        if run_engine:
            from app.engine import Engine
            from app.handlers import load_handler_modules

            load_handler_modules(settings.handlers)
            engine = Engine(settings, lease_seconds=settings.engine_lease)
            await engine.start()
        exporter = ExportRunner(settings)
        await exporter.start()
        settling = None
        if run_engine and os.environ.get("FLOWDECK_DEMO_SETTLE") == "1":
            from app.demo import settle_demo

            settling = asyncio.create_task(settle_demo())
        try:
            yield
        finally:
            if settling is not None:
                settling.cancel()
            await exporter.stop()
            if engine is not None:
                await engine.stop()
            await pubsub.stop_hub()
            await close_db()

    graphql = FlowdeckGraphQL(settings)
    routes: list[Any] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/exports/{id}", download_export),
    ]
    with contextlib.suppress(ImportError):
        from app.graphiql import STATIC_DIR

        routes.append(Mount("/graphiql/static", StaticFiles(directory=STATIC_DIR), name="graphiql-static"))
    middleware = []
    if settings.allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type"],
            )
        )
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def app_from_environment() -> Starlette:
    """The app as `flowdeck serve` runs it in each uvicorn worker process (settings from the environment)."""
    return create_app(get_settings(), run_engine=os.environ.get("FLOWDECK_RUN_ENGINE", "1") != "0")
