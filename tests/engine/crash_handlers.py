"""A handler for the crash test: logs when each attempt starts and ends, to a file."""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

from app.handlers import HandlerContext, handler


def _log(entry: dict[str, Any]) -> None:
    with open(os.environ["FLOWDECK_CRASH_LOG"], "a") as stream:
        stream.write(json.dumps(entry) + "\n")
        stream.flush()


@handler("crash.work")
async def work(ctx: HandlerContext) -> dict[str, Any]:
    import asyncio

    key = {"run": ctx.run_id, "ref": ctx.step_ref, "attempt": ctx.attempt, "pid": os.getpid()}
    _log({**key, "event": "start", "t": time.time()})
    await asyncio.sleep(random.uniform(0.05, 0.25))
    _log({**key, "event": "end", "t": time.time()})
    return {"attempt": ctx.attempt}
