"""What takes the compiled path and what does not, the plan cache's bound, and the switch."""

from __future__ import annotations

import pytest

from app.settings import ConfigError, load_settings
from schema.execution.executor import PlanCache, _OperationPlans
from tests.schema.conftest import ProjectKeys
from tests.schema.execution import documents as docs
from tests.schema.execution.differential import Differential, seed

CANCEL = """
mutation($id: ID!) { cancelRun(input: {id: $id, reason: "test"}) { run { id status } errors { code } } }
"""


async def test_mutations_and_interfaces_are_left_to_graphql_core(acme: ProjectKeys):
    ids = await seed(acme.admin)
    assert acme.admin.secret is not None
    differential = Differential(acme.admin.settings, acme.admin.secret)
    outcome = await differential.run(differential.compiled, CANCEL, {"id": ids["run_ids"][3]})
    assert (outcome.served.compiled, outcome.served.declined) == (0, 1)
    outcome = await differential.run(differential.compiled, docs.NODE, {"id": ids["run_ids"][0]})
    assert (outcome.served.compiled, outcome.served.declined) == (0, 1)
    # a query compiles once: the second request reuses the plan
    first = await differential.run(differential.compiled, docs.RUN_STATS, None)
    again = await differential.run(differential.compiled, docs.RUN_STATS, None)
    assert (first.served.compilations, again.served.compilations) == (1, 0)
    assert again.served.compiled == 1


async def test_an_unauthenticated_query_gets_graphql_cores_error(acme: ProjectKeys):
    await seed(acme.admin)
    differential = Differential(acme.admin.settings, "fdk_not-a-key")
    # one root field: with two, which one's error graphql-core reports depends on which
    # fails first, under graphql-core alone as well
    outcome = await differential.check(docs.BENCH_PAGE, {})
    assert outcome.served.fallbacks == 1 and b"UNAUTHENTICATED" in outcome.encoded


def test_the_plan_cache_keeps_the_most_recently_used_operations():
    cache = PlanCache(maxsize=2)
    for name in ("a", "b"):
        cache.put((name, None), _OperationPlans(()))
    assert cache.get(("a", None)) is not None  # a is now the most recent
    cache.put(("c", None), _OperationPlans(()))
    assert len(cache) == 2 and cache.get(("b", None)) is None and cache.get(("a", None)) is not None


def test_the_compiled_path_can_be_switched_off():
    assert load_settings({}).compiled_execution is True
    assert load_settings({"FLOWDECK_COMPILED_EXECUTION": "off"}).compiled_execution is False
    with pytest.raises(ConfigError, match="FLOWDECK_COMPILED_EXECUTION"):
        load_settings({"FLOWDECK_COMPILED_EXECUTION": "maybe"})
