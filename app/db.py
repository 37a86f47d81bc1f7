"""Database set-up: the Tortoise config built from the settings, start-up, and migrations."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import unquote, urlsplit

from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api.migrate import migrate as tortoise_migrate

from app.settings import ConfigError, Settings

log = logging.getLogger("flowdeck.db")

MODELS_MODULE = "models"
MIGRATIONS_MODULE = "models.migrations"


def _sqlite_credentials(url: str) -> dict[str, Any]:
    # sqlite://flowdeck.db is relative to the working directory; sqlite:///var/x.db is absolute
    path = url.split("://", 1)[1].split("?", 1)[0]
    if path == "":
        raise ConfigError("FLOWDECK_DATABASE_URL", f"no file path in {url!r}")
    return {
        "file_path": path,
        "journal_mode": "WAL",
        # WAL with synchronous=NORMAL is durable across process crashes (not power loss)
        "synchronous": "NORMAL",
        "busy_timeout": 10000,
        "foreign_keys": "ON",
    }


async def _keep_session(connection: Any) -> None:
    """Release a pooled connection as it is.

    asyncpg's default reset sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL` on every release: a round trip per transaction (about 4 of the ~22 statements
    per engine step). Flowdeck's pool connections take no advisory locks, open no cursors
    that outlive a query, LISTEN nowhere (the broadcast has its own connection) and SET
    nothing, so there is nothing to reset; an open transaction is still rolled back by
    asyncpg itself before this is called.
    """


def _postgres_credentials(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if not parts.path.strip("/"):
        raise ConfigError("FLOWDECK_DATABASE_URL", f"no database name in {url!r}")
    credentials: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
        "minsize": 1,
        "maxsize": 20,
        "reset": _keep_session,
    }
    if parts.query:
        for pair in parts.query.split("&"):
            key, _, value = pair.partition("=")
            if key == "host":  # a unix socket directory
                credentials["host"] = unquote(value)
    return credentials


def tortoise_config(settings: Settings) -> dict[str, Any]:
    """The Tortoise config dict for the configured database."""
    url = settings.database_url
    if settings.is_sqlite:
        connection = {"engine": "app.sqlite_client", "credentials": _sqlite_credentials(url)}
    else:
        connection = {"engine": "tortoise.backends.asyncpg", "credentials": _postgres_credentials(url)}
    return {
        "connections": {"default": connection},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def init_db(settings: Settings) -> None:
    """Open the connections; every task of the process (requests, engine) shares them."""
    # Tortoise caches prepared INSERT/DELETE statements by connection name, not dialect;
    # a process that switches databases (the test suite does) must not reuse them.
    EXECUTOR_CACHE.clear()
    try:
        await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except ConfigError:
        raise
    except Exception as exc:
        await close_db()
        raise ConfigError("FLOWDECK_DATABASE_URL", f"cannot reach the database: {exc}") from None


async def close_db() -> None:
    await Tortoise.close_connections()


async def migrate_db(settings: Settings) -> None:
    """Apply pending migrations (committed under models/migrations)."""
    try:
        await tortoise_migrate(config=tortoise_config(settings))
    except ConfigError:
        raise
    except OSError as exc:
        raise ConfigError("FLOWDECK_DATABASE_URL", f"cannot reach the database: {exc}") from None
    finally:
        await Tortoise.close_connections()


async def ping_db() -> bool:
    """True when the database answers a trivial query."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:
        return False
    return True


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database cannot be reached right now:
    refused or dropped connections, a server shutting down or starting up. Such a request
    failed through no fault of its own and may be retried as it is."""
    import asyncpg
    from tortoise.exceptions import DBConnectionError

    unreachable = (
        OSError,
        DBConnectionError,
        asyncpg.exceptions.PostgresConnectionError,
        asyncpg.exceptions.OperatorInterventionError,  # admin shutdown, cannot connect now
        asyncpg.exceptions.InterfaceError,  # a connection closed under the query
    )
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, unreachable) or _left_mid_operation(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _left_mid_operation(error: BaseException) -> bool:
    """A pooled connection that the server terminated while it was still consuming the error
    of its last query ("cannot switch to state 12; another operation (2) is in progress"):
    released with no reset query (`_keep_session`), it is handed out once more before asyncpg
    sees its socket closed. Seen only when the database goes away; the query may be retried."""
    import asyncpg

    return isinstance(error, asyncpg.exceptions.InternalClientError) and "another operation" in str(error)


class OutageLog:
    """Logs a database outage once, for one loop that polls the database (the engine, a runner).

    While the database cannot be reached, every poll fails the same way: the first failure is
    one WARNING line ("<who>: database unavailable, retrying"), later ones only DEBUG lines (with
    their traceback); the first success after it logs "database available again". Any other
    failure is left to the caller to log as it did.
    """

    def __init__(self, logger: logging.Logger, who: str) -> None:
        self.logger = logger
        self.who = who
        self.down = False

    def failed(self, error: BaseException) -> bool:
        """Note a failed poll; True when `error` is the database being unreachable (logged here)."""
        if not (database_unreachable(error) or _broken_by_outage(error)):
            return False
        if not self.down:
            self.down = True
            self.logger.warning("%s: database unavailable, retrying (%s)", self.who, one_line(error))
        self.logger.debug("%s: database unavailable", self.who, exc_info=error)
        return True

    def succeeded(self) -> None:
        """Note a poll that reached the database: the outage, if any, is over."""
        if self.down:
            self.down = False
            self.logger.warning("%s: database available again", self.who)


def one_line(error: BaseException) -> str:
    """`Type: message` of an error on one line, for a log line without its traceback."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}" if text else type(error).__name__


def _broken_by_outage(error: BaseException) -> bool:
    """asyncpg's own state error on a connection that broke under a query, seen as a database
    stopped: "cannot switch to state 15; another operation (2) is in progress". A loop retries
    after it like after a refused connection, and its first line names it."""
    import asyncpg

    return isinstance(error, asyncpg.exceptions.InternalClientError)
