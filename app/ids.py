"""Opaque global ids, Relay style: base64("TypeName:uuid").

Every `id`/`runId` argument takes these. A malformed id, or one naming another type,
reads as "not found" so that a client learns nothing from guessing.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from binascii import b2a_base64

from app.errors import NotFound


def to_global_id(type_name: str, raw_id: uuid.UUID | str) -> str:
    # what base64.b64encode gives, without its wrapper (a page of runs makes ~300 of these)
    return b2a_base64(f"{type_name}:{raw_id}".encode(), newline=False).decode("ascii")


def parse_global_id(global_id: str) -> tuple[str, uuid.UUID] | None:
    """(type name, uuid), or None when the id is not one of ours."""
    try:
        decoded = base64.b64decode(global_id.encode(), validate=True).decode()
        type_name, _, raw = decoded.partition(":")
        return type_name, uuid.UUID(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def expect_global_id(global_id: str, type_name: str, field: tuple[str, ...] | None = None) -> uuid.UUID:
    """The uuid inside a global id of `type_name`; NotFound otherwise."""
    parsed = parse_global_id(global_id)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(f"no {type_name} with id {global_id!r}", field)
    return parsed[1]
