"""Query benchmark (issue 5): listing runs with their steps over HTTP, on SQLite and PostgreSQL.

    .venv/bin/python bench/queries.py [--backends sqlite,postgres] [--rounds 3] [--profile]
        [--executors graphql-core,compiled]

The dataset is ../shared/bench/datagen.py (100,000 runs x 5 steps), loaded once through
flowdeck's models by bench/load_dataset.py and kept under bench/data/ (gitignored), so a
second run starts at once. For each backend it then:

1. in-process, against the same database: counts the SQL statements each query costs and
   the time spent awaiting them (the Tortoise client's execute methods, wrapped), times
   `schema.execute` per query, and measures the floor: Strawberry producing the Q1 result
   from models already in memory (the page and the loaders' rows preloaded, no database);
   with --profile, prints a cProfile of Q1 in-process;
2. starts a real `flowdeck serve --no-engine` (uvicorn) on the database and measures, with
   httpx and keep-alive, after a warm-up: p50/p99 latency at concurrency 1 and requests/s
   at concurrency 8.

Q1 is `runs(first: 50)` in the default order (created_at desc) with 22 run fields (the
workflow's key through its DataLoader) and 10 fields of each step; Q2 the same page after
the cursor of row 90,000 (run 10,000 of the dataset; its page starts at run 9,999); Q3 the
same with `filter: status eq "FAILED" and workflow_key sw "billing"`. The key is the
SUPERADMIN bootstrap key (one indexed read per request to authenticate it).

Each figure is measured for each executor of `--executors`: `graphql-core` (Strawberry's
own executor, FLOWDECK_COMPILED_EXECUTION=off: the "before") and `compiled` (the compiled
plans of schema/execution, the default: the "after"). Over HTTP, one server per executor
runs side by side and the rounds alternate between them, so that both see the same noise.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import math
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from tortoise import Tortoise  # noqa: E402

import app.queries  # noqa: E402
from app.actions.accounts import ensure_bootstrap_key  # noqa: E402
from app.db import close_db, init_db  # noqa: E402
from app.ids import to_global_id  # noqa: E402
from app.queries import list_runs  # noqa: E402
from app.queries.keyset import RunOrdering  # noqa: E402
from app.settings import Settings, set_settings  # noqa: E402
from bench.cpu import cpu_seconds  # noqa: E402
from bench.load_dataset import CachedPostgres, datagen, postgres_url, sqlite_url  # noqa: E402
from models import Run, StepRun, Workflow  # noqa: E402
from schema import build_schema  # noqa: E402
from schema.context import Context  # noqa: E402
from schema.execution import stats as execution_stats  # noqa: E402
from tests.servers import FlowdeckServer, postgres_bin  # noqa: E402

KEY = "fdk_bench-queries-superadmin-key"
EXECUTORS = {"graphql-core": False, "compiled": True}
PAGE = 50
DEEP_ROW = 90_000  # 1-based: the cursor of this row starts Q2

RUNS_QUERY = """
query Runs($after: String, $filter: String) {
  runs(first: 50, after: $after, filter: $filter) {
    edges {
      cursor
      node {
        id
        workflow { key }
        workflowVersion
        status
        triggeredBy
        initiatedBy
        subject { id name }
        tenant
        batchId
        priority
        dryRun
        visibility
        reason
        errorCount
        input
        output
        createdAt
        updatedAt
        startedAt
        finishedAt
        durationSeconds
        steps { id ref type status attempt output error createdAt startedAt finishedAt }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
Q3_FILTER = 'status eq "FAILED" and workflow_key sw "billing"'


@dataclass
class Figures:
    """What one query measured on one backend."""

    statements: int = 0
    db_ms: float = 0.0
    inprocess_ms: float = 0.0
    response_kb: float = 0.0
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    rps: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # the server's CPU per request at c=1


# ---------------------------------------------------------------- statements


class StatementCounter:
    """Counts and times every statement the Tortoise client sends, while active."""

    METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0
        self.active = False
        self.statements: list[str] = []

    def install(self) -> None:
        client_class = type(Tortoise.get_connection("default"))
        for name in self.METHODS:
            original = getattr(client_class, name)
            setattr(client_class, name, self._wrap(original))

    def _wrap(self, original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        counter = self

        async def wrapper(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            if not counter.active:
                return await original(self, query, *args, **kwargs)
            started = time.perf_counter()
            try:
                return await original(self, query, *args, **kwargs)
            finally:
                counter.seconds += time.perf_counter() - started
                counter.count += 1
                counter.statements.append(query)

        return wrapper

    @contextmanager
    def measuring(self) -> Iterator[StatementCounter]:
        self.count, self.seconds, self.statements, self.active = 0, 0.0, [], True
        try:
            yield self
        finally:
            self.active = False


# ---------------------------------------------------------------- in-process


def _check(name: str, result: Any) -> dict[str, Any]:
    errors = getattr(result, "errors", None) or (result.get("errors") if isinstance(result, dict) else None)
    if errors:
        raise SystemExit(f"{name} failed: {errors}")
    data = result.data if hasattr(result, "data") else result["data"]
    edges = data["runs"]["edges"]
    if len(edges) != PAGE or any(len(edge["node"]["steps"]) != 5 for edge in edges):
        raise SystemExit(f"{name}: expected {PAGE} runs of 5 steps each, got {len(edges)}")
    return data


def _context(settings: Settings) -> Context:
    return Context(settings=settings, authorization=f"Bearer {KEY}")


async def _deep_cursor(n_runs: int) -> tuple[str, str]:
    """The cursor of row DEEP_ROW in the default order, and the global id of the run after it."""
    gen = datagen()
    wanted = {n_runs - DEEP_ROW: "cursor", n_runs - DEEP_ROW - 1: "next"}
    ids: dict[str, Any] = {}
    for i, (row, _steps) in enumerate(gen.generate(n_runs - DEEP_ROW + 1)):
        if i in wanted:
            ids[wanted[i]] = row["id"]
    run = await Run.get(id=ids["cursor"])
    ordering = RunOrdering.of([])
    return ordering.cursor(ordering.position(run, {})), to_global_id("Run", ids["next"])


async def _timed(schema: Any, settings: Settings, variables: dict[str, Any], repeat: int) -> float:
    """Median milliseconds of `schema.execute` of the runs query."""
    times = []
    for _ in range(repeat):
        context = _context(settings)
        started = time.perf_counter()
        result = await schema.execute(RUNS_QUERY, variable_values=variables, context_value=context)
        times.append((time.perf_counter() - started) * 1000)
        _check("in-process", result)
    return statistics.median(times)


async def _floor(schema: Any, settings: Settings, repeat: int) -> tuple[float, float]:
    """Median ms of Q1 through Strawberry from preloaded models (no database), and of its JSON encoding."""
    page = await list_runs(await _principal(settings), first=PAGE, max_page_size=settings.max_page_size)
    run_ids = [str(run.id) for run in page.items]
    steps: dict[str, list[StepRun]] = {run_id: [] for run_id in run_ids}
    for step in await StepRun.filter(run_id__in=run_ids).order_by("position", "iteration", "created_at"):
        steps[str(step.run_id)].append(step)
    workflows = {str(w.id): w for w in await Workflow.filter(id__in={run.workflow_id for run in page.items})}
    principal = await _principal(settings)

    async def preloaded_page(*args: Any, **kwargs: Any) -> Any:
        return page

    contexts = []
    for _ in range(repeat):
        context = _context(settings)
        context.principal = principal
        context.loaders.steps_by_run.prime_many(steps)
        context.loaders.workflow.prime_many(workflows)
        contexts.append(context)
    original = app.queries.list_runs
    app.queries.list_runs = preloaded_page  # type: ignore[assignment]
    try:
        times = []
        encode = []
        for context in contexts:
            started = time.perf_counter()
            result = await schema.execute(RUNS_QUERY, context_value=context)
            times.append((time.perf_counter() - started) * 1000)
            data = _check("floor", result)
            started = time.perf_counter()
            json.dumps({"data": data}, separators=(",", ":"))
            encode.append((time.perf_counter() - started) * 1000)
    finally:
        app.queries.list_runs = original  # type: ignore[assignment]
    return statistics.median(times), statistics.median(encode)


async def _principal(settings: Settings) -> Any:
    from app.auth import authenticate

    return await authenticate(f"Bearer {KEY}")


async def in_process(
    backend: str, url: str, n_runs: int, figures: dict[str, Figures], profile: bool, repeat: int, compiled: bool
) -> tuple[dict[str, dict[str, Any]], float, float, int]:
    """Statements, database time and in-process time per query; the floor; an optional profile;
    and how many of the executions the compiled path served."""
    settings = Settings(database_url=url, bootstrap_key=KEY, log_level="warning", compiled_execution=compiled)
    set_settings(settings)
    await init_db(settings)
    try:
        await ensure_bootstrap_key(KEY)
        schema = build_schema(settings)
        cursor, next_id = await _deep_cursor(n_runs)
        variables = {"Q1": {}, "Q2": {"after": cursor}, "Q3": {"filter": Q3_FILTER}}
        served_before = execution_stats.compiled
        counter = StatementCounter()
        counter.install()
        for name, values in variables.items():
            figures[name].inprocess_ms = await _timed(schema, settings, values, repeat)
            # After the timed runs: PostgreSQL has settled on its plan for the prepared statements
            # (a generic one after five executions), as it has for the server after its warm-up.
            with counter.measuring():
                result = await schema.execute(RUNS_QUERY, variable_values=values, context_value=_context(settings))
            data = _check(name, result)
            figures[name].statements = counter.count
            figures[name].db_ms = counter.seconds * 1000
            if name == "Q2" and data["runs"]["edges"][0]["node"]["id"] != next_id:
                raise SystemExit("Q2 does not start at run 9,999: the deep cursor is wrong")
            if name == "Q3":
                nodes = [edge["node"] for edge in data["runs"]["edges"]]
                keys = [node["workflow"]["key"] for node in nodes]
                if any(node["status"] != "FAILED" for node in nodes) or not all(k.startswith("billing") for k in keys):
                    raise SystemExit("Q3 returned a run that does not match its filter")
            if profile and name == "Q1":
                print(f"{backend}: the statements of Q1:")
                for statement in counter.statements:
                    print("   ", statement[:200])
        served = execution_stats.compiled - served_before
        floor_ms, encode_ms = await _floor(schema, settings, repeat)
        if profile:
            await _profile(backend, schema, settings)
        return variables, floor_ms, encode_ms, served
    finally:
        await close_db()


async def _profile(backend: str, schema: Any, settings: Settings) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(50):
        result = await schema.execute(RUNS_QUERY, context_value=_context(settings))
        json.dumps({"data": result.data}, separators=(",", ":"))
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(45)
    print(f"\n{backend}: cProfile of 50 x Q1 in-process (schema.execute + json.dumps)\n{out.getvalue()}")


# ---------------------------------------------------------------- over HTTP


async def _post(client: httpx.AsyncClient, url: str, body: bytes) -> float:
    started = time.perf_counter()
    response = await client.post(url, content=body)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200 or b'"errors"' in response.content[:20]:
        raise SystemExit(f"HTTP {response.status_code}: {response.text[:300]}")
    return elapsed


async def _concurrently(client: httpx.AsyncClient, url: str, body: bytes, *, total: int, concurrency: int) -> None:
    """`total` requests, `concurrency` of them in flight at any time."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await _post(client, url, body)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def _client(server: FlowdeckServer) -> httpx.AsyncClient:
    headers = {**server.headers, "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    return httpx.AsyncClient(headers=headers, limits=limits, timeout=60)


def _bodies(variables: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    return {name: json.dumps({"query": RUNS_QUERY, "variables": values}).encode() for name, values in variables.items()}


async def warm_up(
    server: FlowdeckServer, variables: dict[str, dict[str, Any]], figures: dict[str, Figures], warmup: int
) -> None:
    async with _client(server) as client:
        for name, body in _bodies(variables).items():
            response = await client.post(server.graphql_url, content=body)
            _check(name, response.json())
            figures[name].response_kb = len(response.content) / 1024
            for _ in range(warmup):
                await _post(client, server.graphql_url, body)


async def http_round(
    server: FlowdeckServer, variables: dict[str, dict[str, Any]], figures: dict[str, Figures], *, c1: int, c8: int
) -> None:
    """One round: each query at concurrency 1 (latencies), then at concurrency 8 (throughput)."""
    assert server.process is not None
    async with _client(server) as client:
        for name, body in _bodies(variables).items():
            cpu = cpu_seconds(server.process.pid)
            latencies = [await _post(client, server.graphql_url, body) for _ in range(c1)]
            figures[name].cpu_ms.append((cpu_seconds(server.process.pid) - cpu) * 1000 / c1)
            figures[name].p50.append(statistics.median(latencies))
            figures[name].p99.append(_percentile(latencies, 0.99))

            started = time.perf_counter()
            await _concurrently(client, server.graphql_url, body, total=c8, concurrency=8)
            figures[name].rps.append(c8 / (time.perf_counter() - started))


# ---------------------------------------------------------------- driver


def bench_backend(backend: str, url: str, args: argparse.Namespace) -> None:
    executors = [name.strip() for name in args.executors.split(",") if name.strip()]
    figures = {executor: {name: Figures() for name in ("Q1", "Q2", "Q3")} for executor in executors}
    floors: dict[str, tuple[float, float]] = {}
    started = time.perf_counter()
    variables: dict[str, dict[str, Any]] = {}
    for executor in executors:
        variables, floor_ms, encode_ms, served = asyncio.run(
            in_process(backend, url, args.runs, figures[executor], args.profile, args.inprocess, EXECUTORS[executor])
        )
        floors[executor] = (floor_ms, encode_ms)
        print(f"{backend} {executor}: the compiled path served {served} of the in-process executions")
    if not args.no_http:
        env = {"FLOWDECK_DATABASE_URL": url, "FLOWDECK_BOOTSTRAP_KEY": KEY, "FLOWDECK_LOG_LEVEL": "warning"}
        with ExitStack() as stack:
            servers = {
                executor: stack.enter_context(
                    FlowdeckServer(
                        {**env, "FLOWDECK_COMPILED_EXECUTION": "on" if EXECUTORS[executor] else "off"}, engine=False
                    )
                )
                for executor in executors
            }
            for executor, server in servers.items():
                asyncio.run(warm_up(server, variables, figures[executor], args.warmup))
            for _round in range(args.rounds):
                for executor, server in servers.items():
                    asyncio.run(http_round(server, variables, figures[executor], c1=args.c1, c8=args.c8))
    print(
        f"\n{backend}: {args.runs:,} runs; medians of {args.rounds} round(s); c=1: {args.c1} requests, "
        f"c=8: {args.c8} requests, after {args.warmup} warm-up requests per query; executors side by side, "
        f"rounds alternating ({time.perf_counter() - started:.0f}s)"
    )
    print(
        f"| {'executor':12} | {'query':5} | {'c=1 p50':>8} | {'c=1 p99':>8} | {'c=8 req/s':>9} | {'srv CPU':>8} "
        f"| {'SQL':>3} | {'DB ms':>6} | {'in-proc':>7} | {'KB':>5} |"
    )
    print(f"|{'-' * 14}|{'-' * 7}|{'-' * 10}|{'-' * 10}|{'-' * 11}|{'-' * 10}|{'-' * 5}|{'-' * 8}|{'-' * 9}|{'-' * 7}|")
    for name in ("Q1", "Q2", "Q3"):
        for executor in executors:
            f = figures[executor][name]
            http = f"{'-':>8} | {'-':>8} | {'-':>9} | {'-':>8}"
            if f.p50:
                p50, p99, rps, cpu = (statistics.median(values) for values in (f.p50, f.p99, f.rps, f.cpu_ms))
                http = f"{p50:6.1f}ms | {p99:6.1f}ms | {rps:9.0f} | {cpu:6.1f}ms"
            print(
                f"| {executor:12} | {name:5} | {http} | {f.statements:3d} | {f.db_ms:6.2f} | {f.inprocess_ms:5.1f}ms "
                f"| {f.response_kb:5.0f} |"
            )
    for executor, (floor_ms, encode_ms) in floors.items():
        q1 = figures[executor]["Q1"]
        vs = f"; Q1 p50 over HTTP is {statistics.median(q1.p50) / floor_ms:.2f}x the floor" if q1.p50 else ""
        print(f"floor ({executor}): Q1 from models in memory {floor_ms:.1f} ms (+ {encode_ms:.1f} ms json.dumps){vs}")
    if len(executors) == 2 and all(figures[e]["Q1"].p50 for e in executors):
        before, after = executors
        for name in ("Q1", "Q2", "Q3"):
            b, a = figures[before][name], figures[after][name]
            print(
                f"{name}: {after} p50 {statistics.median(b.p50) / statistics.median(a.p50):.2f}x faster than {before}, "
                f"c=8 {statistics.median(a.rps) / statistics.median(b.rps):.2f}x the throughput"
            )
    print(
        "(SQL: statements per request in-process, the key's lookup included; DB ms: time awaiting them, "
        "summed (the steps and workflows load concurrently); "
        "in-proc: schema.execute with the database, no HTTP; srv CPU: the server process's CPU time per "
        "request at c=1, from /proc as psutil reads it)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=100_000, help="dataset size (default 100,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--c1", type=int, default=1000, help="requests at concurrency 1 per round")
    parser.add_argument("--c8", type=int, default=2000, help="requests at concurrency 8 per round")
    parser.add_argument("--inprocess", type=int, default=100, help="in-process executions per query")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of Q1 in-process")
    parser.add_argument("--no-http", action="store_true", help="only the in-process figures (no server)")
    parser.add_argument(
        "--executors",
        default="graphql-core,compiled",
        help="which executors to measure, side by side: graphql-core (before), compiled (after)",
    )
    args = parser.parse_args()
    if args.runs < DEEP_ROW + PAGE + 1:
        parser.error(f"--runs must be above {DEEP_ROW + PAGE}: Q2 starts after row {DEEP_ROW:,}")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    for backend in backends:
        if backend == "sqlite":
            bench_backend("sqlite", sqlite_url(args.runs), args)
        elif backend == "postgres":
            if postgres_bin() is None:
                print("postgres: server binaries not installed; skipped")
                continue
            server = CachedPostgres(f"postgres-{args.runs}").start()
            try:
                bench_backend("postgres", postgres_url(server, args.runs), args)
            finally:
                server.stop()
        else:
            parser.error(f"unknown backend {backend!r}")


if __name__ == "__main__":
    main()
