"""Run connections: their arguments as one object, and the one resolver behind every one."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from strawberry.utils.str_converters import to_camel_case

from app.queries import Row, list_runs
from models import Run as RunModel
from models import StepRun as StepRunModel
from schema.context import Info, principal_of
from schema.errors import query_or_raise
from schema.node import check_page_size, page_info
from schema.runs.inputs import RunOrder, RunWhere
from schema.runs.types import Run, RunConnection, RunEdge, StepRun

if TYPE_CHECKING:
    from tortoise.expressions import Q
    from tortoise.models import Model

# the Run fields that read its steps, and its workflow: what a page of runs preloads
STEP_FIELDS = frozenset({"steps", "step", "pendingSteps"})
WORKFLOW_FIELDS = frozenset({"workflow"})


@dataclasses.dataclass(frozen=True, kw_only=True)
class RunConnectionArgs:
    """The arguments of a run connection (Query.runs, Query.conversations, Workflow.runs) as the
    caller gave them; a connection that lacks one leaves it None."""

    project: str | None = None
    filter: str | None = None
    where: RunWhere | None = None
    search: str | None = None
    order_by: list[RunOrder] | None = None
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


async def resolve_run_connection(info: Info, args: RunConnectionArgs, *, base: Q | None = None) -> RunConnection:
    """A page of the runs the caller can see, narrowed to `base` (a condition from app.queries):
    the one resolver behind every run connection."""
    check_page_size(info, first=args.first, last=args.last)
    page = await query_or_raise(
        list_runs(
            principal_of(info),
            project=args.project,
            filter=args.filter,
            where=args.where.to_spec() if args.where else None,
            search=args.search,
            order_by=[order.to_spec() for order in args.order_by] if args.order_by else None,
            first=args.first,
            after=args.after,
            last=args.last,
            before=args.before,
            base=base,
            max_page_size=info.context.settings.max_page_size,
            plain=True,
            columns=run_columns(info),
        )
    )
    columns = step_columns(info)
    await preload_page(info, page.items, columns)
    edges = [RunEdge(cursor=c, node=Run.from_model(r)) for r, c in zip(page.items, page.cursors, strict=True)]
    if columns is not None:
        for edge in edges:
            edge.node.step_columns = columns
    return RunConnection(
        edges=edges,
        page_info=page_info(page),
        count=page.count,
        count_is_exact=page.count_is_exact,
    )


def _fields_at(selections: Sequence[Selection], path: Sequence[str]) -> set[str]:
    """The names of the fields selected at `path` under `selections`, looking through fragments."""
    names: set[str] = set()
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            names |= _fields_at(selection.selections, path)
        elif not path:
            names.add(selection.name)
        elif selection.name == path[0]:
            names |= _fields_at(selection.selections, path[1:])
    return names


def _fields_under(selections: Sequence[Selection], path: Sequence[str], last: frozenset[str]) -> list[SelectedField]:
    """The fields named one of `last` selected at `path` under `selections`, through fragments."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            found += _fields_under(selection.selections, path, last)
        elif not path:
            if selection.name in last:
                found.append(selection)
        elif selection.name == path[0]:
            found += _fields_under(selection.selections, path[1:], last)
    return found


# what every read of a run's steps needs: their run (grouping), their iteration (Run.steps leaves
# out loop iterations), their status (Run.pendingSteps), their ref (Run.step(ref:)), their id
STEP_KEY_COLUMNS = frozenset({"id", "run_id", "ref", "status", "iteration"})


def _plain_field_columns(strawberry_type: type, model: type[Model]) -> dict[str, frozenset[str]]:
    """The fields of `strawberry_type` that read nothing but the column of their own name, by
    GraphQL name: one without a resolver, permission class or extension holds its row's
    attribute of that name (`from_model`); `__typename` reads none."""
    projection = model._meta.fields_db_projection
    definition = strawberry_type.__strawberry_definition__  # type: ignore[attr-defined]
    columns: dict[str, frozenset[str]] = {"__typename": frozenset()}
    for field in definition.fields:
        plain = field.base_resolver is None and not field.permission_classes and not field.extensions
        if plain and field.python_name in projection:
            name = field.graphql_name or to_camel_case(field.python_name)
            columns[name] = frozenset({projection[field.python_name]})
    return columns


@functools.cache
def _step_field_columns() -> dict[str, frozenset[str]]:
    """StepRun's fields that read nothing but columns of the step's row, by GraphQL name: the
    plain ones, and `depsRequired`, which counts `dependsOn`. Any other field (one that reads
    the run, its siblings or attempts) is missing here: a selection with it reads every column."""
    columns = _plain_field_columns(StepRun, StepRunModel)
    columns["depsRequired"] = frozenset({StepRunModel._meta.fields_db_projection["depends_on"]})
    return columns


# The Run fields that read other columns of the run's row than one of their own name: the
# objects `Run.from_model` builds of several columns, and the fields whose resolvers read
# `Run.model`. A Run field neither here nor plain (`availableActions`, say) reads every column.
_RUN_FIELD_READS: dict[str, frozenset[str]] = {
    "trigger": frozenset({"triggered_by", "trigger_key", "audience_key", "schedule_id", "cancellation_key"}),
    "subject": frozenset({"subject_type", "subject_id", "subject_name", "subject_collection"}),
    "error": frozenset({"error_message", "error_type", "error_step_ref"}),
    "durationSeconds": frozenset({"started_at", "finished_at"}),
    "workflow": frozenset({"workflow_id"}),
    "project": frozenset({"project_id"}),
    "retryOf": frozenset({"retry_of_id"}),
    "restartOf": frozenset({"restart_of_id"}),
    "parentRun": frozenset({"parent_run_id"}),
    "parentStep": frozenset({"parent_step_id", "parent_run_id"}),
    # read by the run's id (a DataLoader's key, a statement's parameter)
    **{
        name: frozenset({"id"})
        for name in ("steps", "step", "pendingSteps", "tags", "childRuns", "events", "updates", "signals")
    },
}


@functools.cache
def _run_field_columns() -> dict[str, frozenset[str]]:
    return {**_plain_field_columns(Run, RunModel), **_RUN_FIELD_READS}


def run_columns(info: Info) -> frozenset[str] | None:
    """The columns of a page's runs that its selection reads, when every field it selects on
    them is one of `_run_field_columns` (None otherwise: read them all). The page reads its
    cursors' columns besides (app.queries.list_runs)."""
    known = _run_field_columns()
    reads: set[str] = set()
    for connection in info.selected_fields:
        for name in _fields_at(connection.selections, ("edges", "node")):
            if name not in known:
                return None
            reads |= known[name]
    return frozenset(reads)


def step_columns(info: Info) -> frozenset[str] | None:
    """The columns of a page's steps that the selection of its runs reads, when every field it
    selects on them is one of `_step_field_columns` (None otherwise: read them all)."""
    known = _step_field_columns()
    reads: set[str] = set(STEP_KEY_COLUMNS)
    for connection in info.selected_fields:
        for field in _fields_under(connection.selections, ("edges", "node"), STEP_FIELDS):
            for name in _fields_at(field.selections, ()):
                if name not in known:
                    return None
                reads |= known[name]
    return frozenset(reads)


async def preload_page(info: Info, runs: Sequence[RunModel | Row], step_columns: frozenset[str] | None = None) -> None:
    """Load the steps and the workflows of a page of runs, when the query asks for them.

    One statement each, as the fields' own DataLoader calls would have cost; but loaded
    here, before the runs are completed, those fields resolve without awaiting. A failed
    load is left in the loader, so the field raises it as it did. `step_columns`: the only
    columns of the steps that the page's runs read (see `step_columns`).
    """
    wanted = set().union(*(_fields_at(field.selections, ("edges", "node")) for field in info.selected_fields))
    loaders = info.context.loaders
    loads: list[Awaitable[object]] = []
    if wanted & STEP_FIELDS:
        loads.append(loaders.steps_reading(step_columns).load_many([str(run.id) for run in runs]))
    if wanted & WORKFLOW_FIELDS:
        loads.append(loaders.workflow.load_many([str(run.workflow_id) for run in runs]))
    await asyncio.gather(*loads, return_exceptions=True)
