"""Run connections: their arguments as one object, and the one resolver behind every one."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING

from strawberry.types.nodes import FragmentSpread, InlineFragment, Selection

from app.queries import Row, list_runs
from models import Run as RunModel
from schema.context import Info, principal_of
from schema.errors import query_or_raise
from schema.node import check_page_size, page_info
from schema.runs.inputs import RunOrder, RunWhere
from schema.runs.types import Run, RunConnection, RunEdge

if TYPE_CHECKING:
    from tortoise.expressions import Q

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
        )
    )
    await preload_page(info, page.items)
    return RunConnection(
        edges=[RunEdge(cursor=c, node=Run.from_model(r)) for r, c in zip(page.items, page.cursors, strict=True)],
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


async def preload_page(info: Info, runs: Sequence[RunModel | Row]) -> None:
    """Load the steps and the workflows of a page of runs, when the query asks for them.

    One statement each, as the fields' own DataLoader calls would have cost; but loaded
    here, before the runs are completed, those fields resolve without awaiting. A failed
    load is left in the loader, so the field raises it as it did.
    """
    wanted = set().union(*(_fields_at(field.selections, ("edges", "node")) for field in info.selected_fields))
    loaders = info.context.loaders
    loads: list[Awaitable[object]] = []
    if wanted & STEP_FIELDS:
        loads.append(loaders.steps_by_run.load_many([str(run.id) for run in runs]))
    if wanted & WORKFLOW_FIELDS:
        loads.append(loaders.workflow.load_many([str(run.workflow_id) for run in runs]))
    await asyncio.gather(*loads, return_exceptions=True)
