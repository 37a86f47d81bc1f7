"""FLOWDECK_MAX_BODY_BYTES as an ASGI middleware: bodies and websocket messages over it are refused.

An HTTP body is refused with 413 `PAYLOAD_TOO_LARGE` before it is read whole: at once
when its Content-Length says so, otherwise as soon as the bytes received pass the limit
(a chunked upload is counted as it streams in). A websocket message over the limit
closes the socket with 1009 (message too big). `flowdeck serve` also gives uvicorn the
same figure as its websocket frame limit, so such a message is not even buffered.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.graphql_http import error_body

MESSAGE_TOO_BIG = 1009


class BodyTooLarge(Exception):
    """Raised from `receive` once a request body passes the limit; turned into the 413 answer."""


class RequestSizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self.app(scope, self._websocket_receive(receive, send), send)
        else:
            await self.app(scope, receive, send)

    def _too_large_message(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes (FLOWDECK_MAX_BODY_BYTES)."

    async def _refuse(self, send: Send) -> None:
        body = error_body("PAYLOAD_TOO_LARGE", self._too_large_message())
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if response_started:
                raise
            await self._refuse(send)

    def _websocket_receive(self, receive: Receive, send: Send) -> Receive:
        async def limited_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive":
                text = message.get("text")
                size = len(message.get("bytes") or b"") if text is None else len(text.encode())
                if size > self.max_bytes:
                    await send({"type": "websocket.close", "code": MESSAGE_TOO_BIG, "reason": "message too big"})
                    return {"type": "websocket.disconnect", "code": MESSAGE_TOO_BIG}
            return message

        return limited_receive
