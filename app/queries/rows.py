"""Rows read as plain named tuples instead of model objects (issue 9): the read path of a page
of runs, its steps and its workflows builds no Tortoise model.

A row has the model's attribute names (`id`, `status`, `workflow_id`, ...) and the values its
model would hold (enums, datetimes, UUIDs, decoded JSON), so code that reads a model's fields
reads a row the same way; it has no methods, relations or `save`.

The records come from the driver as it returns them (asyncpg's `Record`, sqlite3's `Row`, or
a dict), and one generated function per model turns a record into a row: a column the driver
already returns as the model holds it is taken as it is, the others through a converter that
takes the common case inline (a timezone-aware datetime, a UUID, an enum's value, a bool) and
hands anything else to the model field's own `to_python_value`, so a row holds exactly what
`Model._init_from_db` would.
"""

from __future__ import annotations

import datetime
import enum
import uuid
from collections import namedtuple
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias

from tortoise.fields import BooleanField, DatetimeField, Field, JSONField, UUIDField
from tortoise.fields.data import CharEnumFieldInstance, IntEnumFieldInstance
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.timezone import get_default_timezone, get_use_tz

# a named tuple with the model's attribute names (see RowReader)
Row: TypeAlias = Any


class RowReader:
    """How one model's records become named tuples, converting each column as the model would
    (`Model._init_from_db`: driver-native columns as they are, the rest through the field)."""

    _readers: dict[type[Model], RowReader] = {}

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.sources = _sources(model)
        columns: list[tuple[str, str, Callable[[Any], Any] | None]] = []
        for column, attribute, _field in meta.db_native_fields:
            columns.append((column, attribute, None))
        for column, attribute, field in meta.db_default_fields:
            columns.append((column, attribute, converter(field)))
        for column, attribute, field in meta.db_complex_fields:
            columns.append((column, attribute, converter(field)))
        self.columns = tuple(column for column, _, _ in columns)
        self.attributes = tuple(attribute for _, attribute, _ in columns)
        self.row_class: Any = namedtuple(f"{model.__name__}Row", self.attributes)  # type: ignore[misc]
        namespace: dict[str, Any] = {"new": tuple.__new__, "R": self.row_class}
        values = []
        for index, (column, _, convert) in enumerate(columns):
            if convert is None:
                values.append(f"r[{column!r}]")
            else:
                namespace[f"c{index}"] = convert
                values.append(f"c{index}(r[{column!r}])")
        source = f"def from_record(r):\n    return new(R, ({', '.join(values)},))\n"
        exec(compile(source, f"<rows of {model.__name__}>", "exec"), namespace)
        self.from_record: Callable[[Any], Row] = namespace["from_record"]
        """A row from a record that gives each column by name (a dict, asyncpg's Record, sqlite3's Row)."""

    @classmethod
    def of(cls, model: type[Model]) -> RowReader:
        """The reader of `model` for the connection Tortoise holds now (a re-initialised
        Tortoise, e.g. on another database, rebuilds the model's column lists)."""
        reader = cls._readers.get(model)
        current = _sources(model)
        if reader is None or any(a is not b for a, b in zip(reader.sources, current, strict=True)):
            reader = cls._readers[model] = cls(model)
        return reader

    def from_records(self, records: Iterable[Any]) -> list[Row]:
        return list(map(self.from_record, records))

    async def fetch(self, query: QuerySet[Any]) -> list[Row]:
        """The rows `query` selects (its filters and order; all of the model's columns).

        The statement is the one awaiting `query` sends, executed through the connection, and
        its records are converted here as `Model._init_from_db` converts them, without model
        objects or the dicts `execute_query_dict` would build first."""
        query._choose_db_if_not_chosen()
        query._make_query()
        _, records = await query._db.execute_query(*query.query.get_parameterized_sql())
        return list(map(self.from_record, records))


def _sources(model: type[Model]) -> tuple[Any, ...]:
    meta = model._meta
    return (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields, get_use_tz(), get_default_timezone())


def converter(field: Field[Any]) -> Callable[[Any], Any]:
    """`field.to_python_value`, with the common case of its kind of field taken first."""
    slow = field.to_python_value
    if isinstance(field, DatetimeField) and get_use_tz():
        return _datetimes(slow, get_default_timezone())
    if isinstance(field, UUIDField):
        return lambda value: value if value is None or isinstance(value, uuid.UUID) else slow(value)
    if isinstance(field, BooleanField):
        return lambda value: value if value is True or value is False or value is None else slow(value)
    if type(field) in (CharEnumFieldInstance, IntEnumFieldInstance):
        enum_type: type[enum.Enum] = field.enum_type  # type: ignore[attr-defined]
        members = dict(enum_type._value2member_map_)
        if all(type(member) is enum_type for member in members.values()):

            def enum_member(value: Any) -> Any:
                member = members.get(value) if value is not None else None
                return member if member is not None else slow(value)

            return enum_member
    if isinstance(field, JSONField):
        return lambda value: None if value is None else slow(value)
    return slow


def _datetimes(slow: Callable[[Any], Any], zone: datetime.tzinfo) -> Callable[[Any], Any]:
    """A DatetimeField's conversion with `use_tz`: an aware datetime (PostgreSQL's) or ISO text
    with an offset (how SQLite stores them) is put in the default zone; the rest (naive values,
    integers, other formats) goes to the field."""
    from_text = datetime.datetime.fromisoformat
    kind = datetime.datetime

    def convert(value: Any) -> Any:
        if type(value) is str:
            try:
                parsed = from_text(value)
            except ValueError:
                return slow(value)
            return parsed.astimezone(zone) if parsed.tzinfo is not None else slow(value)
        if type(value) is kind and value.tzinfo is not None:
            return value.astimezone(zone)
        return None if value is None else slow(value)

    return convert


def model_rows(model: type[Model], query: QuerySet[Any]) -> Any:
    """An awaitable of `query`'s rows as named tuples of `model`."""
    return RowReader.of(model).fetch(query)


__all__ = ["Row", "RowReader", "converter", "model_rows"]
