"""TASK handlers: the registry, the context a handler gets, and the built-in handlers.

A handler is an async function registered under a name (SERVER.md "TASK handlers"):

    @handler("send-email")
    async def send_email(ctx: HandlerContext) -> dict:
        await ctx.update("sending", details={"to": ctx.input["email"]})
        return {"sent": True}

The engine runs handlers of TASK steps without a queue; `flowdeck worker` runs them for
steps of a queue. Raising fails the attempt (retried by the step's retry policy).
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from app.settings import ConfigError

__all__ = [
    "HandlerContext",
    "HandlerFunc",
    "HandlerNotFound",
    "get_handler",
    "handler",
    "is_known_handler",
    "load_handler_modules",
]

HandlerFunc = Callable[["HandlerContext"], Awaitable[Any]]
UpdatePoster = Callable[[str, str, Any], Awaitable[None]]

_registry: dict[str, HandlerFunc] = {}


class HandlerNotFound(LookupError):
    """No handler is registered under a step's handler name (in this process)."""


@dataclasses.dataclass
class HandlerContext:
    """What a handler is given: the step's input object split into its parts, and `update`."""

    input: Any
    steps: dict[str, Any]
    config: dict[str, Any]
    run_id: str
    attempt: int
    step_ref: str = ""
    # the whole input object: {"input", "steps", "config"} (+ "item", "index" in a loop)
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)
    _post_update: UpdatePoster | None = None

    @property
    def item(self) -> Any:
        """The item of a FOR_EACH iteration (None outside a loop)."""
        return self.raw.get("item")

    @property
    def index(self) -> int | None:
        """The index of a FOR_EACH iteration (None outside a loop)."""
        return self.raw.get("index")

    async def update(self, type_or_message: str, message: str | None = None, details: Any = None) -> None:
        """Post a RunUpdate: `update("msg")`, or `update("TYPE", "msg")`, with optional details."""
        if message is None:
            update_type, text = "UPDATE", type_or_message
        else:
            update_type, text = type_or_message, message
        if self._post_update is not None:
            await self._post_update(update_type, text, details)
            return
        from app.actions.updates import post_run_update

        await post_run_update(None, self.run_id, update_type, text, details, None)


def handler(name: str) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register an async function as the TASK handler `name` (a later registration replaces it)."""

    def register(func: HandlerFunc) -> HandlerFunc:
        if not asyncio.iscoroutinefunction(func):
            raise TypeError(f"handler {name!r} must be an async function")
        _registry[name] = func
        return func

    return register


def is_known_handler(name: str) -> bool:
    """Whether a handler of this name is registered in this process (built-ins always are)."""
    return name in _registry


def get_handler(name: str) -> HandlerFunc:
    """The handler registered under `name`; HandlerNotFound otherwise."""
    try:
        return _registry[name]
    except KeyError:
        raise HandlerNotFound(f"no handler {name!r} is registered in this process") from None


def load_handler_modules(names: Iterable[str]) -> None:
    """Import the modules named by FLOWDECK_HANDLERS; they register handlers as they import.

    A module that does not import stops the start with one line naming the variable.
    """
    for module_name in names:
        try:
            importlib.import_module(module_name)
        except Exception as exc:
            raise ConfigError(
                "FLOWDECK_HANDLERS",
                f"cannot import handler module {module_name!r}: {type(exc).__name__}: {exc}",
            ) from None


# ---------------------------------------------------------------- built-ins


@handler("noop")
async def _noop(ctx: HandlerContext) -> dict[str, Any]:
    return {}


@handler("echo")
async def _echo(ctx: HandlerContext) -> dict[str, Any]:
    return ctx.raw


class HandlerFailure(Exception):
    """Raised by the built-in `fail` handler."""


@handler("fail")
async def _fail(ctx: HandlerContext) -> dict[str, Any]:
    times = ctx.config.get("times")
    if isinstance(times, int) and not isinstance(times, bool) and ctx.attempt > times:
        return {"attempt": ctx.attempt}
    raise HandlerFailure(str(ctx.config.get("message") or "failed on purpose"))


@handler("sleep")
async def _sleep(ctx: HandlerContext) -> dict[str, Any]:
    # The engine cancels this task when the step is canceled or the run terminated,
    # so asyncio.sleep is the whole of "honours cancel while waiting".
    await asyncio.sleep(float(ctx.config.get("seconds") or 0))
    return {}
