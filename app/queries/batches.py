"""Batched reads behind the DataLoaders: many keys, one statement, rows in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

from tortoise.models import Model

M = TypeVar("M", bound=Model)


async def rows_by_id(model: type[M], keys: Sequence[str]) -> list[M | None]:
    """The row of `model` with each id in `keys` (None where there is none), in the keys' order."""
    rows = await model.filter(id__in=list(keys))
    found = {str(row.pk): row for row in rows}
    return [found.get(key) for key in keys]


async def rows_grouped(model: type[M], column: str, order: Sequence[str], keys: Sequence[str]) -> list[list[M]]:
    """The rows of `model` whose `column` is each of `keys`, in `order`: one list per key, in the keys' order."""
    rows = await model.filter(**{f"{column}__in": list(keys)}).order_by(*order)
    groups: dict[str, list[M]] = defaultdict(list)
    for row in rows:
        groups[str(getattr(row, column))].append(row)
    return [groups.get(key, []) for key in keys]
