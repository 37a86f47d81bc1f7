"""Shared fixtures.

Every test that asks for `db` runs once per database backend: SQLite always, and
PostgreSQL whenever its server binaries are installed (a throwaway cluster started
here, on loopback). `FLOWDECK_TEST_BACKENDS=sqlite` (or `postgres`) narrows that.
The schema is migrated once per backend and session; each test starts from empty
tables.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import pytest
from tortoise import Tortoise

from app import pubsub
from app.db import close_db, init_db, migrate_db
from app.settings import Settings, set_settings
from tests import secret_sweep
from tests.servers import (
    FlowdeckServer,
    PostgresServer,
    RedisServer,
    postgres_bin,
    reap_spawned,
    redis_bin,
    spawned_count,
)

TABLES = (
    "run_events",
    "run_updates",
    "signals",
    "run_tags",
    "run_counts",
    "step_runs",
    "bulk_targets",
    "bulk_jobs",
    "export_jobs",
    "schedule_fires",
    "schedules",
    "runs",
    "workflow_versions",
    "workflows",
    "api_keys",
    "projects",
)


def _backends() -> list[str]:
    wanted = os.environ.get("FLOWDECK_TEST_BACKENDS")
    available = ["sqlite"] + (["postgres"] if postgres_bin() is not None else [])
    if wanted:
        chosen = [name.strip() for name in wanted.split(",") if name.strip()]
        missing = [name for name in chosen if name not in available]
        if missing:
            raise pytest.UsageError(f"FLOWDECK_TEST_BACKENDS asks for {missing}, which is not installed")
        return chosen
    return available


BACKENDS = _backends()

# Optional system parts are collected where installed, like PostgreSQL above, and are
# required under CI, whose .ci/run installs them: there, a missing one fails the run.
collect_ignore: list[str] = []
if not Path("/usr/bin/chromium").exists() and not os.environ.get("CI"):
    collect_ignore.append("test_graphiql_browser.py")
    collect_ignore.append("test_ui_browser.py")
if shutil.which("npm") is None and not os.environ.get("CI"):
    collect_ignore.append("test_ui_build.py")

SERVER_FIXTURES = {"postgres_server": postgres_bin, "redis_server": redis_bin}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip) the tests that need a server binary this machine lacks; under CI,
    whose .ci/run installs them all, nothing is deselected and a missing one fails."""
    if os.environ.get("CI"):
        return
    missing = {name for name, find in SERVER_FIXTURES.items() if find() is None}
    if not missing:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if missing & set(getattr(item, "fixturenames", ())) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test() -> Iterator[None]:
    """Every process a test spawned (tests.servers.spawn, FlowdeckServer) is stopped when the
    test ends, even when it failed before stopping them. Autouse and function-scoped, this is set
    up before the test's other function fixtures and torn down after them; module and session
    servers are started before it and left alone.

    It also fails the test when a secret was logged, or written by a server it stopped, while it
    ran (tests/secret_sweep.py)."""
    since, leaks = spawned_count(), len(secret_sweep.findings)
    yield
    reap_spawned(since)
    if len(secret_sweep.findings) > leaks:
        pytest.fail("an API key secret was written:\n" + "\n".join(secret_sweep.findings[leaks:]), pytrace=False)


_basetemp: list[Path] = []


@pytest.fixture(scope="session", autouse=True)
def _sweep_for_secrets(tmp_path_factory: pytest.TempPathFactory) -> None:
    _basetemp.append(tmp_path_factory.getbasetemp())


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(secret_sweep.LogRecordSweep())


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After the whole run: every file under pytest's temporary directories (exports, the logs of
    the engines and workers tests started there) holds no secret either."""
    reported = len(secret_sweep.findings)
    for root in _basetemp:
        secret_sweep.scan_tree(root)
    leaks = secret_sweep.findings[reported:]
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("an API key secret was written (tests/secret_sweep.py):", red=True)
            for leak in leaks:
                reporter.write_line(f"  {leak}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="flowdeck-tests-") as root:
        yield Path(root)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_root: Path) -> str:
    """A migrated database for this session, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_root / 'flowdeck-test.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database("flowdeck_test")
    asyncio.run(migrate_db(Settings(database_url=url)))
    return url


@pytest.fixture
def backend(database_url: str) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgres"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    value = Settings(database_url=database_url, export_dir=tmp_path / "exports", engine_poll=0.05)
    set_settings(value)
    return value


async def truncate_all() -> None:
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect == "postgres":
        await connection.execute_script(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    else:
        await connection.execute_script("".join(f"DELETE FROM {table};" for table in TABLES))


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Settings]:
    """Open connections to empty tables of the session's database."""
    await init_db(settings)
    await truncate_all()
    pubsub.set_broadcast(None)
    try:
        yield settings
    finally:
        await close_db()


@pytest.fixture
async def hub(db: Settings) -> AsyncIterator[None]:
    """`db`, with the process's pubsub hub started on a memory:// broadcast (what live feeds
    and subscriptions listen on)."""
    await pubsub.start_hub("memory://")
    try:
        yield
    finally:
        await pubsub.stop_hub()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A throwaway redis-server on loopback for the whole session."""
    if redis_bin() is None:
        pytest.fail("redis-server is not installed: install Debian's redis-server package (.ci/run does)")
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


StartFlowdeck = Callable[..., FlowdeckServer]


@pytest.fixture
def start_flowdeck(db: Settings, database_url: str) -> Iterator[StartFlowdeck]:
    """Starts real `flowdeck serve` processes on this test's (emptied) database.

    `start_flowdeck(env=None, **options)`: `env` is laid over FLOWDECK_DATABASE_URL, a random
    FLOWDECK_BOOTSTRAP_KEY shared by every server of the test (`server.key`) and a short
    FLOWDECK_ENGINE_POLL; `options` go to FlowdeckServer (engine, demo, workers, extra_args).
    Every server is stopped after the test. Depends on `db`, so the tables are emptied before
    a server starts and creates the bootstrap key.
    """
    key = secrets.token_urlsafe(24)
    servers: list[FlowdeckServer] = []

    def start(env: Mapping[str, str] | None = None, **options: object) -> FlowdeckServer:
        full_env = {
            "FLOWDECK_DATABASE_URL": database_url,
            "FLOWDECK_BOOTSTRAP_KEY": key,
            "FLOWDECK_ENGINE_POLL": "0.05",
            **(env or {}),
        }
        server = FlowdeckServer(full_env, **options)  # type: ignore[arg-type]
        servers.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in reversed(servers):
            server.stop()


@pytest.fixture
def live_server(start_flowdeck: StartFlowdeck) -> FlowdeckServer:
    """A real `flowdeck serve` (engine on, memory:// broadcast) on this test's database, with a
    SUPERADMIN bootstrap key: `.url`, `.graphql_url`, `.ws_url`, `.key`, `.headers`."""
    return start_flowdeck()
