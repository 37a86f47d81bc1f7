"""The dashboard (UI.md): a single-page app built from `ui/` by Vite into `static/`.

`index.html` answers every route of the dashboard (browser history routing) and is never
cached; the files under `static/assets/` carry a content hash in their names, so a browser
may keep them for a year. Nothing is loaded from anywhere but this server.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["ASSETS_URL", "STATIC_DIR", "ui_routes"]

STATIC_DIR = Path(__file__).parent / "static"
ASSETS_URL = "/assets"
CACHE_FOREVER = "public, max-age=31536000, immutable"
NEVER_CACHE = "no-cache, no-store, must-revalidate"

# The dashboard's own routes (UI.md); each answers index.html and the app draws the page.
PAGE_PATHS = ("/", "/runs/{id}", "/workflows", "/workflows/{key}", "/schedules", "/schedules/{key}", "/jobs")


@functools.cache
def _index() -> str | None:
    path = STATIC_DIR / "index.html"
    return path.read_text(encoding="utf-8") if path.is_file() else None


async def ui_page(request: Request) -> Response:
    """Any dashboard route: the app's index.html, never cached (it names the current assets)."""
    page = _index()
    if page is None:
        return PlainTextResponse("the dashboard is not built: run scripts/build-ui", status_code=404)
    return HTMLResponse(page, headers={"Cache-Control": NEVER_CACHE})


@functools.cache
def _asset(name: str) -> bytes | None:
    if "/" in name or name.startswith("."):
        return None
    path = STATIC_DIR / "assets" / name
    return path.read_bytes() if path.is_file() else None


async def ui_asset(request: Request) -> Response:
    """`GET /assets/{name}`: a content-hashed asset, cached immutable."""
    name = request.path_params["name"]
    body = _asset(name)
    if body is None:
        return PlainTextResponse("no such asset", status_code=404)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(body, media_type=media_type, headers={"Cache-Control": CACHE_FOREVER})


def ui_routes() -> list[BaseRoute]:
    """The dashboard's pages and assets, to mount beside /graphql."""
    routes: list[BaseRoute] = [Route(path, ui_page, methods=["GET"]) for path in PAGE_PATHS]
    routes.append(Route(f"{ASSETS_URL}/{{name}}", ui_asset, methods=["GET"]))
    return routes
