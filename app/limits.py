"""The input limits: one table for every string argument and input field, and the JSON bounds.

Every string the API takes is checked against this table before anything runs
(`schema/input_limits.py` walks each request's arguments), so a new field cannot escape
it: a field the table does not name gets the default for its type. A name in the table is
either a schema coordinate (`CreateProjectInput.name`, `Query.runs(search:)`), which wins,
or a bare field or argument name (`reason`), which applies wherever that name appears.
The defaults match the widest database column a short string is stored in (255
characters), so no accepted value can fail in the database.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

DEFAULT_STRING_MAX = 255
DEFAULT_ID_MAX = 255
TEXT_MAX = 10_000
CURSOR_MAX = 4_096

JSON_MAX_DEPTH = 64
JSON_MAX_BYTES = 256 * 1024

STRING_LIMITS: dict[str, int] = {
    # keys and names with a narrower column than the default
    "CreateProjectInput.key": 64,
    "CreateProjectInput.name": 200,
    "CreateApiKeyInput.name": 200,
    "CreateWorkflowInput.key": 128,
    "CreateWorkflowInput.name": 200,
    "workflowKey": 128,
    "project": 64,
    "TagInput.key": 100,
    "SubjectInput.type": 100,
    "PostRunUpdateInput.type": 64,
    # free text, stored in TEXT columns
    "reason": TEXT_MAX,
    "message": TEXT_MAX,
    "description": TEXT_MAX,
    "FailStepInput.error": TEXT_MAX,
    "filter": TEXT_MAX,
    # keyset cursors carry the sort values of a row
    "after": CURSOR_MAX,
    "before": CURSOR_MAX,
}


def string_limit(coordinate: str, name: str, *, is_id: bool) -> int:
    """The longest value accepted for the argument or input field at `coordinate` called `name`."""
    limit = STRING_LIMITS.get(coordinate) or STRING_LIMITS.get(name)
    if limit is not None:
        return limit
    return DEFAULT_ID_MAX if is_id else DEFAULT_STRING_MAX


def string_problem(value: str, limit: int) -> str | None:
    """Why `value` is refused, or None when it is acceptable."""
    if len(value) > limit:
        return f"is {len(value)} characters long; at most {limit} characters are accepted"
    if "\x00" in value:
        return "contains a NUL character"
    return None


def json_problem(value: object) -> str | None:
    """Why a JSON input is refused (a bare string, too deep, too large, NUL characters), or None."""
    if isinstance(value, str):
        # the ORM's JSON columns take a Python str as JSON text already encoded: "s" would
        # fail to store and "[1]" would be stored as a list. Refuse it, whatever the field.
        return "is a bare JSON string; send an object, an array, a number, a boolean or null"
    depth_problem = _json_depth_problem(value)
    if depth_problem is not None:
        return depth_problem
    try:
        encoded = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError) as error:
        return f"is not valid JSON ({error})"
    if len(encoded) > JSON_MAX_BYTES:
        return f"takes {len(encoded)} bytes encoded; at most {JSON_MAX_BYTES} bytes are accepted"
    # PostgreSQL's jsonb cannot hold \u0000: refuse it on every database alike
    if b"\\u0000" in encoded:
        return "contains a NUL character"
    return None


def _json_depth_problem(value: object) -> str | None:
    # iterative, and stops one level past the limit: a value nested 100,000 deep costs
    # no more than one nested 65 deep
    level: Sequence[object] = [value]
    depth = 0
    while level:
        containers = [item for item in level if isinstance(item, (dict, list))]
        if not containers:
            return None
        depth += 1
        if depth > JSON_MAX_DEPTH:
            return f"nests more than {JSON_MAX_DEPTH} levels deep"
        level = [
            child
            for container in containers
            for child in (container.values() if isinstance(container, dict) else container)
        ]
    return None
