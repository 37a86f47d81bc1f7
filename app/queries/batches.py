"""Batched reads behind the DataLoaders: many keys, one statement, rows in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from typing import TypeVar

from tortoise.models import Model

from app.queries.rows import Row, model_rows

M = TypeVar("M", bound=Model)


async def rows_by_id(model: type[M], keys: Sequence[str], *, plain: bool = False) -> list[M | Row | None]:
    """The row of `model` with each id in `keys` (None where there is none), in the keys' order;
    `plain`: as named tuples (app.queries.rows) instead of model objects."""
    query = model.filter(id__in=list(keys))
    rows = await (model_rows(model, query) if plain else query)
    pk = model._meta.pk_attr
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
    query = model.filter(**{f"{column}__in": list(keys)}).order_by(*order)
    if columns is not None and not plain:
        raise ValueError("only plain rows read some of the columns")
    read = None if columns is None else {*columns, column}
    rows = await (model_rows(model, query, read) if plain else query)
    groups: dict[str, list[M | Row]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, column))].append(row)
    return [groups.get(key, []) for key in keys]
