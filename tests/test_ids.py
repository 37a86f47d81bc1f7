"""Global ids (app/ids.py): Relay style, base64 of "TypeName:uuid", as the contract's clients decode them."""

from __future__ import annotations

import base64
import uuid

from app.ids import parse_global_id, to_global_id


def test_a_global_id_is_the_base64_of_type_and_uuid():
    for index in range(200):
        raw = uuid.UUID(int=index * 7919 + 2**100)
        type_name = ("Run", "StepRun", "Workflow")[index % 3]
        expected = base64.b64encode(f"{type_name}:{raw}".encode()).decode()
        assert to_global_id(type_name, raw) == expected == to_global_id(type_name, str(raw))
        assert parse_global_id(expected) == (type_name, raw)
    assert to_global_id("Run", "00000000-0000-0000-0000-000000000001") == (
        "UnVuOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMQ=="
    )
