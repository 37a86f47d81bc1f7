"""How schema/ is built (STYLE.md, issue 9 point 5), checked on the source: a regression here
is a layering mistake that no query would show."""

from __future__ import annotations

import ast
from pathlib import Path

import schema.runs

SCHEMA = Path(__file__).resolve().parents[2] / "schema"

# calls that only an ORM query makes; schema/ asks app/queries instead
ORM_QUERY_METHODS = frozenset(
    {
        "filter",
        "exclude",
        "get_or_none",
        "order_by",
        "select_related",
        "prefetch_related",
        "annotate",
        "values_list",
        "bulk_create",
        "select_for_update",
        "using_db",
    }
)


def modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in sorted(SCHEMA.rglob("*.py"))]


def test_schema_builds_no_orm_query():
    found = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ORM_QUERY_METHODS:
                found.append(f"{path.name}:{node.lineno} .{func.attr}(...)")
            elif isinstance(func, ast.Name) and func.id in {"Q", "F"}:
                found.append(f"{path.name}:{node.lineno} {func.id}(...)")
    assert found == []


def test_one_lazy_edge_between_runs_and_workflows():
    lazy = [
        (path.relative_to(SCHEMA).as_posix(), node.args[0].value)
        for path, tree in modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "lazy"
        and isinstance(node.args[0], ast.Constant)
    ]
    assert lazy == [("runs/types.py", "schema.workflows")]


def test_every_resolver_takes_the_typed_info():
    untyped = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module in {"strawberry", "strawberry.types"}
                and any(alias.name == "Info" for alias in node.names)
                and path.name != "context.py"
            ):
                untyped.append(f"{path.name}:{node.lineno} imports strawberry's Info")
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for arg in node.args.args + node.args.kwonlyargs:
                    annotation = ast.unparse(arg.annotation) if arg.annotation else None
                    if arg.arg == "info" and annotation != "Info":
                        untyped.append(f"{path.name}:{node.lineno} info: {annotation}")
    assert untyped == []


def test_runs_package_exports_what_other_modules_use():
    assert schema.runs.__all__ == sorted(schema.runs.__all__, key=lambda name: (name[0].islower(), name))
    for name in schema.runs.__all__:
        assert getattr(schema.runs, name) is not None
    # the names the other schema modules import from it
    for name in ("Run", "StepRun", "RunWhere", "RunOrder", "RunConnection", "RunEvent", "RunUpdate", "Signal"):
        assert name in schema.runs.__all__
