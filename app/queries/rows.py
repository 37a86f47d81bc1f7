"""Rows read as plain named tuples instead of model objects (issue 9): the read path of a page
of runs, its steps and its workflows builds no Tortoise model.

A row has the model's attribute names (`id`, `status`, `workflow_id`, ...) and the values its
model would hold (enums, datetimes, UUIDs, decoded JSON), so code that reads a model's fields
reads a row the same way; it has no methods, relations or `save`.

The records come from the driver as it returns them (asyncpg's `Record`, sqlite3's `Row`, or
a dict), and one generated function per model turns a record into a row: a column the driver
already returns as the model holds it is taken as it is, the others through a converter that
takes the common case inline (a timezone-aware datetime, a UUID, an enum's value, a bool) and
hands anything else to the model field's own `to_python_value`, so a row holds what
`Model._init_from_db` would (a UTC instant, when the default zone is UTC, with the driver's
`datetime.UTC` rather than the model's equal zone: the same instant, offset and isoformat).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import uuid
from collections import namedtuple
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeAlias

import orjson
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
        fields: list[tuple[str, str, Field[Any] | None]] = [
            (column, attribute, None) for column, attribute, _ in meta.db_native_fields
        ]
        fields += [(column, attribute, field) for column, attribute, field in meta.db_default_fields]
        fields += [(column, attribute, field) for column, attribute, field in meta.db_complex_fields]
        self.columns = tuple(column for column, _, _ in fields)
        self.attributes = tuple(attribute for _, attribute, _ in fields)
        self.row_class: Any = namedtuple(f"{model.__name__}Row", self.attributes)  # type: ignore[misc]
        namespace: dict[str, Any] = {"new": tuple.__new__, "R": self.row_class}
        values = []
        for index, (column, _, field) in enumerate(fields):
            if field is None:
                values.append(f"r[{column!r}]")
                continue
            conversion = _conversion(field, f"k{index}_")
            namespace.update(conversion.constants)
            values.append(conversion.expression(f"r[{column!r}]"))
        source = f"def from_record(r):\n    return new(R, ({''.join(value + ', ' for value in values)}))\n"
        exec(compile(source, f"<rows of {model.__name__}>", "exec"), namespace)
        self.from_record: Callable[[Any], Row] = namespace["from_record"]
        """A row from a record that gives each column by name (a dict, asyncpg's Record, sqlite3's Row)."""
        self._fields = fields
        self._model_name = model.__name__
        # generated readers by the records' shape: ("position", column order) or ("name", columns)
        self._fast: dict[tuple[str, Any], Callable[[Sequence[Any]], list[Row]]] = {}
        self._checked: dict[tuple[str, Any], Callable[[Sequence[Any]], list[Row]]] = {}

    @classmethod
    def of(cls, model: type[Model]) -> RowReader:
        """The reader of `model` for the connection Tortoise holds now (a re-initialised
        Tortoise, e.g. on another database, rebuilds the model's column lists)."""
        reader = cls._readers.get(model)
        current = _sources(model)
        if reader is None or any(a is not b for a, b in zip(reader.sources, current, strict=True)):
            reader = cls._readers[model] = cls(model)
        return reader

    async def fetch(self, query: QuerySet[Any], columns: Collection[str] | None = None) -> list[Row]:
        """The rows `query` selects (its filters and order; all of the model's columns, or only
        `columns`: then the row's other attributes are None).

        The statement is the one awaiting `query` sends (with only `columns` in its select list),
        executed through the connection, and its records are converted here as
        `Model._init_from_db` converts them, without model objects or the dicts
        `execute_query_dict` would build first."""
        sql, parameters = self.statement(query, columns)
        _, records = await query._db.execute_query(sql, parameters)
        return self.rows(records)

    def statement(self, query: QuerySet[Any], columns: Collection[str] | None = None) -> tuple[str, list[Any]]:
        """The SQL text and parameters `fetch` sends for `query` and `columns`."""
        query._choose_db_if_not_chosen()
        query._make_query()
        statement = query.query
        if columns is not None:
            unknown = set(columns) - set(self.columns)
            if unknown:
                raise ValueError(f"{self._model_name} has no columns {sorted(unknown)}")
            table = query.model._meta.basetable
            statement._selects = [table[column] for column in self.columns if column in columns]
        sql, parameters = statement.get_parameterized_sql()
        return sql, list(parameters)

    def rows(self, records: Sequence[Any]) -> list[Row]:
        """The rows of records that give each column by position as well as by name (asyncpg's
        Record, sqlite3's Row), all in the same column order: every column of the model, or some
        (the rows' other attributes None).

        They are read by position, through a function generated once per column order, with
        JSON columns decoded inline; should anything there raise (a JSON column that is not
        valid JSON, say), every record is read again with the fields' own conversions (as
        `from_record` reads them), which raise what the model's field raises."""
        if not records:
            return []
        order = tuple(records[0].keys())
        if len(set(order)) != len(order) or not set(order) <= set(self.columns):
            return list(map(self.from_record, records))
        index = {column: position for position, column in enumerate(order)}
        return self._read(
            ("position", order), records, lambda column: f"r[{index[column]}]" if column in index else None
        )

    def named_rows(self, records: Sequence[Mapping[str, Any]]) -> list[Row]:
        """The rows of records that give columns by name only (dicts), all with the same keys:
        every column of the model or some (the rows' other attributes None); a key that is no
        column of the model (an expression's alias) is left out. Read as `rows` reads them."""
        if not records:
            return []
        present = frozenset(records[0].keys()) & set(self.columns)
        return self._read(("name", present), records, lambda column: f"r[{column!r}]" if column in present else None)

    def _read(self, key: tuple[str, Any], records: Sequence[Any], source: Callable[[str], str | None]) -> list[Row]:
        """`records` through the function generated once for `key` (its records' shape), whose
        column values are the expressions `source` gives (None: the column is not there)."""
        read = self._fast.get(key)
        if read is None:
            read = self._fast[key] = self._reader(source)
        try:
            return read(records)
        except Exception:
            slow = self._checked.get(key)
            if slow is None:
                slow = self._checked[key] = self._reader(source, inline_json=False)
            return slow(records)

    def _reader(
        self, source: Callable[[str], str | None], inline_json: bool = True
    ) -> Callable[[Sequence[Any]], list[Row]]:
        """A function reading records whose columns' values are the expressions `source` gives
        (the others None); `inline_json=False`: every conversion the field's own where not
        inline, so that what raises is what the field raises."""
        namespace: dict[str, Any] = {"new": tuple.__new__, "R": self.row_class}
        values = []
        for number, (column, _, field) in enumerate(self._fields):
            value = source(column)
            if value is None:
                values.append("None")
                continue
            if field is None:
                values.append(value)
                continue
            conversion = _conversion(field, f"k{number}_", inline_json=inline_json)
            namespace.update(conversion.constants)
            values.append(conversion.expression(value))
        source_text = (
            f"def read(records):\n    return [new(R, ({''.join(v + ', ' for v in values)})) for r in records]\n"
        )
        exec(compile(source_text, f"<rows of {self._model_name}>", "exec"), namespace)
        read: Callable[[Sequence[Any]], list[Row]] = namespace["read"]
        return read


def _sources(model: type[Model]) -> tuple[Any, ...]:
    meta = model._meta
    return (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields, get_use_tz(), get_default_timezone())


@dataclasses.dataclass(frozen=True)
class _Conversion:
    """A column's conversion as a Python expression of the column's value, `{v}` (evaluated
    once, into `{t}`): the common case inline, anything else through `{slow}`, the field's own
    `to_python_value`."""

    template: str
    constants: dict[str, Any]
    prefix: str

    def expression(self, value: str) -> str:
        p = self.prefix
        return (
            "("
            + self.template.format(
                v=value, t=f"{p}v", slow=f"{p}slow", z=f"{p}zone", m=f"{p}members", other=f"{p}other"
            )
            + ")"
        )


def _conversion(field: Field[Any], prefix: str, inline_json: bool = False) -> _Conversion:
    """`inline_json`: decode a JSON column's text with the field's decoder itself, when that is
    orjson's or the standard library's (errors then differ from the field's: callers that pass
    it redo the conversion through the field when anything raises)."""
    slow = field.to_python_value
    constants: dict[str, Any] = {f"{prefix}slow": slow}
    template = "{slow}({v})"
    if isinstance(field, DatetimeField) and get_use_tz():
        # an aware datetime (PostgreSQL's) into the default zone; the rest (text, naive) to the field
        zone = constants[f"{prefix}zone"] = get_default_timezone()
        constants["datetime"] = datetime.datetime
        constants[f"{prefix}other"] = _other_datetimes(slow, zone)
        kept = ""
        if getattr(zone, "key", None) == "UTC":
            # PostgreSQL's instants come in UTC already: kept as they are (equal to the model's,
            # with the same offset and isoformat), not converted to an equal zone (~1,000 a page)
            constants["UTC"] = datetime.UTC
            kept = "{t} if type({t}) is datetime and {t}.tzinfo is UTC else "
        template = (
            "None if ({t} := {v}) is None else "
            + kept
            + "{t}.astimezone({z}) if type({t}) is datetime and {t}.tzinfo is not None else {other}({t})"
        )
    elif isinstance(field, UUIDField):
        constants["UUID"] = uuid.UUID
        template = "{t} if ({t} := {v}) is None or isinstance({t}, UUID) else {slow}({t})"
    elif isinstance(field, BooleanField):
        template = "{t} if ({t} := {v}) is True or {t} is False or {t} is None else {slow}({t})"
    elif type(field) in (CharEnumFieldInstance, IntEnumFieldInstance):
        enum_type: type[enum.Enum] = field.enum_type  # type: ignore[attr-defined]
        members = dict(enum_type._value2member_map_)
        if all(type(member) is enum_type for member in members.values()):
            constants[f"{prefix}members"] = members
            template = "{t} if ({t} := {m}.get({v})) is not None else {slow}({v})"
    elif isinstance(field, JSONField):
        template = "None if ({t} := {v}) is None else {slow}({t})"
        decoder = field.decoder
        if inline_json and decoder in (orjson.loads, json.loads) and not hasattr(field.field_type, "model_fields"):
            constants[f"{prefix}loads"] = decoder
            template = "None if ({t} := {v}) is None else " + prefix + "loads({t}) if type({t}) is str else {slow}({t})"
    return _Conversion(template, constants, prefix)


def _other_datetimes(slow: Callable[[Any], Any], zone: datetime.tzinfo) -> Callable[[Any], Any]:
    """A DatetimeField's value other than an aware datetime: ISO text with an offset (how SQLite
    stores them) parsed and put in the default zone; the rest (naive, integers, other formats,
    None) through the field."""
    from_text = datetime.datetime.fromisoformat

    def convert(value: Any) -> Any:
        if type(value) is str:
            try:
                parsed = from_text(value)
            except ValueError:
                return slow(value)
            if parsed.tzinfo is not None:
                return parsed.astimezone(zone)
        return slow(value)

    return convert


def converter(field: Field[Any]) -> Callable[[Any], Any]:
    """`field.to_python_value` as the rows compute it: the common case of the field's kind
    inline, the rest through the field."""
    conversion = _conversion(field, "")
    namespace = dict(conversion.constants)
    exec(f"def convert(value):\n    return {conversion.expression('value')}\n", namespace)
    function: Callable[[Any], Any] = namespace["convert"]
    return function


__all__ = ["Row", "RowReader", "converter"]
