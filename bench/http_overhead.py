"""What the HTTP layer adds to a query (issue 9, point 4): a trivial query and Q1, in process
(`schema.execute`), through the ASGI app in process (middleware, the GraphQL view, JSON; no
server, no socket), and over HTTP against a real `flowdeck serve --no-engine`.

    .venv/bin/python bench/http_overhead.py [--backend sqlite|postgres] [-n 500] [--profile]
    .venv/bin/python bench/http_overhead.py --backend postgres -n 200 --one-write 6
    .venv/bin/python bench/http_overhead.py --backend postgres -n 200 --against /tmp/main --rounds 4

`--one-write ROUNDS`: only Q1 over HTTP against two servers side by side, uvicorn's own
protocol (FLOWDECK_HTTP_ONE_WRITE=0) and app.http_protocol's, rounds alternating.
`--against CHECKOUT`: only Q1-Q3 over HTTP (bench/queries.py's), against a server of this
checkout and one of another (e.g. `git archive main | tar -x -C /tmp/main`; imported through
PYTHONPATH, same .venv), side by side, rounds alternating: the server CPU per request of each.

Per query it prints the median wall time of each way, and the CPU time per request: of this
process in process, of the server process over HTTP (read from /proc, as psutil does), so
that the figures mean something on a loaded machine. `--profile` prints a cProfile of the
trivial query through the ASGI app, the part of the HTTP layer that flowdeck's code controls.
The dataset is bench/queries.py's (bench/load_dataset.py; loaded once, then reused).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from app.asgi import create_app  # noqa: E402
from app.db import close_db, init_db  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.cpu import cpu_seconds  # noqa: E402
from bench.load_dataset import loaded_database  # noqa: E402
from bench.queries import KEY, Q3_FILTER, RUNS_QUERY, _deep_cursor  # noqa: E402
from schema import build_schema  # noqa: E402
from schema.context import Context  # noqa: E402
from tests.servers import FlowdeckServer  # noqa: E402

N_RUNS = 100_000
QUERIES = {
    "trivial": ("{ __typename }", {}),
    "Q1": (RUNS_QUERY, {}),
}


async def _timed(call: Callable[[], Awaitable[Any]], n: int) -> tuple[float, float]:
    """Median wall ms per call, and this process's CPU ms per call."""
    times = []
    cpu = time.process_time()
    for _ in range(n):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), (time.process_time() - cpu) * 1000 / n


class Lifespan:
    """Runs an ASGI app's lifespan (startup now, shutdown on `stop`)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        self.started = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async def send(message: dict[str, Any]) -> None:
            if message["type"].startswith("lifespan.startup"):
                self.started.set()
            if message["type"] == "lifespan.startup.failed":
                raise RuntimeError(message.get("message"))

        self.task = asyncio.create_task(
            self.app({"type": "lifespan", "asgi": {"version": "3.0"}}, self.inbox.get, send)
        )
        await self.inbox.put({"type": "lifespan.startup"})
        await self.started.wait()

    async def stop(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        assert self.task is not None
        await self.task


async def in_process(url: str, n: int, profile: bool) -> dict[str, dict[str, tuple[float, float]]]:
    settings = Settings(database_url=url, bootstrap_key=KEY, log_level="warning")
    app = create_app(settings, run_engine=False)
    lifespan = Lifespan(app)
    await lifespan.start()
    figures: dict[str, dict[str, tuple[float, float]]] = {}
    try:
        schema = build_schema(settings)
        headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://flowdeck", headers=headers) as client:
            for name, (query, variables) in QUERIES.items():
                body = json.dumps({"query": query, "variables": variables}).encode()

                async def execute(query: str = query, variables: dict[str, Any] = variables) -> None:
                    context = Context(settings=settings, authorization=f"Bearer {KEY}")
                    result = await schema.execute(query, variable_values=variables, context_value=context)
                    assert not result.errors, result.errors

                async def post(body: bytes = body) -> None:
                    response = await client.post("/graphql", content=body)
                    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]

                for _ in range(min(n, 50)):
                    await execute()
                    await post()
                figures[name] = {"schema": await _timed(execute, n), "asgi": await _timed(post, n)}
            if profile:
                body = json.dumps({"query": QUERIES["trivial"][0]}).encode()
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(n):
                    await client.post("/graphql", content=body)
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(35)
                print(f"cProfile of {n} x the trivial query through the ASGI app (httpx's ASGITransport)")
                print(out.getvalue())
    finally:
        await lifespan.stop()
    return figures


async def over_http(server: FlowdeckServer, n: int) -> dict[str, tuple[float, float]]:
    """Median wall ms per request at concurrency 1, and the server's CPU ms per request."""
    assert server.process is not None
    figures = {}
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        for name, (query, variables) in QUERIES.items():
            body = json.dumps({"query": query, "variables": variables}).encode()
            for _ in range(min(n, 50)):
                (await client.post(server.graphql_url, content=body)).raise_for_status()
            times = []
            cpu = cpu_seconds(server.process.pid)
            for _ in range(n):
                started = time.perf_counter()
                response = await client.post(server.graphql_url, content=body)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and "errors" not in response.json()
            figures[name] = (statistics.median(times), (cpu_seconds(server.process.pid) - cpu) * 1000 / n)
    return figures


def _write_calls(pid: int) -> int:
    """The write system calls process `pid` made so far (/proc/PID/io: write, writev, send)."""
    with open(f"/proc/{pid}/io", encoding="ascii") as io_file:
        return next(int(line.split()[1]) for line in io_file if line.startswith("syscw:"))


async def alternating(
    servers: dict[str, FlowdeckServer], queries: dict[str, tuple[str, dict[str, Any]]], n: int, rounds: int
) -> dict[tuple[str, str], tuple[float, float, float]]:
    """Each query against each server in turn, `rounds` times `n` requests (each server first
    in every other round): per (server, query) the median of the rounds' server CPU ms per
    request, the write system calls per request, and the wall p50 ms."""
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    bodies = {
        name: json.dumps({"query": query, "variables": values}).encode() for name, (query, values) in queries.items()
    }
    cpu: dict[tuple[str, str], list[float]] = {}
    writes: dict[tuple[str, str], list[float]] = {}
    walls: dict[tuple[str, str], list[float]] = {}
    async with httpx.AsyncClient(headers=headers, timeout=60) as client:
        for server in servers.values():
            for body in bodies.values():
                for _ in range(50):
                    (await client.post(server.graphql_url, content=body)).raise_for_status()
        for turn in range(rounds):
            for name, server in list(servers.items())[:: 1 if turn % 2 == 0 else -1]:
                assert server.process is not None
                pid = server.process.pid
                for query, body in bodies.items():
                    before, calls = cpu_seconds(pid), _write_calls(pid)
                    for _ in range(n):
                        started = time.perf_counter()
                        response = await client.post(server.graphql_url, content=body)
                        walls.setdefault((name, query), []).append((time.perf_counter() - started) * 1000)
                        assert response.status_code == 200 and "errors" not in response.json()
                    cpu.setdefault((name, query), []).append((cpu_seconds(pid) - before) * 1000 / n)
                    writes.setdefault((name, query), []).append((_write_calls(pid) - calls) / n)
    return {
        key: (statistics.median(cpu[key]), statistics.median(writes[key]), statistics.median(walls[key])) for key in cpu
    }


def compare_one_write(url: str, n: int, rounds: int) -> None:
    """uvicorn's protocol against app.http_protocol's, two servers side by side, rounds alternating."""
    base = {"FLOWDECK_DATABASE_URL": url, "FLOWDECK_BOOTSTRAP_KEY": KEY, "FLOWDECK_LOG_LEVEL": "warning"}
    with (
        FlowdeckServer({**base, "FLOWDECK_HTTP_ONE_WRITE": "0"}, engine=False) as two,
        FlowdeckServer(base, engine=False) as one,
    ):
        figures = asyncio.run(
            alternating({"uvicorn's (head, then body)": two, "one write": one}, {"Q1": QUERIES["Q1"]}, n, rounds)
        )
    print(f"\nQ1 over HTTP, {rounds} rounds of {n} requests per server, alternating (medians of the rounds)")
    print("| protocol | server CPU ms per request | write syscalls per request | wall p50 ms |")
    print("|---|---:|---:|---:|")
    for (name, _), (cpu, writes, wall) in figures.items():
        print(f"| {name} | {cpu:.2f} | {writes:.2f} | {wall:.2f} |")


async def _page_queries(url: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Q1-Q3 of bench/queries.py (Q2's cursor read from the database)."""
    settings = Settings(database_url=url, bootstrap_key=KEY, log_level="warning")
    await init_db(settings)
    try:
        cursor, _ = await _deep_cursor(N_RUNS)
    finally:
        await close_db()
    return {"Q1": (RUNS_QUERY, {}), "Q2": (RUNS_QUERY, {"after": cursor}), "Q3": (RUNS_QUERY, {"filter": Q3_FILTER})}


def compare_checkouts(url: str, other: Path, n: int, rounds: int) -> None:
    """Q1-Q3 over HTTP against a server of this checkout and one of `other` (another checkout
    of flowdeck, e.g. main's, imported through PYTHONPATH), side by side, rounds alternating."""
    queries = asyncio.run(_page_queries(url))
    base = {"FLOWDECK_DATABASE_URL": url, "FLOWDECK_BOOTSTRAP_KEY": KEY, "FLOWDECK_LOG_LEVEL": "warning"}
    with (
        FlowdeckServer({**base, "PYTHONPATH": str(other)}, engine=False) as theirs,
        FlowdeckServer({**base, "PYTHONPATH": str(ROOT)}, engine=False) as ours,
    ):
        figures = asyncio.run(alternating({str(other): theirs, str(ROOT): ours}, queries, n, rounds))
    print(f"\nover HTTP, {rounds} rounds of {n} requests per query and server, alternating (medians of the rounds)")
    print(f"| query | server CPU ms, {other} | this checkout | ratio | wall p50 ms, {other} | this checkout |")
    print("|---|---:|---:|---:|---:|---:|")
    for query in queries:
        (cpu_a, _, wall_a), (cpu_b, _, wall_b) = figures[(str(other), query)], figures[(str(ROOT), query)]
        print(f"| {query} | {cpu_a:.2f} | {cpu_b:.2f} | {cpu_b / cpu_a:.2f} | {wall_a:.2f} | {wall_b:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("-n", type=int, default=500, help="requests per query and way")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--one-write", type=int, metavar="ROUNDS", help="only compare uvicorn's protocol with app.http_protocol's"
    )
    parser.add_argument(
        "--against", type=Path, metavar="CHECKOUT", help="only Q1-Q3 over HTTP, beside a server of CHECKOUT's code"
    )
    parser.add_argument("--rounds", type=int, default=4, help="rounds of --against")
    args = parser.parse_args()
    with loaded_database(args.backend, N_RUNS) as (url, _postgres):
        if args.one_write:
            compare_one_write(url, args.n, args.one_write)
            return
        if args.against:
            compare_checkouts(url, args.against.resolve(), args.n, args.rounds)
            return
        figures = asyncio.run(in_process(url, args.n, args.profile))
        env = {"FLOWDECK_DATABASE_URL": url, "FLOWDECK_BOOTSTRAP_KEY": KEY, "FLOWDECK_LOG_LEVEL": "warning"}
        with FlowdeckServer(env, engine=False) as server:
            http = asyncio.run(over_http(server, args.n))
    print(f"\n{args.backend}, {args.n} requests per query and way, concurrency 1 (wall ms p50 / CPU ms per request)")
    print("| query | schema.execute | ASGI app in process | over HTTP (server CPU) | HTTP - schema (CPU) |")
    print("|---|---:|---:|---:|---:|")
    for name in QUERIES:
        (s_wall, s_cpu), (a_wall, a_cpu) = figures[name]["schema"], figures[name]["asgi"]
        h_wall, h_cpu = http[name]
        print(
            f"| {name} | {s_wall:.2f} / {s_cpu:.2f} | {a_wall:.2f} / {a_cpu:.2f} | {h_wall:.2f} / {h_cpu:.2f} "
            f"| {h_cpu - s_cpu:.2f} |"
        )
    print("(the ASGI app's CPU includes httpx's client side in the same process; the server's does not)")


if __name__ == "__main__":
    main()
