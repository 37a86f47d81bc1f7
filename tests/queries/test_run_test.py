"""RunTest: what runChanged asks of each changed run, decided in Python, must be what the
database decides with run_condition (visibility, project, filter, where). The expected sets are
the ones test_runs.py writes out for the SQL path."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

import tests.queries.test_runs as listing
from app.enums import Priority, RunStatus, TriggerSource
from app.errors import BadFilter
from app.ids import to_global_id
from app.queries import RunTest, RunWhereSpec, run_condition
from models import Project, Run, RunTag
from tests.queries.factory import at, superadmin

catalogue = listing.catalogue
two_projects = listing.two_projects
NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


async def decided(principal, *, project=None, filter=None, where=None) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """(what RunTest says, what the database says) over every run."""
    project_id = None
    if project is not None:
        found = await Project.filter(key=project).values_list("id", flat=True)
        project_id = uuid.UUID(str(found[0])) if found else None
    test = RunTest(principal, project=project, project_id=project_id, filter=filter, where=where)
    tags: dict[uuid.UUID, dict[str, str]] = {}
    for run_id, key, value in await RunTag.all().values_list("run_id", "key", "value"):
        tags.setdefault(run_id, {})[key] = value
    in_python = {run.id for run in await Run.all() if test.matches(run, tags.get(run.id, {}), NOW)}
    condition = run_condition(principal, project=project, filter=filter, where=where, now=NOW)
    in_sql = {uuid.UUID(str(run_id)) for run_id in await Run.filter(condition).values_list("id", flat=True)}
    return in_python, in_sql


async def test_visibility_and_project_as_the_database_decides(two_projects):
    alice, bob, runs = two_projects
    cases = [
        (alice, None, {"acme", "alice-private", "bob-shared"}),
        (bob, None, {"acme", "bob-private", "bob-shared"}),
        (alice, "acme", {"acme", "alice-private", "bob-shared"}),
        (alice, "globex", set()),
        (alice, "nope", set()),
        (superadmin(), None, set(runs)),
        (superadmin(), "globex", {"globex", "globex-private"}),
    ]
    for principal, project, expected in cases:
        in_python, in_sql = await decided(principal, project=project)
        assert in_python == in_sql == {runs[name] for name in expected}, (principal.actor, project)


async def test_where_and_filter_as_the_database_decides(catalogue):
    me, runs = catalogue
    cases = [
        (None, RunWhereSpec(workflow_key="billing-sync"), {"billing", "plain"}),
        (None, RunWhereSpec(status=[RunStatus.FAILED, RunStatus.RUNNING]), {"billing"}),
        (None, RunWhereSpec(status=[]), set()),
        (None, RunWhereSpec(triggered_by=[TriggerSource.SCHEDULE]), {"onboard"}),
        (None, RunWhereSpec(initiated_by="apikey:ops"), {"onboard"}),
        (None, RunWhereSpec(tenant="acme"), {"billing"}),
        (None, RunWhereSpec(subject_id="usr_7", subject_type="user"), {"onboard"}),
        (None, RunWhereSpec(batch_id="b-1"), {"billing"}),
        (None, RunWhereSpec(has_errors=True), {"billing"}),
        (None, RunWhereSpec(has_errors=False), {"onboard", "plain"}),
        (None, RunWhereSpec(dry_run=True), {"onboard"}),
        (None, RunWhereSpec(priority=[Priority.HIGH, Priority.LOW]), {"billing"}),
        (None, RunWhereSpec(created_after=at(1)), {"onboard", "plain"}),
        (None, RunWhereSpec(created_before=at(3)), {"billing", "onboard"}),
        (None, RunWhereSpec(created_before=at(3).replace(tzinfo=None)), {"billing", "onboard"}),  # read as UTC
        (None, RunWhereSpec(started_after=at(2), started_before=at(10)), {"onboard"}),
        (None, RunWhereSpec(tags=[("region", "eu"), ("kind", "conversation")]), {"billing"}),
        (None, RunWhereSpec(tags=[("region", "eu"), ("kind", "batch")]), set()),
        (None, RunWhereSpec(ids=[to_global_id("Run", runs["plain"]), "garbage"]), {"plain"}),
        ("tags.region pr", None, {"billing", "onboard"}),
        ('tags.region eq "EU"', None, set()),  # tag values compare exactly
        ('tags.region eq "eu"', None, {"billing"}),
        ("dry_run eq false", RunWhereSpec(workflow_key="billing-sync"), {"billing", "plain"}),
        ('priority ge "HIGH"', RunWhereSpec(tenant="acme"), {"billing"}),
        ('subject_name co "love" or subject_type eq "user"', None, {"billing", "onboard"}),
        ("not (has_errors eq true)", None, {"onboard", "plain"}),
        ("   ", None, {"billing", "onboard", "plain"}),
    ]
    for filter, where, expected in cases:
        in_python, in_sql = await decided(me, filter=filter, where=where)
        assert in_sql == {runs[name] for name in expected}, (filter, where)
        assert in_python == in_sql, (filter, where)


def test_a_malformed_filter_is_a_bad_filter_at_once():
    with pytest.raises(BadFilter):
        RunTest(superadmin(), project=None, project_id=None, filter="status eq", where=None)
