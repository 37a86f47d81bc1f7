"""Workflow definitions: the step DAG as the API takes it, its validation, and its stored form.

A definition is validated whole: every problem is reported with the path of the input
at fault (["input", "steps", "1", "dependsOn", "0"]), never only the first one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.enums import ErrorCode, StepType
from app.errors import Problem

REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,127}$")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
MAX_STEPS = 200
MAX_ATTEMPTS = 100
MAX_PARALLEL_STEPS = 1000


@dataclasses.dataclass(frozen=True)
class RetrySpec:
    max_attempts: int = 1
    backoff_seconds: float = 1.0
    backoff_factor: float = 2.0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class StepSpec:
    ref: str
    type: StepType
    name: str | None = None
    depends_on: tuple[str, ...] = ()
    handler: str | None = None
    queue: str | None = None
    config: Any = None
    retry: RetrySpec | None = None
    timeout_seconds: int | None = None
    on_cancel: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "name": self.name,
            "type": self.type.value,
            "depends_on": list(self.depends_on),
            "handler": self.handler,
            "queue": self.queue,
            "config": self.config,
            "retry": self.retry.to_json() if self.retry else None,
            "timeout_seconds": self.timeout_seconds,
            "on_cancel": self.on_cancel,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepSpec:
        retry = data.get("retry")
        return cls(
            ref=data["ref"],
            name=data.get("name"),
            type=StepType(data["type"]),
            depends_on=tuple(data.get("depends_on") or ()),
            handler=data.get("handler"),
            queue=data.get("queue"),
            config=data.get("config"),
            retry=RetrySpec(**retry) if retry else None,
            timeout_seconds=data.get("timeout_seconds"),
            on_cancel=bool(data.get("on_cancel")),
        )


@dataclasses.dataclass(frozen=True)
class ChangeLimitSpec:
    max_runs: int
    window_seconds: int


def _problem(message: str, *path: str) -> Problem:
    return Problem(ErrorCode.VALIDATION, message, tuple(path))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _known_handler(name: str) -> bool:
    from app.handlers import is_known_handler

    return is_known_handler(name)


def _validate_task_fields(
    handler: Any, queue: Any, path: tuple[str, ...], handler_key: str = "handler"
) -> list[Problem]:
    problems: list[Problem] = []
    if queue is not None and (not isinstance(queue, str) or not queue.strip()):
        problems.append(_problem("queue must be a non-empty string", *path, "queue"))
    if not isinstance(handler, str) or not handler.strip():
        problems.append(_problem("a TASK step needs a handler", *path, handler_key))
    elif queue is None and not _known_handler(handler):
        problems.append(
            _problem(
                f"unknown handler {handler!r}: register it (FLOWDECK_HANDLERS) or set a queue for external workers",
                *path,
                handler_key,
            )
        )
    return problems


def _validate_http_config(config: Mapping[str, Any], path: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    url = config.get("url")
    if not isinstance(url, str) or not re.match(r"^https?://", url):
        problems.append(_problem("an HTTP step needs config.url, an http:// or https:// URL", *path, "url"))
    method = config.get("method", "GET")
    if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
        problems.append(_problem(f"config.method must be one of {', '.join(HTTP_METHODS)}", *path, "method"))
    headers = config.get("headers")
    if headers is not None and (not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values())):
        problems.append(_problem("config.headers must be an object of strings", *path, "headers"))
    return problems


def _validate_for_each_body(body: Any, path: tuple[str, ...]) -> list[Problem]:
    if not isinstance(body, dict):
        return [_problem("a FOR_EACH step needs config.body, a TASK or HTTP step definition", *path)]
    problems: list[Problem] = []
    for forbidden in ("ref", "dependsOn"):
        if forbidden in body:
            problems.append(_problem(f"config.body takes no {forbidden}", *path, forbidden))
    body_type = body.get("type")
    if body_type == StepType.TASK.value:
        problems += _validate_task_fields(body.get("handler"), body.get("queue"), path)
    elif body_type == StepType.HTTP.value:
        config = body.get("config")
        if not isinstance(config, dict):
            problems.append(_problem("an HTTP body needs config.url", *path, "config"))
        else:
            problems += _validate_http_config(config, (*path, "config"))
    else:
        problems.append(_problem("config.body.type must be TASK or HTTP", *path, "type"))
    retry = body.get("retry")
    if retry is not None:
        if not isinstance(retry, dict):
            problems.append(_problem("config.body.retry must be an object", *path, "retry"))
        else:
            problems += _validate_retry_values(
                retry.get("maxAttempts", 1),
                retry.get("backoffSeconds", 1),
                retry.get("backoffFactor", 2),
                (*path, "retry"),
                ("maxAttempts", "backoffSeconds", "backoffFactor"),
            )
    timeout = body.get("timeoutSeconds")
    if timeout is not None and (not isinstance(timeout, int) or isinstance(timeout, bool) or timeout < 1):
        problems.append(
            _problem("config.body.timeoutSeconds must be a whole number of at least 1", *path, "timeoutSeconds")
        )
    return problems


def _validate_retry_values(
    max_attempts: Any, backoff_seconds: Any, backoff_factor: Any, path: tuple[str, ...], names: tuple[str, str, str]
) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or not 1 <= max_attempts <= MAX_ATTEMPTS:
        problems.append(_problem(f"maxAttempts must be between 1 and {MAX_ATTEMPTS}", *path, names[0]))
    if not _is_number(backoff_seconds) or backoff_seconds < 0:
        problems.append(_problem("backoffSeconds must be 0 or more", *path, names[1]))
    if not _is_number(backoff_factor) or backoff_factor < 1:
        problems.append(_problem("backoffFactor must be 1 or more", *path, names[2]))
    return problems


def _validate_config(step: StepSpec, path: tuple[str, ...]) -> list[Problem]:
    config = step.config
    config_path = (*path, "config")
    if config is not None and not isinstance(config, dict):
        return [_problem("config must be a JSON object", *config_path)]
    config = config or {}
    if step.type is StepType.TASK:
        return _validate_task_fields(step.handler, step.queue, path)
    problems: list[Problem] = []
    if step.handler is not None:
        problems.append(_problem("handler is only for TASK steps", *path, "handler"))
    if step.queue is not None:
        problems.append(_problem("queue is only for TASK steps", *path, "queue"))
    if step.type is StepType.SIGNAL:
        signal = config.get("signal")
        if not isinstance(signal, str) or not signal.strip():
            problems.append(_problem("a SIGNAL step needs config.signal, the signal's name", *config_path, "signal"))
    elif step.type is StepType.SLEEP:
        seconds = config.get("seconds")
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            problems.append(_problem("a SLEEP step needs config.seconds, 0 or more", *config_path, "seconds"))
    elif step.type is StepType.SUBWORKFLOW:
        key = config.get("workflowKey")
        if not isinstance(key, str) or not key.strip():
            problems.append(_problem("a SUBWORKFLOW step needs config.workflowKey", *config_path, "workflowKey"))
    elif step.type is StepType.FOR_EACH:
        items = config.get("items")
        if not isinstance(items, str) or not items.strip():
            problems.append(
                _problem(
                    "a FOR_EACH step needs config.items, a key of the run input holding a list", *config_path, "items"
                )
            )
        problems += _validate_for_each_body(config.get("body"), (*config_path, "body"))
    elif step.type is StepType.HTTP:
        problems += _validate_http_config(config, config_path)
    return problems


def _find_cycle(steps: Sequence[StepSpec]) -> list[str] | None:
    """A dependency cycle as a list of refs (first == last), or None."""
    graph: dict[str, list[str]] = {}
    for step in steps:  # a duplicated ref is reported on its own; keep the first's edges
        graph.setdefault(step.ref, list(step.depends_on))
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(ref: str) -> list[str] | None:
        state[ref] = 1
        stack.append(ref)
        for dep in graph.get(ref, []):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                return [*stack[stack.index(dep) :], dep]
            if state.get(dep) is None:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[ref] = 2
        return None

    for step in steps:
        if state.get(step.ref) is None:
            found = visit(step.ref)
            if found:
                return found
    return None


def validate_steps(steps: Sequence[StepSpec], path: tuple[str, ...] = ("input", "steps")) -> list[Problem]:
    """Every problem of a step DAG, each with the path of the input at fault."""
    if not steps:
        return [_problem("a workflow needs at least one step", *path)]
    if len(steps) > MAX_STEPS:
        return [_problem(f"a workflow has at most {MAX_STEPS} steps", *path)]
    problems: list[Problem] = []
    refs: dict[str, int] = {}
    for index, step in enumerate(steps):
        step_path = (*path, str(index))
        if not REF_PATTERN.match(step.ref):
            problems.append(
                _problem(
                    f"ref {step.ref!r} must start with a letter or digit and hold only letters, digits, '_', '.', '-'",
                    *step_path,
                    "ref",
                )
            )
        elif step.ref in refs:
            problems.append(_problem(f"duplicate ref {step.ref!r} (also step {refs[step.ref]})", *step_path, "ref"))
        else:
            refs[step.ref] = index
    by_ref = {step.ref: step for step in steps}
    for index, step in enumerate(steps):
        step_path = (*path, str(index))
        seen: set[str] = set()
        for dep_index, dep in enumerate(step.depends_on):
            dep_path = (*step_path, "dependsOn", str(dep_index))
            if dep == step.ref:
                problems.append(_problem(f"step {step.ref!r} cannot depend on itself", *dep_path))
            elif dep not in by_ref:
                problems.append(_problem(f"step {step.ref!r} depends on unknown step {dep!r}", *dep_path))
            elif dep in seen:
                problems.append(_problem(f"step {step.ref!r} lists {dep!r} twice", *dep_path))
            elif by_ref[dep].on_cancel and not step.on_cancel:
                problems.append(
                    _problem(
                        f"step {step.ref!r} cannot depend on cleanup step {dep!r}, which runs only on cancel",
                        *dep_path,
                    )
                )
            seen.add(dep)
        problems += _validate_config(step, step_path)
        if step.retry is not None:
            problems += _validate_retry_values(
                step.retry.max_attempts,
                step.retry.backoff_seconds,
                step.retry.backoff_factor,
                (*step_path, "retry"),
                ("maxAttempts", "backoffSeconds", "backoffFactor"),
            )
        if step.timeout_seconds is not None and step.timeout_seconds < 1:
            problems.append(_problem("timeoutSeconds must be at least 1", *step_path, "timeoutSeconds"))
    cycle = _find_cycle(steps)
    if cycle:
        problems.append(_problem(f"dependency cycle: {' -> '.join(cycle)}", *path))
    return problems


def validate_run_settings(
    *,
    max_parallel_steps: int | None,
    timeout_seconds: int | None,
    change_limit: ChangeLimitSpec | None,
    path: tuple[str, ...] = ("input",),
) -> list[Problem]:
    problems: list[Problem] = []
    if max_parallel_steps is not None and not 1 <= max_parallel_steps <= MAX_PARALLEL_STEPS:
        problems.append(
            _problem(f"maxParallelSteps must be between 1 and {MAX_PARALLEL_STEPS}", *path, "maxParallelSteps")
        )
    if timeout_seconds is not None and timeout_seconds < 1:
        problems.append(_problem("timeoutSeconds must be at least 1", *path, "timeoutSeconds"))
    if change_limit is not None:
        if change_limit.max_runs < 1:
            problems.append(_problem("changeLimit.maxRuns must be at least 1", *path, "changeLimit", "maxRuns"))
        if change_limit.window_seconds < 1:
            problems.append(
                _problem("changeLimit.windowSeconds must be at least 1", *path, "changeLimit", "windowSeconds")
            )
    return problems
