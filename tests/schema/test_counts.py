"""totalCountIsExact and RunStats.exact through the API (COUNT_LIMIT lowered to 4 here; the
schema states 10,000): a filtered count past the limit is "at least", an unfiltered one exact."""

from __future__ import annotations

import app.queries.counts
from app.enums import RunStatus
from tests.queries.factory import make_project, make_run, make_workflow

LIMIT = 4

TOTALS = """
query Totals($filter: String) {
  runs(first: 1, filter: $filter) { totalCount totalCountIsExact }
  runStats(filter: $filter) { total exact byStatus { status count } }
}
"""
WORKFLOW_TOTAL = '{ workflow(key: "billing", project: "acme") { runs(first: 1) { totalCount totalCountIsExact } } }'


async def test_the_schema_says_whether_a_count_is_exact(superadmin, monkeypatch):
    monkeypatch.setattr(app.queries.counts, "COUNT_LIMIT", LIMIT)
    acme = await make_project("acme")
    billing = await make_workflow(acme, "billing", "Billing")
    for status in [RunStatus.FAILED] * 3 + [RunStatus.COMPLETED] * 2 + [RunStatus.RUNNING]:
        await make_run(acme, billing, status=status, subject_name=f"{status.value.title()} Smith")

    past = await superadmin.data(TOTALS, {"filter": 'subject_name co "smith"'})
    assert past["runs"] == {"totalCount": LIMIT, "totalCountIsExact": False}
    assert (past["runStats"]["total"], past["runStats"]["exact"]) == (LIMIT, False)

    within = await superadmin.data(TOTALS, {"filter": 'status eq "FAILED"'})
    assert within["runs"] == {"totalCount": 3, "totalCountIsExact": True}
    assert (within["runStats"]["total"], within["runStats"]["exact"]) == (3, True)

    every = await superadmin.data(TOTALS, {"filter": None})
    assert every["runs"] == {"totalCount": 6, "totalCountIsExact": True}
    assert (every["runStats"]["total"], every["runStats"]["exact"]) == (6, True)
    counts = {entry["status"]: entry["count"] for entry in every["runStats"]["byStatus"]}
    assert (counts["FAILED"], counts["COMPLETED"], counts["RUNNING"], counts["PENDING"]) == (3, 2, 1, 0)

    assert (await superadmin.data(WORKFLOW_TOTAL))["workflow"]["runs"] == {"totalCount": 6, "totalCountIsExact": True}
