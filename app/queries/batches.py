"""Batched reads behind the DataLoaders: many keys, one statement, rows in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
    model: type[M], column: str, order: Sequence[str], keys: Sequence[str], *, plain: bool = False
) -> list[list[M | Row]]:
    """The rows of `model` whose `column` is each of `keys`, in `order`: one list per key, in the keys' order;
    `plain`: as named tuples (app.queries.rows) instead of model objects."""
    query = model.filter(**{f"{column}__in": list(keys)}).order_by(*order)
    rows = await (model_rows(model, query) if plain else query)
    groups: dict[str, list[M | Row]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, column))].append(row)
    return [groups.get(key, []) for key in keys]
