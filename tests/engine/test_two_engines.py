"""Two engines over one database never run the same step twice."""

from __future__ import annotations

from app.engine import Engine
from app.enums import RunStatus
from models import RunEvent, StepRun
from tests.engine.factory import make_workflow, start, step, wait_for_status


async def test_two_engines_share_the_work_without_running_a_step_twice(project, db):
    steps = [
        step(f"s{i}", handler="sleep", config={"seconds": 0.01}, depends_on=[f"s{i - 1}"] if i else [])
        for i in range(3)
    ]
    workflow, version = await make_workflow(project, "shared", steps)
    engines = [Engine(db, name="one"), Engine(db, name="two")]
    for engine in engines:
        await engine.start()
    try:
        runs = [await start(project, workflow, version) for _ in range(30)]
        for run in runs:
            assert (await wait_for_status(run.id, RunStatus.COMPLETED)).status == RunStatus.COMPLETED
    finally:
        for engine in engines:
            await engine.stop()
    assert await RunEvent.filter(type="STEP_STARTED").count() == 30 * 3
    assert await RunEvent.filter(type="RUN_STARTED").count() == 30
    assert set(await StepRun.all().values_list("attempt", flat=True)) == {1}
    workers = set(await StepRun.all().values_list("worker_id", flat=True))
    assert workers <= {"engine:one", "engine:two"}
