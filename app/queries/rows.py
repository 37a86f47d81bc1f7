"""Rows read as plain named tuples instead of model objects (issue 9): the read path of a page
of runs, its steps and its workflows builds no Tortoise model.

A row has the model's attribute names (`id`, `status`, `workflow_id`, ...) and the values its
model would hold (enums, datetimes, UUIDs, decoded JSON), so code that reads a model's fields
reads a row the same way; it has no methods, relations or `save`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable
from typing import Any, TypeAlias

from tortoise.models import Model
from tortoise.queryset import QuerySet

# a named tuple with the model's attribute names (see RowReader)
Row: TypeAlias = Any


def _same(value: Any) -> Any:
    return value


class RowReader:
    """How one model's rows become named tuples, converting each column as the model would
    (`Model._init_from_db`: driver-native columns as they are, the rest through the field)."""

    _readers: dict[type[Model], RowReader] = {}

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.sources = (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields)
        columns: list[tuple[str, str, Callable[[Any], Any]]] = []
        for column, attribute, _field in meta.db_native_fields:
            columns.append((column, attribute, _same))
        for column, attribute, field in meta.db_default_fields:
            columns.append((column, attribute, _default_converter(field.field_type)))
        for column, attribute, field in meta.db_complex_fields:
            columns.append((column, attribute, field.to_python_value))
        self.columns = tuple(column for column, _, _ in columns)
        self.attributes = tuple(attribute for _, attribute, _ in columns)
        self.converters = tuple(converter for _, _, converter in columns)
        self.pairs = tuple(zip(self.columns, self.converters, strict=True))
        self.row_class: Any = namedtuple(f"{model.__name__}Row", self.attributes)  # type: ignore[misc]

    @classmethod
    def of(cls, model: type[Model]) -> RowReader:
        """The reader of `model` for the connection Tortoise holds now (a re-initialised
        Tortoise, e.g. on another database, rebuilds the model's column lists)."""
        reader = cls._readers.get(model)
        meta = model._meta
        current = (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields)
        if reader is None or any(a is not b for a, b in zip(reader.sources, current, strict=True)):
            reader = cls._readers[model] = cls(model)
        return reader

    def from_record(self, record: dict[str, Any]) -> Row:
        """A row from a record keyed by column, as `execute_query_dict` returns it."""
        return self.row_class._make([convert(record[column]) for column, convert in self.pairs])

    async def fetch(self, query: QuerySet[Any]) -> list[Row]:
        """The rows `query` selects (its filters and order; all of the model's columns).

        The statement is the one awaiting `query` sends; its records are converted here, as
        `Model._init_from_db` converts them, instead of into model objects. (Tortoise's own
        `values_list` converts each column through a generic per-field call, which cost more
        than the model objects it saves on a page of steps.)"""
        query._choose_db_if_not_chosen()
        query._make_query()
        records = await query._db.execute_query_dict(*query.query.get_parameterized_sql())
        return [self.from_record(record) for record in records]


def _default_converter(field_type: type) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return None if value is None else field_type(value)

    return convert


def model_rows(model: type[Model], query: QuerySet[Any]) -> Any:
    """An awaitable of `query`'s rows as named tuples of `model`."""
    return RowReader.of(model).fetch(query)


__all__ = ["Row", "RowReader", "model_rows"]
