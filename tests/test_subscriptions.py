"""Subscriptions through a real `flowdeck serve` and real graphql-transport-ws clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, gql
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport

from tests.servers import FlowdeckServer

SETUP = """
mutation($steps: [StepDefinitionInput!]!) {
  createProject(input: {key: "acme", name: "Acme"}) { errors { message } }
  createWorkflow(input: {project: "acme", key: "wf", name: "Wf", steps: $steps}) { errors { message field } }
}"""
KEY = """mutation($role: Role!) {
  createApiKey(input: {name: "k", role: $role, project: "acme"}) { apiKey { id } secret errors { message } }
}"""
START = """mutation($wf: String!) {
  startRun(input: {project: "acme", workflowKey: $wf}) { run { id } errors { message } }
}"""
APPROVE = """mutation($id: ID!) {
  approveStep(input: {runId: $id, stepRef: "ask"}) { errors { message } }
}"""
EVENTS = "query($id: ID!) { run(id: $id) { status events(first: 1) { totalCount } } }"
RUN_EVENTS = "subscription($id: ID!, $after: Int) { runEvents(runId: $id, after: $after) { seq type stepRef runId } }"
RUN_CHANGED = "subscription($filter: String) { runChanged(filter: $filter) { id status workflow { key } } }"


def chain(count: int, *, approval: bool = False) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    if approval:
        steps.append({"ref": "ask", "type": "APPROVAL"})
    for index in range(count):
        deps = [steps[-1]["ref"]] if steps else []
        steps.append({"ref": f"s{index}", "type": "TASK", "handler": "noop", "dependsOn": deps})
    return steps


def call(server: FlowdeckServer, query: str, variables: dict[str, Any] | None = None, key: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {key or server.key}"}
    body = httpx.post(server.graphql_url, json={"query": query, "variables": variables or {}}, headers=headers).json()
    assert "errors" not in body, body
    return body["data"]


def setup(server: FlowdeckServer, steps: list[dict[str, Any]]) -> None:
    assert call(server, SETUP, {"steps": steps})["createWorkflow"]["errors"] == []


def start(server: FlowdeckServer, workflow: str = "wf") -> str:
    return str(call(server, START, {"wf": workflow})["startRun"]["run"]["id"])


def stored_seqs(server: FlowdeckServer, run_id: str) -> tuple[str, list[int]]:
    """The run's status and its stored seqs (unique per run in the database, so 1..count)."""
    run = call(server, EVENTS, {"id": run_id})["run"]
    return run["status"], list(range(1, run["events"]["totalCount"] + 1))


@asynccontextmanager
async def session(server: FlowdeckServer, key: str | None = None) -> AsyncIterator[AsyncClientSession]:
    # graphql-transport-ws, where runEvents subscribers share feeds (gql would pick graphql-ws first)
    transport = WebsocketsTransport(
        url=server.ws_url,
        init_payload={"Authorization": f"Bearer {key or server.key}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport, fetch_schema_from_transport=False) as client_session:
        yield client_session


def request(query: str, **variables: Any) -> Any:
    document = gql(query)
    document.variable_values = variables
    return document


async def collect(client: AsyncClientSession, query: str, limit: int | None = None, **variables: Any) -> list[dict]:
    items = []
    async for result in client.subscribe(request(query, **variables)):
        items.append(next(iter(result.values())))
        if limit is not None and len(items) >= limit:
            break
    return items


WAIT = 20.0  # an upper bound on waiting for something that must happen, never a speed claim


class Follower:
    """A subscription consumed in the background. Tests wait on what it received (the first
    replayed item, or a given one), never on a sleep guessing that the server is ready."""

    def __init__(self, client: AsyncClientSession, query: str, **variables: Any) -> None:
        self.items: list[dict] = []
        self.arrived = asyncio.Condition()
        self.task = asyncio.create_task(self._consume(client, query, variables))

    async def _consume(self, client: AsyncClientSession, query: str, variables: dict[str, Any]) -> list[dict]:
        try:
            async for result in client.subscribe(request(query, **variables)):
                async with self.arrived:
                    self.items.append(next(iter(result.values())))
                    self.arrived.notify_all()
        finally:
            async with self.arrived:
                self.arrived.notify_all()
        return self.items

    async def wait_for(self, predicate: Callable[[dict], bool] = lambda item: True, timeout: float = WAIT) -> dict:
        """The first item received that satisfies `predicate` (waiting for it if need be)."""

        def found() -> bool:
            return self.task.done() or any(predicate(item) for item in self.items)

        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(found), timeout)
        matching = [item for item in self.items if predicate(item)]
        if not matching:
            raise AssertionError(f"the subscription ended without the item wanted: {self.items}")
        return matching[0]

    async def result(self, timeout: float = WAIT) -> list[dict]:
        """Every item, once the subscription has ended by itself."""
        return await asyncio.wait_for(self.task, timeout)

    def stop(self) -> list[dict]:
        self.task.cancel()
        return self.items


async def registered_run_changed(
    client: AsyncClientSession, filter: str, probe: Callable[[], str], timeout: float = WAIT
) -> Follower:
    """A runChanged subscription known to be registered on the server. runChanged replays
    nothing, so the proof is a real signal: `probe()` (whose run the filter matches) is called
    until the subscription has delivered one of the runs it started."""
    follower = Follower(client, RUN_CHANGED, filter=filter)
    probes: set[str] = set()
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        probes.add(probe())
        try:
            await follower.wait_for(lambda item: item["id"] in probes, timeout=1.0)
            return follower
        except TimeoutError:
            if asyncio.get_running_loop().time() > deadline:
                raise


async def test_replay_then_live_without_gap_or_duplicate(live_server: FlowdeckServer):
    setup(live_server, chain(30))
    run_id = start(live_server)  # the engine writes while we switch from replay to live
    async with session(live_server) as client:
        events = await asyncio.wait_for(collect(client, RUN_EVENTS, id=run_id, after=0), 30)
    seqs = [event["seq"] for event in events]
    status, stored = stored_seqs(live_server, run_id)
    assert status == "COMPLETED"
    assert seqs == stored == list(range(1, len(stored) + 1))  # ended by itself once terminal
    assert events[-1]["type"] == "RUN_COMPLETED" and {e["runId"] for e in events} == {run_id}


async def test_reconnect_with_after_gets_exactly_the_rest_and_two_subscribers_agree(live_server: FlowdeckServer):
    setup(live_server, chain(3, approval=True))
    run_id = start(live_server)
    async with session(live_server) as first, session(live_server) as second:
        head = await asyncio.wait_for(collect(first, RUN_EVENTS, limit=3, id=run_id, after=0), 20)
        # reconnecting after the second event replays the third: its arrival shows the
        # subscription is live before the approval is made
        rest = Follower(first, RUN_EVENTS, id=run_id, after=head[1]["seq"])
        whole = Follower(second, RUN_EVENTS, id=run_id, after=0)
        assert (await rest.wait_for())["seq"] == head[2]["seq"] and (await whole.wait_for())["seq"] == 1
        call(live_server, APPROVE, {"id": run_id})  # live events arrive on both
        rest_items, whole_items = await rest.result(), await whole.result()
    assert [e["seq"] for e in head[:2] + rest_items] == [e["seq"] for e in whole_items]
    _, stored = stored_seqs(live_server, run_id)
    assert [e["seq"] for e in whole_items] == stored and len(rest_items) == len(stored) - 2


async def test_slow_consumer_still_gets_every_event(live_server: FlowdeckServer):
    setup(live_server, chain(60))
    run_id = start(live_server)
    async with session(live_server) as client:
        items = []
        async for result in client.subscribe(request(RUN_EVENTS, id=run_id, after=0)):
            items.append(result["runEvents"]["seq"])
            if len(items) == 1:
                # the behaviour under test, not a synchronisation: a consumer too slow to keep
                # up while the run finishes meanwhile; nothing may be lost
                await asyncio.sleep(2)
    _, stored = stored_seqs(live_server, run_id)
    assert items == stored


async def test_run_changed_filters_and_never_crosses_projects(live_server: FlowdeckServer):
    setup(live_server, chain(1))
    for project, workflow in (("acme", "nope"), ("acme", "probe"), ("other", "wf")):
        if project == "other":
            call(live_server, 'mutation { createProject(input: {key: "other", name: "Other"}) { errors { message } } }')
        created = call(
            live_server,
            "mutation($p: String!, $w: String!, $s: [StepDefinitionInput!]!) { createWorkflow(input: "
            "{project: $p, key: $w, name: $w, steps: $s}) { errors { message } } }",
            {"p": project, "w": workflow, "s": chain(1)},
        )
        assert created["createWorkflow"]["errors"] == []
    viewer = call(live_server, KEY, {"role": "VIEWER"})["createApiKey"]["secret"]

    def probe() -> str:
        return start(live_server, "probe")

    async with session(live_server, viewer) as matching_session, session(live_server, viewer) as mismatching_session:
        # both filters also take the probe workflow, whose runs prove the subscriptions live
        probe_or = ' or workflow_key eq "probe"'
        matching = await registered_run_changed(matching_session, 'workflow_key eq "wf"' + probe_or, probe)
        mismatching = await registered_run_changed(mismatching_session, 'workflow_key eq "nope"' + probe_or, probe)
        other = call(live_server, 'mutation { startRun(input: {project: "other", workflowKey: "wf"}) { run { id } } }')[
            "startRun"
        ]["run"]["id"]
        run_id = start(live_server)
        # ordered sentinels: a run each filter matches, started after the runs it must not see
        nope_id = start(live_server, "nope")
        wf_sentinel = start(live_server)
        await mismatching.wait_for(lambda item: item["id"] == nope_id)
        await matching.wait_for(lambda item: item["id"] == wf_sentinel)
        await matching.wait_for(lambda item: item["id"] == run_id and item["status"] == "COMPLETED")
        changes = [item for item in matching.stop() if item["workflow"]["key"] != "probe"]
        unwanted = [item for item in mismatching.stop() if item["workflow"]["key"] != "probe"]
    assert unwanted[0]["id"] == nope_id  # nothing of "wf" (either project's) came before it
    assert {change["id"] for change in changes} == {run_id, wf_sentinel} and other not in {run_id, wf_sentinel}
    assert changes[0] == {"id": run_id, "workflow": {"key": "wf"}, "status": changes[0]["status"]}
    assert changes[0]["status"] in {"PENDING", "RUNNING", "COMPLETED"}


async def test_bad_filter_and_unknown_run_are_errors_with_codes(live_server: FlowdeckServer):
    async with session(live_server) as client:
        with pytest.raises(TransportQueryError) as bad_filter:
            await collect(client, RUN_CHANGED, filter='stauts eq "FAILED"')
        with pytest.raises(TransportQueryError) as unknown:
            await collect(client, RUN_EVENTS, id="UnVuOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==")
    error = bad_filter.value.errors[0]
    assert error["extensions"] == {"code": "BAD_FILTER", "position": 0} and "stauts" in error["message"]
    assert unknown.value.errors[0]["extensions"]["code"] == "NOT_FOUND"


async def raw_connect(server: FlowdeckServer, key: str) -> Any:
    socket = await websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"])
    await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}))
    return socket


async def test_bad_key_closes_the_socket_with_4403(live_server: FlowdeckServer):
    socket = await raw_connect(live_server, "fdk_nope")
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(socket.recv(), 5)
    assert socket.close_code == 4403


async def test_revoking_a_key_closes_its_sockets_within_a_second(live_server: FlowdeckServer):
    setup(live_server, chain(1, approval=True))
    created = call(live_server, KEY, {"role": "VIEWER"})["createApiKey"]
    run_id = start(live_server)
    socket = await raw_connect(live_server, created["secret"])
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    subscribe = {"query": RUN_EVENTS, "variables": {"id": run_id, "after": 0}}
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "next"
    call(
        live_server,
        "mutation($id: ID!) { revokeApiKey(id: $id) { errors { message } } }",
        {"id": created["apiKey"]["id"]},
    )
    loop = asyncio.get_running_loop()
    revoked_at = loop.time()
    with pytest.raises(websockets.ConnectionClosed):
        while True:
            await asyncio.wait_for(socket.recv(), 5)
    assert socket.close_code == 4403 and loop.time() - revoked_at < 1.0


EXPORT = """mutation {
  exportRuns(input: {filter: "workflow_key eq \\"wf\\"", format: CSV}) { job { id } errors { message } }
}"""
EXPORT_JOB = "subscription($id: ID!) { exportJob(id: $id) { status progress rowCount url } }"


async def test_export_job_reports_each_change_until_it_ends(live_server: FlowdeckServer):
    setup(live_server, chain(1))
    for _ in range(3):
        start(live_server)
    job_id = call(live_server, EXPORT)["exportRuns"]["job"]["id"]
    async with session(live_server) as client:
        states = await asyncio.wait_for(collect(client, EXPORT_JOB, id=job_id), 20)
    assert states[-1]["status"] == "COMPLETED" and states[-1]["rowCount"] == 3
    assert states[-1]["progress"] == 1.0 and states[-1]["url"].startswith("/exports/")
    progress = [state["progress"] for state in states]
    assert progress == sorted(progress)
    assert all(state["status"] in {"PENDING", "RUNNING"} for state in states[:-1])


POST_UPDATE = """mutation($id: ID!, $message: String!) {
  postRunUpdate(input: {runId: $id, message: $message}) { update { seq at } errors { message } }
}"""
RUN_UPDATES = "subscription($id: ID!, $since: DateTime) { runUpdates(runId: $id, since: $since) { seq message runId } }"


async def test_run_updates_replay_after_since_then_live_until_the_run_ends(live_server: FlowdeckServer):
    setup(live_server, chain(1, approval=True))
    run_id = start(live_server)
    posted = [call(live_server, POST_UPDATE, {"id": run_id, "message": f"m{n}"})["postRunUpdate"] for n in range(3)]
    async with session(live_server) as client:
        since_first = Follower(client, RUN_UPDATES, id=run_id, since=posted[0]["update"]["at"])
        everything = Follower(client, RUN_UPDATES, id=run_id)
        # the first replayed item shows each subscription registered before the live post
        assert (await since_first.wait_for())["message"] == "m1" and (await everything.wait_for())["message"] == "m0"
        call(live_server, POST_UPDATE, {"id": run_id, "message": "live"})
        call(live_server, APPROVE, {"id": run_id})  # the run completes and both subscriptions end
        after_since, whole = await since_first.result(), await everything.result()
    assert [(u["seq"], u["message"]) for u in whole] == [(1, "m0"), (2, "m1"), (3, "m2"), (4, "live")]
    assert [u["message"] for u in after_since] == ["m1", "m2", "live"]
    assert {u["runId"] for u in whole} == {run_id}


async def test_the_upgrade_header_authenticates_too(live_server: FlowdeckServer):
    setup(live_server, chain(1))
    run_id = start(live_server)
    socket = await websockets.connect(
        live_server.ws_url,
        subprotocols=["graphql-transport-ws"],
        additional_headers={"Authorization": f"Bearer {live_server.key}"},
    )
    await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
    assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "connection_ack"
    await socket.send(
        json.dumps({"id": "1", "type": "subscribe", "payload": {"query": RUN_EVENTS, "variables": {"id": run_id}}})
    )
    first = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert first["type"] == "next" and first["payload"]["data"]["runEvents"]["seq"] == 1
    await socket.close()


async def test_the_legacy_graphql_ws_protocol_works(live_server: FlowdeckServer):
    setup(live_server, chain(2))
    run_id = start(live_server)
    socket = await websockets.connect(live_server.ws_url, subprotocols=["graphql-ws"])
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {live_server.key}"}})
    )
    assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "connection_ack"
    await socket.send(
        json.dumps({"id": "1", "type": "start", "payload": {"query": RUN_EVENTS, "variables": {"id": run_id}}})
    )
    seqs = []
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
        if message["type"] == "ka":
            continue
        if message["type"] == "complete":
            break
        assert message["type"] == "data", message
        seqs.append(message["payload"]["data"]["runEvents"]["seq"])
    await socket.close()
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 9


@pytest.mark.parametrize(
    ("env", "negotiated"),
    [({}, None), ({"FLOWDECK_WS_DEFLATE": "on"}, "permessage-deflate")],
    ids=["default", "deflate-on"],
)
async def test_websocket_compression_is_off_unless_configured(
    start_flowdeck: Callable[..., FlowdeckServer], env: dict[str, str], negotiated: str | None
):
    server = start_flowdeck(env=env)
    # the client offers permessage-deflate, as browsers do; the server accepts it only when told to
    socket = await raw_connect(server, server.key)
    try:
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        extensions = socket.response.headers.get("Sec-WebSocket-Extensions")
        assert (extensions.split(";")[0] if extensions else None) == negotiated
    finally:
        await socket.close()
