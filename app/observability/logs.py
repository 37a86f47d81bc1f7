"""Log lines that name the request they were written for, as text or one JSON object per line.

The request id lives in a context variable that the ASGI middleware sets for the whole
request (and for a websocket's whole life); tasks started while serving it inherit it, so
every line written on its behalf names it. A filter on the handler copies it onto each
record, whichever logger wrote it (ours, uvicorn's, Tortoise's, Strawberry's).
"""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from app.settings import Settings

NO_REQUEST = "-"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
# python-json-logger adds the record's own fields (`extra=`) after these
JSON_FIELDS = ("levelname", "name", "message", "request_id")
JSON_RENAMES = {"levelname": "level", "name": "logger"}
# Libraries that log whole protocol frames or parameters at DEBUG: a websocket's
# connection_init carries the caller's API key, so these never log below INFO.
QUIET_BELOW_INFO = ("websockets", "httpcore", "hpack")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("flowdeck_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being served by the current task, if any."""
    return _request_id.get()


def bind_request_id(request_id: str | None) -> contextvars.Token[str | None]:
    """Make `request_id` the current one; pass the token to `reset_request_id` when done."""
    return _request_id.set(request_id)


def reset_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


def outside_request() -> contextvars.Context:
    """A copy of the current context without the request id: for a task that a request starts
    but that serves others too (a feed shared by every subscriber of a run)."""
    context = contextvars.copy_context()
    context.run(_request_id.set, None)
    return context


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record (NO_REQUEST outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or NO_REQUEST
        return True


class _JsonFormatter(JsonFormatter):
    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.pop("color_message", None)  # uvicorn's ANSI-coloured copy of the message


class OutageWithoutTraceback(logging.Filter):
    """A library's line about the database being unreachable keeps its message and the error on
    one line, without the traceback (asyncpg's pool logs one each time it cannot reconnect)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from app.db import database_unreachable, one_line

        error = record.exc_info[1] if record.exc_info else None
        if error is not None and database_unreachable(error):
            record.msg = f"{record.getMessage()} ({one_line(error)})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def make_formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return _JsonFormatter(
            list(JSON_FIELDS),
            rename_fields=JSON_RENAMES,
            timestamp="time",
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(settings: Settings) -> None:
    """One handler on the root logger, in the configured format, for every logger of the process.

    Called by the CLI and again in each uvicorn worker process (a spawned worker inherits
    no logging set-up). uvicorn's own loggers are emptied so that they reach this handler.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(make_formatter(settings.log_format))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = settings.log_level.upper()
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "flowdeck"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
        logger.setLevel(level)
    for name in QUIET_BELOW_INFO:
        logging.getLogger(name).setLevel(max(logging.INFO, root.level))
    if settings.log_level != "debug":
        # Tortoise logs every connect and shutdown at INFO; that is noise for an operator
        logging.getLogger("tortoise").setLevel(logging.WARNING)
    pool = logging.getLogger("asyncpg.pool")
    for old_filter in [f for f in pool.filters if isinstance(f, OutageWithoutTraceback)]:
        pool.removeFilter(old_filter)
    pool.addFilter(OutageWithoutTraceback())
