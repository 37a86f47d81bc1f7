"""GraphiQL served by flowdeck itself, so the IDE works with no internet access.

The assets in `static/` are pinned, minified copies from the npm registry (see
README.md beside this file and `scripts/vendor-graphiql`); the page loads them from
`STATIC_URL` on the same server, never from a CDN.
"""

from __future__ import annotations

import html
from pathlib import Path

__all__ = ["STATIC_DIR", "STATIC_URL", "graphiql_html"]

# The folder to serve at `STATIC_URL` (Starlette `StaticFiles(directory=STATIC_DIR)`).
STATIC_DIR = Path(__file__).parent / "static"
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
