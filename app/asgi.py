"""The Starlette application: one lifespan (database, broadcast, engine) and the routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError

from app import pubsub
from app.actions.accounts import ensure_bootstrap_key
from app.collector import tune_for_serving
from app.db import close_db, init_db, ping_db
from app.errors import Unauthenticated
from app.exporter import ExportRunner
from app.exporter.download import download_export
from app.graphiql import STATIC_URL, graphiql_asset, graphiql_html
from app.graphql_http import GraphQLOverHTTP
from app.observability import metrics
from app.observability.live_trace import install_from_environment as install_live_trace
from app.observability.logs import configure_logging
from app.observability.memory import install_from_environment as install_memory_diagnostics
from app.observability.middleware import ObservabilityMiddleware
from app.observability.shutdown import GracefulShutdown, OpenWebsockets
from app.request_limits import RequestSizeLimit
from app.revocation import RevocationWatch
from app.settings import Settings, get_settings
from app.ui import ui_routes
from schema import build_schema
from schema.context import Context
from schema.live_fanout import SharedFeedTransportWSHandler

log = logging.getLogger("flowdeck")


class FlowdeckGraphQL(GraphQLOverHTTP):
    """Strawberry's ASGI view with flowdeck's context, auth on websocket connect, and offline GraphiQL."""

    def __init__(self, settings: Settings, revocations: RevocationWatch) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql",
            allowed_origins=settings.allowed_origins,
            keep_alive=True,
            keep_alive_interval=15,
        )
        self.settings = settings
        self.revocations = revocations
        if settings.live_shared_feeds:
            self.graphql_transport_ws_handler_class = SharedFeedTransportWSHandler

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            settings=self.settings,
            authorization=request.headers.get("authorization"),
            request=request,
            # an HTTP response is written by `encode_json` (orjson) as it comes
            datetimes_as_objects=not isinstance(request, WebSocket),
        )

    async def on_ws_connect(self, context: Context) -> Any:
        try:
            principal = await context.authenticate()
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": str(error)}) from error
        if isinstance(context.request, WebSocket) and principal.key_id is not None:
            self.revocations.watch(principal.key_id, context.request)
        return await super().on_ws_connect(context)

    def encode_json(self, data: object) -> str:
        # a page of 50 runs with their steps is ~110 KB of JSON: orjson writes it several
        # times faster than the standard library. A str, not bytes: websocket messages must
        # go out as text frames.
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_html("/graphql"))


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    database = await ping_db()
    hub = pubsub.get_broadcast()
    broadcast = hub is not None and hub.healthy
    status = 200 if database and broadcast else 503
    return JSONResponse({"database": database, "broadcast": broadcast}, status_code=status)


def create_app(settings: Settings | None = None, *, run_engine: bool = True, serving: bool = False) -> ASGIApp:
    """The ASGI app. Everything it needs starts in its lifespan and stops with it. `serving`:
    the app is the process's one app (`flowdeck serve`), which may tune the process's garbage
    collector once it has started (app/collector.py); an app in a test process leaves it alone."""
    settings = settings or get_settings()

    revocations = RevocationWatch()
    websockets = OpenWebsockets()
    shutdown = GracefulShutdown(websockets)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        shutdown.install()
        metrics.SERVER_PROCESSES.inc()
        await init_db(settings)
        if settings.bootstrap_key:
            await ensure_bootstrap_key(settings.bootstrap_key)
        await pubsub.start_hub(settings.broadcast_url)
        revocations.start()
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
        if serving and settings.gc_tuning:
            tune_for_serving(settings.gc_gen0_threshold)
        try:
            yield
        finally:
            if settling is not None:
                settling.cancel()
            await exporter.stop()
            if engine is not None:
                await engine.stop()
            await revocations.stop()
            await pubsub.stop_hub()
            await close_db()
            shutdown.uninstall()
            metrics.mark_process_dead()

    graphql = FlowdeckGraphQL(settings, revocations)
    routes: list[Any] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics.metrics_endpoint(settings.metrics_key)),
        Route("/exports/{id}", download_export),
    ]
    routes.append(Route(f"{STATIC_URL}/{{name}}", graphiql_asset))
    routes += ui_routes()
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
    middleware.append(Middleware(RequestSizeLimit, max_bytes=settings.max_body_bytes))
    # outside Starlette's own error handler, so that even its 500 answer carries X-Request-Id
    return ObservabilityMiddleware(Starlette(routes=routes, middleware=middleware, lifespan=lifespan), websockets)


def app_from_environment() -> ASGIApp:
    """The app as `flowdeck serve` runs it in each uvicorn worker process (settings from the environment)."""
    settings = get_settings()
    configure_logging(settings)  # a spawned worker process inherits no logging set-up
    install_memory_diagnostics()  # FLOWDECK_TRACEMALLOC: off unless asked for
    install_live_trace("serve")  # FLOWDECK_LIVE_TRACE: off unless asked for
    return create_app(settings, run_engine=os.environ.get("FLOWDECK_RUN_ENGINE", "1") != "0", serving=True)
