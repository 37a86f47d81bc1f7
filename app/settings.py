"""Settings from the environment (and a `.env` file in the working directory).

Every variable SERVER.md lists is read here and nowhere else. A bad value raises
`ConfigError`, which the CLI prints as one line naming the variable.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")
BROADCAST_SCHEMES = ("memory", "redis", "postgres", "postgresql")
LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("text", "json")
# uvicorn's websocket implementations flowdeck serves with (bench/ws_floor.py measured them)
WS_IMPLEMENTATIONS = ("websockets-sansio", "wsproto")


class ConfigError(Exception):
    """A configuration value that the process cannot start with."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


@dataclasses.dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite://flowdeck.db"
    broadcast_url: str = "memory://"
    bootstrap_key: str | None = None
    handlers: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    export_dir: Path = Path("./exports")
    max_page_size: int = 100
    max_query_depth: int = 12
    log_level: str = "info"
    log_format: str = "text"
    metrics_key: str | None = None
    engine_poll: float = 0.5
    # how long an engine's claim on a running step lasts unless renewed; a step whose engine
    # died is retried once its lease has expired
    engine_lease: float = 30.0
    updates_max_per_run: int = 1000
    updates_max_age_days: int = 90
    # runEvents subscribers with the same document, variables and visibility share one execution
    live_shared_feeds: bool = True
    # export files are deleted this long after they were written
    export_retention_hours: int = 24
    # request limits (SERVER.md "Limits and malformed requests"); the per-field input
    # limits are in app/limits.py
    max_body_bytes: int = 1_048_576
    max_query_tokens: int = 10_000
    max_query_aliases: int = 100
    max_query_nodes: int = 50_000
    # queries through compiled plans (schema.execution); off: graphql-core's executor only
    compiled_execution: bool = True
    # how long `serve` keeps an idle HTTP connection open: longer than clients and proxies keep
    # theirs (httpx 5 s, nginx/ALB 60 s), so that they close first and never send a request on
    # a connection the server is closing (uvicorn's 5 s default raced httpx's 5 s: ReadError)
    keep_alive_seconds: int = 75
    # `serve`: after start-up, freeze its objects out of the garbage collector's walks and
    # collect the youngest generation every this many allocations (app/collector.py); off:
    # CPython's defaults
    gc_tuning: bool = True
    gc_gen0_threshold: int = 50_000
    # websockets: uvicorn's implementation, and whether permessage-deflate is offered. Off by
    # default: it costs ~34 KiB per connection (zlib contexts) and ~7 us per frame written,
    # more than the small JSON frames of a subscription save (bench/README.md, ws_floor.py)
    ws_implementation: str = "websockets-sansio"
    ws_per_message_deflate: bool = False
    # `serve`: each response's head written with its body in one write (app/http_protocol.py)
    http_one_write: bool = True

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _scheme(url: str) -> str:
    return url.split("://", 1)[0].lower() if "://" in url else ""


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {raw!r}") from None
    if value < 1:
        raise ConfigError(name, f"must be at least 1, got {value}")
    return value


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "on", "yes"}:
        return True
    if raw in {"0", "false", "off", "no"}:
        return False
    raise ConfigError(name, f"expected on or off (1/0, true/false), got {raw!r}")


def _split(raw: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (raw or "").split(",") if part.strip())


def load_settings(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Read settings from `environ` (default: the process environment) over a `.env` file."""
    file_values: dict[str, str] = {}
    dotenv_path = env_file if env_file is not None else Path.cwd() / ".env"
    if environ is None and dotenv_path.is_file():
        file_values = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}
    env: dict[str, str] = {**file_values, **(dict(os.environ) if environ is None else dict(environ))}

    database_url = env.get("FLOWDECK_DATABASE_URL") or Settings.database_url
    if _scheme(database_url) not in DATABASE_SCHEMES:
        raise ConfigError(
            "FLOWDECK_DATABASE_URL",
            f"unknown scheme in {database_url!r}; use sqlite://PATH or postgres://user:pass@host:port/db",
        )
    broadcast_url = env.get("FLOWDECK_BROADCAST_URL") or Settings.broadcast_url
    if _scheme(broadcast_url) not in BROADCAST_SCHEMES:
        raise ConfigError(
            "FLOWDECK_BROADCAST_URL",
            f"unknown scheme in {broadcast_url!r}; use memory://, redis://host:port or postgres://...",
        )
    log_level = (env.get("FLOWDECK_LOG_LEVEL") or "info").lower()
    if log_level not in LOG_LEVELS:
        raise ConfigError("FLOWDECK_LOG_LEVEL", f"expected one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    log_format = (env.get("FLOWDECK_LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError("FLOWDECK_LOG_FORMAT", f"expected one of {', '.join(LOG_FORMATS)}, got {log_format!r}")
    poll_raw = env.get("FLOWDECK_ENGINE_POLL") or "0.5"
    try:
        engine_poll = float(poll_raw)
    except ValueError:
        raise ConfigError("FLOWDECK_ENGINE_POLL", f"expected seconds, got {poll_raw!r}") from None
    if engine_poll <= 0:
        raise ConfigError("FLOWDECK_ENGINE_POLL", f"must be above 0, got {poll_raw!r}")

    lease_raw = env.get("FLOWDECK_ENGINE_LEASE") or "30"
    try:
        engine_lease = float(lease_raw)
    except ValueError:
        raise ConfigError("FLOWDECK_ENGINE_LEASE", f"expected seconds, got {lease_raw!r}") from None
    if engine_lease < 0.5:
        raise ConfigError("FLOWDECK_ENGINE_LEASE", f"must be at least 0.5 seconds, got {lease_raw!r}")

    ws_implementation = (env.get("FLOWDECK_WS_IMPLEMENTATION") or "websockets-sansio").strip().lower()
    if ws_implementation not in WS_IMPLEMENTATIONS:
        raise ConfigError(
            "FLOWDECK_WS_IMPLEMENTATION", f"expected one of {', '.join(WS_IMPLEMENTATIONS)}, got {ws_implementation!r}"
        )
    if ws_implementation == "wsproto" and importlib.util.find_spec("wsproto") is None:
        raise ConfigError("FLOWDECK_WS_IMPLEMENTATION", "wsproto is not installed (pip install wsproto)")

    shared_raw = (env.get("FLOWDECK_LIVE_SHARED_FEEDS") or "1").lower()
    if shared_raw not in {"1", "0", "true", "false"}:
        raise ConfigError("FLOWDECK_LIVE_SHARED_FEEDS", f"expected 1 or 0, got {shared_raw!r}")

    return Settings(
        database_url=database_url,
        broadcast_url=broadcast_url,
        bootstrap_key=env.get("FLOWDECK_BOOTSTRAP_KEY") or None,
        handlers=_split(env.get("FLOWDECK_HANDLERS")),
        allowed_origins=_split(env.get("FLOWDECK_ALLOWED_ORIGINS")),
        export_dir=Path(env.get("FLOWDECK_EXPORT_DIR") or "./exports"),
        max_page_size=_positive_int(env, "FLOWDECK_MAX_PAGE_SIZE", 100),
        max_query_depth=_positive_int(env, "FLOWDECK_MAX_QUERY_DEPTH", 12),
        log_level=log_level,
        log_format=log_format,
        metrics_key=env.get("FLOWDECK_METRICS_KEY") or None,
        engine_poll=engine_poll,
        engine_lease=engine_lease,
        updates_max_per_run=_positive_int(env, "FLOWDECK_UPDATES_MAX_PER_RUN", 1000),
        updates_max_age_days=_positive_int(env, "FLOWDECK_UPDATES_MAX_AGE_DAYS", 90),
        live_shared_feeds=shared_raw in {"1", "true"},
        export_retention_hours=_positive_int(env, "FLOWDECK_EXPORT_RETENTION_HOURS", 24),
        max_body_bytes=_positive_int(env, "FLOWDECK_MAX_BODY_BYTES", 1_048_576),
        max_query_tokens=_positive_int(env, "FLOWDECK_MAX_QUERY_TOKENS", 10_000),
        max_query_aliases=_positive_int(env, "FLOWDECK_MAX_QUERY_ALIASES", 100),
        max_query_nodes=_positive_int(env, "FLOWDECK_MAX_QUERY_NODES", 50_000),
        compiled_execution=_switch(env, "FLOWDECK_COMPILED_EXECUTION", True),
        keep_alive_seconds=_positive_int(env, "FLOWDECK_KEEP_ALIVE_SECONDS", 75),
        gc_tuning=_switch(env, "FLOWDECK_GC_TUNING", True),
        gc_gen0_threshold=_positive_int(env, "FLOWDECK_GC_GEN0_THRESHOLD", 50_000),
        ws_implementation=ws_implementation,
        ws_per_message_deflate=_switch(env, "FLOWDECK_WS_DEFLATE", False),
        http_one_write=_switch(env, "FLOWDECK_HTTP_ONE_WRITE", True),
    )


_settings: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, read once."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def set_settings(settings: Settings) -> None:
    """Replace the process-wide settings (the CLI after parsing flags, and tests)."""
    global _settings
    _settings = settings
    logging.getLogger("flowdeck").setLevel(settings.log_level.upper())
