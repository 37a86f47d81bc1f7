"""Running one started step: a TASK handler or an HTTP call, with the step's timeout."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from app.engine.advance import Execution, Outcome
from app.enums import StepType
from app.handlers import HandlerContext, HandlerNotFound, get_handler
from app.ids import to_global_id

DEFAULT_HTTP_TIMEOUT = 30.0


class StepTimedOut(Exception):
    pass


async def execute(execution: Execution) -> Outcome:
    """Run the step and say how it went; never raises (but for cancellation)."""
    try:
        if execution.type == StepType.HTTP:
            output = await _call_http(execution)
        else:
            output = await _with_timeout(execution, _run_handler(execution))
        _ensure_json(output)
    except asyncio.CancelledError:
        raise
    except HandlerNotFound as exc:
        return Outcome(execution.step_id, execution.job_run_id, error=str(exc), retryable=False)
    except StepTimedOut as exc:
        return Outcome(execution.step_id, execution.job_run_id, error=str(exc))
    except Exception as exc:
        message = str(exc) or type(exc).__name__
        return Outcome(execution.step_id, execution.job_run_id, error=message)
    return Outcome(execution.step_id, execution.job_run_id, output=output)


async def _with_timeout(execution: Execution, work: Any) -> Any:
    if not execution.timeout_seconds:
        return await work
    try:
        return await asyncio.wait_for(work, timeout=execution.timeout_seconds)
    except TimeoutError:
        raise StepTimedOut(f"step {execution.ref} timed out after {execution.timeout_seconds}s") from None


def _ensure_json(output: Any) -> None:
    try:
        json.dumps(output)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the handler's output is not JSON: {exc}") from None


async def _run_handler(execution: Execution) -> Any:
    func = get_handler(execution.handler or "")
    value = execution.input
    ctx = HandlerContext(
        input=value.get("input"),
        steps=dict(value.get("steps") or {}),
        config=dict(value.get("config") or {}),
        run_id=to_global_id("Run", execution.run_id),
        attempt=execution.attempt,
        step_ref=execution.ref,
        raw=value,
    )
    return await func(ctx)


async def _call_http(execution: Execution) -> dict[str, Any]:
    config = execution.config
    method = str(config.get("method") or "GET").upper()
    body = config.get("body")
    kwargs: dict[str, Any] = {"headers": config.get("headers") or None}
    if isinstance(body, dict | list):
        kwargs["json"] = body
    elif body is not None:
        kwargs["content"] = str(body)
    timeout = float(execution.timeout_seconds or DEFAULT_HTTP_TIMEOUT)
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.request(method, str(config.get("url")), **kwargs)
    except httpx.TimeoutException:
        raise StepTimedOut(f"{method} {config.get('url')} timed out after {timeout:g}s") from None
    except httpx.HTTPError as exc:
        raise RuntimeError(f"{method} {config.get('url')} failed: {exc}") from None
    try:
        payload: Any = response.json()
    except ValueError:
        payload = response.text
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{method} {config.get('url')} answered {response.status_code}")
    return {"status": response.status_code, "headers": dict(response.headers), "body": payload}
