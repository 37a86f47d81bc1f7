"""SERVER.md "Limits and malformed requests", through a real `flowdeck serve` and real clients."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import httpx
import websockets

from app.request_limits import RequestSizeLimit
from tests.conftest import StartFlowdeck
from tests.servers import FlowdeckServer

SMALL_LIMIT = 65_536
ME = "{ me { name } }"
CREATE_PROJECT = """mutation($n: String!) {
  createProject(input: {key: "big", name: $n}) { project { key } errors { code field } }
}"""
RUNS_PAGE = "runs(first: 100) { edges { node { id status steps { ref status attempt } } } }"

MALFORMED_BODIES: list[tuple[bytes, str]] = [
    (b"\xff\xfe{}", "not valid UTF-8 JSON"),
    (b'{"query": "{ me { name } }", "variables": {"a": "\\ud800"}}', "not valid UTF-8 JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid UTF-8 JSON"),
    (b"{not json", "not valid UTF-8 JSON"),
    (b"null", "must be a JSON object, not null"),
    (b'"{ me { name } }"', "must be a JSON object, not a string"),
    (b"[]", "must be a JSON object, not an array"),
    (b"{}", "`query` is missing"),
    (b'{"query": null}', "`query` is missing"),
    (b'{"query": 42}', "`query` is a number, not a string"),
    (b'{"query": "{ me { name } }", "variables": [1]}', "`variables` must be a JSON object or null"),
    (b'{"query": "{ me { name } }", "variables": "x"}', "`variables` must be a JSON object or null"),
]


def post_raw(server: FlowdeckServer, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(
        server.graphql_url,
        content=body,
        headers={"content-type": "application/json", **server.headers, **headers},
        timeout=30,
    )


def assert_refusal(response: httpx.Response, status: int, code: str, fragment: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": code} and fragment in error["message"], error


def test_malformed_bodies_are_400_bad_request(live_server: FlowdeckServer):
    for body, fragment in MALFORMED_BODIES:
        assert_refusal(post_raw(live_server, body), 400, "BAD_REQUEST", fragment)
    get = httpx.get(
        live_server.graphql_url,
        params={"query": ME, "variables": "[" * 5_000},
        headers={**live_server.headers, "accept": "application/json"},
    )
    assert_refusal(get, 400, "BAD_REQUEST", "not valid UTF-8 JSON")
    # the server is still fine, and logged no traceback for any of it
    ok = post_raw(live_server, json.dumps({"query": ME}).encode())
    assert ok.status_code == 200 and ok.json()["data"]["me"]["name"]
    assert "Traceback" not in live_server.output()


def _raw_request(server: FlowdeckServer, head: str, first_chunk: bytes) -> tuple[bytes, socket.socket]:
    """Sends the request head and one chunk of body, then reads what the server answers."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head.encode() + first_chunk)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
        data = sock.recv(65_536)
        if not data:
            break
        answer += data
    return answer, sock


def _head(server: FlowdeckServer, extra: str) -> str:
    return (
        f"POST /graphql HTTP/1.1\r\nhost: 127.0.0.1:{server.port}\r\ncontent-type: application/json\r\n"
        f"authorization: Bearer {server.key}\r\n{extra}\r\n"
    )


def test_bodies_over_the_limit_are_refused_while_reading(start_flowdeck: StartFlowdeck):
    server = start_flowdeck({"FLOWDECK_MAX_BODY_BYTES": str(SMALL_LIMIT)})
    # a Content-Length over the limit: refused before any of the body is sent
    answer, sock = _raw_request(server, _head(server, f"content-length: {50 * 1024 * 1024}\r\n"), b"")
    sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"PAYLOAD_TOO_LARGE"' in answer and str(SMALL_LIMIT).encode() in answer
    # chunked, no length: the first chunk passes the limit, the body is never finished,
    # and the answer comes anyway
    chunk = b'{"query": "' + b"x" * SMALL_LIMIT
    answer, sock = _raw_request(
        server, _head(server, "transfer-encoding: chunked\r\n"), b"%x\r\n%s\r\n" % (len(chunk), chunk)
    )
    sock.close()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"PAYLOAD_TOO_LARGE"' in answer
    # just under the limit is served
    query = json.dumps({"query": ME + " " * (SMALL_LIMIT - 200)}).encode()
    assert post_raw(server, query).status_code == 200


async def _ws_close_code(server: FlowdeckServer, message: str) -> int | None:
    async with websockets.connect(server.ws_url, subprotocols=["graphql-transport-ws"]) as socket_:  # type: ignore[list-item]
        await socket_.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {server.key}"}})
        )
        assert json.loads(await socket_.recv())["type"] == "connection_ack"
        await socket_.send(message)
        try:
            while True:
                await asyncio.wait_for(socket_.recv(), timeout=10)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


def test_websocket_messages_over_the_limit_close_with_1009(start_flowdeck: StartFlowdeck):
    server = start_flowdeck({"FLOWDECK_MAX_BODY_BYTES": str(SMALL_LIMIT)})
    big = json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ME + " " * SMALL_LIMIT}})
    assert asyncio.run(_ws_close_code(server, big)) == 1009


def test_the_middleware_closes_an_oversized_websocket_message_with_1009():
    # uvicorn's own frame limit also says 1009 under `flowdeck serve`; this holds the
    # middleware to it under any ASGI server
    incoming = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "é" * 5},  # 10 bytes: accepted
        {"type": "websocket.receive", "text": "é" * 6},  # 12 bytes: over
        {"type": "websocket.receive", "text": "never read"},
    ]
    sent: list[dict[str, Any]] = []
    seen_by_app: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen_by_app.append(message)
            if message["type"] == "websocket.disconnect":
                return

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(RequestSizeLimit(app, max_bytes=10)({"type": "websocket"}, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1009, "reason": "message too big"}]
    assert [m.get("text") for m in seen_by_app] == [None, "é" * 5, None]
    assert seen_by_app[-1] == {"type": "websocket.disconnect", "code": 1009}


def _graphql(server: FlowdeckServer, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = post_raw(server, json.dumps({"query": query, "variables": variables or {}}).encode())
    assert response.status_code == 200, response.text[:300]
    return response.json()


def test_the_issues_cases_are_refused_with_their_codes(live_server: FlowdeckServer):
    create = _graphql(live_server, CREATE_PROJECT, {"n": "n" * 1_000_000})
    assert create["data"]["createProject"] == {
        "project": None,
        "errors": [{"code": "VALIDATION", "field": ["input", "name"]}],
    }
    search = _graphql(live_server, "query($t: String!) { runs(search: $t) { totalCount } }", {"t": "s" * 200_000})
    assert search["errors"][0]["extensions"] == {"code": "VALIDATION", "field": ["runs", "search"]}
    aliases = _graphql(live_server, "{ " + " ".join(f"a{i}: me {{ name }}" for i in range(20_000)) + " }")
    assert aliases["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX" and "data" in aliases
    pages = _graphql(live_server, "{ " + " ".join(f"r{i}: {RUNS_PAGE}" for i in range(200)) + " }")
    assert pages["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    fifty_mb = post_raw(live_server, b" " * (50 * 1024 * 1024))
    assert_refusal(fifty_mb, 413, "PAYLOAD_TOO_LARGE", "1048576")
    assert "Traceback" not in live_server.output()


MEDIA_TYPES: list[tuple[str | None, str, int]] = [
    # Accept, the answer's media type, the status of a request error (parse, validation, variables)
    ("application/graphql-response+json", "application/graphql-response+json", 400),
    ("application/graphql-response+json, application/json;q=0.9", "application/graphql-response+json", 400),
    ("application/json, application/graphql-response+json;q=0.5", "application/json", 200),
    ("application/json", "application/json", 200),
    (None, "application/json", 200),
]
REQUEST_ERRORS = [
    ("{ me { name ", {}),
    ("{ nope }", {}),
    ("query($n: Int) { runs(first: $n) { totalCount } }", {"n": "x"}),
]


def test_media_types_as_the_graphql_over_http_spec_says(live_server: FlowdeckServer):
    for accept, media_type, request_error_status in MEDIA_TYPES:
        headers = {"accept": accept} if accept else {}
        for query, variables in REQUEST_ERRORS:
            body = json.dumps({"query": query, "variables": variables}).encode()
            response = post_raw(live_server, body, **headers)
            assert response.status_code == request_error_status, (accept, query)
            assert response.headers["content-type"] == media_type
            answer = response.json()
            assert answer["errors"] and (
                "data" not in answer if request_error_status == 400 else answer["data"] is None
            )
        ok = post_raw(live_server, json.dumps({"query": ME}).encode(), **headers)
        assert ok.status_code == 200 and ok.headers["content-type"] == media_type and ok.json()["data"]["me"]["name"]
