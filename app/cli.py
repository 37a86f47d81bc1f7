"""The `flowdeck` command: serve, engine, worker, apikey create, migrate."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.settings import ConfigError, Settings, get_settings, set_settings

DEMO_KEY_FILE = Path(".flowdeck-demo-key")
# SERVER.md: on SIGTERM, requests in flight get this long to finish
GRACEFUL_SHUTDOWN_SECONDS = 10
WORKER_KEY_ENV = "FLOWDECK_WORKER_KEY"


def _fail(message: str) -> int:
    print(f"flowdeck: {message}", file=sys.stderr)
    return 2


def _demo_secret() -> str:
    """The demo's SUPERADMIN secret: FLOWDECK_BOOTSTRAP_KEY, or one kept beside the database."""
    from app.auth import new_secret

    if DEMO_KEY_FILE.is_file():
        return DEMO_KEY_FILE.read_text().strip()
    secret = new_secret()
    DEMO_KEY_FILE.write_text(secret + "\n")
    DEMO_KEY_FILE.chmod(0o600)
    return secret


async def _prepare(settings: Settings, *, demo: bool) -> bool:
    """Migrate; with `demo`, load the demo on an empty database. True when the demo was loaded."""
    from app.db import close_db, init_db, migrate_db

    await migrate_db(settings)
    if not demo:
        return False
    from app.actions.accounts import ensure_bootstrap_key
    from app.demo import load_demo

    await init_db(settings)
    try:
        await ensure_bootstrap_key(settings.bootstrap_key or "")
        return await load_demo()
    finally:
        await close_db()


def cmd_serve(args: argparse.Namespace) -> int:
    # before anything imports the Prometheus client: it picks its multiprocess mode on import
    from app.observability.multiproc import prepare_multiprocess_dir, remove_multiprocess_dir

    metrics_dir, own_metrics_dir = prepare_multiprocess_dir()
    try:
        return _serve(args)
    finally:
        if own_metrics_dir:
            remove_multiprocess_dir(metrics_dir)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.websocket_protocol import uvicorn_ws

    settings = get_settings()
    if args.demo and not settings.bootstrap_key:
        os.environ["FLOWDECK_BOOTSTRAP_KEY"] = _demo_secret()
        settings = Settings(**{**settings.__dict__, "bootstrap_key": os.environ["FLOWDECK_BOOTSTRAP_KEY"]})
        set_settings(settings)
    if settings.handlers:
        from app.handlers import load_handler_modules

        load_handler_modules(settings.handlers)
    if asyncio.run(_prepare(settings, demo=args.demo)):
        os.environ["FLOWDECK_DEMO_SETTLE"] = "1"
    if args.demo:
        print(f"flowdeck demo: the dashboard at http://{args.host}:{args.port}/#key={settings.bootstrap_key}")
        print(f"flowdeck demo: GraphiQL at http://{args.host}:{args.port}/graphql")
        print(f'flowdeck demo: SUPERADMIN key, send it as {{"Authorization": "Bearer {settings.bootstrap_key}"}}')
        sys.stdout.flush()
    os.environ["FLOWDECK_RUN_ENGINE"] = "0" if args.no_engine else "1"
    # uvicorn re-raises the SIGTERM it handled once it has shut down, to die of it; a clean
    # shutdown is exit status 0 here, so that re-raised signal is ignored
    signal.signal(signal.SIGTERM, lambda _sig, _frame: None)
    uvicorn.run(
        "app.asgi:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level,
        # logging is configured by flowdeck (app.observability.logs) in every process
        log_config=None,
        ws=uvicorn_ws(settings.ws_implementation),
        http=_http_protocol(settings.http_one_write),
        ws_max_size=settings.max_body_bytes,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
    return 0


def _http_protocol(one_write: bool) -> Any:
    """uvicorn's httptools protocol writing each response's head with its body
    (app.http_protocol), unless FLOWDECK_HTTP_ONE_WRITE=0 or httptools is missing."""
    if not one_write:
        return "auto"
    try:
        from app.http_protocol import OneWriteHttpToolsProtocol
    except ImportError:
        return "auto"
    return OneWriteHttpToolsProtocol


def cmd_engine(args: argparse.Namespace) -> int:
    settings = get_settings()

    async def main() -> None:
        from app import pubsub
        from app.db import close_db, init_db, migrate_db
        from app.engine import Engine
        from app.exporter.runner import ExportRunner
        from app.handlers import load_handler_modules
        from app.observability.live_trace import install_from_environment as install_live_trace
        from app.observability.memory import install_from_environment as install_memory_diagnostics

        install_memory_diagnostics()  # FLOWDECK_TRACEMALLOC: off unless asked for (SIGUSR2 dumps)
        install_live_trace("engine")  # FLOWDECK_LIVE_TRACE: off unless asked for
        metrics_http = None
        if args.metrics_port is not None:
            from app.observability.metrics_server import MetricsServer

            # bound before anything else, so that a port in use is one clear line at start
            metrics_http = MetricsServer(args.metrics_host, args.metrics_port, settings.metrics_key)
        load_handler_modules(settings.handlers)
        await migrate_db(settings)
        await init_db(settings)
        # the engine's commits must reach the API servers' subscribers, and their writes it
        await pubsub.start_hub(settings.broadcast_url)
        engine = Engine(settings, lease_seconds=settings.engine_lease)
        exporter = ExportRunner(settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await engine.start()
        await exporter.start()
        try:
            if metrics_http is not None:
                await metrics_http.start()
            await stop.wait()
        finally:
            if metrics_http is not None:
                await metrics_http.stop()
            await exporter.stop()
            await engine.stop()
            await pubsub.stop_hub()
            await close_db()

    asyncio.run(main())
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.db import migrate_db

    asyncio.run(migrate_db(get_settings()))
    print("flowdeck: migrations applied")
    return 0


def cmd_apikey_create(args: argparse.Namespace) -> int:
    from app.auth import Principal
    from app.enums import Role
    from app.errors import FlowdeckError

    try:
        role = Role[args.role.upper()]
    except KeyError:
        return _fail(f"--role must be one of {', '.join(r.name for r in Role)}, got {args.role!r}")
    if role is not Role.SUPERADMIN and not args.project:
        return _fail(f"--project is required for a {role.name} key")

    async def main() -> int:
        from app.actions.accounts import create_api_key
        from app.db import close_db, init_db, migrate_db

        settings = get_settings()
        await migrate_db(settings)
        await init_db(settings)
        try:
            system = Principal(key_id=None, name="cli", role=Role.SUPERADMIN, project_id=None)
            key, secret = await create_api_key(system, args.name, role, args.project, created_by="cli")
        except FlowdeckError as error:
            return _fail(error.message)
        finally:
            await close_db()
        print(secret)
        print(f"flowdeck: created {role.name} key {key.name!r}; the secret above is shown only once", file=sys.stderr)
        return 0

    return asyncio.run(main())


def cmd_worker(args: argparse.Namespace) -> int:
    from app.worker import run_worker

    # the environment keeps the secret out of `ps`; --key still works
    key = args.key or os.environ.get(WORKER_KEY_ENV)
    if not key:
        return _fail(f"the worker needs an API key: set {WORKER_KEY_ENV} (or pass --key)")
    return asyncio.run(
        run_worker(
            url=args.url,
            key=key,
            queue=args.queue,
            handler_modules=args.handlers,
            concurrency=args.concurrency,
            shutdown_grace=args.shutdown_grace,
        )
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flowdeck", description="Run and steer workflow runs over GraphQL.")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations, then serve HTTP and websockets")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load demo data on an empty database")
    serve.add_argument("--no-engine", action="store_true", help="serve the API only")
    serve.set_defaults(func=cmd_serve)

    engine = commands.add_parser("engine", help="run the engine alone, no API")
    engine.add_argument(
        "--metrics-port",
        type=int,
        help="serve this process's Prometheus figures at /metrics (and /healthz) on this port; off by default",
    )
    engine.add_argument("--metrics-host", default="127.0.0.1", help="the address --metrics-port listens on")
    engine.set_defaults(func=cmd_engine)

    worker = commands.add_parser("worker", help="claim and run TASK steps of a queue through the API")
    worker.add_argument("--url", required=True, help="the server's base URL, e.g. http://127.0.0.1:8000")
    worker.add_argument(
        "--key", help=f"an OPERATOR (or higher) API key secret; better: set {WORKER_KEY_ENV}, which `ps` does not show"
    )
    worker.add_argument("--queue", required=True)
    worker.add_argument("--handlers", required=True, help="comma-separated modules that register handlers")
    worker.add_argument("--concurrency", type=int, default=4)
    worker.add_argument(
        "--shutdown-grace",
        type=float,
        default=GRACEFUL_SHUTDOWN_SECONDS,
        help="seconds running handlers get to finish on SIGTERM; the steps of those still running are given back",
    )
    worker.set_defaults(func=cmd_worker)

    apikey = commands.add_parser("apikey", help="manage API keys directly in the database")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    create = apikey_commands.add_parser("create", help="create a key and print its secret once")
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, help="VIEWER, OPERATOR, ADMIN or SUPERADMIN")
    create.add_argument("--project", help="project key (not for SUPERADMIN)")
    create.set_defaults(func=cmd_apikey_create)

    migrate = commands.add_parser("migrate", help="apply pending migrations and exit")
    migrate.set_defaults(func=cmd_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
        from app.observability.logs import configure_logging

        configure_logging(settings)
        return int(args.func(args))
    except ConfigError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
