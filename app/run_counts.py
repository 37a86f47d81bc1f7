"""How many runs each workflow has in each status, kept exact in the run_counts table.

The lifecycle calls `count_change` in the transaction of every run's creation and status
change (see `RunTransaction`), so the counters move with the rows: a rolled-back change
leaves them as they were. Unfiltered `runStats` and `totalCount` read them instead of
counting rows (`tally_of`). A transaction touches at most two counter rows, upserted at
its end in one order (by status), so two transactions never wait on each other's counters
in opposite orders.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from tortoise.functions import Count, Sum

from app.enums import RunStatus, Visibility
from app.run_writes import CounterMove
from app.statements import placeholders
from models import Run, RunCount

if TYPE_CHECKING:
    from tortoise.backends.base.client import BaseDBAsyncClient

    from app.auth import Principal

# The counters of the runs a database holds, from scratch (migration 0004_scale and the bench
# loader run it on tables whose run_counts are empty).
FILL_COUNTS = (
    "INSERT INTO run_counts (project_id, workflow_id, status, private, count) "
    "SELECT project_id, workflow_id, status, visibility = 'PRIVATE', COUNT(*) FROM runs "
    "GROUP BY project_id, workflow_id, status, visibility = 'PRIVATE'"
)

_UPSERT = (
    "INSERT INTO run_counts (project_id, workflow_id, status, private, count) VALUES ({}) "
    "ON CONFLICT (project_id, workflow_id, status, private) DO UPDATE SET count = run_counts.count + excluded.count"
)


async def count_change(
    connection: BaseDBAsyncClient, run: Run, before: RunStatus | None, after: RunStatus | None
) -> None:
    """Move `run` from the counter of `before` (None: it is new) to that of `after`."""
    await apply_counter_moves(connection, counter_moves(run, before, after))


async def apply_counter_moves(connection: BaseDBAsyncClient, moves: Iterable[CounterMove]) -> None:
    """Upsert the counters `moves` name, summed per counter row (a batch of runs moves the same
    rows many times), in the one order (by status, then the row's other columns), skipping rows
    whose moves cancel out."""
    summed: dict[tuple[str, str, str, bool], int] = {}
    for move in moves:
        key = (move.status, move.project_id, move.workflow_id, move.private)
        summed[key] = summed.get(key, 0) + move.delta
    sql = _UPSERT.format(", ".join(placeholders(connection, 5)))
    for (status, project_id, workflow_id, private), delta in sorted(summed.items()):
        if delta:
            await connection.execute_query(sql, [project_id, workflow_id, status, private, delta])


def counter_moves(run: Run, before: RunStatus | None, after: RunStatus | None) -> list[CounterMove]:
    """The counter upserts that move `run` from `before` to `after`, in the one order (by status)."""
    if before == after:
        return []
    deltas = sorted(
        ((status, delta) for status, delta in ((before, -1), (after, 1)) if status is not None),
        key=lambda pair: pair[0].value,
    )
    private = run.visibility == Visibility.PRIVATE
    project_id, workflow_id = str(run.project_id), str(run.workflow_id)
    return [CounterMove(project_id, workflow_id, status.value, private, delta) for status, delta in deltas]


async def fill_counts(connection: BaseDBAsyncClient) -> None:
    """Recount every counter from the runs table (for data loaded around the lifecycle)."""
    await connection.execute_script("DELETE FROM run_counts")
    await connection.execute_script(FILL_COUNTS)


async def counted_by_status(
    principal: Principal, project_key: str | None, workflow_id: uuid.UUID | str | None
) -> dict[RunStatus, int]:
    """The runs `principal` may see per status, from the counters, narrowed to a project (by key)
    and/or a workflow. No run is read but, for a project-scoped caller, its own PRIVATE ones."""
    scope: dict[str, object] = {}
    if project_key is not None:
        scope["project__key"] = project_key
    if workflow_id is not None:
        scope["workflow_id"] = workflow_id
    counters = RunCount.filter(**scope)
    own_private = None
    if not principal.is_superadmin:
        if principal.project_id is None:
            return {}
        counters = counters.filter(project_id=principal.project_id, private=False)
        own_private = Run.filter(
            **scope, project_id=principal.project_id, visibility=Visibility.PRIVATE, initiated_by=principal.actor
        )
    counts: dict[RunStatus, int] = {}
    rows = list(await counters.annotate(total=Sum("count")).group_by("status").values_list("status", "total"))
    if own_private is not None:
        rows += await own_private.annotate(total=Count("id")).group_by("status").values_list("status", "total")
    for status, runs in rows:
        counts[RunStatus(status)] = counts.get(RunStatus(status), 0) + int(runs or 0)
    return counts
