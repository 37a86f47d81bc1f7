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
