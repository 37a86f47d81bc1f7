"""DataLoaders: every field that reads related rows goes through one, so a page of runs
costs a fixed number of SQL statements whatever its size."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

from app.queries import Row, rows_by_id, rows_grouped
from app.queries.attempts import StepAttempt, step_attempts_by_run
from app.schedules import actions as schedule_actions
from models import Project, Run, RunTag, ScheduleFire, Signal, StepRun, Workflow, WorkflowVersion

M = TypeVar("M", bound=Model)
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")


def _by_id(model: type[M], plain: bool = False) -> Callable[[list[str]], Awaitable[list[M | Row | None]]]:
    return functools.partial(rows_by_id, model, plain=plain)


def _grouped(
    model: type[M], column: str, order: Sequence[str], plain: bool = False, columns: frozenset[str] | None = None
) -> Callable[[list[str]], Awaitable[list[list[M | Row]]]]:
    return functools.partial(rows_grouped, model, column, order, plain=plain, columns=columns)


STEP_ORDER = ("position", "iteration", "created_at")


class Loaders:
    """One set per request (or per subscription item that reads related rows). Each loader
    is made on first use: a request, or a websocket that only follows events, builds none
    it does not need."""

    @functools.cached_property
    def project(self) -> DataLoader[str, Project | None]:
        return DataLoader(load_fn=_by_id(Project))

    @functools.cached_property
    def workflow(self) -> DataLoader[str, Row | None]:
        """Workflows as plain rows (app.queries.rows): the workflows of a page of runs."""
        return DataLoader(load_fn=_by_id(Workflow, plain=True))

    @functools.cached_property
    def run(self) -> DataLoader[str, Run | None]:
        return DataLoader(load_fn=_by_id(Run))

    @functools.cached_property
    def step(self) -> DataLoader[str, StepRun | None]:
        return DataLoader(load_fn=_by_id(StepRun))

    @functools.cached_property
    def steps_by_run(self) -> DataLoader[str, list[Row]]:
        """Steps as plain rows (app.queries.rows): the steps of a page of runs."""
        return DataLoader(load_fn=_grouped(StepRun, "run_id", STEP_ORDER, plain=True))

    def steps_reading(self, columns: frozenset[str] | None) -> DataLoader[str, list[Row]]:
        """`steps_by_run` when `columns` is None; else a loader of the same steps reading only
        `columns` (the rows' other attributes None), one per set of columns: only a page of runs
        whose selection reads no other column of its steps uses one (`schema.runs.connection`)."""
        if columns is None:
            return self.steps_by_run
        loader = self._step_loaders.get(columns)
        if loader is None:
            loader = self._step_loaders[columns] = DataLoader(
                load_fn=_grouped(StepRun, "run_id", STEP_ORDER, plain=True, columns=columns)
            )
        return loader

    @functools.cached_property
    def _step_loaders(self) -> dict[frozenset[str], DataLoader[str, list[Row]]]:
        return {}

    @functools.cached_property
    def tags_by_run(self) -> DataLoader[str, list[RunTag]]:
        return DataLoader(load_fn=_grouped(RunTag, "run_id", ("key",)))

    @functools.cached_property
    def signals_by_run(self) -> DataLoader[str, list[Signal]]:
        return DataLoader(load_fn=_grouped(Signal, "run_id", ("received_at", "id")))

    @functools.cached_property
    def children_by_run(self) -> DataLoader[str, list[Run]]:
        return DataLoader(load_fn=_grouped(Run, "parent_run_id", ("created_at", "id")))

    @functools.cached_property
    def recent_fires(self) -> DataLoader[tuple[str, int], list[ScheduleFire]]:
        """A schedule's latest fires by (schedule id, how many): one statement per distinct count."""
        return DataLoader(load_fn=_recent_fires)

    @functools.cached_property
    def attempts_by_run(self) -> DataLoader[str, dict[str, list[StepAttempt]]]:
        """Each run's step attempts by step ref, from its history (the timeline's bars)."""
        return DataLoader(load_fn=step_attempts_by_run)

    @functools.cached_property
    def versions_by_workflow(self) -> DataLoader[str, list[WorkflowVersion]]:
        return DataLoader(load_fn=_grouped(WorkflowVersion, "workflow_id", ("version",)))


async def _recent_fires(keys: list[tuple[str, int]]) -> list[list[ScheduleFire]]:
    by_count: dict[int, list[str]] = {}
    for schedule_id, first in keys:
        by_count.setdefault(first, []).append(schedule_id)
    found: dict[tuple[str, int], list[ScheduleFire]] = {}
    for first, schedule_ids in by_count.items():
        for schedule_id, fires in (await schedule_actions.recent_fires(schedule_ids, first)).items():
            found[(schedule_id, first)] = fires
    return [found[key] for key in keys]


def map_loaded(loader: DataLoader[K, T], key: K, convert: Callable[[T], R]) -> R | Awaitable[R]:
    """`convert(value of key)`: at once when `loader` already holds the value, else once loaded.

    A field that returns a plain value is completed by graphql-core on the spot; an
    awaitable costs it a coroutine, and the object holding the field a gather. A page of
    runs preloads the steps and workflows it is asked for (`schema.runs.connection.preload_page`), so
    that its runs complete without either. A value that failed to load is loaded again
    through `loader`, which raises its error in the field as before.
    """
    future = loader.cache_map.get(key) if loader.cache else None
    if future is not None and future.done() and not future.cancelled() and future.exception() is None:
        return convert(future.result())

    async def later() -> R:
        return convert(await loader.load(key))

    return later()
