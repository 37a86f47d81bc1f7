"""`GET /exports/{id}`: a finished export's file, behind the same API key as GraphQL."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from app.actions.exports import export_file
from app.auth import authenticate
from app.enums import ErrorCode
from app.errors import NotFound, Unauthenticated
from app.exporter.formats import FILE_FORMATS


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def download_export(request: Request) -> Response:
    """The file of a COMPLETED job the caller can see; 401 without a valid key, 404 for anything else."""
    try:
        principal = await authenticate(request.headers.get("authorization"))
    except Unauthenticated as error:
        return _error(401, "UNAUTHENTICATED", str(error), {"WWW-Authenticate": "Bearer"})
    try:
        job, path = await export_file(principal, request.path_params["id"])
    except NotFound as error:
        return _error(404, ErrorCode.NOT_FOUND.value, error.message)
    file_format = FILE_FORMATS[job.format]
    created = job.created_at.astimezone(dt.UTC)
    return FileResponse(
        path,
        media_type=file_format.media_type,
        filename=f"runs-{created:%Y%m%dT%H%M%SZ}.{file_format.extension}",
        headers={"Cache-Control": "private, no-store"},
    )
