"""Load the shared benchmark dataset (../shared/bench/datagen.py) as flowdeck's models would store it.

    .venv/bin/python bench/load_dataset.py --backend sqlite|postgres [--runs 100000]

The rows are what Tortoise would insert for the models `_models` builds (the first 200 runs are
checked against Tortoise's own conversion), written in bulk: COPY (asyncpg's
copy_records_to_table) on PostgreSQL, executemany in transactions of 20,000 runs on SQLite,
with the secondary indexes of runs and step_runs dropped during the load and built after it;
then the run counters (app/run_counts.py) are counted and the statistics refreshed. 1,000,000
runs (5,000,000 steps) take minutes, not hours.

Used by bench/queries.py and bench/scale.py, which keep the loaded databases under bench/data/ (gitignored):
a SQLite file, and a PostgreSQL cluster directory started and stopped around each run.
A database that already holds the dataset (a marker file records what was loaded) is
reused as it is; `flowdeck serve` still applies any new migration to it.

The dataset's rows map onto flowdeck's models as its README says: step types SCRIPT ->
TASK and WAIT -> SLEEP. Its priority is an integer 0..9 (5 for 70% of runs); flowdeck's
Priority has four ranks, so 0-2 -> LOW, 3-5 -> NORMAL, 6-8 -> HIGH, 9 -> CRITICAL. Its
trigger WEBHOOK is flowdeck's INTEGRATION. Everything else is copied as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import enum
import hashlib
import importlib.util
import json
import os
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from tortoise import Model, Tortoise  # noqa: E402

from app.db import close_db, init_db, migrate_db  # noqa: E402
from app.definitions import StepSpec  # noqa: E402
from app.enums import Priority, RunStatus, StepStatus, StepType, TriggerSource  # noqa: E402
from app.run_counts import fill_counts  # noqa: E402
from app.settings import Settings  # noqa: E402
from models import Project, Run, StepRun, Workflow, WorkflowVersion  # noqa: E402
from tests.servers import PostgresServer  # noqa: E402

DATA_DIR = ROOT / "bench" / "data"
DATAGEN = Path(os.environ.get("FLOWDECK_DATAGEN", ROOT.parent / "shared" / "bench" / "datagen.py"))
PROJECT_KEY = "bench"
BATCH_RUNS = 20_000

STEP_TYPES = {"SCRIPT": StepType.TASK, "WAIT": StepType.SLEEP}
TRIGGERS = {"WEBHOOK": TriggerSource.INTEGRATION}


def datagen() -> ModuleType:
    """The shared generator module, imported from its file."""
    spec = importlib.util.spec_from_file_location("datagen", DATAGEN)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the dataset generator at {DATAGEN} (set FLOWDECK_DATAGEN)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def priority(value: int) -> Priority:
    return Priority(min(3, value // 3))


def step_type(value: str) -> StepType:
    return STEP_TYPES.get(value) or StepType(value)


def _step_spec(ref: str, kind: StepType, previous: str | None) -> StepSpec:
    depends_on = (previous,) if previous else ()
    if kind is StepType.TASK:
        return StepSpec(ref=ref, type=kind, handler="noop", depends_on=depends_on)
    if kind is StepType.HTTP:
        return StepSpec(ref=ref, type=kind, depends_on=depends_on, config={"url": f"https://example.com/{ref}"})
    if kind is StepType.SLEEP:
        return StepSpec(ref=ref, type=kind, depends_on=depends_on, config={"seconds": 60})
    return StepSpec(ref=ref, type=kind, depends_on=depends_on)


async def _workflows(gen: ModuleType) -> tuple[Project, dict[str, Workflow]]:
    """The project, and one workflow per dataset key with versions 1..5 of its 5-step chain."""
    project = await Project.create(id=uuid.uuid4(), key=PROJECT_KEY, name="Benchmark")
    workflows: dict[str, Workflow] = {}
    for key, (_weight, template) in gen.WORKFLOWS.items():
        workflow = await Workflow.create(
            id=uuid.uuid4(), project=project, key=key, name=key.replace("-", " ").title(), version=5
        )
        specs = []
        previous = None
        for ref, kind in template:
            specs.append(_step_spec(ref, step_type(kind), previous))
            previous = ref
        for version in range(1, 6):
            await WorkflowVersion.create(
                id=uuid.uuid4(),
                workflow=workflow,
                version=version,
                steps=[spec.to_json() for spec in specs],
                created_by="bench",
            )
        workflows[key] = workflow
    return project, workflows


def _values(
    gen: ModuleType, project: Project, workflows: dict[str, Workflow], n_runs: int
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The field values of each run and of its steps (the rest keep the models' defaults)."""
    for row, steps in gen.generate(n_runs):
        workflow = workflows[row["workflow_key"]]
        run = {
            "id": row["id"],
            "project_id": project.id,
            "workflow_id": workflow.id,
            "workflow_key": workflow.key,
            "workflow_name": workflow.name,
            "workflow_version": row["workflow_version"],
            "status": RunStatus(row["status"]),
            "triggered_by": TRIGGERS.get(row["triggered_by"]) or TriggerSource(row["triggered_by"]),
            "initiated_by": row["initiated_by"],
            "subject_type": "user" if row["subject_id"] is not None else None,
            "subject_id": row["subject_id"],
            "subject_name": row["subject_name"],
            "tenant": row["tenant"],
            "batch_id": row["batch_id"],
            "priority": priority(row["priority"]),
            "dry_run": row["dry_run"],
            "reason": row["reason"],
            "input": row["input"],
            "output": row["output"],
            "error_count": row["error_count"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "started_at": row["started_at"],
            "finished_at": row["finished_at"],
            "event_seq": 0,
        }
        step_values = []
        previous: str | None = None
        for position, step in enumerate(steps):
            step_values.append(
                {
                    "id": step["id"],
                    "run_id": row["id"],
                    "ref": step["ref"],
                    "position": position,
                    "type": step_type(step["type"]),
                    "status": StepStatus(step["status"]),
                    "attempt": step["attempt"],
                    "depends_on": [previous] if previous else [],
                    "output": step["output"],
                    "error": step["error"],
                    "created_at": step["created_at"],
                    "started_at": step["started_at"],
                    "finished_at": step["finished_at"],
                }
            )
            previous = step["ref"]
        yield run, step_values


# ---------------------------------------------------------------- the fast path

RUN_STEPS_CHECKED = 200  # runs whose rows are compared with what Tortoise itself would write


def _columns(model: type[Model]) -> list[str]:
    return list(model._meta.db.executor_class(model, model._meta.db).regular_columns_all)


def _db_value(model: type[Model], column: str, value: Any, postgres: bool) -> Any:
    """What Tortoise hands the driver for `value`, for the types this dataset holds."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return value if postgres else str(value)
    if isinstance(value, dict | list):
        return model._meta.fields_map[column].to_db_value(value, None)
    return value


def _comparable(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _tortoise_values(instance: Model, columns: list[str]) -> list[Any]:
    """The values Tortoise's own INSERT would send for `instance` (the reference for the check)."""
    fields = instance._meta.fields_map
    return [_comparable(fields[column].to_db_value(getattr(instance, column), instance)) for column in columns]


def _defaults(model: type[Model], columns: list[str]) -> dict[str, Any]:
    fields = model._meta.fields_map
    return {
        column: fields[column].default() if callable(fields[column].default) else fields[column].default
        for column in columns
    }


def _rows(
    gen: ModuleType, project: Project, workflows: dict[str, Workflow], n_runs: int, postgres: bool
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Each run and its steps as tuples in Tortoise's column order, without building models.

    The first RUN_STEPS_CHECKED runs are also built as models, and Tortoise's own conversion of
    them must give the same values."""
    run_columns, step_columns = _columns(Run), _columns(StepRun)
    run_defaults, step_defaults = _defaults(Run, run_columns), _defaults(StepRun, step_columns)

    def row_of(model: type[Model], defaults: dict[str, Any], values: dict[str, Any]) -> tuple[Any, ...]:
        merged = {**defaults, **values}
        return tuple(_db_value(model, column, merged[column], postgres) for column in defaults)

    for index, (run, steps) in enumerate(_values(gen, project, workflows, n_runs)):
        run_row = row_of(Run, run_defaults, run)
        step_rows = [row_of(StepRun, step_defaults, step) for step in steps]
        if index < RUN_STEPS_CHECKED:
            assert [_comparable(v) for v in run_row] == _tortoise_values(Run(**run), run_columns), run_row
            for step, row in zip(steps, step_rows, strict=True):
                assert [_comparable(v) for v in row] == _tortoise_values(StepRun(**step), step_columns), row
        yield run_row, step_rows


async def load(settings: Settings, n_runs: int) -> None:
    """Migrate an empty database and fill it with the dataset: COPY on PostgreSQL, executemany in
    big transactions on SQLite, with the secondary indexes dropped and rebuilt around the load;
    then the run counters, and fresh statistics."""
    gen = datagen()
    await migrate_db(settings)
    await init_db(settings)
    try:
        if await Run.all().count():
            raise SystemExit(f"{settings.database_url} already holds runs; remove it to reload")
        project, workflows = await _workflows(gen)
        connection = Tortoise.get_connection("default")
        started = time.perf_counter()
        rows = _rows(gen, project, workflows, n_runs, postgres=not settings.is_sqlite)
        if settings.is_sqlite:
            # a second connection, on the stdlib driver; Tortoise's stays idle meanwhile
            _load_sqlite(connection.filename, rows)
        else:
            await _load_postgres(settings.database_url, rows)
        print(f"  rows and indexes in {time.perf_counter() - started:.0f}s", flush=True)
        await fill_counts(connection)
        await tag_regions(connection)
        # fresh statistics, and on PostgreSQL a visibility map for index-only scans
        await connection.execute_script("ANALYZE" if settings.is_sqlite else "VACUUM ANALYZE")
        print(f"  {n_runs:,} runs with {n_runs * 5:,} steps loaded in {time.perf_counter() - started:.0f}s")
    finally:
        await close_db()


# The shared dataset has no tags; flowdeck's `tags.KEY` filters are measured on a region tag
# given here by the run's id (random hex): "eu" for ids starting 0-4 (5 runs in 16), "apac" for
# ids starting ab0-ab3 (1 run in 1,024), none for the others.
TAG_REGIONS = """
INSERT INTO run_tags (run_id, key, value)
SELECT id, 'region', CASE WHEN substr(CAST(id AS TEXT), 1, 1) IN ('0', '1', '2', '3', '4') THEN 'eu' ELSE 'apac' END
FROM runs
WHERE substr(CAST(id AS TEXT), 1, 1) IN ('0', '1', '2', '3', '4')
OR substr(CAST(id AS TEXT), 1, 3) IN ('ab0', 'ab1', 'ab2', 'ab3')
"""


async def tag_regions(connection: Any) -> bool:
    """Give the dataset's runs their region tags (TAG_REGIONS), unless they have them (a dataset
    loaded before them); True when it did."""
    if await connection.execute_query_dict("SELECT 1 FROM run_tags WHERE key = 'region' LIMIT 1"):
        return False
    await connection.execute_script(TAG_REGIONS)
    await connection.execute_script("ANALYZE run_tags")
    return True


def _batches(rows: Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]) -> Iterator[tuple[list, list]]:
    runs: list[tuple[Any, ...]] = []
    steps: list[tuple[Any, ...]] = []
    loaded = 0
    started = time.perf_counter()
    for run, step_rows in rows:
        runs.append(run)
        steps.extend(step_rows)
        if len(runs) == BATCH_RUNS:
            yield runs, steps
            loaded += len(runs)
            runs, steps = [], []
            if loaded % (BATCH_RUNS * 10) == 0:
                print(f"  {loaded:,} runs loaded ({time.perf_counter() - started:.0f}s)", flush=True)
    if runs:
        yield runs, steps


SECONDARY_INDEXES_SQLITE = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('runs', 'step_runs')"
)


def _insert(model: type[Model]) -> str:
    columns = _columns(model)
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _load_sqlite(path: str, rows: Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]) -> None:
    """executemany in transactions of BATCH_RUNS runs; the runs_fts triggers stay in place."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA synchronous = OFF")  # a benchmark's copy: a crash means a reload
        indexes = db.execute(SECONDARY_INDEXES_SQLITE).fetchall()
        for name, _sql in indexes:
            db.execute(f'DROP INDEX "{name}"')
        insert_run, insert_step = _insert(Run), _insert(StepRun)
        for runs, steps in _batches(rows):
            with db:
                db.executemany(insert_run, runs)
                db.executemany(insert_step, steps)
        print("  building indexes", flush=True)
        with db:
            for _name, sql in indexes:
                db.execute(sql)
    finally:
        db.close()


SECONDARY_INDEXES_POSTGRES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
WHERE i.indrelid IN ('runs'::regclass, 'step_runs'::regclass)
AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


async def _load_postgres(url: str, rows: Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]) -> None:
    """COPY (asyncpg's copy_records_to_table) in one transaction, indexes rebuilt after."""
    db = await asyncpg.connect(url)
    try:
        async with db.transaction():
            indexes = await db.fetch(SECONDARY_INDEXES_POSTGRES)
            for name, _sql in indexes:
                await db.execute(f"DROP INDEX {name}")
            for runs, steps in _batches(rows):
                await db.copy_records_to_table("runs", records=runs, columns=_columns(Run))
                await db.copy_records_to_table("step_runs", records=steps, columns=_columns(StepRun))
            print("  building indexes", flush=True)
            await db.execute("SET maintenance_work_mem = '512MB'")
            for _name, sql in indexes:
                await db.execute(sql)
    finally:
        await db.close()


def _wanted(n_runs: int) -> dict[str, Any]:
    return {"runs": n_runs, "datagen": hashlib.sha256(DATAGEN.read_bytes()).hexdigest(), "format": 2}


def is_loaded(marker: Path, n_runs: int) -> bool:
    """True when `marker` says the database beside it holds this dataset."""
    return marker.exists() and json.loads(marker.read_text()) == _wanted(n_runs)


def mark_loaded(marker: Path, n_runs: int) -> None:
    marker.write_text(json.dumps(_wanted(n_runs)))


def sqlite_url(n_runs: int) -> str:
    """The loaded SQLite database (loading it first when needed)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    name = f"sqlite-{n_runs}"
    path = DATA_DIR / f"{name}.db"
    url = f"sqlite://{path}"
    marker = DATA_DIR / f"{name}.loaded.json"
    if not is_loaded(marker, n_runs):
        for stale in DATA_DIR.glob(f"{name}.db*"):
            stale.unlink()
        print(f"sqlite: loading {n_runs:,} runs into {path} (once)", flush=True)
        asyncio.run(load(Settings(database_url=url, log_level="warning"), n_runs))
        mark_loaded(marker, n_runs)
    return url


class CachedPostgres(PostgresServer):
    """A PostgreSQL cluster kept under bench/data/ between runs; started, then stopped (not removed)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        shutil.rmtree(self.root, ignore_errors=True)  # the parent made a temporary one
        self.root = DATA_DIR / name
        self.root.mkdir(parents=True, exist_ok=True)
        if self.prefix:
            shutil.chown(self.root, user="postgres")

    def start(self) -> CachedPostgres:
        data = self.root / "data"
        if not (data / "PG_VERSION").exists():
            shutil.rmtree(data, ignore_errors=True)
            self.initdb(data)
        # settings a small dedicated server would have; durability is irrelevant here
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
            "-c shared_buffers=1GB -c maintenance_work_mem=512MB -c work_mem=16MB"
        )
        self._run(
            str(self.bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start"
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "stop")


@contextlib.contextmanager
def loaded_database(backend: str, n_runs: int) -> Iterator[tuple[str, CachedPostgres | None]]:
    """The URL of the loaded dataset on `backend` ("sqlite" or "postgres") and the cached
    PostgreSQL cluster it is on (started for the block, stopped after it; None on SQLite)."""
    if backend != "postgres":
        yield sqlite_url(n_runs), None
        return
    server = CachedPostgres("postgres").start()
    try:
        yield postgres_url(server, n_runs), server
    finally:
        server.stop()


def postgres_url(server: CachedPostgres, n_runs: int) -> str:
    """The loaded database on a started `server` (loading it first when needed)."""
    database = "flowdeck"
    url = server.url(database)
    # beside the cluster's data directory, so that removing one removes the other
    marker = server.root / "loaded.json"
    if not is_loaded(marker, n_runs):
        with contextlib.suppress(Exception):
            server.psql(f"DROP DATABASE IF EXISTS {database}")
        server.create_database(database)
        print(f"postgres: loading {n_runs:,} runs (once)", flush=True)
        asyncio.run(load(Settings(database_url=url, log_level="warning"), n_runs))
        mark_loaded(marker, n_runs)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--runs", type=int, default=100_000)
    args = parser.parse_args()
    if args.backend == "sqlite":
        print(sqlite_url(args.runs))
        return
    server = CachedPostgres(f"postgres-{args.runs}").start()
    try:
        print(postgres_url(server, args.runs))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
