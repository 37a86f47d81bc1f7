"""Live benchmark: N concurrent `runEvents` subscribers on one real `flowdeck serve` while runs execute.

    .venv/bin/python bench/live.py [--mode sustained|burst] [--subscribers 1000] [--runs 100] [--steps N]
                                   [--rate 500] [--database sqlite|postgres] [--broadcast memory|redis]
                                   [--shared on|off|compare] [--committer engine|bench]

Each run waits at a SIGNAL step until every subscriber is connected (one websocket each,
graphql-transport-ws, spread evenly over the runs, subscribed with after: 0, one API key).
Then, by --mode:
  - sustained: each run is a chain of `sleep` steps (3 events per step: queued, started,
    completed) timed so that the runs together commit --rate events per second; the runs are
    signalled one after the other over one step's time, so commits are spread evenly.
  - burst: each run is a chain of `noop` steps and every run is signalled at once: deliveries
    per second is the capacity while events come as fast as the engine writes them.
--committer bench: the runs wait at their gate and a separate process commits their events
through flowdeck's own RunTransaction (which publishes to the shared broadcast after each
commit, as the engine does): sustained, one event per transaction at exactly --rate per
second; burst, --batch events per transaction from --writers concurrent transactions, as
fast as the database takes them. The burst's rate is then not bounded by the engine's commits
(~820/s): it measures flowdeck's fan-out, which is what its deliveries/s and deliveries per
server CPU-second then say.
Prints:
  - p50/p99/max delay from an event's commit (its `at` field) to its delivery to a
    subscriber, over every live event delivered to every subscriber, and the commit rate seen;
  - live deliveries per second over the busy window;
  - server memory per idle subscriber: (RSS with everyone subscribed - RSS before) / subscribers;
  - server CPU while the runs executed, and while the subscribers sat idle;
  - gaps and duplicates seen by the subscribers (there should be none).
--shared off serves with FLOWDECK_LIVE_SHARED_FEEDS=0 (each subscriber executes its own
selection, as before shared feeds); compare runs off then on, one after the other, and prints
the ratios. The server is one process (no --workers), so its RSS and CPU are the whole server's.
Figures only; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.servers import FlowdeckServer, PostgresServer, RedisServer, flowdeck_command

SUBSCRIPTION = "subscription($id: ID!) { runEvents(runId: $id, after: 0) { seq at type } }"
NEXT_FRAME = '{"id":"1","type":"next"'  # how the server starts a next frame of subscription "1"
CONNECT_CONCURRENCY = 50
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class GraphQL:
    def __init__(self, server: FlowdeckServer) -> None:
        self.client = httpx.AsyncClient(base_url=server.url, headers=server.headers, timeout=60)

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables})
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        data: dict[str, Any] = body["data"]
        for payload in data.values():
            if isinstance(payload, dict) and payload.get("errors"):
                raise RuntimeError(payload["errors"])
        return data


EVENTS_PER_STEP = 3  # STEP_QUEUED, STEP_STARTED, STEP_COMPLETED


async def prepare(gql: GraphQL, runs: int, steps: int, step_seconds: float) -> list[str]:
    await gql(
        "mutation($i: CreateProjectInput!) { createProject(input: $i) { project { key } errors { message } } }",
        i={"key": "bench", "name": "Bench"},
    )
    definition = [{"ref": "gate", "type": "SIGNAL", "config": {"signal": "go"}}]
    previous = "gate"
    for index in range(steps):
        ref = f"s{index}"
        step: dict[str, Any] = {"ref": ref, "type": "TASK", "handler": "noop", "dependsOn": [previous]}
        if step_seconds:
            step.update(handler="sleep", config={"seconds": step_seconds})
        definition.append(step)
        previous = ref
    await gql(
        "mutation($i: CreateWorkflowInput!) { createWorkflow(input: $i) { workflow { id } errors { message } } }",
        i={"project": "bench", "key": "live", "name": "Live bench", "steps": definition, "maxParallelSteps": 1},
    )
    started = await asyncio.gather(
        *(
            gql(
                "mutation($i: StartRunInput!) { startRun(input: $i) { run { id } errors { message } } }",
                i={"project": "bench", "workflowKey": "live"},
            )
            for _ in range(runs)
        )
    )
    return [data["startRun"]["run"]["id"] for data in started]


class Subscriber:
    """One websocket, one runEvents subscription; records (seq, at, received) per event."""

    def __init__(self, ws_url: str, key: str, run_id: str, compression: str | None = None) -> None:
        self.ws_url = ws_url
        self.compression = compression
        self.extensions = ""  # what the server accepted of the offered extensions
        self.key = key
        self.run_id = run_id
        self.frames: list[tuple[str | bytes, float]] = []  # each `next` frame as received, and when
        self.ready = asyncio.Event()  # the first (replayed) event arrived: the subscription is live
        self.completed = asyncio.Event()

    @property
    def events(self) -> list[tuple[int, float, float]]:
        """(seq, at, received) per event received."""
        found = []
        for raw, received in self.frames:
            event = json.loads(raw)["payload"]["data"]["runEvents"]
            found.append((event["seq"], dt.datetime.fromisoformat(event["at"]).timestamp(), received))
        return found

    async def run(self, connect_slots: asyncio.Semaphore) -> None:
        async with connect_slots:
            ws = await websockets.connect(
                self.ws_url, subprotocols=["graphql-transport-ws"], compression=self.compression, open_timeout=60
            )
            self.extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "") if ws.response else ""
            await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {self.key}"}}))
            ack = json.loads(await ws.recv())
            if ack["type"] != "connection_ack":
                raise RuntimeError(f"no connection_ack: {ack}")
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": SUBSCRIPTION, "variables": {"id": self.run_id}},
                    }
                )
            )
        try:
            async for raw in ws:
                received = time.time()
                # parsed after the run: the client's CPU is the box's too
                if isinstance(raw, str) and raw.startswith(NEXT_FRAME):
                    self.frames.append((raw, received))
                    self.ready.set()
                    continue
                message = json.loads(raw)
                kind = message["type"]
                if kind == "next":  # Strawberry's own path (--shared off) orders the keys otherwise
                    self.frames.append((raw, received))
                    self.ready.set()
                elif kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif kind == "complete":
                    break
                elif kind == "error":
                    raise RuntimeError(f"subscription error: {message}")
        finally:
            self.completed.set()
            await ws.close()


async def bench(args: argparse.Namespace, env: dict[str, str], shared: bool) -> dict[str, float]:
    env = {**env, "FLOWDECK_LIVE_SHARED_FEEDS": "1" if shared else "0"}
    env.update(dict(setting.split("=", 1) for setting in args.server_env))
    key = env["FLOWDECK_BOOTSTRAP_KEY"]
    # sustained: each run commits EVENTS_PER_STEP events per step, so this many seconds per step
    # make the runs together commit --rate events per second
    step_seconds = EVENTS_PER_STEP * args.runs / args.rate if args.mode == "sustained" else 0.0
    if args.committer == "bench":
        step_seconds = 0.0  # the runs wait at their gate; this process commits their events
    # --separate-engine: the API server serves only (--no-engine) and a `flowdeck engine` process
    # executes the runs, as a deployment that scales them apart would; the figures are then the
    # API server's alone. It needs a shared broadcast (redis) to reach the server.
    trace_file: Path | None = None
    if args.trace:  # the server notes each event's stages (app/observability/live_trace.py)
        trace_file = Path(tempfile.mkdtemp(prefix="flowdeck-live-trace-")) / "trace.json"
        env = {**env, "FLOWDECK_LIVE_TRACE": str(trace_file)}
    server = FlowdeckServer(env, engine=not args.separate_engine)
    engine: subprocess.Popen[bytes] | None = None
    if args.profile:
        # The same `flowdeck serve` under cProfile; the stats are written when it returns
        # (`serve` ignores the SIGTERM uvicorn re-raises and returns 0 after a clean shutdown).
        code = (
            "import cProfile, sys\n"
            "profile = cProfile.Profile()\n"
            f"sys.argv = {['flowdeck', *server.args[server.args.index('serve') :]]!r}\n"
            "from app.cli import main\n"
            "profile.enable()\n"
            "try:\n"
            "    main()\n"
            "finally:\n"
            f"    profile.disable(); profile.dump_stats({str(Path(args.profile).resolve())!r})\n"
        )
        server.args = [sys.executable, "-c", code]
    server.start()
    try:
        if args.separate_engine:  # after the server migrated the database
            engine = subprocess.Popen(
                [*flowdeck_command(), "engine"],
                env={**{k: v for k, v in os.environ.items() if not k.startswith("FLOWDECK_")}, **env},
                cwd=server.root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        assert server.process is not None
        pid = server.process.pid
        gql = GraphQL(server)
        run_ids = await prepare(gql, args.runs, args.steps, step_seconds)
        for _ in range(20):  # warm the server's code paths before the baseline
            await gql("{ runs(first: 10) { edges { node { id status } } } }")
        await asyncio.sleep(1.0)
        rss_before = rss_kib(pid)

        compression = "deflate" if args.client_deflate else None
        subscribers = [
            Subscriber(server.ws_url, key, run_ids[i % len(run_ids)], compression) for i in range(args.subscribers)
        ]
        slots = asyncio.Semaphore(CONNECT_CONCURRENCY)
        clock = time.monotonic()
        tasks = [asyncio.create_task(s.run(slots)) for s in subscribers]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in subscribers)), 300)
        connect_seconds = time.monotonic() - clock
        await asyncio.sleep(2.0)
        rss_subscribed = rss_kib(pid)

        idle_cpu, idle_clock = cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(args.idle)
        idle_share = (cpu_seconds(pid) - idle_cpu) / (time.monotonic() - idle_clock)

        go_at = time.time()
        cpu_start, clock, client_cpu_start = cpu_seconds(pid), time.monotonic(), time.process_time()
        signals = asyncio.Semaphore(10)

        async def signal(index: int, run_id: str) -> None:
            # sustained: spread the runs' starts over one step, so their commits interleave evenly
            await asyncio.sleep(index * step_seconds / len(run_ids))
            async with signals:
                await gql(
                    "mutation($i: SignalRunInput!) { signalRun(input: $i) { errors { message } } }",
                    i={"id": run_id, "name": "go", "message": "go"},
                )

        if args.committer == "bench":
            rate = args.rate if args.mode == "sustained" else None
            batch, writers = (1, 16) if args.mode == "sustained" else (args.batch, args.writers)
            committer = multiprocessing.get_context("spawn").Process(
                target=commit_events, args=(env, run_ids, args.events_per_run, rate, batch, writers)
            )
            committer.start()
            try:
                await asyncio.get_running_loop().run_in_executor(None, committer.join)
            finally:
                if committer.is_alive():
                    committer.kill()
            if committer.exitcode != 0:
                raise RuntimeError(f"the committer process failed ({committer.exitcode})")
            await asyncio.gather(*(terminate(gql, run_id) for run_id in run_ids))
        else:
            await asyncio.gather(*(signal(index, run_id) for index, run_id in enumerate(run_ids)))
        await asyncio.wait_for(asyncio.gather(*tasks), 600)
        busy_seconds = time.monotonic() - clock
        busy_cpu = cpu_seconds(pid) - cpu_start
        busy_client_cpu = time.process_time() - client_cpu_start
        rss_after = rss_kib(pid)
        client_cpu = time.process_time()
        await gql_close(gql)
    finally:
        server.stop()
        if engine is not None:
            engine.terminate()
            engine.wait(timeout=20)

    delays: list[float] = []
    commits: set[tuple[str, int, float]] = set()
    last_delivery = 0.0
    gaps = duplicates = 0
    for subscriber in subscribers:
        events = subscriber.events
        seqs = [seq for seq, _, _ in events]
        duplicates += len(seqs) - len(set(seqs))
        gaps += (max(seqs) - len(set(seqs))) if seqs else 1
        live = [(seq, at, received) for seq, at, received in events if at >= go_at]
        delays += [(received - at) * 1000 for _, at, received in live]
        last_delivery = max([last_delivery, *(received for _, _, received in live)])
        commits.update((subscriber.run_id, seq, at) for seq, at, _ in live)
    commit_times = sorted(at for _, _, at in commits)
    commit_rate = len(commit_times) / max(commit_times[-1] - commit_times[0], 1e-9) if commit_times else 0.0
    # from the first live event's commit to the last delivery: what the start of a committer
    # process and the runs' ends around the busy window do not count in
    window = last_delivery - commit_times[0] if commit_times else 0.0
    window_rate = len(delays) / max(window, 1e-9)
    per_subscriber = (rss_subscribed - rss_before) / args.subscribers
    steps = f"sleep steps of {step_seconds:.2f}s" if step_seconds else "noop steps"
    if args.committer == "bench":
        pace = f"at {args.rate:.0f}/s"
        if args.mode == "burst":
            pace = f"{args.batch} per transaction, {args.writers} at a time"
        steps += f" (never reached: {args.events_per_run} events per run committed by the bench, {pace})"
    print(
        f"flowdeck live bench ({args.mode}, shared feeds {'on' if shared else 'off'}): {args.subscribers} runEvents "
        f"subscribers on {args.runs} runs of 1 SIGNAL + {args.steps} {steps}; database {args.database}, "
        f"broadcast {args.broadcast}"
        + ("; engine in its own process" if args.separate_engine else "; engine in the server process")
    )
    negotiated = subscribers[0].extensions or "none"
    print(
        f"  connect + subscribe + replay: {connect_seconds:.1f}s for {args.subscribers} websockets "
        f"(extensions offered: {'permessage-deflate' if args.client_deflate else 'none'}, negotiated: {negotiated})"
    )
    print(
        f"  live events committed: {len(commit_times)} ({commit_rate:.0f}/s while the runs executed); "
        f"delivered: {len(delays)} ({len(delays) / max(busy_seconds, 1e-9):.0f}/s over {busy_seconds:.1f}s; "
        f"{window_rate:.0f}/s over the {window:.1f}s from the first live commit to the last delivery)"
    )
    if delays:
        print(
            f"  commit -> delivery: p50 {statistics.median(delays):.1f} ms, p99 {percentile(delays, 0.99):.1f} ms, "
            f"max {max(delays):.1f} ms"
        )
    print(
        f"  server RSS: {rss_before / 1024:.1f} MiB before, {rss_subscribed / 1024:.1f} MiB subscribed, "
        f"{rss_after / 1024:.1f} MiB after the runs; {per_subscriber:.1f} KiB per subscriber"
    )
    print(
        f"  server CPU: {100 * busy_cpu / busy_seconds:.0f}% of one core while the runs executed "
        f"({busy_cpu:.1f}s CPU in {busy_seconds:.1f}s); {100 * idle_share:.0f}% idle with everyone subscribed"
    )
    print(
        f"  server CPU per live delivery: {1e6 * busy_cpu / max(len(delays), 1):.0f} us (engine included when in the "
        f"server), i.e. {len(delays) / max(busy_cpu, 1e-9):.0f} deliveries per server CPU-second; per live event "
        f"(committed once, delivered to its run's subscribers): {1e6 * busy_cpu / max(len(commit_times), 1):.0f} us"
    )
    print(
        f"  bench client CPU: {client_cpu:.1f}s in all phases, {100 * busy_client_cpu / busy_seconds:.0f}% of one core "
        "while the runs executed (reading the frames; the committer process apart)"
    )
    print(f"  gaps: {gaps}, duplicates: {duplicates}")
    if trace_file is not None:
        print_trace(trace_file, subscribers, go_at, last_delivery)
    return {
        "p50": statistics.median(delays) if delays else float("nan"),
        "p99": percentile(delays, 0.99) if delays else float("nan"),
        "deliveries_per_second": len(delays) / max(busy_seconds, 1e-9),
        "deliveries_per_second_window": window_rate,
        "kib_per_subscriber": per_subscriber,
        "cpu_seconds": busy_cpu,
        "deliveries_per_cpu_second": len(delays) / max(busy_cpu, 1e-9),
        "cpu_us_per_event": 1e6 * busy_cpu / max(len(commit_times), 1),
    }


STAGES = (
    ("the transaction, from the event's record to its commit", "at", "committed"),
    ("the publish and the broadcast to the server's hub", "committed", "hub"),
    ("the hub to the run's reader asking", "hub", "asked"),
    ("the event read (batched statement)", "asked", "read"),
    ("the feed woken, executed, encoded", "read", "executed"),
    ("written to the caught-up subscribers", "executed", "pushed"),
    ("the socket and the client", "pushed", "received"),
)
SERVER_STAGES = frozenset({"hub", "asked", "read", "executed", "pushed"})


def print_trace(trace_file: Path, subscribers: list[Subscriber], go_at: float, until: float) -> None:
    """Where the deliveries' time went, stage by stage (the processes' notes joined with the
    clients' receive times): the median of each stage over all live deliveries and over the
    slowest 1%, and the API server's garbage collections and event-loop stalls meanwhile."""
    from app.ids import expect_global_id

    noted: dict[str, dict[str, float]] = {}
    server: dict[str, Any] = {"collections": [], "stalls": []}
    for path in sorted(trace_file.parent.glob(f"{trace_file.name}.*.json")):
        figures = json.loads(path.read_text())
        is_server = figures["role"] == "serve"
        for key, stages in figures["events"].items():
            mine = {stage: when for stage, when in stages.items() if (stage in SERVER_STAGES) == is_server}
            noted.setdefault(key, {}).update(mine)
        if is_server:
            server = figures
        path.unlink()
    trace_file.parent.rmdir()
    rows: list[tuple[float, dict[str, float]]] = []
    for subscriber in subscribers:
        raw_id = expect_global_id(subscriber.run_id, "Run")
        for seq, at, received in subscriber.events:
            stages = noted.get(f"{raw_id}:{seq}")
            if at >= go_at and stages:
                rows.append((received - at, {**stages, "at": at, "received": received}))
    if not rows:
        print("  trace: no live delivery was traced")
        return
    rows.sort(key=lambda row: row[0])
    tail = rows[int(0.99 * len(rows)) :]
    # the figure above runs from the event's `at`, set when the transaction records it: this one
    # from the commit itself, which is what reaches the fan-out
    from_commit = [1000 * (stages["received"] - stages["committed"]) for _, stages in rows if "committed" in stages]
    if from_commit:
        print(
            f"  from the traced commit itself -> delivery: p50 {statistics.median(from_commit):.1f} ms, "
            f"p99 {percentile(from_commit, 0.99):.1f} ms, max {max(from_commit):.1f} ms ({len(from_commit)} deliveries)"
        )
    print(f"  where the time went (traced deliveries: {len(rows)}; median ms over all / over the slowest 1%):")
    for label, start, end in STAGES:
        every = [1000 * (stages[end] - stages[start]) for _, stages in rows if start in stages and end in stages]
        slow = [1000 * (stages[end] - stages[start]) for _, stages in tail if start in stages and end in stages]
        if every:
            slowest = f"{statistics.median(slow):.1f}" if slow else "-"
            print(f"    {label}: {statistics.median(every):.1f} / {slowest} ({len(every)} deliveries)")
    collected = [(when, gen, pause) for when, gen, pause in server["collections"] if go_at <= when <= until]
    for generation in (0, 1, 2):
        pauses = [pause for _, gen, pause in collected if gen == generation]
        print(
            f"    API server garbage collections of generation {generation} while live: {len(pauses)}"
            + (f", {1000 * sum(pauses):.0f} ms in all, longest {1000 * max(pauses):.1f} ms" if pauses else "")
        )
    stalls = [late for when, late in server["stalls"] if go_at <= when <= until]
    print(
        f"    API server event-loop stalls over 5 ms while live: {len(stalls)}"
        + (
            f", {1000 * sum(stalls):.0f} ms in all, longest {1000 * max(stalls):.1f} ms, "
            f"over 50 ms: {sum(late > 0.05 for late in stalls)}"
            if stalls
            else ""
        )
    )


def compare(off: dict[str, float], on: dict[str, float]) -> None:
    print("shared feeds off -> on (ratio off/on; above 1 is better with shared feeds, deliveries/s on/off):")
    for name in ("p50", "p99", "kib_per_subscriber", "cpu_seconds"):
        print(f"  {name}: {off[name]:.1f} -> {on[name]:.1f} ({off[name] / max(on[name], 1e-9):.2f}x)")
    for name in ("deliveries_per_second", "deliveries_per_second_window", "deliveries_per_cpu_second"):
        rate_off, rate_on = off[name], on[name]
        print(f"  {name}: {rate_off:.0f} -> {rate_on:.0f} ({rate_on / max(rate_off, 1e-9):.2f}x)")


def commit_events(
    env: dict[str, str], run_ids: list[str], per_run: int, rate: float | None, batch: int, writers: int
) -> None:
    """In a process of its own (the bench client's CPU stays apart): commit `per_run` events to
    every run, `batch` per transaction, round robin, from at most `writers` transactions at a
    time, through flowdeck's own RunTransaction (which publishes to the shared broadcast after
    each commit), as an engine process would; at `rate` events per second, or as fast as the
    database takes them when None."""
    asyncio.run(_commit_events(env, run_ids, per_run, rate, batch, writers))


async def _commit_events(
    env: dict[str, str], run_ids: list[str], per_run: int, rate: float | None, batch: int, writers: int
) -> None:
    from app import pubsub
    from app.db import close_db, init_db
    from app.enums import RunEventType
    from app.ids import expect_global_id
    from app.lifecycle import RunTransaction
    from app.settings import load_settings

    settings = load_settings(env, env_file=Path("/nonexistent"))
    if "FLOWDECK_LIVE_TRACE" in env:  # --trace: this process notes its commits as an engine would
        from app.observability.live_trace import install_from_environment

        os.environ["FLOWDECK_LIVE_TRACE"] = env["FLOWDECK_LIVE_TRACE"]
        install_from_environment("committer")
    await init_db(settings)
    await pubsub.start_hub(settings.broadcast_url)
    raw_ids = [expect_global_id(run_id, "Run") for run_id in run_ids]
    in_flight = asyncio.Semaphore(writers)
    pending: set[asyncio.Task[None]] = set()

    async def commit(run_id: Any) -> None:
        try:
            async with RunTransaction(run_id) as tx:
                for _ in range(batch):
                    tx.record(RunEventType.RUN_RESUMED, actor="bench", reason="live bench")
        finally:
            in_flight.release()

    try:
        loop = asyncio.get_running_loop()
        due = loop.time()
        transactions = -(-per_run // batch) * len(raw_ids)
        for index in range(transactions):
            if rate is not None:
                due += batch / rate
                await asyncio.sleep(max(due - loop.time(), 0))
            await in_flight.acquire()
            task = asyncio.create_task(commit(raw_ids[index % len(raw_ids)]))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
    finally:
        await pubsub.stop_hub()
        await close_db()
        try:
            from app.observability import live_trace
        except ImportError:  # code from before the trace (a checkout of main, to compare)
            return
        if live_trace.TRACE is not None:  # a multiprocessing child exits without running atexit
            live_trace.TRACE.write()


async def terminate(gql: GraphQL, run_id: str) -> None:
    await gql(
        "mutation($i: RunActionInput!) { terminateRun(input: $i) { errors { message } } }",
        i={"id": run_id, "reason": "bench over"},
    )


async def gql_close(gql: GraphQL) -> None:
    await gql.client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--mode", choices=["sustained", "burst"], default="sustained")
    parser.add_argument("--steps", type=int, help="steps per run (default: 20 sustained, 10 burst)")
    parser.add_argument("--rate", type=float, default=500.0, help="sustained: events committed per second")
    parser.add_argument("--shared", choices=["on", "off", "compare"], default="on")
    parser.add_argument(
        "--committer",
        choices=["engine", "bench"],
        default="engine",
        help="who commits the events: the server's engine running steps, or a process of this bench through "
        "RunTransaction (sustained: at exactly --rate per second; burst: as fast as the database takes them; "
        "needs --broadcast redis)",
    )
    parser.add_argument(
        "--events-per-run", type=int, help="--committer bench: events per run (default: 50 sustained, 200 burst)"
    )
    parser.add_argument("--batch", type=int, default=50, help="--committer bench, burst: events per transaction")
    parser.add_argument("--writers", type=int, default=8, help="--committer bench, burst: concurrent transactions")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--broadcast", choices=["memory", "redis"], default="memory")
    parser.add_argument(
        "--separate-engine",
        action="store_true",
        help="run the engine as its own `flowdeck engine` process (needs --broadcast redis)",
    )
    parser.add_argument("--profile", help="run the server under cProfile and write its stats to this file")
    parser.add_argument(
        "--client-deflate",
        action="store_true",
        help="the subscribers offer permessage-deflate, as browsers do (the server accepts it if FLOWDECK_WS_DEFLATE)",
    )
    parser.add_argument(
        "--trace",
        action="store_true",
        help="the server notes each event's stages, its garbage collections and event-loop stalls "
        "(FLOWDECK_LIVE_TRACE); prints where the time of the deliveries, and of the slowest 1%%, went",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a FLOWDECK_ setting for the server (and engine) processes, e.g. FLOWDECK_GC_GEN0_THRESHOLD=10000",
    )
    parser.add_argument("--idle", type=float, default=5.0, help="seconds to measure idle CPU with everyone subscribed")
    args = parser.parse_args()
    if args.steps is None:
        args.steps = 20 if args.mode == "sustained" else 10
    if args.events_per_run is None:
        args.events_per_run = 50 if args.mode == "sustained" else 200

    # one socket per subscriber on each side; the server process inherits this limit
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4 * args.subscribers + 1024)), hard))

    if args.committer == "bench" and args.broadcast != "redis":
        parser.error("--committer bench needs --broadcast redis (to reach the server)")
    if args.separate_engine and args.broadcast != "redis":
        parser.error("--separate-engine needs --broadcast redis (memory:// does not cross processes)")
    cleanups = []
    with tempfile.TemporaryDirectory(prefix="flowdeck-live-bench-") as root:
        env = {"FLOWDECK_BOOTSTRAP_KEY": secrets.token_urlsafe(24), "FLOWDECK_LOG_LEVEL": "warning"}
        postgres: PostgresServer | None = None

        def fresh(name: str) -> dict[str, str]:
            """The environment with a database of its own (compare measures twice, from scratch)."""
            url = postgres.create_database(name) if postgres is not None else f"sqlite://{root}/{name}.db"
            return {**env, "FLOWDECK_DATABASE_URL": url}

        try:
            if args.database == "postgres":
                postgres = PostgresServer().start()
                cleanups.append(postgres.stop)
            if args.broadcast == "redis":
                redis_server = RedisServer().start()
                cleanups.append(redis_server.stop)
                env["FLOWDECK_BROADCAST_URL"] = redis_server.url
            if args.shared == "compare":
                off = asyncio.run(bench(args, fresh("bench_off"), shared=False))
                on = asyncio.run(bench(args, fresh("bench_on"), shared=True))
                compare(off, on)
            else:
                asyncio.run(bench(args, fresh("bench"), shared=args.shared == "on"))
        finally:
            for cleanup in reversed(cleanups):
                cleanup()


if __name__ == "__main__":
    main()
