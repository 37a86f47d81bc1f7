"""Scale benchmark (issue 10): the dashboard's reads at 100,000 and at 1,000,000 runs.

    .venv/bin/python bench/scale.py [--backends sqlite,postgres] [--sizes 100000,1000000] [--repeat 9]
                                    [--min-time 0.2] [--rounds 2] [--clock cpu] [--explain]

Each read is a GraphQL document executed in-process (`schema.execute`, a SUPERADMIN key, no
HTTP) on the datasets bench/load_dataset.py keeps under bench/data/ (loaded once: about 1 min
per 100,000 runs). Per backend and size it prints the median of `--repeat` executions (more
for a cheap read, until `--min-time` seconds were timed) after two warm-up ones, then, per
backend, the ratio between the sizes (1.0 = flat). `--clock cpu` times CPU instead of the wall
clock: this process's and the PostgreSQL server's (load-independent). With --explain, the
EXPLAIN plan of every statement each read sends on PostgreSQL.

The dataset has no tags of its own: bench/load_dataset.py gives its runs a region tag ("eu" on 5
runs in 16, "apac" on 1 in 1,024; added on first use to a dataset loaded before).

Q1-Q3 are bench/queries.py's pages (50 runs with 22 fields and their 5 steps): Q1 the newest,
Q2 after the cursor of row 90,000, Q3 `status eq "FAILED" and workflow_key sw "billing"`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tortoise import Tortoise  # noqa: E402

from app.actions.accounts import ensure_bootstrap_key  # noqa: E402
from app.db import close_db, init_db  # noqa: E402
from app.queries.keyset import RunOrdering  # noqa: E402
from app.settings import Settings, set_settings  # noqa: E402
from bench.load_dataset import DATAGEN, CachedPostgres, postgres_url, sqlite_url, tag_regions  # noqa: E402
from bench.queries import DEEP_ROW, KEY, Q3_FILTER, RUNS_QUERY, StatementCounter  # noqa: E402
from models import Run  # noqa: E402
from schema import build_schema  # noqa: E402
from schema.context import Context  # noqa: E402
from tests.servers import postgres_bin  # noqa: E402

LIST = """
query List($filter: String, $search: String, $orderBy: [RunOrder!], $last: Int) {
  runs(first: %s, last: $last, filter: $filter, search: $search, orderBy: $orderBy) {
    edges { node { id status createdAt } }
  }
}
"""
FIRST_50 = LIST % "50"
LAST_50 = LIST % "null"
TOTAL = "query Total($filter: String) { runs(first: 0, filter: $filter) { totalCount totalCountIsExact } }"
STATS = "query Stats($filter: String) { runStats(filter: $filter) { total exact byStatus { status count } } }"

# name -> (document, variables); the cursor of Q2 is filled in per dataset
READS: dict[str, tuple[str, dict[str, Any]]] = {
    "runs default order": (FIRST_50, {}),
    "runs last: 50": (LAST_50, {"last": 50}),
    'tags.region eq "eu"': (FIRST_50, {"filter": 'tags.region eq "eu"'}),
    'tags.region eq "apac" (1 run in 1,024)': (FIRST_50, {"filter": 'tags.region eq "apac"'}),
    'tags.region ne "eu"': (FIRST_50, {"filter": 'tags.region ne "eu"'}),
    'runStats (tags.region eq "eu")': (STATS, {"filter": 'tags.region eq "eu"'}),
    'totalCount (tags.region eq "apac")': (TOTAL, {"filter": 'tags.region eq "apac"'}),
    "duration gt 60": (FIRST_50, {"filter": "duration gt 60"}),
    "orderBy PRIORITY": (FIRST_50, {"orderBy": [{"field": "PRIORITY", "direction": "DESC"}]}),
    "orderBy DURATION DESC": (FIRST_50, {"orderBy": [{"field": "DURATION", "direction": "DESC"}]}),
    "orderBy DURATION ASC": (FIRST_50, {"orderBy": [{"field": "DURATION", "direction": "ASC"}]}),
    "orderBy DURATION ASC, last: 50": (LAST_50, {"last": 50, "orderBy": [{"field": "DURATION", "direction": "ASC"}]}),
    "runStats (all)": (STATS, {}),
    'runStats (workflow_key eq "billing-sync")': (STATS, {"filter": 'workflow_key eq "billing-sync"'}),
    'runStats (subject_name co "hopper")': (STATS, {"filter": 'subject_name co "hopper"'}),
    "totalCount (all)": (TOTAL, {}),
    'totalCount (status eq "FAILED")': (TOTAL, {"filter": 'status eq "FAILED"'}),
    'totalCount (subject_name co "hopper")': (TOTAL, {"filter": 'subject_name co "hopper"'}),
    'totalCount (tags.region eq "eu")': (TOTAL, {"filter": 'tags.region eq "eu"'}),
    'subject_name co "smith"': (FIRST_50, {"filter": 'subject_name co "smith"'}),
    'subject_name co "hopper"': (FIRST_50, {"filter": 'subject_name co "hopper"'}),
    'subject_name sw "ada h"': (FIRST_50, {"filter": 'subject_name sw "ada h"'}),
    'subject_name ew "hopper"': (FIRST_50, {"filter": 'subject_name ew "hopper"'}),
    'subject_id sw "sub_62" (1 run in 256)': (FIRST_50, {"filter": 'subject_id sw "sub_62"'}),
    'subject_name co "da hop" (1 run in 450)': (FIRST_50, {"filter": 'subject_name co "da hop"'}),
    'subject_name ew "a hopper" (1 run in 112)': (FIRST_50, {"filter": 'subject_name ew "a hopper"'}),
    'subject_id co "62c" (1 run in 680)': (FIRST_50, {"filter": 'subject_id co "62c"'}),
    'orderBy PRIORITY, subject_name sw "ada h"': (
        FIRST_50,
        {"filter": 'subject_name sw "ada h"', "orderBy": [{"field": "PRIORITY", "direction": "DESC"}]},
    ),
    'orderBy DURATION DESC, subject_name sw "ada h"': (
        FIRST_50,
        {"filter": 'subject_name sw "ada h"', "orderBy": [{"field": "DURATION", "direction": "DESC"}]},
    ),
    'orderBy DURATION ASC, subject_name sw "ada h"': (
        FIRST_50,
        {"filter": 'subject_name sw "ada h"', "orderBy": [{"field": "DURATION", "direction": "ASC"}]},
    ),
    'orderBy DURATION DESC, subject_name co "hopper"': (
        FIRST_50,
        {"filter": 'subject_name co "hopper"', "orderBy": [{"field": "DURATION", "direction": "DESC"}]},
    ),
    'matches nothing (subject_id co "no-such")': (FIRST_50, {"filter": 'subject_id co "no-such"'}),
    'search "smith"': (FIRST_50, {"search": "smith"}),
    'search "hopper"': (FIRST_50, {"search": "hopper"}),
    'search "da hop"': (FIRST_50, {"search": "da hop"}),
    "Q1": (RUNS_QUERY, {}),
    "Q2": (RUNS_QUERY, {}),
    "Q3": (RUNS_QUERY, {"filter": Q3_FILTER}),
}


def _run_id(index: int) -> str:
    """The id of the dataset's run `index`: the first draw of its own generator."""
    spec = importlib.util.spec_from_file_location("datagen", DATAGEN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module._uuid(random.Random(f"{module.SEED}:{index}")))


async def _q2_cursor(n_runs: int) -> str:
    run = await Run.get(id=_run_id(n_runs - DEEP_ROW))
    ordering = RunOrdering.of([])
    return ordering.cursor(ordering.position(run, {}))


async def _explain(statements: list[tuple[str, list[Any]]]) -> list[str]:
    connection = Tortoise.get_connection("default")
    plans = []
    for sql, values in statements:
        if not sql.lstrip().upper().startswith("SELECT") or "api_keys" in sql:
            continue  # the key's lookup is the same for every read
        rows = await connection.execute_query_dict(f"EXPLAIN {sql}", values)
        plans.append(sql[:160] + ("..." if len(sql) > 160 else ""))
        plans.extend("    " + row["QUERY PLAN"] for row in rows)
    return plans


class ParamCounter(StatementCounter):
    """bench/queries.py's counter, keeping each statement's parameters too (for EXPLAIN)."""

    def _wrap(self, original: Any) -> Any:
        counter = self

        async def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if counter.active:
                counter.with_values.append((query, list(args[0]) if args and args[0] else []))
            return await original(self, query, *args, **kwargs)

        return wrapper

    def reset(self) -> None:
        self.with_values: list[tuple[str, list[Any]]] = []


async def measure(backend: str, url: str, n_runs: int, repeat: int, explain: bool) -> dict[str, float]:
    settings = Settings(database_url=url, bootstrap_key=KEY, log_level="warning")
    set_settings(settings)
    await init_db(settings)
    medians: dict[str, float] = {}
    try:
        await ensure_bootstrap_key(KEY)
        if await tag_regions(Tortoise.get_connection("default")):
            print(f"  {backend} {n_runs:>9,} | the runs' region tags added (a dataset loaded before them)")
        schema = build_schema(settings)
        if "Q2" in READS:
            READS["Q2"][1]["after"] = await _q2_cursor(n_runs)
        counter = ParamCounter()
        counter.install()
        counter.reset()
        for name, (document, variables) in READS.items():
            times: list[float] = []
            attempt = 0
            # at least `repeat` timed executions, and more for a cheap read until MIN_TIME[0]
            # seconds were timed (a median of 9 executions of 1 ms is the box's noise)
            while len(times) < repeat or sum(times) < MIN_TIME[0] * 1000:
                context = Context(settings=settings, authorization=f"Bearer {KEY}")
                started = _clock(starting=True)
                result = await schema.execute(document, variable_values=variables, context_value=context)
                elapsed = (_clock(starting=False) - started) * 1000
                if result.errors:
                    raise SystemExit(f"{name}: {result.errors}")
                if attempt >= 2:
                    times.append(elapsed)
                attempt += 1
            medians[name] = statistics.median(times)
            print(f"  {backend} {n_runs:>9,} | {name:42} | {medians[name]:8.1f} ms | {_summary(result.data)}")
            if explain and backend == "postgres":
                counter.reset()
                counter.active = True
                await schema.execute(
                    document,
                    variable_values=variables,
                    context_value=Context(settings=settings, authorization=f"Bearer {KEY}"),
                )
                counter.active = False
                for line in await _explain(counter.with_values):
                    print("      " + line)
    finally:
        await close_db()
    return medians


def _summary(data: dict[str, Any]) -> str:
    if "runStats" in data:
        stats = data["runStats"]
        return f"total {stats['total']:,} exact={stats['exact']}"
    runs = data["runs"]
    if "totalCount" in runs:
        return f"totalCount {runs['totalCount']:,} exact={runs['totalCountIsExact']}"
    return f"{len(runs['edges'])} runs"


# what a read's time is: wall-clock (`perf_counter`), or CPU time: this process's (`process_time`:
# on SQLite the database's work too, as it runs in this process), plus on PostgreSQL the CPU time
# of the server's processes (the scheduler's nanoseconds in /proc/PID/schedstat). No time spent
# waiting for a CPU on a loaded box, nor for the disk.
CLOCK = [time.perf_counter]
# seconds of timed executions per read at least (--min-time)
MIN_TIME = [0.0]
# the PostgreSQL postmaster measured (with --clock cpu), whose children serve the connections
SERVER_PID: list[int] = []


def _server_cpu() -> float:
    """Seconds of CPU the server's processes (the postmaster and its children) have used."""
    if not SERVER_PID:
        return 0.0
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat[stat.rindex(")") + 2 :].split()[1])
            if int(entry.name) == SERVER_PID[0] or parent == SERVER_PID[0]:
                total += int((entry / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a process that ended meanwhile
    return total / 1e9


def _clock(starting: bool) -> float:
    if CLOCK[0] is time.process_time and SERVER_PID:
        # reading /proc costs this process CPU: the server is read before this process's clock
        # starts and after it stops
        if starting:
            server = _server_cpu()
            return server + time.process_time()
        own = time.process_time()
        return own + _server_cpu()
    return CLOCK[0]()


def _measure_size(backend: str, n_runs: int, repeat: int, explain: bool) -> dict[str, float]:
    if backend == "sqlite":
        SERVER_PID.clear()
        return asyncio.run(measure(backend, sqlite_url(n_runs), n_runs, repeat, False))
    if postgres_bin() is None:
        raise SystemExit("postgres: server binaries not installed")
    server = CachedPostgres(f"postgres-{n_runs}").start()
    SERVER_PID[:] = [int((server.root / "data" / "postmaster.pid").read_text().split()[0])]
    try:
        return asyncio.run(measure(backend, postgres_url(server, n_runs), n_runs, repeat, explain))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=9, help="timed executions per read (after 2 warm-up ones)")
    parser.add_argument(
        "--min-time", type=float, default=0.0, help="repeat each read until this many seconds were timed (cheap reads)"
    )
    parser.add_argument("--explain", action="store_true", help="print the EXPLAIN of each statement (PostgreSQL)")
    parser.add_argument("--only", help="only the reads whose name contains this text")
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure the sizes this many times, in alternating order (noisy box)"
    )
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall-clock time, or CPU time: this process's, plus the PostgreSQL server's processes' (load-independent)",
    )
    args = parser.parse_args()
    MIN_TIME[0] = args.min_time
    if args.clock == "cpu":
        CLOCK[0] = time.process_time
    if args.only:
        for name in [name for name in READS if args.only not in name]:
            del READS[name]
    sizes = [int(size) for size in args.sizes.split(",")]
    rounds: dict[tuple[str, int], list[dict[str, float]]] = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        for round_number in range(args.rounds):
            for n_runs in sizes if round_number % 2 == 0 else list(reversed(sizes)):
                explain = args.explain and round_number == 0
                rounds.setdefault((backend, n_runs), []).append(_measure_size(backend, n_runs, args.repeat, explain))
    # the median over the rounds of each read's median
    results = {
        key: {name: statistics.median(figures[name] for figures in measured) for name in READS}
        for key, measured in rounds.items()
    }
    small, large = sizes[0], sizes[-1]
    print(
        f"\nmedians of {args.repeat} in-process executions (ms, {args.clock} clock), "
        f"median over {args.rounds} round(s); "
        f"ratio = {large:,} runs / {small:,} runs"
    )
    backends = sorted({backend for backend, _ in results})
    header = " | ".join(f"{b} {small // 1000}k | {b} {large // 1000}k | ratio" for b in backends)
    print(f"| read | {header} |")
    print("|---|" + "---:|" * (3 * len(backends)))
    for name in READS:
        cells = []
        for backend in backends:
            a, b = results[backend, small][name], results[backend, large][name]
            cells.append(f"{a:.1f} | {b:.1f} | {b / a:.2f}")
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
