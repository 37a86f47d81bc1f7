"""DataLoaders: every field that reads related rows goes through one, so a page of runs
costs a fixed number of SQL statements whatever its size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from models import Project, Run, RunTag, Signal, StepRun, Workflow, WorkflowVersion

M = TypeVar("M", bound=Model)
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")


def _by_id(model: type[M]) -> Callable[[list[str]], Awaitable[list[M | None]]]:
    async def load(keys: list[str]) -> list[M | None]:
        rows = await model.filter(id__in=keys)
        found = {str(row.pk): row for row in rows}
        return [found.get(key) for key in keys]

    return load


def _grouped(model: type[M], column: str, order: Sequence[str]) -> Callable[[list[str]], Awaitable[list[list[M]]]]:
    async def load(keys: list[str]) -> list[list[M]]:
        rows = await model.filter(**{f"{column}__in": keys}).order_by(*order)
        groups: dict[str, list[M]] = defaultdict(list)
        for row in rows:
            groups[str(getattr(row, column))].append(row)
        return [groups.get(key, []) for key in keys]

    return load


async def _load_versions(keys: list[str]) -> list[list[WorkflowVersion]]:
    return await _grouped(WorkflowVersion, "workflow_id", ("version",))(keys)


class Loaders:
    """One set per request (or per subscription event)."""

    def __init__(self) -> None:
        self.project = DataLoader(load_fn=_by_id(Project))
        self.workflow = DataLoader(load_fn=_by_id(Workflow))
        self.run = DataLoader(load_fn=_by_id(Run))
        self.step = DataLoader(load_fn=_by_id(StepRun))
        self.steps_by_run = DataLoader(load_fn=_grouped(StepRun, "run_id", ("position", "iteration", "created_at")))
        self.tags_by_run = DataLoader(load_fn=_grouped(RunTag, "run_id", ("key",)))
        self.signals_by_run = DataLoader(load_fn=_grouped(Signal, "run_id", ("received_at", "id")))
        self.children_by_run = DataLoader(load_fn=_grouped(Run, "parent_run_id", ("created_at", "id")))
        self.versions_by_workflow = DataLoader(load_fn=_load_versions)

    @staticmethod
    def key(value: uuid.UUID | str) -> str:
        return str(value)


def keys(values: Iterable[uuid.UUID | str]) -> list[str]:
    return [str(value) for value in values]


def map_loaded(loader: DataLoader[K, T], key: K, convert: Callable[[T], R]) -> R | Awaitable[R]:
    """`convert(value of key)`: at once when `loader` already holds the value, else once loaded.

    A field that returns a plain value is completed by graphql-core on the spot; an
    awaitable costs it a coroutine, and the object holding the field a gather. A page of
    runs preloads the steps and workflows it is asked for (`schema.runs.preload_page`), so
    that its runs complete without either. A value that failed to load is loaded again
    through `loader`, which raises its error in the field as before.
    """
    future = loader.cache_map.get(key) if loader.cache else None
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return convert(future.result())

    async def later() -> R:
        return convert(await loader.load(key))

    return later()
