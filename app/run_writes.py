"""A RunTransaction's writes on PostgreSQL, sent together: one statement where there were many.

Each status change is still a compare-and-set (`UPDATE ... WHERE id = ? AND status IN
(allowed)`), but a batched transaction (the engine's) holds them back and sends them at the
end, with the run's `event_seq`, its counters and the events, as one statement of
data-modifying CTEs: a step's completion, the next step's queueing and start (merged into one
UPDATE of that row: "claim and start" in one write) and their events cost one round trip.
A compare-and-set that matches nothing still raises InvalidTransition naming the current
status, and the transaction rolls back, so nothing is written; a read of the run's rows
within the transaction (`write()`) sends what is held back first.

The run row is locked (`SELECT ... FOR UPDATE`) for the whole transaction, and so are the
step rows' status changes (every writer of a step's status locks its run first), so the
compare-and-sets hold, as they did one by one.

`read_run_and_steps` reads the locked run and its steps in one statement (see its docstring
for why that is safe).
"""

from __future__ import annotations

import dataclasses
import enum
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from app.errors import InvalidTransition
from models import Run, RunEvent, StepRun

__all__ = ["BatchedWrites", "CounterMove", "PendingChange", "RunMovedOn", "read_run_and_steps"]

CAS_FAILED = "compare-and-set matched nothing:"


class RunMovedOn(Exception):
    """An optimistic transaction wrote nothing: the run changed since it was read (try again)."""


def _stored(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


@dataclasses.dataclass
class PendingChange:
    """The compare-and-set held back for one row: the statuses its first change allowed, and
    every column the changes since then set (later values win)."""

    row_id: uuid.UUID
    sources: tuple[str, ...]
    values: dict[str, Any]
    # for the error: "cannot <change> step 'x'"
    describe: str


@dataclasses.dataclass(frozen=True)
class CounterMove:
    """One upsert of run_counts: `delta` runs of (project, workflow, status, private)."""

    project_id: str
    workflow_id: str
    status: str
    private: bool
    delta: int


class _Statement:
    def __init__(self) -> None:
        self.params: list[Any] = []
        self.ctes: list[str] = []
        self.checks: list[tuple[str, PendingChange, type[Model]]] = []

    def marker(self, value: Any) -> str:
        self.params.append(value)
        return f"${len(self.params)}"

    def compare_and_set(
        self,
        name: str,
        model: type[Model],
        change: PendingChange,
        extra: Sequence[str] = (),
        condition: str = "",
    ) -> None:
        meta = model._meta
        assignments = [
            f'"{meta.fields_db_projection[column]}" = '
            + self.marker(meta.fields_map[column].to_db_value(_stored(value), model))
            for column, value in change.values.items()
        ]
        assignments += extra
        where_id = f'"{meta.db_pk_column}" = {self.marker(meta.pk.to_db_value(change.row_id, model))}'
        statuses = ", ".join(self.marker(status) for status in change.sources)
        self.ctes.append(
            f'{name} AS (UPDATE "{meta.db_table}" SET {", ".join(assignments)} '
            f'WHERE {where_id} AND "status" IN ({statuses}){condition} RETURNING 1)'
        )
        self.checks.append((name, change, model))

    def insert_if(self, name: str, row: Any, condition: str, model: type[Model]) -> None:
        """INSERT one new row when `condition` holds (INSERT ... SELECT takes the columns' types)."""
        meta = model._meta
        names = [field for field in meta.fields_db_projection if not meta.fields_map[field].generated]
        columns = ", ".join(f'"{meta.fields_db_projection[field]}"' for field in names)
        values = ", ".join(
            self.marker(meta.fields_map[field].to_db_value(getattr(row, field), model)) for field in names
        )
        self.ctes.append(f'{name} AS (INSERT INTO "{meta.db_table}" ({columns}) SELECT {values} WHERE {condition})')

    def insert(self, name: str, rows: Sequence[Any], model: type[Model] | None = None) -> None:
        """A multi-row INSERT of new instances of one model (generated columns left to the database);
        with `model`, the rows may be any objects with that model's attributes."""
        meta = (model or type(rows[0]))._meta
        names = [field for field in meta.fields_db_projection if not meta.fields_map[field].generated]
        columns = ", ".join(f'"{meta.fields_db_projection[field]}"' for field in names)
        values = ", ".join(
            "("
            + ", ".join(self.marker(meta.fields_map[field].to_db_value(getattr(row, field), row)) for field in names)
            + ")"
            for row in rows
        )
        self.ctes.append(f'{name} AS (INSERT INTO "{meta.db_table}" ({columns}) VALUES {values})')


class BatchedWrites:
    """The held-back compare-and-sets of one RunTransaction on PostgreSQL, and its last write."""

    def __init__(self, connection: BaseDBAsyncClient, *, defer: bool) -> None:
        self.connection = connection
        self.defer = defer
        self.steps: dict[uuid.UUID, PendingChange] = {}
        self.run: PendingChange | None = None
        # new rows (a new run, its steps and tags) and their model, inserted first, in this order
        self.inserts: list[tuple[Sequence[Any], type[Model]]] = []

    def hold_step(
        self, step_id: uuid.UUID, sources: Iterable[enum.Enum], values: Mapping[str, Any], describe: str
    ) -> None:
        held = self.steps.get(step_id)
        if held is None:
            self.steps[step_id] = PendingChange(step_id, tuple(_stored(s) for s in sources), dict(values), describe)
        else:
            held.values.update(values)

    def hold_run(
        self, run_id: uuid.UUID, sources: Iterable[enum.Enum], values: Mapping[str, Any], describe: str
    ) -> None:
        if self.run is None:
            self.run = PendingChange(run_id, tuple(_stored(s) for s in sources), dict(values), describe)
        else:
            self.run.values.update(values)

    def hold_insert(self, rows: Sequence[Any], model: type[Model]) -> None:
        if rows:
            self.inserts.append((rows, model))

    def discard(self) -> None:
        self.steps.clear()
        self.run = None
        self.inserts = []

    async def write(self) -> None:
        """Send the held-back writes now (before a read of the run's rows)."""
        if self.steps or self.run is not None or self.inserts:
            await self.finish(run_id=None, seq_increment=0, updated_at=None, counters=(), events=())

    async def finish(
        self,
        *,
        run_id: uuid.UUID | None,
        seq_increment: int,
        updated_at: Any,
        counters: Sequence[CounterMove],
        events: Sequence[Any],
        expected_seq: int | None = None,
    ) -> None:
        """One statement: the held-back compare-and-sets, the run's event_seq moved on by
        `seq_increment`, the counters and the events.

        With `expected_seq` (an optimistic transaction, sent outside any transaction: one
        statement is atomic), everything is written only if the run's `event_seq` is still
        `expected_seq`, else nothing and RunMovedOn; a compare-and-set that fails while the
        run has not moved on makes the statement fail, so again nothing is written.
        """
        statement = _Statement()
        if any(model is Run and row.id == run_id for new_rows, model in self.inserts for row in new_rows):
            # a new run inserted by this statement already carries its event_seq
            seq_increment = 0
        run_meta = Run._meta
        seq: list[str] = []
        if seq_increment:
            assert run_id is not None
            seq = [f'"event_seq" = "event_seq" + {statement.marker(seq_increment)}']
        guard = ""
        if expected_seq is not None:
            assert run_id is not None and not self.inserts
            # the run's row first: every other write waits on it (`EXISTS (SELECT 1 FROM r)`)
            if self.run is None or "updated_at" not in self.run.values:
                updated = statement.marker(run_meta.fields_map["updated_at"].to_db_value(updated_at, Run))
                seq.append(f'"updated_at" = {updated}')
            unchanged = f' AND "event_seq" = {statement.marker(expected_seq)}'
            if self.run is not None:
                statement.compare_and_set("r", Run, self.run, seq, condition=unchanged)
            else:
                where = statement.marker(run_meta.pk.to_db_value(run_id, Run))
                statement.ctes.append(
                    f'r AS (UPDATE "runs" SET {", ".join(seq)} WHERE "id" = {where}{unchanged} RETURNING 1)'
                )
            guard = " AND EXISTS (SELECT 1 FROM r)"
        for index, (new_rows, model) in enumerate(self.inserts):
            statement.insert(f"i{index}", new_rows, model)
        for index, change in enumerate(self.steps.values()):
            statement.compare_and_set(f"s{index}", StepRun, change, condition=guard)
        if expected_seq is None:
            if self.run is not None:
                if seq and "updated_at" not in self.run.values:
                    updated = statement.marker(run_meta.fields_map["updated_at"].to_db_value(updated_at, Run))
                    seq.append(f'"updated_at" = {updated}')
                statement.compare_and_set("r", Run, self.run, seq)
            elif seq:
                assert run_id is not None
                updated = statement.marker(run_meta.fields_map["updated_at"].to_db_value(updated_at, Run))
                where = statement.marker(run_meta.pk.to_db_value(run_id, Run))
                statement.ctes.append(
                    f'r AS (UPDATE "runs" SET {seq[0]}, "updated_at" = {updated} WHERE "id" = {where})'
                )
        for index, move in enumerate(counters):
            values = ", ".join(
                statement.marker(value)
                for value in (move.project_id, move.workflow_id, move.status, move.private, move.delta)
            )
            source = f"SELECT {values} WHERE EXISTS (SELECT 1 FROM r)" if guard else f"VALUES ({values})"
            statement.ctes.append(
                f"c{index} AS (INSERT INTO run_counts (project_id, workflow_id, status, private, count) "
                f"{source} ON CONFLICT (project_id, workflow_id, status, private) "
                "DO UPDATE SET count = run_counts.count + excluded.count)"
            )
        if events and guard:
            for index, event in enumerate(events):
                statement.insert_if(f"e{index}", event, "EXISTS (SELECT 1 FROM r)", RunEvent)
        elif events:
            statement.insert("e", events, RunEvent)
        self.discard()
        if not statement.ctes:
            return
        if guard:
            await self._send_guarded(statement)
            return
        counts = ", ".join(f"(SELECT count(*) FROM {name}) AS {name}" for name, _change, _model in statement.checks)
        sql = f"WITH {', '.join(statement.ctes)} SELECT {counts or '1'}"
        _count, counted = await self.connection.execute_query(sql, statement.params)
        for name, change, model in statement.checks:
            if counted[0][name] != 1:
                current = (
                    await model.filter(id=change.row_id).using_db(self.connection).values_list("status", flat=True)
                )
                status = current[0] if current else "gone"
                raise InvalidTransition(f"{change.describe}: it is {getattr(status, 'value', status)}")

    async def _send_guarded(self, statement: _Statement) -> None:
        steps_matched = " AND ".join(
            f"(SELECT count(*) FROM {name}) = 1" for name, _change, _model in statement.checks if name != "r"
        )
        # a compare-and-set that matched nothing though the run had not moved on: fail the
        # statement (an error at run time, so its writes are undone with it)
        sql = (
            f"WITH {', '.join(statement.ctes)} SELECT CASE WHEN (SELECT count(*) FROM r) = 0"
            f"{' OR (' + steps_matched + ')' if steps_matched else ' OR TRUE'} "
            f"THEN (SELECT count(*) FROM r) ELSE CAST('{CAS_FAILED}' || (SELECT count(*) FROM r) AS int) END AS r"
        )
        try:
            _count, counted = await self.connection.execute_query(sql, statement.params)
        except Exception as exc:
            if CAS_FAILED in str(exc):
                raise RunMovedOn("a step moved on though its run did not") from None
            raise
        if counted[0]["r"] != 1:
            raise RunMovedOn("the run moved on since it was read")


# SELECT statements by whether they lock the run (the column lists are fixed per process)
_READ_SQL: dict[bool, str] = {}


async def read_run_and_steps(
    connection: BaseDBAsyncClient, run_id: uuid.UUID, *, lock: bool = True
) -> tuple[Run, list[StepRun] | None] | None:
    """The run, locked (`FOR UPDATE`) unless `lock` is false, and its steps in their order, in
    one statement; None when there is no such run.

    The steps come back as None when they may be older than the lock: a statement reads with
    the snapshot taken when it started, and when it waited for the lock behind another
    transaction over the run, the steps that transaction changed are not in that snapshot
    (the locked run row itself is read afresh). Every transaction that changes a step appends
    an event and so moves the run's `event_seq` on: the steps are current when the snapshot's
    `event_seq` is the locked row's. Otherwise the caller reads them again.
    """
    sql = _READ_SQL.get(lock)
    if sql is None:
        run_columns = ", ".join(f'r."{column}"' for column in Run._meta.fields_db_projection.values())
        sql = _READ_SQL[lock] = (
            f"SELECT {run_columns}, "
            '(SELECT array_agg(s ORDER BY s."position", s."iteration", s."created_at") '
            'FROM "step_runs" s WHERE s."run_id" = r."id") AS "__steps", '
            '(SELECT "event_seq" FROM "runs" WHERE "id" = $1) AS "__seq_read" '
            'FROM "runs" r WHERE r."id" = $1' + (" FOR UPDATE OF r" if lock else "")
        )
    _count, rows = await connection.execute_query(sql, [Run._meta.pk.to_db_value(run_id, Run)])
    if not rows:
        return None
    row = dict(rows[0])
    raw_steps = row.pop("__steps")
    seq_read = row.pop("__seq_read")
    run = Run._init_from_db(**row)
    if seq_read != run.event_seq:
        return run, None
    return run, [StepRun._init_from_db(**dict(step)) for step in raw_steps or ()]
