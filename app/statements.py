"""Plain SQL for the engine's hot path: compare-and-set updates and multi-row inserts.

Building a Tortoise query costs more CPU than the database spends running it, and the engine
makes several per step. These write the same statements Tortoise would, once per shape
(cached), with every value converted by its field's own `to_db_value`, exactly as Tortoise's
`.update()` and `bulk_create()` convert them; reads and everything off the hot path stay on
the ORM.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet

__all__ = ["compare_and_set", "insert_rows", "new_row", "placeholders", "select_models"]

M = TypeVar("M", bound=Model)

# SELECT statements by (the caller's name for the query, dialect)
_SELECT_SQL: dict[tuple[str, str], str] = {}

# UPDATE statements by (table, columns set, number of allowed statuses, dialect)
_UPDATE_SQL: dict[tuple[str, tuple[str, ...], int, str], str] = {}


def placeholders(connection: BaseDBAsyncClient, count: int, start: int = 1) -> list[str]:
    """Parameter markers in the connection's style: $1, $2 ... on PostgreSQL, ? on SQLite."""
    if connection.capabilities.dialect == "postgres":
        return [f"${n}" for n in range(start, start + count)]
    return ["?"] * count


def _stored(value: Any) -> Any:
    # status enums go to the database as their stored value
    return value.value if isinstance(value, enum.Enum) else value


async def compare_and_set(
    connection: BaseDBAsyncClient,
    model: type[Model],
    row_id: uuid.UUID,
    sources: Iterable[enum.Enum],
    values: Mapping[str, Any],
) -> int:
    """`UPDATE <table> SET ... WHERE id = ? AND status IN (sources)`: the number of rows matched."""
    meta = model._meta
    columns = tuple(values)
    allowed = [_stored(status) for status in sources]
    key = (meta.db_table, columns, len(allowed), connection.capabilities.dialect)
    sql = _UPDATE_SQL.get(key)
    if sql is None:
        markers = iter(placeholders(connection, len(columns) + 1 + len(allowed)))
        assignments = ", ".join(f'"{meta.fields_db_projection[name]}" = {next(markers)}' for name in columns)
        where_id = f'"{meta.db_pk_column}" = {next(markers)}'
        statuses = ", ".join(next(markers) for _ in allowed)
        sql = f'UPDATE "{meta.db_table}" SET {assignments} WHERE {where_id} AND "status" IN ({statuses})'
        _UPDATE_SQL[key] = sql
    params = [meta.fields_map[name].to_db_value(_stored(value), model) for name, value in values.items()]
    params.append(meta.pk.to_db_value(row_id, model))
    params.extend(allowed)
    matched, _rows = await connection.execute_query(sql, params)
    return int(matched)


# per model: (field, default) of the columns a new row writes
_NEW_ROW_DEFAULTS: dict[type[Model], list[tuple[str, Any]]] = {}


def new_row(model: type[Model], **values: Any) -> SimpleNamespace:
    """A new row of `model` for `insert_rows(..., model=model)`, without a model instance (whose
    __init__ validates and sets each field one by one: most of what a new row costs). A field
    not given takes its default (called when callable), else None, as a new instance would."""
    defaults = _NEW_ROW_DEFAULTS.get(model)
    if defaults is None:
        meta = model._meta
        defaults = _NEW_ROW_DEFAULTS[model] = [
            (name, meta.fields_map[name].default)
            for name in meta.fields_db_projection
            if not meta.fields_map[name].generated
        ]
    row = {name: default() if callable(default) else default for name, default in defaults if name not in values}
    row.update(values)
    return SimpleNamespace(**row)


async def insert_rows(connection: BaseDBAsyncClient, rows: Sequence[Any], model: type[Model] | None = None) -> None:
    """One multi-row INSERT of new model instances of one model (bulk_create sends one per row).

    Generated columns (an auto-increment id) are left to the database, so, as with
    bulk_create, those instances do not learn their id. With `model`, the rows may be any
    objects with that model's attributes.
    """
    if not rows:
        return
    meta = (model or type(rows[0]))._meta
    names = [name for name in meta.fields_db_projection if not meta.fields_map[name].generated]
    columns = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in names)
    width = len(names)
    # SQLite allows 32,766 parameters in one statement, PostgreSQL 65,535
    per_statement = max(1, 30_000 // width)
    for offset in range(0, len(rows), per_statement):
        chunk = rows[offset : offset + per_statement]
        values = ", ".join(
            f"({', '.join(placeholders(connection, width, 1 + index * width))})" for index in range(len(chunk))
        )
        params = [
            meta.fields_map[name].to_db_value(getattr(row, name), model or row) for row in chunk for name in names
        ]
        await connection.execute_query(f'INSERT INTO "{meta.db_table}" ({columns}) VALUES {values}', params)


async def select_models(
    connection: BaseDBAsyncClient,
    model: type[M],
    name: str,
    build: Callable[[], QuerySet[M]],
    params: Sequence[Any],
) -> list[M]:
    """Instances of `model` read by a query that Tortoise builds once per `name` and dialect.

    `build()` is called only the first time; it must return the same query for every call
    under one `name`, with its parameters in the order of `params` (in their database form).
    """
    key = (name, connection.capabilities.dialect)
    sql = _SELECT_SQL.get(key)
    if sql is None:
        sql = _SELECT_SQL[key] = build().sql(params_inline=False)
    _count, rows = await connection.execute_query(sql, list(params))
    return [model._init_from_db(**dict(row)) for row in rows]
