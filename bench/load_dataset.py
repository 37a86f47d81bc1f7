"""Load the shared benchmark dataset (../shared/bench/datagen.py) through flowdeck's models.

    .venv/bin/python bench/load_dataset.py --backend sqlite|postgres [--runs 100000]

Used by bench/queries.py, which keeps the loaded databases under bench/data/ (gitignored):
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
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tortoise import Tortoise  # noqa: E402
from tortoise.transactions import in_transaction  # noqa: E402

from app.db import close_db, init_db, migrate_db  # noqa: E402
from app.definitions import StepSpec  # noqa: E402
from app.enums import Priority, RunStatus, StepStatus, StepType, TriggerSource  # noqa: E402
from app.settings import Settings  # noqa: E402
from models import Project, Run, StepRun, Workflow, WorkflowVersion  # noqa: E402
from tests.servers import PostgresServer  # noqa: E402

DATA_DIR = ROOT / "bench" / "data"
DATAGEN = Path(os.environ.get("FLOWDECK_DATAGEN", ROOT.parent / "shared" / "bench" / "datagen.py"))
PROJECT_KEY = "bench"
BATCH_RUNS = 5000

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


def _models(
    gen: ModuleType, project: Project, workflows: dict[str, Workflow], n_runs: int
) -> Iterator[tuple[Run, list[StepRun]]]:
    for row, steps in gen.generate(n_runs):
        workflow = workflows[row["workflow_key"]]
        run = Run(
            id=row["id"],
            project_id=project.id,
            workflow_id=workflow.id,
            workflow_key=workflow.key,
            workflow_name=workflow.name,
            workflow_version=row["workflow_version"],
            status=RunStatus(row["status"]),
            triggered_by=TRIGGERS.get(row["triggered_by"]) or TriggerSource(row["triggered_by"]),
            initiated_by=row["initiated_by"],
            subject_type="user" if row["subject_id"] is not None else None,
            subject_id=row["subject_id"],
            subject_name=row["subject_name"],
            tenant=row["tenant"],
            batch_id=row["batch_id"],
            priority=priority(row["priority"]),
            dry_run=row["dry_run"],
            reason=row["reason"],
            input=row["input"],
            output=row["output"],
            error_count=row["error_count"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            event_seq=0,
        )
        step_models = []
        previous: str | None = None
        for position, step in enumerate(steps):
            step_models.append(
                StepRun(
                    id=step["id"],
                    run_id=row["id"],
                    ref=step["ref"],
                    position=position,
                    type=step_type(step["type"]),
                    status=StepStatus(step["status"]),
                    attempt=step["attempt"],
                    depends_on=[previous] if previous else [],
                    output=step["output"],
                    error=step["error"],
                    created_at=step["created_at"],
                    started_at=step["started_at"],
                    finished_at=step["finished_at"],
                )
            )
            previous = step["ref"]
        yield run, step_models


async def load(settings: Settings, n_runs: int) -> None:
    """Migrate an empty database and fill it with the dataset, in batches of BATCH_RUNS runs."""
    gen = datagen()
    await migrate_db(settings)
    await init_db(settings)
    try:
        if await Run.all().count():
            raise SystemExit(f"{settings.database_url} already holds runs; remove it to reload")
        project, workflows = await _workflows(gen)
        runs: list[Run] = []
        steps: list[StepRun] = []
        started = time.perf_counter()
        loaded = 0

        async def flush() -> None:
            async with in_transaction():
                await Run.bulk_create(runs, batch_size=1000)
                await StepRun.bulk_create(steps, batch_size=1000)
            runs.clear()
            steps.clear()

        for run, step_models in _models(gen, project, workflows, n_runs):
            runs.append(run)
            steps.extend(step_models)
            if len(runs) >= BATCH_RUNS:
                loaded += len(runs)
                await flush()
                print(f"  {loaded:,} runs loaded ({time.perf_counter() - started:.0f}s)", flush=True)
        loaded += len(runs)
        await flush()
        connection = Tortoise.get_connection("default")
        # fresh statistics, and on PostgreSQL a visibility map for index-only scans
        if settings.is_sqlite:
            await connection.execute_script("ANALYZE")
        else:
            await connection.execute_script("VACUUM ANALYZE")
        print(f"  {loaded:,} runs with {loaded * 5:,} steps loaded in {time.perf_counter() - started:.0f}s")
    finally:
        await close_db()


def _wanted(n_runs: int) -> dict[str, Any]:
    return {"runs": n_runs, "datagen": hashlib.sha256(DATAGEN.read_bytes()).hexdigest(), "format": 1}


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
            self._run(
                str(self.bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--locale=C.UTF-8",
                "-E",
                "UTF8",
            )
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
