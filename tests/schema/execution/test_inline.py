"""Fields a compiled plan resolves inline (schema.execution.inline): served without their
resolvers, identical to graphql-core with and without arguments and preloading, and only
where nothing else would run around the resolver."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import orjson
import pytest
import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission

from app.enums import StepStatus
from schema.execution.inline import inline, inline_form
from schema.runs.types import Run
from tests.schema.conftest import ProjectKeys
from tests.schema.execution import documents as docs
from tests.schema.execution.differential import Differential, seed

INLINE_FIELDS = ("duration_seconds", "workflow", "steps")


@pytest.fixture
async def world(acme: ProjectKeys) -> tuple[Differential, dict[str, Any]]:
    ids = await seed(acme.admin)
    assert acme.admin.secret is not None
    return Differential(acme.admin.settings, acme.admin.secret), ids


def count_resolver_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the calls of Run's inline fields' own resolvers (which still answer)."""
    calls = dict.fromkeys(INLINE_FIELDS, 0)
    definition = Run.__strawberry_definition__  # type: ignore[attr-defined]
    for field in definition.fields:
        if field.python_name in INLINE_FIELDS:
            original: Callable[..., Any] = field.base_resolver.wrapped_func

            def counted(*args: Any, _name: str = field.python_name, _original: Any = original, **kwargs: Any) -> Any:
                calls[_name] += 1
                return _original(*args, **kwargs)

            monkeypatch.setattr(field.base_resolver, "wrapped_func", counted)
    return calls


async def test_the_benchmark_page_resolves_its_run_fields_inline(world, monkeypatch: pytest.MonkeyPatch):
    differential, _ids = world
    calls = count_resolver_calls(monkeypatch)
    expected = await differential.run(differential.reference, docs.BENCH_PAGE, {})
    assert calls == {"duration_seconds": 6, "workflow": 6, "steps": 6}
    calls.update(dict.fromkeys(INLINE_FIELDS, 0))
    actual = await differential.run(differential.compiled, docs.BENCH_PAGE, {})
    assert actual.encoded == expected.encoded
    assert (actual.served.compiled, actual.served.fallbacks) == (1, 0)
    assert calls == {"duration_seconds": 0, "workflow": 0, "steps": 0}


@pytest.mark.parametrize("loops", [True, False, None])
async def test_inline_fields_with_arguments_answer_as_graphql_core(world, loops: bool | None):
    differential, _ids = world
    outcome = await differential.check(docs.INLINE_FIELDS, {"loops": loops})
    assert (outcome.served.compiled, outcome.served.fallbacks) == (1, 0)
    nodes = [edge["node"] for edge in orjson.loads(outcome.encoded)["data"]["runs"]["edges"]]
    # the contract: loop iterations only with includeLoopIterations: true (default false)
    looped = [node for node in nodes if len(node["all"]) > len(node["steps"])]
    assert len(looped) == 1
    assert [step["ref"] for step in looped[0]["all"]][-1] == "invite#0"
    assert looped[0]["all"][-1] == {"ref": "invite#0", "iteration": 0, "parentRef": "invite"}
    assert all(step["iteration"] is None for node in nodes for step in node["steps"])
    for node in nodes:
        assert node["none"] == [{"ref": step["ref"]} for step in node["steps"]]
        assert node["asked"] == [{"ref": step["ref"]} for step in (node["all"] if loops else node["steps"])]


async def test_inline_fields_without_a_preloaded_page_await_their_loaders(world):
    differential, ids = world
    for run_id in ids["run_ids"]:
        outcome = await differential.check(docs.RUN_DETAIL, {"id": run_id})
        assert (outcome.served.compiled, outcome.served.fallbacks) == (1, 0)
        run = orjson.loads(outcome.encoded)["data"]["run"]
        assert run["workflow"]["key"] in ("billing-sync", "onboard-user") and run["steps"]


# ---------------------------------------------------------------- what the compiler inlines


class Deny(BasePermission):
    message = "no"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class Upper(FieldExtension):
    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


def _answer(source: Any, context: Any, **arguments: Any) -> str:
    return f"inline {sorted(arguments.items())}"


@strawberry.type
class Probe:
    @strawberry.field(metadata=inline(_answer))
    def plain(
        self, some_flag: bool | None = None, count: int = 1, label: str = "", ident: strawberry.ID = strawberry.ID("")
    ) -> str:
        return _answer(self, None, some_flag=some_flag, count=count, label=label, ident=ident)

    @strawberry.field(metadata=inline(_answer), name="renamed")
    def named_argument(self, flag: Annotated[bool, strawberry.argument(name="theFlag")] = False) -> str:
        return _answer(self, None, flag=flag)

    @strawberry.field(metadata=inline(_answer), permission_classes=[Deny])
    def guarded(self) -> str:
        return _answer(self, None)

    @strawberry.field(metadata=inline(_answer), extensions=[Upper()])
    def extended(self) -> str:
        return _answer(self, None)

    @strawberry.field(metadata=inline(_answer))
    def enum_argument(self, status: StepStatus | None = None) -> str:
        return _answer(self, None, status=status)

    @strawberry.field
    def undeclared(self) -> str:
        return "resolver"


def test_only_declared_fields_with_nothing_around_them_are_inlined():
    @strawberry.type
    class Query:
        probe: Probe = strawberry.field(default_factory=Probe)

    probe = strawberry.Schema(query=Query)._schema.get_type("Probe")
    form = inline_form(probe.fields["plain"])  # type: ignore[union-attr]
    assert form is not None and form.function is _answer
    assert form.python_names == {"someFlag": "some_flag", "count": "count", "label": "label", "ident": "ident"}
    renamed = inline_form(probe.fields["renamed"])  # type: ignore[union-attr]
    assert renamed is not None and renamed.python_names == {"theFlag": "flag"}
    for name in ("guarded", "extended", "enumArgument", "undeclared"):
        assert inline_form(probe.fields[name]) is None, name  # type: ignore[union-attr]
