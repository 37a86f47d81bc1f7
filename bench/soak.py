"""Soak: two `flowdeck serve --no-engine` processes and one `flowdeck engine` on one PostgreSQL
and one Redis, under a steady mix of queries, mutations, starts and bulk actions, with 200 live
subscribers, for --minutes (10 by default).

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 6] [--subscribers 200]
                                   [--memory-probe DIR [--tracemalloc-frames N]]

Requests alternate between the two API processes, as a load balancer would. Every operation
is one whose answer is certain (a cancel of a run that cannot have ended, a bulk CANCEL of runs
just started ...), so any error is a fault. Prints, per operation: count, throughput, p50 and
p99 latency; the error count (with the first few errors); what the subscribers received and
any gap in a runEvents sequence; and the RSS of each process at start, after warm-up and at
the end, with its growth after warm-up. Aims: zero errors, under 10% memory growth after
warm-up. Figures only; nothing here asserts.

With --memory-probe DIR the API processes and the engine are probed (app/observability/memory.py) after
warm-up and 15 s before the end (everything still open): the object types whose count grew,
and the RSS before and after malloc_trim (a leak stays, glibc's free-but-kept memory goes).
With --tracemalloc-frames N too, they trace their allocations (much slower) and the largest
growths between the two probes are printed by traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import json
import os
import random
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[0]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from live import percentile, rss_kib

from tests.servers import FlowdeckServer, PostgresServer, RedisServer, flowdeck_command

SETUP = """mutation($quick: [StepDefinitionInput!]!, $slow: [StepDefinitionInput!]!) {
  createProject(input: {key: "soak", name: "Soak"}) { errors { message } }
  quick: createWorkflow(input: {project: "soak", key: "quick", name: "Quick", steps: $quick}) { errors { message } }
  slow: createWorkflow(input: {project: "soak", key: "slow", name: "Slow", steps: $slow}) { errors { message } }
}"""
START = """mutation($wf: String!) {
  startRun(input: {project: "soak", workflowKey: $wf}) { run { id } errors { message } }
}"""
CANCEL = "mutation($id: ID!) { cancelRun(input: {id: $id}) { run { status } errors { code message } } }"
POST_UPDATE = """mutation($id: ID!) { postRunUpdate(input: {runId: $id, message: "working"}) { errors { message } } }"""
BULK = """mutation($ids: [ID!]!) {
  bulkRunAction(input: {action: CANCEL, ids: $ids}) { matched succeeded failed errors { code message } }
}"""
RUNS = """query { runs(project: "soak", first: 20, filter: "status eq \\"COMPLETED\\"") {
  totalCount edges { node { id status workflow { key } steps { ref status attempt } } } } }"""
RUN = """query($id: ID!) {
  run(id: $id) { id status steps { ref status } events(first: 20) { edges { node { seq type } } } }
}"""
STATS = 'query { runStats(project: "soak") { total } }'
ME = "query { me { name role } }"
RUN_EVENTS = "subscription($id: ID!) { runEvents(runId: $id, after: 0) { seq type } }"
RUN_CHANGED = 'subscription { runChanged(filter: "workflow_key eq \\"slow\\"") { id status } }'


class Figures:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: list[str] = []

    def error(self, where: str, detail: object) -> None:
        self.errors.append(f"{where}: {str(detail)[:300]}")


class Api:
    """GraphQL over HTTP, alternating between the API processes; each call timed under a name."""

    def __init__(self, servers: list[FlowdeckServer], figures: Figures) -> None:
        self.clients = itertools.cycle(
            [httpx.AsyncClient(base_url=server.url, headers=server.headers, timeout=60) for server in servers]
        )
        self.figures = figures

    async def __call__(self, name: str, query: str, **variables: Any) -> dict[str, Any] | None:
        client = next(self.clients)
        began = time.perf_counter()
        try:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            self.figures.error(name, repr(error))
            return None
        self.figures.latencies[name].append(time.perf_counter() - began)
        if response.status_code != 200 or body.get("errors"):
            self.figures.error(name, f"{response.status_code} {body}")
            return None
        data: dict[str, Any] = body["data"]
        for payload in data.values():
            if isinstance(payload, dict) and payload.get("errors"):
                self.figures.error(name, payload["errors"])
                return None
        return data


async def start(api: Api, workflow: str) -> str | None:
    data = await api("startRun", START, wf=workflow)
    return data["startRun"]["run"]["id"] if data else None


async def cancel_a_running_run(api: Api) -> None:
    # a slow run (its step sleeps for minutes) cannot have ended: posting to it and canceling it
    # must both succeed
    run_id = await start(api, "slow")
    if run_id:
        await api("postRunUpdate", POST_UPDATE, id=run_id)
        data = await api("cancelRun", CANCEL, id=run_id)
        if data and data["cancelRun"]["run"]["status"] not in ("CANCELING", "CANCELED"):
            api.figures.error("cancelRun", data)


async def bulk_cancel(api: Api) -> None:
    ids = [run_id for run_id in await asyncio.gather(*(start(api, "slow") for _ in range(5))) if run_id]
    data = await api("bulkRunAction", BULK, ids=ids)
    if data and (data["bulkRunAction"]["matched"], data["bulkRunAction"]["succeeded"]) != (len(ids), len(ids)):
        api.figures.error("bulkRunAction", data)


async def read_a_run(api: Api, recent: collections.deque[str]) -> None:
    if recent:
        data = await api("run", RUN, id=random.choice(recent))
        if data and data["run"] is None:
            api.figures.error("run", "a run started earlier is not found")


def mix(
    api: Api, recent: collections.deque[str], to_follow: asyncio.Queue[str]
) -> list[tuple[int, Callable[[], Awaitable[None]]]]:
    async def start_quick() -> None:
        run_id = await start(api, "quick")
        if run_id:
            recent.append(run_id)
            if not to_follow.full():
                to_follow.put_nowait(run_id)

    async def query(name: str, document: str) -> None:
        await api(name, document)

    return [
        (30, lambda: query("runs", RUNS)),
        (20, lambda: read_a_run(api, recent)),
        (10, lambda: query("runStats", STATS)),
        (10, lambda: query("me", ME)),
        (20, start_quick),
        (6, lambda: cancel_a_running_run(api)),
        (4, lambda: bulk_cancel(api)),
    ]


async def client_loop(api: Api, recent: collections.deque[str], to_follow: asyncio.Queue[str], until: float) -> None:
    operations = mix(api, recent, to_follow)
    weights = [weight for weight, _ in operations]
    while time.monotonic() < until:
        [(_, operation)] = random.choices(operations, weights=weights)
        await operation()


class Subscribers:
    """Websocket subscribers: runChanged ones that stay for the whole soak, and runEvents ones
    that each follow a quick run the clients started to its end, then take the next."""

    def __init__(self, servers: list[FlowdeckServer], key: str, figures: Figures) -> None:
        self.urls = itertools.cycle([server.ws_url for server in servers])
        self.key = key
        self.figures = figures
        self.items = collections.Counter[str]()
        self.gaps = 0
        self.followed = 0

    async def _socket(self) -> Any:
        ws = await websockets.connect(next(self.urls), subprotocols=["graphql-transport-ws"], open_timeout=60)
        await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.key}"}}))
        ack = json.loads(await ws.recv())
        if ack["type"] != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        return ws

    async def _follow(
        self, ws: Any, query: str, variables: dict[str, Any], field: str, keep: bool = True
    ) -> list[dict[str, Any]]:
        """Items until the subscription completes (or the socket closes at the end of the soak);
        counted only unless `keep` (a runChanged watcher sees millions in ten minutes)."""
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}))
        items = []
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "next":
                if message["payload"].get("errors"):
                    self.figures.error(field, message["payload"]["errors"])
                    break
                if keep:
                    items.append(message["payload"]["data"][field])
                self.items[field] += 1
            elif message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "complete":
                break
            elif message["type"] == "error":
                self.figures.error(field, message)
                break
        return items

    async def watch_changes(self, until: float) -> None:
        ws = await self._socket()
        try:
            changes = self._follow(ws, RUN_CHANGED, {}, "runChanged", keep=False)
            await asyncio.wait_for(changes, until - time.monotonic())
        except TimeoutError:
            pass  # the soak is over
        except websockets.ConnectionClosed as error:
            self.figures.error("runChanged", f"socket closed: {error}")
        finally:
            await ws.close()

    async def follow_runs(self, to_follow: asyncio.Queue[str], until: float) -> None:
        while time.monotonic() < until:
            try:
                run_id = await asyncio.wait_for(to_follow.get(), max(0.01, until - time.monotonic()))
            except TimeoutError:
                return
            ws = await self._socket()
            try:
                events = await asyncio.wait_for(self._follow(ws, RUN_EVENTS, {"id": run_id}, "runEvents"), 120)
            except (TimeoutError, websockets.ConnectionClosed) as error:
                self.figures.error("runEvents", f"{run_id}: {error!r}")
                continue
            finally:
                await ws.close()
            seqs = [event["seq"] for event in events]
            self.followed += 1
            if seqs != list(range(1, len(seqs) + 1)) or not events or events[-1]["type"] != "RUN_COMPLETED":
                self.gaps += 1
                self.figures.error("runEvents", f"{run_id}: seqs {seqs}")


def rss_of(processes: dict[str, int]) -> dict[str, int]:
    return {name: rss_kib(pid) for name, pid in processes.items()}


async def sample_rss(processes: dict[str, int], timeline: list[tuple[float, dict[str, int]]], until: float) -> None:
    """The RSS of each process every 30 s: a leak keeps climbing, a warm-up levels off."""
    began = time.monotonic()
    while time.monotonic() < until:
        timeline.append((time.monotonic() - began, rss_of(processes)))
        await asyncio.sleep(min(30.0, max(0.0, until - time.monotonic())))


async def probe(processes: dict[str, int], directory: Path) -> dict[str, Path]:
    """Each process's next memory probe (app/observability/memory.py), once written."""
    stems = {}
    for name, pid in processes.items():
        if name.startswith(("serve", "engine")):
            number = len(list(directory.glob(f"flowdeck-{pid}-*.json"))) + 1
            stems[name] = directory / f"flowdeck-{pid}-{number}"
            os.kill(pid, signal.SIGUSR2)
    for stem in stems.values():
        while not stem.with_suffix(".json").exists():
            await asyncio.sleep(0.5)
    return stems


def report_growth(warm: dict[str, Path], end: dict[str, Path], top: int = 12) -> None:
    for name, stem in end.items():
        if Path(f"{stem}.tracemalloc").exists():
            before, after = (tracemalloc.Snapshot.load(f"{s[name]}.tracemalloc") for s in (warm, end))
            print(f"\n{name}: tracemalloc growth after warm-up, by traceback (largest {top})")
            for stat in after.compare_to(before, "traceback")[:top]:
                print(f"  {stat.size_diff / 1024:+10.1f} KiB {stat.count_diff:+8d} blocks")
                for line in stat.traceback.format(limit=6, most_recent_first=True):
                    print(f"      {line}")
        figures = [json.loads(Path(f"{s[name]}.json").read_text()) for s in (warm, end)]
        grown = sorted(
            ((figures[1]["types"].get(t, 0) - figures[0]["types"].get(t, 0), t) for t in figures[1]["types"]),
            reverse=True,
        )[:15]
        print(f"{name}: object types that grew: " + ", ".join(f"{t} {n:+d}" for n, t in grown if n > 0))
        for moment, data in zip(("warm", "end"), figures, strict=True):
            traced = f"traced {data['traced'] / 2**20:.1f} MiB; " if data["traced"] is not None else ""
            print(
                f"{name} {moment}: {traced}RSS before / after malloc_trim: "
                f"{data['rss_before_trim']} / {data['rss_after_trim']} KiB"
            )


def report(
    args: argparse.Namespace,
    figures: Figures,
    subscribers: Subscribers,
    elapsed: float,
    memory: dict[str, dict[str, int]],
    timeline: list[tuple[float, dict[str, int]]],
) -> None:
    print(f"\nsoak: {elapsed / 60:.1f} min, {args.clients} clients, {args.subscribers} subscribers")
    print(f"{'operation':<16}{'count':>8}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for name, values in sorted(figures.latencies.items()):
        print(
            f"{name:<16}{len(values):>8}{len(values) / elapsed:>9.1f}"
            f"{percentile(values, 0.5) * 1000:>9.1f}{percentile(values, 0.99) * 1000:>9.1f}"
        )
    print(
        f"subscriptions: {dict(subscribers.items)} items received; {subscribers.followed} runs followed "
        f"to their end, {subscribers.gaps} with a gap"
    )
    print(f"errors: {len(figures.errors)}")
    for line in figures.errors[:10]:
        print(f"  {line}")
    print(f"{'process':<10}{'start MiB':>11}{'warm MiB':>10}{'end MiB':>9}{'growth after warm-up':>22}")
    for name in memory["start"]:
        start, warm, end = (memory[moment][name] / 1024 for moment in ("start", "warm", "end"))
        print(f"{name:<10}{start:>11.1f}{warm:>10.1f}{end:>9.1f}{(end - warm) / warm * 100:>21.1f}%")
    print(
        "RSS MiB every 30 s: "
        + "; ".join(
            f"{name} " + " ".join(f"{sample[name] / 1024:.0f}" for _, sample in timeline) for name in memory["start"]
        )
    )


async def soak(args: argparse.Namespace, env: dict[str, str], root: Path) -> None:
    servers = [FlowdeckServer(env, engine=False).start() for _ in range(2)]
    engine = subprocess.Popen(
        [*flowdeck_command(), "engine"],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("FLOWDECK_")}, **env},
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    figures = Figures()
    api = Api(servers, figures)
    try:
        quick = [{"ref": f"s{n}", "type": "TASK", "handler": "noop"} for n in range(3)]
        for index in range(1, len(quick)):
            quick[index]["dependsOn"] = [quick[index - 1]["ref"]]
        slow = [{"ref": "wait", "type": "TASK", "handler": "sleep", "config": {"seconds": 3600}}]
        if await api("setup", SETUP, quick=quick, slow=slow) is None:
            raise RuntimeError(f"set-up failed: {figures.errors}")
        figures.latencies.pop("setup")
        processes = {"serve-1": servers[0].process.pid, "serve-2": servers[1].process.pid, "engine": engine.pid}  # type: ignore[union-attr]
        memory = {"start": rss_of(processes)}
        began = time.monotonic()
        until = began + args.minutes * 60
        warm_up = min(120.0, args.minutes * 60 * 0.2)
        subscribers = Subscribers(servers, env["FLOWDECK_BOOTSTRAP_KEY"], figures)
        followers = args.subscribers // 4
        tasks = [asyncio.create_task(subscribers.watch_changes(until)) for _ in range(args.subscribers - followers)]
        to_follow: asyncio.Queue[str] = asyncio.Queue(maxsize=followers)
        tasks += [asyncio.create_task(subscribers.follow_runs(to_follow, until)) for _ in range(followers)]
        recent: collections.deque[str] = collections.deque(maxlen=200)
        tasks += [asyncio.create_task(client_loop(api, recent, to_follow, until)) for _ in range(args.clients)]
        timeline: list[tuple[float, dict[str, int]]] = []
        tasks.append(asyncio.create_task(sample_rss(processes, timeline, until)))
        await asyncio.sleep(warm_up)
        memory["warm"] = rss_of(processes)
        if args.memory_probe:
            probes = {"warm": await probe(processes, args.memory_probe)}
            # the last probe while every subscriber is still connected
            await asyncio.sleep(max(0.0, until - 15 - time.monotonic()))
            probes["end"] = await probe(processes, args.memory_probe)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                figures.error("task", repr(result))
        elapsed = time.monotonic() - began
        memory["end"] = rss_of(processes)
        report(args, figures, subscribers, elapsed, memory, timeline)
        if args.memory_probe:
            report_growth(probes["warm"], probes["end"])
    finally:
        engine.terminate()
        engine.wait(timeout=30)
        for server in servers:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=6, help="concurrent request loops")
    parser.add_argument("--subscribers", type=int, default=200, help="websocket subscribers (3/4 runChanged)")
    parser.add_argument("--memory-probe", type=Path, metavar="DIR", help="probe the processes' memory")
    parser.add_argument("--tracemalloc-frames", type=int, default=0, help="with --memory-probe: trace allocations")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.subscribers + 1024)), hard))
    postgres, redis = PostgresServer().start(), RedisServer().start()
    try:
        with tempfile.TemporaryDirectory(prefix="flowdeck-soak-") as root:
            env = {
                "FLOWDECK_DATABASE_URL": postgres.create_database("soak"),
                "FLOWDECK_BROADCAST_URL": redis.url,
                "FLOWDECK_BOOTSTRAP_KEY": secrets.token_urlsafe(24),
                "FLOWDECK_LOG_LEVEL": "warning",
                "FLOWDECK_ENGINE_POLL": "0.1",
            }
            if args.memory_probe:
                args.memory_probe = args.memory_probe.resolve()
                env |= {
                    "FLOWDECK_MEMORY_DIAGNOSTICS": str(args.memory_probe),
                    "FLOWDECK_TRACEMALLOC": str(args.tracemalloc_frames),
                }
            asyncio.run(soak(args, env, Path(root)))
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
