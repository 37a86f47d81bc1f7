"""In-process fan-out cost: subscribers through the graphql-transport-ws handler, shared feeds off
and on, with sockets that only count what they are sent (no network, no engine).

    .venv/bin/python bench/live_fanout.py [--feed runEvents|runUpdates|runChanged]
                                          [--subscribers 1000] [--runs 100] [--rounds 10]

--feed runEvents (the default): every subscriber subscribes (after: 0) to one of the runs, all
with one key; then `--rounds` times, one event is committed to every run (a RunTransaction each,
which publishes on the memory:// hub), and the bench waits until every subscriber was sent
every event. runUpdates: the same with one progress update posted per run per round.
runChanged: every subscriber follows the same filter (all the runs); each round pauses or
resumes every run (one status change each), which every subscriber is sent. It prints the
process CPU per delivery for both handlers, with the CPU of the same commits without any
subscriber taken out, so what is left is the GraphQL and fan-out work per delivery. The machine
is shared: this is CPU time, not wall time, so other processes weigh less on it.
Figures only; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler

from app import live, pubsub
from app.actions.accounts import ensure_bootstrap_key
from app.actions.updates import post_run_update
from app.asgi import FlowdeckGraphQL
from app.db import close_db, init_db, migrate_db
from app.enums import RunEventType, RunStatus
from app.ids import expect_global_id
from app.lifecycle import RUN, RunTransaction, utcnow
from app.revocation import RevocationWatch
from app.settings import Settings
from schema import build_schema
from schema.context import Context
from schema.live_fanout import SharedFeedTransportWSHandler

SUBSCRIPTION = "subscription($id: ID!) { runEvents(runId: $id, after: 0) { seq at type } }"
SUBSCRIPTIONS = {
    "runEvents": SUBSCRIPTION,
    "runUpdates": "subscription($id: ID!) { runUpdates(runId: $id) { seq at message } }",
    "runChanged": 'subscription { runChanged(filter: "workflow_key eq \\"live\\"") { id status updatedAt } }',
}
SETUP = """mutation {
  createProject(input: {key: "bench", name: "Bench"}) { errors { message } }
  createWorkflow(input: {project: "bench", key: "live", name: "Live",
                         steps: [{ref: "gate", type: SIGNAL, config: {signal: "go"}}]}) { errors { message } }
}"""
START = 'mutation { startRun(input: {project: "bench", workflowKey: "live"}) { run { id } errors { message } } }'


class CountingSocket:
    """A websocket that takes every frame at once and only counts them."""

    def __init__(self) -> None:
        self.ws = self
        self.frames = 0

    async def send_text(self, text: str) -> None:
        self.frames += 1

    async def send_json(self, message: dict[str, Any]) -> None:
        if message.get("type") == "next":
            self.frames += 1

    async def close(self, code: int, reason: str) -> None:
        pass


async def wait_until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.005)


def run_change_followers() -> int:
    if hasattr(live, "run_change_stats"):
        return int(live.run_change_stats()["followers"])
    # code from before the shared run-change reader (PYTHONPATH=<an older checkout>, to compare):
    # each runChanged subscription held its own subscription to the hub
    return pubsub.get_hub().subscriber_count


async def measure(root: Path, name: str, handler: type[Any] | None, args: argparse.Namespace) -> tuple[float, int]:
    """CPU seconds for the commits and deliveries, and the deliveries (handler None: no subscriber)."""
    settings = Settings(database_url=f"sqlite://{root}/{name}.db", export_dir=root / "exports")
    await migrate_db(settings)
    await init_db(settings)
    await pubsub.start_hub("memory://")
    try:
        key = secrets.token_urlsafe(16)
        await ensure_bootstrap_key(key)
        schema = build_schema(settings)

        async def execute(query: str) -> dict[str, Any]:
            result = await schema.execute(query, context_value=Context(settings, f"Bearer {key}"))
            assert result.errors is None and result.data is not None, result.errors
            return result.data

        await execute(SETUP)
        run_ids = [(await execute(START))["startRun"]["run"]["id"] for _ in range(args.runs)]
        if args.feed == "runUpdates":  # something to replay, so that a subscriber is seen to be live
            for run_id in run_ids:
                await post_run_update(None, run_id, "UPDATE", "first")
        if args.feed == "runChanged":  # RUNNING before anyone follows (no engine here to start them)
            for run_id in run_ids:
                async with RunTransaction(expect_global_id(run_id, "Run")) as tx:
                    await tx.change_run(RUN.START, fields={"started_at": utcnow()})
        sockets: list[CountingSocket] = []
        connections: list[Any] = []
        if handler is not None:
            view = FlowdeckGraphQL(settings, RevocationWatch())
            for index in range(args.subscribers):
                socket = CountingSocket()
                connection = handler(
                    view=view,
                    websocket=socket,
                    context=Context(settings=settings, authorization=None),
                    root_value=None,
                    schema=view.schema,
                    connection_init_wait_timeout=dt.timedelta(seconds=60),
                )
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
                await connection.handle_message(init)
                variables = {"id": run_ids[index % len(run_ids)]} if args.feed != "runChanged" else {}
                payload = {"query": SUBSCRIPTIONS[args.feed], "variables": variables}
                await connection.handle_message({"id": "1", "type": "subscribe", "payload": payload})
                sockets.append(socket)
                connections.append(connection)
            if args.feed == "runChanged":  # live only: every execution is following
                executions = 1 if handler is SharedFeedTransportWSHandler else len(sockets)
                await wait_until(lambda: run_change_followers() == executions)
            else:
                await wait_until(lambda: all(socket.frames >= 1 for socket in sockets))  # the replay arrived
        replayed = sum(socket.frames for socket in sockets)
        raw_ids = [expect_global_id(run_id, "Run") for run_id in run_ids]

        async def commit(round: int, run_id: Any, global_id: str) -> None:
            if args.feed == "runUpdates":
                await post_run_update(None, global_id, "UPDATE", f"round {round}")
                return
            async with RunTransaction(run_id) as tx:
                if args.feed == "runChanged":
                    await tx.change_run(RUN.PAUSE if tx.run.status is RunStatus.RUNNING else RUN.RESUME)
                else:
                    tx.record(RunEventType.RUN_RESUMED, actor="bench")

        news_before = _news_statements()
        cpu = time.process_time()
        for round in range(args.rounds):
            commits = [commit(round, run_id, global_id) for run_id, global_id in zip(raw_ids, run_ids, strict=True)]
            if args.together:  # every run's change of the round at once: they arrive together
                await asyncio.gather(*commits)
            else:
                for one in commits:
                    await one
        per_socket = args.rounds * (len(run_ids) if args.feed == "runChanged" else 1)
        expected = replayed + per_socket * len(sockets)
        await wait_until(lambda: sum(socket.frames for socket in sockets) >= expected)
        spent = time.process_time() - cpu
        news = _news_statements()
        statements[name] = None if news is None or news_before is None else news - news_before
        for connection in connections:
            await connection.shutdown()
        return spent, sum(socket.frames for socket in sockets) - replayed
    finally:
        await pubsub.stop_hub()
        await close_db()


# the statements the runs' event readers ran, by measurement (None: code without the counter)
statements: dict[str, int | None] = {}


def _news_statements() -> int | None:
    stats = getattr(live, "run_news_stats", None)
    return None if stats is None else int(stats()["statements"])


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="flowdeck-fanout-bench-") as directory:
        root = Path(directory)
        commits_only, _ = await measure(root, "commits", None, args)
        results = {}
        for label, handler in (("off", BaseGraphQLTransportWSHandler), ("on", SharedFeedTransportWSHandler)):
            cpu, deliveries = await measure(root, label, handler, args)
            per_delivery = (cpu - commits_only) / max(deliveries, 1)
            results[label] = per_delivery
            events = args.rounds * args.runs
            read_statements = statements.get(label)
            reads = (
                "" if read_statements is None else f"; event-reader statements: {read_statements} for {events} events"
            )
            print(
                f"shared feeds {label}: {deliveries} deliveries, {cpu:.2f}s CPU ({commits_only:.2f}s of it the "
                f"commits alone): {1e6 * per_delivery:.0f} us per delivery, "
                f"{1 / max(per_delivery, 1e-9):.0f} deliveries per CPU-second, "
                f"{1e6 * (cpu - commits_only) / events:.0f} us per event{reads}"
            )
        print(f"off/on CPU per delivery: {results['off'] / max(results['on'], 1e-9):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feed", choices=sorted(SUBSCRIPTIONS), default="runEvents")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument(
        "--together", action="store_true", help="commit every run's change of a round at once, not one after the other"
    )
    args = parser.parse_args()
    print(
        f"flowdeck in-process fan-out: {args.subscribers} {args.feed} subscribers, {args.runs} runs, "
        f"{args.rounds} changes per run, SQLite + memory://"
    )
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
