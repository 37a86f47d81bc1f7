"""Plain rows on the read path: a row holds what the model would (enums, datetimes, UUIDs,
decoded JSON). The page of runs that reads them: tests/schema/test_run_pages.py."""

from __future__ import annotations

from tortoise.models import Model

from app.enums import Priority, RunStatus, StepType
from app.queries import RowReader, list_runs, rows_by_id, rows_grouped
from models import Run, StepRun
from tests.queries.factory import at, make_project, make_run, make_workflow, superadmin


async def test_a_row_holds_what_the_model_holds(db):
    project = await make_project()
    flow = await make_workflow(project)
    run = await make_run(
        project, flow, status=RunStatus.FAILED, priority=Priority.HIGH, input={"a": [1, 2]}, started_at=at(3)
    )
    model = (await list_runs(superadmin())).items[0]
    row = (await list_runs(superadmin(), plain=True)).items[0]
    assert not isinstance(row, Model)
    for attribute in RowReader.of(Run).attributes:
        assert getattr(row, attribute) == getattr(model, attribute), attribute
    assert row.status is RunStatus.FAILED and row.priority is Priority.HIGH and row.input == {"a": [1, 2]}
    assert row.id == run.id and row.workflow_id == flow.id and row.started_at == at(3)
    await StepRun.create(run=run, ref="s1", type=StepType.SLEEP, output={"x": 1.5}, created_at=at(4), due_at=at(9))
    [models] = await rows_grouped(StepRun, "run_id", ("position",), [str(run.id)])
    [rows] = await rows_grouped(StepRun, "run_id", ("position",), [str(run.id)], plain=True)
    assert [step.ref for step in rows] == ["s1"] and not isinstance(rows[0], Model)
    for attribute in RowReader.of(StepRun).attributes:
        assert getattr(rows[0], attribute) == getattr(models[0], attribute), attribute
    assert rows[0].type is StepType.SLEEP and rows[0].due_at == at(9)


async def test_each_converter_gives_what_the_field_gives(db):
    """The inline cases of `converter` (app.queries.rows) against the fields' own
    `to_python_value`, over what either driver returns and the odd values that take the slow path."""
    import datetime as dt
    import uuid

    from app.queries import converter

    fields = {**Run._meta.fields_map, **StepRun._meta.fields_map}
    east = dt.timezone(dt.timedelta(hours=3))
    values: dict[str, list[object]] = {
        "created_at": [
            None,
            dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
            dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=east),
            dt.datetime(2026, 1, 2, 3, 4, 5),
            "2026-01-02T03:04:05.678901+00:00",
            "2026-01-02 03:04:05+03:00",
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05",
        ],
        "id": [None, uuid.UUID(int=7), str(uuid.UUID(int=9))],
        "dry_run": [None, True, False, 0, 1],
        "status": [None, "FAILED", "RUNNING"],
        "priority": [None, 0, 1, 2],
        "input": [None, '{"a": [1, 2]}', "[]", "null"],
    }
    for name, inputs in values.items():
        convert = converter(fields[name])
        for value in inputs:
            expected = fields[name].to_python_value(value)
            got = convert(value)
            assert got == expected and type(got) is type(expected), (name, value)
            if isinstance(expected, dt.datetime):
                assert got.utcoffset() == expected.utcoffset() and got.isoformat() == expected.isoformat(), value


class Record:
    """A record as the drivers give them: each column by name and by position, in `keys()` order."""

    def __init__(self, columns: dict[str, object]) -> None:
        self.columns = columns
        self.values = list(columns.values())

    def keys(self) -> list[str]:
        return list(self.columns)

    def __getitem__(self, key: int | str) -> object:
        return self.values[key] if isinstance(key, int) else self.columns[key]


async def test_rows_read_by_position_are_the_rows_read_by_name_in_any_column_order(db):
    import pytest
    from tortoise.exceptions import FieldError

    project = await make_project()
    run = await make_run(project, await make_workflow(project))
    await StepRun.create(
        run=run, ref="s1", type=StepType.TASK, output={"x": [1.5, None]}, depends_on=["a"], created_at=at(3)
    )
    await StepRun.create(run=run, ref="s2", type=StepType.SLEEP, input=[{"k": "v"}], created_at=at(4), due_at=at(9))
    reader = RowReader.of(StepRun)
    by_name = await reader.fetch(StepRun.filter(run_id=run.id).order_by("ref"))
    records = [Record({column: _raw(column, getattr(row, column)) for column in reader.columns}) for row in by_name]
    for order in (list(reader.columns), list(reversed(reader.columns))):
        reordered = [Record({column: record.columns[column] for column in order}) for record in records]
        assert reader.rows(reordered) == [reader.from_record(record) for record in reordered] == by_name
    # a JSON column that does not decode raises what the model's field raises
    broken = [Record({**records[0].columns, "output": "{not json"})]
    with pytest.raises(FieldError, match="is invalid json value"):
        reader.rows(broken)
    # some of the columns: those as read in full, the others None; the same error
    some = ("output", "ref", "id", "run_id")
    narrow = await reader.fetch(StepRun.filter(run_id=run.id).order_by("ref"), some)
    assert [row.output for row in narrow] == [{"x": [1.5, None]}, None] and [row.ref for row in narrow] == ["s1", "s2"]
    assert narrow[0].depends_on is None and narrow[1].input is None and narrow[1].due_at is None
    for row, full in zip(narrow, by_name, strict=True):
        assert all(getattr(row, a) == (getattr(full, a) if a in some else None) for a in reader.attributes)
    with pytest.raises(FieldError, match="is invalid json value"):
        reader.rows([Record({column: broken[0].columns[column] for column in some})])
    with pytest.raises(ValueError, match="no columns"):
        await reader.fetch(StepRun.filter(run_id=run.id), ("ref", "nonsense"))


def _raw(column: str, value: object) -> object:
    """What a driver returns for a value a step's row holds (JSON as text, enums as their value)."""
    import enum
    import json

    if isinstance(value, enum.Enum):
        return value.value
    if column in {"input", "output", "depends_on", "config", "retry"} and value is not None:
        return json.dumps(value)
    return value


async def test_batched_reads_of_the_same_shape_read_each_their_own_keys(db):
    """The text of a batched read is kept per shape (app.queries.batches); the keys of each read
    are its own parameters."""
    project = await make_project()
    flow = await make_workflow(project)
    runs = [await make_run(project, flow, created_at=at(i)) for i in range(4)]
    for number, run in enumerate(runs):
        await StepRun.create(run=run, ref=f"s{number}", type=StepType.SLEEP, created_at=at(10 + number))
    for pair in ([runs[0], runs[1]], [runs[2], runs[3]], [runs[3], runs[0]]):
        keys = [str(run.id) for run in pair]
        grouped = await rows_grouped(StepRun, "run_id", ("position",), keys, plain=True, columns={"ref"})
        assert [[step.ref for step in steps] for steps in grouped] == [[f"s{runs.index(run)}"] for run in pair]
        found = await rows_by_id(Run, keys, plain=True)
        assert [row.id for row in found] == [run.id for run in pair]
