"""GraphiQL served by flowdeck itself, so the IDE works with no internet access.

The assets in `static/` are pinned, minified copies from the npm registry (see
README.md beside this file and `scripts/vendor-graphiql`), the large ones stored
gzip-compressed (2 MB become 0.7 MB on the wire and in the repository); the page loads
them from `STATIC_URL` on the same server, never from a CDN.
"""

from __future__ import annotations

import functools
import gzip
import html
import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

__all__ = ["STATIC_DIR", "STATIC_URL", "graphiql_asset", "graphiql_html"]

# The folder `graphiql_asset` serves at `STATIC_URL`.
STATIC_DIR = Path(__file__).parent / "static"
# The assets are pinned: a browser may keep them for a year.
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Where the page expects the assets to be mounted.
STATIC_URL = "/graphiql/static"

_TEMPLATE = (Path(__file__).parent / "graphiql.html").read_text(encoding="utf-8")


def graphiql_html(endpoint: str = "/graphql", static_url: str = STATIC_URL) -> str:
    """The GraphiQL page for `endpoint`: HTTP for queries and mutations, graphql-transport-ws
    on the same path for subscriptions, and the headers editor open so a user can paste
    `{"Authorization": "Bearer <key>"}` (sent as HTTP headers and as the websocket's
    `connection_init` payload)."""
    return _TEMPLATE.replace("{{endpoint}}", html.escape(endpoint, quote=True)).replace(
        "{{static_url}}", html.escape(static_url.rstrip("/"), quote=True)
    )


@functools.cache
def _asset(name: str) -> tuple[bytes, bool] | None:
    """(the file's bytes, whether they are gzip-compressed), or None for no such asset."""
    if "/" in name or name.startswith("."):
        return None
    plain, packed = STATIC_DIR / name, STATIC_DIR / f"{name}.gz"
    if plain.is_file():
        return plain.read_bytes(), False
    if packed.is_file():
        return packed.read_bytes(), True
    return None


async def graphiql_asset(request: Request) -> Response:
    """`GET STATIC_URL/{name}`: a GraphiQL asset, gzip-encoded to clients that accept it."""
    name = request.path_params["name"]
    found = _asset(name)
    if found is None:
        return PlainTextResponse("no such asset", status_code=404)
    body, compressed = found
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    headers = {"Cache-Control": CACHE_FOREVER, "Vary": "Accept-Encoding"}
    if compressed:
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
        else:
            body = gzip.decompress(body)
    return Response(body, media_type=media_type, headers=headers)
