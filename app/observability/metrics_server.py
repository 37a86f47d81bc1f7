"""`flowdeck engine --metrics-port`: the engine's own /metrics (and /healthz), since it serves no API.

The figures are the ones `flowdeck serve` answers on /metrics (app.observability.metrics):
this process's counters (the steps its engine ran, the runs it ended) and the database's
gauges, behind the same FLOWDECK_METRICS_KEY. uvicorn serves them inside the engine's own
event loop; the engine's signal handlers stop it, not uvicorn's.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from app.observability.metrics import metrics_endpoint
from app.settings import ConfigError

STOP_SECONDS = 2


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # the engine handles SIGTERM/SIGINT itself and then stops this server
        yield


async def _healthz(_request: Request) -> Response:
    return PlainTextResponse("ok\n")


class MetricsServer:
    """An HTTP server for /metrics and /healthz on (host, port), running in this event loop."""

    def __init__(self, host: str, port: int, metrics_key: str | None) -> None:
        app = Starlette(routes=[Route("/metrics", metrics_endpoint(metrics_key)), Route("/healthz", _healthz)])
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=STOP_SECONDS
        )
        self._server = _Server(config)
        self._socket = _bind(host, port)
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return int(self._socket.getsockname()[1])

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]), name="flowdeck-metrics-http")
        while not self._server.started:
            if self._task.done():  # it failed to start: say why
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a taken port is one clear line at start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigError("--metrics-port", f"{host}:{port}: {error.strerror or error}") from None
    sock.listen(64)
    sock.setblocking(False)
    return sock
