"""GraphQL over HTTP as the spec says, on top of Strawberry's ASGI view.

- A body that is not UTF-8 JSON (bad bytes, a lone surrogate, nesting past 1,024
  levels), not an object, whose `query` is missing or not a string, or whose
  `variables`/`extensions` are not objects: 400 with `BAD_REQUEST` (SERVER.md "Limits").
  Strawberry's own parser let these through as 500s.
- Every refusal of the HTTP layer is a JSON GraphQL response
  `{"errors": [{"message", "extensions": {"code"}}]}`, never plain text.
- `Accept: application/graphql-response+json` is honoured: the answer has that media
  type, and a request error (the document does not parse or validate, its variables do
  not coerce, a limit refuses it: no `data`, no error with a path) is a 400 without
  `data`. With `application/json` (or no Accept) every GraphQL answer stays a 200.
"""

from __future__ import annotations

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
ERROR_CODES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


def error_body(code: str, message: str) -> bytes:
    """The JSON body of a refusal: one GraphQL error with `extensions.code`."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


def preferred_media_type(accept: str | None) -> str:
    """application/graphql-response+json when the Accept header prefers it (ties go to it), else JSON."""
    best, best_quality = APPLICATION_JSON, -1.0
    for part in (accept or "").split(","):
        media_type, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type == GRAPHQL_RESPONSE_JSON and quality > 0 and quality >= best_quality:
            best, best_quality = GRAPHQL_RESPONSE_JSON, quality
        elif media_type == APPLICATION_JSON and quality > best_quality:
            best, best_quality = APPLICATION_JSON, quality
    return best


def _bad_request(message: str) -> HTTPException:
    return HTTPException(400, message)


def check_request_object(data: object) -> None:
    """Refuse (400) a decoded POST body that is not a GraphQL request object."""
    if not isinstance(data, dict):
        raise _bad_request(f"The request body must be a JSON object, not {_json_kind(data)}.")
    if not isinstance(data.get("query"), str):
        problem = "missing" if data.get("query") is None else f"{_json_kind(data['query'])}, not a string"
        raise _bad_request(f"The request's `query` is {problem}: send the GraphQL document as a string.")
    for name in ("variables", "extensions"):
        if not isinstance(data.get(name), (dict, type(None))):
            raise _bad_request(f"The request's `{name}` must be a JSON object or null, not {_json_kind(data[name])}.")
    if not isinstance(data.get("operationName"), (str, type(None))):
        raise _bad_request("The request's `operationName` must be a string or null.")


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def _is_request_error(response_data: object) -> bool:
    # no data and no error tied to a field: the request never reached execution
    if not isinstance(response_data, dict) or response_data.get("data") is not None:
        return False
    errors = response_data.get("errors") or []
    return bool(errors) and all(not error.get("path") for error in errors)


class GraphQLOverHTTP(GraphQL[Any, None]):
    """Strawberry's ASGI view with strict request parsing, JSON refusals and media-type negotiation."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as error:
            code = ERROR_CODES.get(error.status_code, "BAD_REQUEST")
            response = Response(
                error_body(code, error.reason),
                status_code=error.status_code,
                media_type=preferred_media_type(request.headers.get("accept")),
            )
        await response(scope, receive, send)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as error:
            raise _bad_request(f"The request is not valid UTF-8 JSON: {error}.") from None

    async def parse_http_body(self, request: Any) -> Any:
        if request.method == "POST" and APPLICATION_JSON in (request.content_type or ""):
            check_request_object(self.parse_json(await request.get_body()))
        return await super().parse_http_body(request)

    async def get_sub_response(self, request: Request | Any) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = preferred_media_type(request.headers.get("accept"))
        return sub_response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        media_type = sub_response.media_type or APPLICATION_JSON
        if media_type == GRAPHQL_RESPONSE_JSON and _is_request_error(response_data):
            response_data = {key: value for key, value in response_data.items() if key != "data"}
            sub_response.status_code = 400
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        return response
