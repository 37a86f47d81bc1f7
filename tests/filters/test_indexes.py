"""The substring indexes follow the rows: a run's indexed columns changed or the run deleted, in
the same transaction, and a rolled-back change leaves them as they were (SQLite's runs_fts is
kept by triggers; PostgreSQL's GIN indexes are indexes)."""

from __future__ import annotations

import uuid

from tortoise.transactions import in_transaction

from app.filters import compile_filter, parse_filter
from app.queries import list_runs
from models import Run
from tests.queries.factory import make_project, make_run, make_workflow, superadmin


async def matching(text: str) -> set[uuid.UUID]:
    return {run.id for run in await Run.filter(compile_filter(parse_filter(text)))}


async def searched(term: str) -> set[uuid.UUID]:
    return {run.id for run in (await list_runs(superadmin(), search=term, first=100)).items}


class Rollback(Exception):
    pass


async def test_updates_deletes_and_rollbacks_reach_the_substring_matches(db):
    project = await make_project()
    workflow = await make_workflow(project, "billing-sync", "Billing Sync")
    ada = await make_run(project, workflow, subject_name="Ada Lovelace", subject_id="sub_ada", reason="late fee")
    grace = await make_run(project, workflow, subject_name="Grace Hopper", initiated_by="apikey:grace")
    assert await matching('subject_name co "lovelace"') == {ada.id}
    assert await searched("LOVELACE") == {ada.id}
    assert await searched("sync") == {ada.id, grace.id}

    await Run.filter(id=ada.id).update(subject_name="Ada King", trigger_key="order-77")
    assert await matching('subject_name co "lovelace"') == set()
    assert await matching('subject_name sw "ada k"') == {ada.id}
    assert await matching('trigger_key ew "der-77"') == {ada.id}
    assert await searched("lovelace") == set()
    assert await matching('reason co "late fee"') == {ada.id}

    try:
        async with in_transaction() as connection:
            await Run.filter(id=grace.id).using_db(connection).update(subject_name="Grace Brewster")
            raise Rollback
    except Rollback:
        pass
    assert await matching('subject_name co "brewster"') == set()
    assert await matching('subject_name co "hopper"') == {grace.id}
    assert await matching('initiated_by co "grace"') == {grace.id}

    await Run.filter(id=grace.id).delete()
    assert await matching('subject_name co "hopper"') == set()
    assert await matching('initiated_by co "grace"') == set()
    assert await searched("hopper") == set()
    assert await searched("sync") == {ada.id}
