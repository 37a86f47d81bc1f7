"""postRunUpdate limits and visibility; the handler registry and FLOWDECK_HANDLERS loading."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.actions.updates import post_run_update
from app.enums import Role, StepType
from app.errors import Forbidden, NotFound
from app.handlers import handler, is_known_handler, load_handler_modules
from app.settings import ConfigError, set_settings
from models import RunUpdate
from tests.engine.factory import gid, make_project, make_workflow, principal_for, start, step


async def test_updates_get_seqs_and_the_oldest_are_dropped_beyond_the_limit(project, db):
    set_settings(dataclasses.replace(db, updates_max_per_run=3))
    workflow, version = await make_workflow(project, "upd", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    principal = principal_for(project, Role.OPERATOR)
    for index in range(5):
        posted = await post_run_update(principal, gid(run), "PROGRESS", f"m{index}", {"i": index}, "ws-1")
        assert posted.seq == index + 1
    kept = await RunUpdate.filter(run_id=run.id).order_by("seq")
    assert [(u.seq, u.message, u.workstream_id) for u in kept] == [
        (3, "m2", "ws-1"),
        (4, "m3", "ws-1"),
        (5, "m4", "ws-1"),
    ]


async def test_updates_older_than_the_age_limit_are_dropped(project, db):
    workflow, version = await make_workflow(project, "old", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    principal = principal_for(project, Role.OPERATOR)
    first = await post_run_update(principal, gid(run), "UPDATE", "ancient", None, None)
    await RunUpdate.filter(id=first.id).update(at=first.at - dt.timedelta(days=91))
    await post_run_update(principal, gid(run), "UPDATE", "fresh", None, None)
    assert await RunUpdate.filter(run_id=run.id).values_list("message", flat=True) == ["fresh"]


async def test_updates_need_an_operator_who_can_see_the_run(project, db):
    workflow, version = await make_workflow(project, "vis", [step("a", StepType.APPROVAL)])
    run = await start(project, workflow, version)
    with pytest.raises(Forbidden):
        await post_run_update(principal_for(project, Role.VIEWER), gid(run), "UPDATE", "x", None, None)
    stranger = principal_for(await make_project("elsewhere"), Role.ADMIN)
    with pytest.raises(NotFound):
        await post_run_update(stranger, gid(run), "UPDATE", "x", None, None)
    assert await RunUpdate.filter(run_id=run.id).count() == 0


def test_built_in_handlers_are_known_and_registered_ones_become_known():
    assert all(is_known_handler(name) for name in ("noop", "echo", "fail", "sleep"))
    assert not is_known_handler("tests.not-registered")

    @handler("tests.registered-late")
    async def _late(ctx):
        return {}

    assert is_known_handler("tests.registered-late")


def test_a_handler_module_that_does_not_import_is_one_clear_config_error():
    load_handler_modules(["tests.engine.crash_handlers"])
    assert is_known_handler("crash.work")
    with pytest.raises(ConfigError) as caught:
        load_handler_modules(["tests.engine.no_such_module"])
    assert caught.value.variable == "FLOWDECK_HANDLERS"
    assert "\n" not in str(caught.value)
    assert "tests.engine.no_such_module" in str(caught.value)
