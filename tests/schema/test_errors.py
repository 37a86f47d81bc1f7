from __future__ import annotations


async def test_unexpected_faults_are_masked_and_logged(superadmin, monkeypatch, caplog):
    from app.actions import accounts

    async def broken(principal):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(accounts, "visible_projects", broken)
    result = await superadmin.execute("{ projects { key } }")
    assert [error.message for error in result.errors] == ["Unexpected error."]
    assert "hunter2" not in str(result.errors[0].formatted)
    assert any("unexpected error" in record.message for record in caplog.records)


async def test_a_fault_in_a_subscription_event_is_masked_and_a_clean_event_passes(superadmin, monkeypatch):
    import asyncio

    from app import live
    from app.ids import to_global_id
    from schema import build_schema
    from schema.context import Context

    class Broken:
        seq = 2

        @property
        def type(self) -> str:
            raise RuntimeError("secret internals: password=hunter2")

    class Clean:
        seq, type, step_ref, at = 1, "RUN_CREATED", None, __import__("datetime").datetime(2026, 1, 1)

    async def events(principal, run_id, after):
        yield Clean()
        yield Broken()

    monkeypatch.setattr(live, "follow_run_events", events)
    monkeypatch.setattr("schema.runs.types.RunEvent.from_model", staticmethod(lambda event: event))
    schema = build_schema(superadmin.settings)
    context = Context(settings=superadmin.settings, authorization=f"Bearer {superadmin.secret}")
    query = "subscription($id: ID!) { runEvents(runId: $id) { seq type } }"
    stream = await schema.subscribe(query, variable_values={"id": to_global_id("Run", "x")}, context_value=context)
    clean = await asyncio.wait_for(anext(stream), 10)
    broken = await asyncio.wait_for(anext(stream), 10)
    await stream.aclose()
    assert clean.errors is None and clean.data == {"runEvents": {"seq": 1, "type": "RUN_CREATED"}}
    assert [error.message for error in broken.errors] == ["Unexpected error."]
    assert "hunter2" not in str(broken.errors[0].formatted)
