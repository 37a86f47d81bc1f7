"""Many runs changed in one transaction, with set-based statements (a bulk job's cancel or terminate).

The decisions stay the lifecycle's: each run's change is made by the same code as for one run,
in a `RunTransaction.holding` that only holds its compare-and-sets and events. This module
reads and locks the runs of a batch, their steps and which have open child runs (three
statements), and writes what the
held transactions collected: one UPDATE per shape of change for the runs (their
`event_seq` moved on with it), one per shape for the steps, one multi-row INSERT for the
events, and one upsert per counter row moved (the counters of the whole batch summed).

Every UPDATE is still a compare-and-set (`WHERE id = ... AND status IN (allowed)`); the rows
are locked (`FOR UPDATE`, on PostgreSQL; SQLite serialises writers), so each one matches, and
when one does not, RunMovedOn rolls the whole batch back: its runs can be acted on one by one.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from app.lifecycle import NON_TERMINAL_RUN_STATUSES, HeldRun, NeedsLock
from app.run_counts import apply_counter_moves
from app.run_writes import PendingChange, RunMovedOn
from app.statements import insert_rows
from models import Run, RunEvent, StepRun
from models.runs import TERMINAL_RUN_STATUSES

__all__ = ["LockedRuns", "lock_runs", "parents_with_open_children", "write_held_runs"]

# SQLite allows 32,766 parameters in one statement
_SQLITE_PARAMETERS = 30_000


class LockedRuns:
    """The runs of a batch that could be locked at once (in id order), with their steps."""

    def __init__(self, runs: list[Run], steps: list[StepRun], with_open_children: set[str]) -> None:
        self.runs = runs
        self._steps: dict[str, list[StepRun]] = {}
        for step in steps:
            self._steps.setdefault(str(step.run_id), []).append(step)
        self.with_open_children = with_open_children

    def steps_of(self, run: Run) -> list[StepRun]:
        """The run's steps in their order (position, iteration, creation)."""
        return self._steps.get(str(run.id), [])


async def lock_runs(connection: BaseDBAsyncClient, run_ids: Sequence[uuid.UUID]) -> LockedRuns:
    """Lock the unfinished runs of `run_ids` that no other transaction holds (`FOR UPDATE SKIP
    LOCKED` on PostgreSQL: a run in another's hands is left out, never waited for), read the
    finished ones without a lock, and read their steps and which of them have open child runs.
    A run left out is not in `runs`.

    A finished run is never locked: no batched action moves one (each fails it, as on one run),
    and a lock held on it until the batch commits would be waited for by a retry or restart of it
    (its new run's foreign key takes a KEY SHARE lock on it at the end of a statement that has
    already upserted its counter), while the batch waits for that counter: a deadlock."""
    ids = list(run_ids)
    unfinished = [status.value for status in NON_TERMINAL_RUN_STATUSES]
    query = Run.filter(id__in=ids, status__in=unfinished).order_by("id").using_db(connection)
    if connection.capabilities.dialect == "postgres":
        query = query.select_for_update(skip_locked=True)
    runs = list(await query)
    finished = await Run.filter(id__in=ids, status__in=[status.value for status in TERMINAL_RUN_STATUSES]).using_db(
        connection
    )
    runs = sorted([*runs, *finished], key=lambda run: str(run.id))
    if not runs:
        return LockedRuns([], [], set())
    locked = [run.id for run in runs]
    # read once the runs are locked: every writer of a step's status locks its run first
    steps = await (
        StepRun.filter(run_id__in=locked).order_by("run_id", "position", "iteration", "created_at").using_db(connection)
    )
    return LockedRuns(runs, list(steps), await parents_with_open_children(locked, connection))


async def parents_with_open_children(
    run_ids: Sequence[uuid.UUID], connection: BaseDBAsyncClient | None = None
) -> set[str]:
    """The runs among `run_ids` that have a child run not yet finished."""
    if not run_ids:
        return set()
    query = Run.filter(parent_run_id__in=list(run_ids), status__in=[s.value for s in NON_TERMINAL_RUN_STATUSES])
    if connection is not None:
        query = query.using_db(connection)
    return {str(parent) for parent in await query.distinct().values_list("parent_run_id", flat=True)}


async def write_held_runs(connection: BaseDBAsyncClient, held: Sequence[HeldRun]) -> None:
    """Write the changes the holding transactions of a batch collected, in set-based statements:
    the runs (with their event_seq moved on), their steps, the counters, then the events."""
    if not held:
        return
    if any(item.run_change is None and item.events for item in held):
        # the run's event_seq moves with its compare-and-set: events alone need a transaction of their own
        raise NeedsLock("a held run has events but no change of its own")
    events_added = {item.run_change.row_id: len(item.events) for item in held if item.run_change is not None}
    for sources, columns, group in _shapes(item.run_change for item in held if item.run_change is not None):
        seqs = [events_added[change.row_id] for change in group]
        await _compare_and_set_rows(connection, Run, sources, columns, group, added=("event_seq", seqs))
    step_changes = [change for item in held for change in item.step_changes]
    for sources, columns, group in _shapes(step_changes):
        await _compare_and_set_rows(connection, StepRun, sources, columns, group)
    await apply_counter_moves(connection, [move for item in held for move in item.counters])
    await insert_rows(connection, [event for item in held for event in item.events], model=RunEvent)


def _shapes(
    changes: Iterable[PendingChange],
) -> list[tuple[tuple[str, ...], tuple[str, ...], list[PendingChange]]]:
    """The changes grouped by what they may start from and which columns they set."""
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[PendingChange]] = {}
    for change in changes:
        groups.setdefault((tuple(sorted(change.sources)), tuple(change.values)), []).append(change)
    return [(sources, columns, group) for (sources, columns), group in groups.items()]


async def _compare_and_set_rows(
    connection: BaseDBAsyncClient,
    model: type[Model],
    sources: tuple[str, ...],
    columns: tuple[str, ...],
    changes: Sequence[PendingChange],
    *,
    added: tuple[str, Sequence[int]] | None = None,
) -> None:
    """`UPDATE <table> SET <columns> (per row) [, <added> = <added> + n] WHERE id = ... AND status IN
    (sources)` for many rows in one statement; RunMovedOn unless every row matched."""
    meta = model._meta
    table = f'"{meta.db_table}"'
    names = [meta.fields_db_projection[column] for column in columns]
    rows: list[list[Any]] = []
    for index, change in enumerate(changes):
        row = [meta.pk.to_db_value(change.row_id, model)]
        row += [meta.fields_map[column].to_db_value(_stored(change.values[column]), model) for column in columns]
        if added is not None:
            row.append(added[1][index])
        rows.append(row)
    value_names = ", ".join(f'"{name}"' for name in ["__id", *names] + (["__added"] if added is not None else []))
    assignments = [f'"{name}" = v."{name}"' for name in names]
    if added is not None:
        assignments.append(f'"{added[0]}" = {table}."{added[0]}" + v."__added"')
    where_id = f'{table}."{meta.db_pk_column}" = v."__id"'
    update = f"UPDATE {table} SET {', '.join(assignments)} FROM {{rows}} WHERE {where_id}"
    width = len(rows[0])
    if connection.capabilities.dialect == "postgres":
        # one array per column: the statement's size does not grow with the rows
        types = [meta.pk.get_for_dialect("postgres", "SQL_TYPE")]
        types += [meta.fields_map[column].get_for_dialect("postgres", "SQL_TYPE") for column in columns]
        types += ["INT"] if added is not None else []
        arrays = ", ".join(f"${index + 1}::{sql_type}[]" for index, sql_type in enumerate(types))
        sql = update.format(rows=f"unnest({arrays}) AS v({value_names})")
        statuses = ", ".join(f"${width + index + 1}" for index in range(len(sources)))
        chunks = [(sql, [[row[position] for row in rows] for position in range(width)], len(rows))]
    else:
        # SQLite: the rows as VALUES, as many per statement as its parameters allow
        statuses = ", ".join(["?"] * len(sources))
        row_markers = "(" + ", ".join(["?"] * width) + ")"
        per_statement = max(1, (_SQLITE_PARAMETERS - len(sources)) // width)
        chunks = []
        for offset in range(0, len(rows), per_statement):
            chunk = rows[offset : offset + per_statement]
            values = ", ".join([row_markers] * len(chunk))
            sql = f"WITH v({value_names}) AS (VALUES {values}) " + update.format(rows="v")
            chunks.append((sql, [value for row in chunk for value in row], len(chunk)))
    for sql, params, expected in chunks:
        compare_and_set = f'{sql} AND {table}."status" IN ({statuses})'
        matched, _rows = await connection.execute_query(compare_and_set, [*params, *sources])
        if matched != expected:
            raise RunMovedOn(f"{expected - matched} of {expected} rows of {meta.db_table} moved on")


def _stored(value: Any) -> Any:
    # status enums go to the database as their stored value
    return value.value if isinstance(value, enum.Enum) else value
