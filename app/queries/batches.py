"""Batched reads behind the DataLoaders: many keys, one statement, rows in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

from tortoise.models import Model

from app.queries.rows import Row, RowReader

M = TypeVar("M", bound=Model)

# The text of each batched read, by its shape: a page's loaders send the same few statements
# on every request, and Tortoise takes ~70-180 us to build one (filters, pypika, SQL text).
_STATEMENTS: dict[tuple[Any, ...], str] = {}
_MOST_STATEMENTS = 2_000


async def _plain_rows(
    model: type[Model], column: str, order: Sequence[str], keys: Sequence[str], columns: Collection[str] | None
) -> list[Row]:
    """The rows of `model` whose `column` is one of `keys`, in `order` (only `columns` read when
    given), as named tuples: the statement `model.filter(column__in=keys).order_by(*order)`
    sends, its text built once per shape (dialect, model, column, order, columns, number of
    keys) when its parameters are the keys themselves."""
    connection = model._meta.db
    reader = RowReader.of(model)
    shape = (
        connection.capabilities.dialect,
        model,
        column,
        tuple(order),
        None if columns is None else frozenset(columns),
        len(keys),
    )
    sql = _STATEMENTS.get(shape)
    parameters: list[Any] = list(keys)
    if sql is None:
        query = model.filter(**{f"{column}__in": list(keys)}).order_by(*order)
        sql, parameters = reader.statement(query, columns)
        if parameters == list(keys):
            if len(_STATEMENTS) >= _MOST_STATEMENTS:
                _STATEMENTS.clear()
            _STATEMENTS[shape] = sql
    _, records = await connection.execute_query(sql, parameters)
    return reader.rows(records)


async def rows_by_id(model: type[M], keys: Sequence[str], *, plain: bool = False) -> list[M | Row | None]:
    """The row of `model` with each id in `keys` (None where there is none), in the keys' order;
    `plain`: as named tuples (app.queries.rows) instead of model objects."""
    pk = model._meta.pk_attr
    if plain:
        rows: Sequence[M | Row] = await _plain_rows(model, model._meta.pk_attr, (), keys, None)
    else:
        rows = await model.filter(id__in=list(keys))
    found = {str(getattr(row, pk)): row for row in rows}
    return [found.get(key) for key in keys]


async def rows_grouped(
    model: type[M],
    column: str,
    order: Sequence[str],
    keys: Sequence[str],
    *,
    plain: bool = False,
    columns: Collection[str] | None = None,
) -> list[list[M | Row]]:
    """The rows of `model` whose `column` is each of `keys`, in `order`: one list per key, in the keys' order;
    `plain`: as named tuples (app.queries.rows) instead of model objects, reading only `columns`
    (and `column`) when given (the rows' other attributes None)."""
    if columns is not None and not plain:
        raise ValueError("only plain rows read some of the columns")
    if plain:
        read = None if columns is None else {*columns, column}
        rows: Sequence[M | Row] = await _plain_rows(model, column, order, keys, read)
    else:
        rows = await model.filter(**{f"{column}__in": list(keys)}).order_by(*order)
    groups: dict[str, list[M | Row]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, column))].append(row)
    return [groups.get(key, []) for key in keys]
