"""Listing runs: visibility, search, where, filter together, page arguments and cursors,
statement counts, run stats; and the workflow and run-event pages."""

from __future__ import annotations

import uuid

import pytest

from app.enums import (
    Priority,
    Role,
    RunEventType,
    RunOrderField,
    RunStatus,
    SortDirection,
    TriggerSource,
    Visibility,
)
from app.errors import BadFilter, ValidationFailed
from app.ids import to_global_id
from app.queries import (
    RunOrderSpec,
    RunWhereSpec,
    list_run_events,
    list_runs,
    list_workflows,
    run_stats,
    tagged_q,
    visible_runs,
)
from models import Run, RunEvent
from tests.queries.factory import (
    StatementLog,
    at,
    make_project,
    make_run,
    make_workflow,
    member,
    set_status,
    superadmin,
)


async def ids_of(principal, **arguments) -> set[uuid.UUID]:
    page = await list_runs(principal, **arguments)
    return {run.id for run in page.items}


# ---------------------------------------------------------------- visibility


@pytest.fixture
async def two_projects(db):
    acme, globex = await make_project("acme"), await make_project("globex")
    acme_flow, globex_flow = await make_workflow(acme), await make_workflow(globex)
    alice, bob = member(acme, "alice"), member(acme, "bob")
    runs = {
        "acme": await make_run(acme, acme_flow, created_at=at(1)),
        "alice-private": await make_run(
            acme, acme_flow, created_at=at(2), visibility=Visibility.PRIVATE, initiated_by=alice.actor
        ),
        "bob-private": await make_run(
            acme, acme_flow, created_at=at(3), visibility=Visibility.PRIVATE, initiated_by=bob.actor
        ),
        "bob-shared": await make_run(acme, acme_flow, created_at=at(4), initiated_by=bob.actor),
        "globex": await make_run(globex, globex_flow, created_at=at(5)),
        "globex-private": await make_run(
            globex, globex_flow, created_at=at(6), visibility=Visibility.PRIVATE, initiated_by=alice.actor
        ),
    }
    return alice, bob, {name: run.id for name, run in runs.items()}


async def test_a_member_sees_its_project_and_only_its_own_private_runs(two_projects):
    alice, bob, runs = two_projects
    assert await ids_of(alice) == {runs["acme"], runs["alice-private"], runs["bob-shared"]}
    assert await ids_of(bob) == {runs["acme"], runs["bob-private"], runs["bob-shared"]}
    # whatever it filters, searches or pages on, nothing else comes through
    assert await ids_of(alice, filter='visibility eq "PRIVATE"') == {runs["alice-private"]}
    assert await ids_of(alice, search=to_global_id("Run", runs["bob-private"])) == set()
    assert await ids_of(alice, search=str(runs["globex"])) == set()
    assert await ids_of(alice, where=RunWhereSpec(ids=[to_global_id("Run", runs["globex"])])) == set()
    assert await (await list_runs(alice)).count() == 3
    assert {run.id for run in await visible_runs(alice)} == await ids_of(alice)


async def test_another_or_unknown_project_key_gives_an_empty_page(two_projects):
    alice, _bob, runs = two_projects
    assert await ids_of(alice, project="acme") == {runs["acme"], runs["alice-private"], runs["bob-shared"]}
    page = await list_runs(alice, project="globex")
    assert (page.items, page.has_next_page, await page.count()) == ([], False, 0)
    assert await ids_of(alice, project="no-such-project") == set()
    # a key without a project (not SUPERADMIN) sees nothing
    orphan = member(await make_project("empty"), "orphan")
    orphan = type(orphan)(key_id=orphan.key_id, name="orphan", role=Role.ADMIN, project_id=None)
    assert await ids_of(orphan) == set()


async def test_superadmin_sees_every_run_of_every_project_and_a_key_narrows(two_projects):
    _alice, _bob, runs = two_projects
    root = superadmin()
    assert await ids_of(root) == set(runs.values())
    assert await ids_of(root, project="globex") == {runs["globex"], runs["globex-private"]}
    assert await ids_of(root, project="nope") == set()


# ---------------------------------------------------------------- search, where, filter


@pytest.fixture
async def catalogue(db):
    project = await make_project()
    billing = await make_workflow(project, "billing-sync", "Billing Sync")
    onboard = await make_workflow(project, "onboard_user", "Onboard 100% of users")
    runs = {
        "billing": await make_run(
            project,
            billing,
            created_at=at(1),
            subject_id="cust-42",
            subject_name="Ada Lovelace",
            tenant="acme",
            priority=Priority.HIGH,
            status=RunStatus.FAILED,
            error_count=1,
            tags={"region": "eu", "kind": "conversation"},
            batch_id="b-1",
            started_at=at(2),
        ),
        "onboard": await make_run(
            project,
            onboard,
            created_at=at(2),
            subject_id="usr_7",
            subject_name="Grace Hopper",
            subject_type="user",
            triggered_by=TriggerSource.SCHEDULE,
            dry_run=True,
            started_at=at(9),
            tags={"region": "us"},
            initiated_by="apikey:ops",
        ),
        "plain": await make_run(project, billing, created_at=at(3), subject_name="50% off"),
    }
    return member(project), {name: run.id for name, run in runs.items()}


async def test_search_matches_an_id_or_a_substring_of_key_name_or_subject(catalogue):
    me, runs = catalogue
    assert await ids_of(me, search=to_global_id("Run", runs["onboard"])) == {runs["onboard"]}
    assert await ids_of(me, search=f"  {runs['plain']}  ") == {runs["plain"]}
    assert await ids_of(me, search="BILLING") == {runs["billing"], runs["plain"]}
    assert await ids_of(me, search="100%") == {runs["onboard"]}
    assert await ids_of(me, search="CUST-4") == {runs["billing"]}
    assert await ids_of(me, search="hopper") == {runs["onboard"]}
    # wildcards are literal: "_" is not any character, "%" is not anything
    assert await ids_of(me, search="usr_") == {runs["onboard"]}
    assert await ids_of(me, search="d_u") == {runs["onboard"]}  # onboard_user
    assert await ids_of(me, search="g_s") == set()  # not billing-sync
    assert await ids_of(me, search="%") == {runs["onboard"], runs["plain"]}
    assert await ids_of(me, search="   ") == set(runs.values())


async def test_where_matches_every_given_field(catalogue):
    me, runs = catalogue
    cases = [
        (RunWhereSpec(workflow_key="billing-sync"), {"billing", "plain"}),
        (RunWhereSpec(status=[RunStatus.FAILED, RunStatus.RUNNING]), {"billing"}),
        (RunWhereSpec(status=[]), set()),
        (RunWhereSpec(triggered_by=[TriggerSource.SCHEDULE]), {"onboard"}),
        (RunWhereSpec(initiated_by="apikey:ops"), {"onboard"}),
        (RunWhereSpec(tenant="acme"), {"billing"}),
        (RunWhereSpec(subject_id="usr_7", subject_type="user"), {"onboard"}),
        (RunWhereSpec(batch_id="b-1"), {"billing"}),
        (RunWhereSpec(has_errors=True), {"billing"}),
        (RunWhereSpec(has_errors=False), {"onboard", "plain"}),
        (RunWhereSpec(dry_run=True), {"onboard"}),
        (RunWhereSpec(priority=[Priority.HIGH, Priority.LOW]), {"billing"}),
        (RunWhereSpec(created_after=at(1)), {"onboard", "plain"}),
        (RunWhereSpec(created_before=at(3)), {"billing", "onboard"}),
        (RunWhereSpec(started_after=at(2), started_before=at(10)), {"onboard"}),
        (RunWhereSpec(tags=[("region", "eu"), ("kind", "conversation")]), {"billing"}),
        (RunWhereSpec(tags=[("region", "eu"), ("kind", "batch")]), set()),
        (RunWhereSpec(ids=[to_global_id("Run", runs["plain"]), "garbage"]), {"plain"}),
        (RunWhereSpec(workflow_key="billing-sync", tenant="acme"), {"billing"}),
    ]
    for where, expected in cases:
        assert await ids_of(me, where=where) == {runs[name] for name in expected}, where


async def test_a_base_condition_narrows_like_conversations_do(catalogue):
    me, runs = catalogue
    assert await ids_of(me, base=tagged_q("kind", "conversation")) == {runs["billing"]}
    assert await ids_of(me, base=tagged_q("kind", "conversation"), search="hopper") == set()
    assert await (await list_runs(me, base=tagged_q("region", "us"))).count() == 1


async def test_filter_where_and_search_combine_by_and(catalogue):
    me, runs = catalogue
    assert await ids_of(me, filter="tags.region pr", search="billing") == {runs["billing"]}
    assert await ids_of(me, filter="dry_run eq false", where=RunWhereSpec(workflow_key="billing-sync")) == {
        runs["billing"],
        runs["plain"],
    }
    assert await ids_of(me, filter='priority ge "HIGH"', where=RunWhereSpec(tenant="acme"), search="lovelace") == {
        runs["billing"]
    }
    assert await ids_of(me, filter='priority ge "HIGH"', search="hopper") == set()
    # a blank filter is no filter
    assert await ids_of(me, filter="  ") == set(runs.values())


async def test_a_malformed_filter_is_a_bad_filter_error(catalogue):
    me, _runs = catalogue
    with pytest.raises(BadFilter) as caught:
        await list_runs(me, filter='stauts eq "FAILED"')
    assert (caught.value.message, caught.value.position) == ("unknown field 'stauts' at 0", 0)
    with pytest.raises(BadFilter):
        await run_stats(me, filter="status co 1")


# ---------------------------------------------------------------- page arguments and cursors


async def test_page_sizes_are_validated_and_name_the_argument(catalogue):
    me, _runs = catalogue
    for arguments, field in [
        ({"first": -1}, "first"),
        ({"first": 101}, "first"),
        ({"last": -3}, "last"),
        ({"last": 11, "max_page_size": 10}, "last"),
        ({"first": 1, "last": 1}, "last"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            await list_runs(me, **arguments)
        assert caught.value.field == (field,)
        assert field in caught.value.message
    empty = await list_runs(me, first=0)
    assert (empty.items, empty.has_next_page, empty.has_previous_page) == ([], True, False)
    whole = await list_runs(me, first=100)
    assert len(whole.items) == 3 and not whole.has_next_page


async def test_a_malformed_or_foreign_cursor_is_a_validation_error(catalogue):
    me, _runs = catalogue
    page = await list_runs(me, first=1)
    by_priority = await list_runs(me, first=1, order_by=[RunOrderSpec(RunOrderField.PRIORITY)])
    for cursor, argument in [
        ("not a cursor", "after"),
        ("eyJvIjoxfQ==", "before"),
        (by_priority.end_cursor, "after"),
        (page.end_cursor[:-4], "after"),
    ]:
        with pytest.raises(ValidationFailed, match=r"^invalid cursor") as caught:
            await list_runs(me, first=1, **{argument: cursor})
        assert caught.value.field == (argument,)
    # a cursor issued for the same order is fine with either direction of paging
    assert len((await list_runs(me, last=1, before=page.end_cursor)).items) == 0
    assert len((await list_runs(me, first=5, after=page.end_cursor)).items) == 2


async def test_after_and_before_together_bound_a_range(catalogue):
    me, runs = catalogue
    ordered = await list_runs(me, order_by=[RunOrderSpec(RunOrderField.CREATED_AT, SortDirection.ASC)])
    assert [run.id for run in ordered.items] == [runs["billing"], runs["onboard"], runs["plain"]]
    middle = await list_runs(
        me,
        order_by=[RunOrderSpec(RunOrderField.CREATED_AT, SortDirection.ASC)],
        after=ordered.cursors[0],
        before=ordered.cursors[2],
    )
    assert [run.id for run in middle.items] == [runs["onboard"]]


async def test_a_page_is_one_statement_and_its_count_one_more(catalogue):
    me, _runs = catalogue
    with StatementLog() as log:
        await list_runs(me, project="acme", filter="duration gt 0", first=2)
    assert len(log.statements) == 1
    # (a tag test on SQLite, as a substring test, reads windows of the walk first:
    # tests/queries/test_substrings.py)
    with StatementLog() as log:
        await list_runs(me, project="acme", filter="tags.region pr", first=2)
    assert len(log.statements) == (1 if Run._meta.db.capabilities.dialect == "postgres" else 2)
    # a search first reads the workflows whose key or name holds its term
    with StatementLog() as log:
        page = await list_runs(
            me,
            project="acme",
            filter="tags.region pr and duration gt 0",
            where=RunWhereSpec(tags=[("region", "eu")]),
            search="ada",
            order_by=[RunOrderSpec(RunOrderField.DURATION), RunOrderSpec(RunOrderField.STATUS)],
            first=2,
        )
    # (an order with DURATION and another field is one statement, substring tests or not; pages
    # by other orders read windows of the walk first: tests/queries/test_substrings.py)
    assert len(log.statements) == 2
    # a count with a substring test or a search (on SQLite a tag test too) first looks for the
    # end of its walk (app.queries.counts.WALK_ROWS): none in so few runs, then the count
    with StatementLog() as log:
        assert await page.count() == 1
    assert len(log.statements) == 2
    with StatementLog() as log:
        await run_stats(me, filter="tags.region pr")
    assert len(log.statements) == (1 if Run._meta.db.capabilities.dialect == "postgres" else 2)
    with StatementLog() as log:
        await run_stats(me, filter="duration gt 0")
    assert len(log.statements) == 1


# ---------------------------------------------------------------- stats


async def test_run_stats_counts_every_status_in_enum_order_zeros_included(two_projects):
    alice, _bob, _runs = two_projects
    stats = (await run_stats(alice)).by_status
    assert [status for status, _count in stats] == list(RunStatus)
    assert dict(stats) == {status: (3 if status is RunStatus.PENDING else 0) for status in RunStatus}

    acme = alice.project_id

    await set_status(await Run.filter(project_id=acme, initiated_by=alice.actor), RunStatus.FAILED)
    stats = dict((await run_stats(alice)).by_status)
    assert (stats[RunStatus.PENDING], stats[RunStatus.FAILED], sum(stats.values())) == (2, 1, 3)
    assert dict((await run_stats(alice, filter='status ne "FAILED"')).by_status)[RunStatus.FAILED] == 0
    assert (await run_stats(superadmin())).total == 6
    assert (await run_stats(alice, project="globex")).total == 0


# ---------------------------------------------------------------- workflows and events


async def test_workflows_page_by_key_within_what_the_caller_sees(db):
    acme, globex = await make_project("acme"), await make_project("globex")
    for key in ["delta", "alpha", "charlie", "bravo", "echo"]:
        await make_workflow(acme, key, key.title())
    await make_workflow(globex, "alpha", "Alpha of globex")
    me = member(acme)
    first = await list_workflows(me, first=2)
    assert [w.key for w in first.items] == ["alpha", "bravo"]
    assert (first.has_next_page, first.has_previous_page, await first.count()) == (True, False, 5)
    rest = await list_workflows(me, first=10, after=first.end_cursor)
    assert [w.key for w in rest.items] == ["charlie", "delta", "echo"]
    assert (rest.has_next_page, rest.has_previous_page) == (False, True)
    assert [w.key for w in (await list_workflows(me, project="globex")).items] == []
    every = await list_workflows(superadmin())
    assert sorted(w.key for w in every.items) == ["alpha", "alpha", "bravo", "charlie", "delta", "echo"]
    assert [w.name for w in (await list_workflows(superadmin(), project="globex")).items] == ["Alpha of globex"]
    with pytest.raises(ValidationFailed, match=r"^invalid cursor"):
        await list_workflows(me, after="bogus")


async def test_run_events_page_by_seq(db):
    project = await make_project()
    run = await make_run(project, await make_workflow(project))
    await RunEvent.bulk_create(
        [RunEvent(run=run, seq=seq, at=at(seq), type=RunEventType.RUN_CREATED) for seq in range(1, 8)]
    )
    first = await list_run_events(run.id, first=3)
    assert [e.seq for e in first.items] == [1, 2, 3] and first.cursors == ["1", "2", "3"]
    assert (first.has_next_page, first.has_previous_page, await first.count()) == (True, False, 7)
    rest = await list_run_events(run.id, after=int(first.end_cursor), first=10)
    assert [e.seq for e in rest.items] == [4, 5, 6, 7]
    assert (rest.has_next_page, rest.has_previous_page) == (False, True)
    with pytest.raises(ValidationFailed):
        await list_run_events(run.id, first=101)
