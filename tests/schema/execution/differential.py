"""The differential check: one document, two executors (the compiled path and plain
graphql-core), the same data; the responses and errors must encode to the same bytes.

Also the data: runs made through the API (so every row is what the service writes), then
varied directly in the tables (statuses, times, errors, subjects, outputs), and the
corruptions: ways to make the data break the schema's rules (null in a non-null field,
an Int past 32 bits, a NaN Float, a value an enum cannot represent, a resolver that
raises, a list that is not one), applied through the Strawberry types so that both
executors read the same broken values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from collections.abc import Callable
from typing import Any

import orjson
import pytest
import strawberry

from app.enums import Priority, RunStatus, StepStatus, StepType
from app.settings import Settings
from models import Run as RunModel
from models import StepRun as StepRunModel
from schema import build_schema
from schema.context import Context
from schema.execution import ExecutionStats, executor, stats
from schema.execution.inline import INLINE
from tests.schema.conftest import Client
from tests.schema.test_workflows import chain, create

START = """
mutation($input: StartRunInput!) {
  startRun(input: $input) { run { id } errors { code message } }
}"""

T0 = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


@dataclasses.dataclass
class Outcome:
    encoded: bytes  # the response (data and formatted errors), orjson-encoded
    served: ExecutionStats  # what the compiled executor counted while serving it


@dataclasses.dataclass
class Differential:
    """Runs a document through both executors with the same key and compares the bytes."""

    settings: Settings
    secret: str

    def __post_init__(self) -> None:
        self.compiled = build_schema(self.settings)
        self.reference = build_schema(dataclasses.replace(self.settings, compiled_execution=False))

    async def run(
        self,
        schema: strawberry.Schema,
        query: str,
        variables: dict[str, Any] | None,
        datetimes_as_objects: bool = False,
    ) -> Outcome:
        before = stats.snapshot()
        context = Context(
            settings=self.settings, authorization=f"Bearer {self.secret}", datetimes_as_objects=datetimes_as_objects
        )
        result = await schema.execute(query, variable_values=variables, context_value=context)
        errors = [error.formatted for error in result.errors] if result.errors else None
        encoded = orjson.dumps({"data": result.data, "errors": errors})
        after = stats.snapshot()
        return Outcome(encoded, after.since(before))

    async def check(self, query: str, variables: dict[str, Any] | None = None) -> Outcome:
        """The compiled outcome, after asserting that graphql-core's encodes to the same bytes,
        as a caller of schema.execute gets it and as the HTTP view writes it (its datetimes
        left to orjson: `Context.datetimes_as_objects`)."""
        expected = await self.run(self.reference, query, variables)
        actual = await self.run(self.compiled, query, variables)
        assert actual.encoded == expected.encoded, f"{query}\n{variables}\n{actual.encoded!r}\n{expected.encoded!r}"
        written = await self.run(self.compiled, query, variables, datetimes_as_objects=True)
        assert written.encoded == expected.encoded, f"{query}\n{variables}\n{written.encoded!r}\n{expected.encoded!r}"
        return actual

    async def differs(self, query: str, variables: dict[str, Any] | None = None) -> bool:
        expected = await self.run(self.reference, query, variables)
        try:
            actual = [
                await self.run(self.compiled, query, variables, datetimes_as_objects=as_objects)
                for as_objects in (False, True)
            ]
        except Exception:  # a broken compiler may produce what cannot even be encoded
            return True
        return any(outcome.encoded != expected.encoded for outcome in actual)


async def seed(client: Client) -> dict[str, Any]:
    """Two workflows, six runs with their steps and events, varied in the tables; returns ids."""
    await create(client, chain("fetch", "charge", "notify"), key="billing-sync")
    await create(client, chain("invite"), key="onboard-user")
    run_ids = []
    for index in range(6):
        variables = {
            "input": {
                "workflowKey": "billing-sync" if index % 2 == 0 else "onboard-user",
                "input": {"n": index, "items": [1, 2.5, None, "x"]},
                "tags": [{"key": "team", "value": f"t{index % 3}"}],
                **({"subject": {"type": "user", "id": f"u{index}", "name": "Ada"}} if index % 3 else {}),
                **({"priority": "HIGH", "tenant": "acme-eu"} if index == 4 else {}),
            }
        }
        payload = (await client.data(START, variables))["startRun"]
        assert payload["errors"] == [], payload
        run_ids.append(payload["run"]["id"])
    runs = await RunModel.all().order_by("created_at")
    statuses = [RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.RUNNING, RunStatus.PENDING, RunStatus.CANCELED]
    for index, run in enumerate(runs):
        run.status = statuses[index % len(statuses)]
        run.started_at = T0 + dt.timedelta(seconds=index) if run.status != RunStatus.PENDING else None
        # every started run finished, so that durationSeconds does not read the clock
        run.finished_at = T0 + dt.timedelta(seconds=index * 7 + 1) if run.started_at else None
        run.output = {"total": index * 1.5, "ok": index % 2 == 0} if index % 2 == 0 else None
        run.priority = Priority.CRITICAL if index == 5 else run.priority
        if run.status == RunStatus.FAILED:
            run.error_message, run.error_type, run.error_step_ref, run.error_count = (
                "card declined",
                "Payment",
                "charge",
                2,
            )
        await run.save()
    for index, step in enumerate(await StepRunModel.all()):
        step.status = [StepStatus.COMPLETED, StepStatus.RUNNING, StepStatus.WAITING, StepStatus.FAILED][index % 4]
        step.attempt = index % 3
        step.output = {"step": index} if index % 2 else None
        step.error = "boom" if step.status == StepStatus.FAILED else None
        await step.save()
    # a loop iteration in the last run: Run.steps leaves it out unless includeLoopIterations
    last = runs[-1]
    await StepRunModel.create(
        run=last, ref="invite#0", type=StepType.TASK, iteration=0, parent_ref="invite", position=99, created_at=T0
    )
    return {"run_ids": run_ids, "workflow_key": "billing-sync"}


# ---------------------------------------------------------------- corruptions


Corruption = Callable[[strawberry.Schema, pytest.MonkeyPatch], None]


def _type(schema: strawberry.Schema, name: str) -> Any:
    definition = schema.get_type_by_name(name)
    assert definition is not None, name
    return definition


def set_attribute(type_name: str, attribute: str, value: Any) -> Corruption:
    """Every object of the Strawberry type reads `value` for a field without a resolver."""

    def apply(schema: strawberry.Schema, monkeypatch: pytest.MonkeyPatch) -> None:
        origin = _type(schema, type_name).origin
        monkeypatch.setattr(origin, attribute, property(lambda _self: value, lambda _self, _value: None), raising=False)

    return apply


def set_resolver(type_name: str, field_name: str, resolver: Callable[..., Any]) -> Corruption:
    """The field's resolver replaced by `resolver` (which gets the resolver's arguments), and
    its inline form (schema.execution.inline) too, with the plans compiled so far dropped."""

    def apply(schema: strawberry.Schema, monkeypatch: pytest.MonkeyPatch) -> None:
        field = next(f for f in _type(schema, type_name).fields if f.python_name == field_name)
        assert field.base_resolver is not None, f"{type_name}.{field_name} has no resolver"
        monkeypatch.setattr(field.base_resolver, "wrapped_func", resolver)
        if INLINE in field.metadata:
            broken = lambda source, _context, **a: resolver(source, **a)  # noqa: E731
            monkeypatch.setattr(field, "metadata", {**field.metadata, INLINE: broken})
            monkeypatch.setattr(executor, "_caches", weakref.WeakKeyDictionary())

    return apply


def _raise(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("resolver failed")


# name: (how, whether the data then breaks the schema's rules, i.e. the response has errors)
CORRUPTIONS: dict[str, tuple[Corruption, bool]] = {
    "Int past 32 bits": (set_attribute("Run", "error_count", 2**31), True),
    "Int as a whole float": (set_attribute("StepRun", "attempt", 3.0), False),
    "Int as a fraction": (set_attribute("StepRun", "attempt", 2.5), True),
    "null in a non-null enum": (set_attribute("Run", "status", None), True),
    "null in a non-null String": (set_attribute("Workflow", "key", None), True),
    "null in a nullable String": (set_attribute("Run", "reason", None), False),
    "int in a String": (set_attribute("Run", "tenant", 12), False),
    "enum cannot represent": (set_attribute("StepRun", "status", "BOGUS"), True),
    "enum from its plain value": (set_attribute("Run", "priority", 2), False),
    "not a DateTime": (set_attribute("Run", "created_at", "yesterday"), True),
    # orjson would write this offset +05:01, isoformat() +05:00:30
    "DateTime with a sub-minute offset": (
        set_attribute(
            "Run",
            "created_at",
            dt.datetime(2026, 1, 1, 1, 2, 3, 4, tzinfo=dt.timezone(dt.timedelta(hours=5, seconds=30))),
        ),
        False,
    ),
    "naive DateTime": (set_attribute("StepRun", "created_at", dt.datetime(2026, 1, 1, 1, 2, 3)), False),
    "NaN Float": (set_resolver("Run", "duration_seconds", lambda *_a, **_k: float("nan")), True),
    "Float from an int": (set_resolver("Run", "duration_seconds", lambda *_a, **_k: 2), False),
    "resolver raises": (set_resolver("Run", "workflow", _raise), True),
    "list that is not one": (set_resolver("Run", "steps", lambda *_a, **_k: 5), True),
    "null item in a non-null list": (set_resolver("Run", "pending_steps", lambda *_a, **_k: [None]), True),
}
