from __future__ import annotations

import pytest

from app.actions.signals import consume_buffered_signal, signal_run
from app.enums import Role, RunStatus, StepStatus, StepType, Visibility
from app.errors import Forbidden, InvalidTransition, NotFound, ValidationFailed
from app.lifecycle import STEP, RunTransaction
from models import RunEvent, Signal, StepRun
from tests.actions.factory import (
    events_after,
    gid,
    last_seq,
    make_project,
    make_run_in,
    principal,
    put_step,
    step,
    step_of,
    task,
)

PAYMENT_FLOW = [
    task("charge"),
    step("paid", StepType.SIGNAL, "charge", config={"signal": "payment-received"}),
    step("shipped", StepType.SIGNAL, config={"signal": "shipped"}),
]


async def engine_makes_it_wait(run, ref: str) -> tuple[StepRun, bool]:
    """What the engine does when a SIGNAL step starts: WAITING, then hand it a buffered signal."""
    async with RunTransaction(run.id) as tx:
        target = await StepRun.get(run_id=run.id, ref=ref).using_db(tx.connection)
        await tx.change_step(target, STEP.QUEUE)
        await tx.change_step(target, STEP.WAIT)
        consumed = await consume_buffered_signal(tx, target)
    return target, consumed


async def test_a_signal_completes_the_step_waiting_for_it(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, PAYMENT_FLOW)
    await put_step(run, "charge", StepStatus.COMPLETED)
    await put_step(run, "paid", StepStatus.WAITING)
    await put_step(run, "shipped", StepStatus.WAITING)
    before = await last_seq(run)

    signal, after_run = await signal_run(
        principal(project, name="psp"), gid(run), "payment-received", "paid in full", {"amount": 42}
    )

    assert signal.consumed_by == "paid" and signal.sent_by == "apikey:psp"
    assert after_run.status is RunStatus.RUNNING
    paid = await step_of(run, "paid")
    assert (paid.status, paid.output) == (StepStatus.COMPLETED, {"amount": 42})
    assert (await step_of(run, "shipped")).status is StepStatus.WAITING
    assert await events_after(run, before) == [
        (before + 1, "SIGNAL_RECEIVED", "paid"),
        (before + 2, "STEP_COMPLETED", "paid"),
    ]
    received = await RunEvent.get(run_id=run.id, seq=before + 1)
    assert received.data == {"name": "payment-received", "message": "paid in full"}
    stored = await Signal.get(id=signal.id)
    assert (stored.name, stored.payload, stored.consumed_by) == ("payment-received", {"amount": 42}, "paid")


async def test_a_signal_nobody_waits_for_is_kept_for_the_first_step_that_waits(db):
    project = await make_project()
    run = await make_run_in(project, RunStatus.RUNNING, PAYMENT_FLOW)
    before = await last_seq(run)

    first, _ = await signal_run(principal(project), gid(run), "payment-received", "one", {"n": 1})
    second, _ = await signal_run(principal(project), gid(run), "payment-received", "two", {"n": 2})

    assert (first.consumed_by, second.consumed_by) == (None, None)
    assert await last_seq(run) == before  # nothing changed state yet
    assert (await step_of(run, "paid")).status is StepStatus.PENDING

    await put_step(run, "charge", StepStatus.COMPLETED)
    paid, consumed = await engine_makes_it_wait(run, "paid")

    assert consumed is True
    assert (paid.status, paid.output) == (StepStatus.COMPLETED, {"n": 1})
    assert (await Signal.get(id=first.id)).consumed_by == "paid"
    assert (await Signal.get(id=second.id)).consumed_by is None
    # a step waiting for another name takes nothing
    shipped, consumed = await engine_makes_it_wait(run, "shipped")
    assert consumed is False and shipped.status is StepStatus.WAITING


@pytest.mark.parametrize(
    "status",
    [RunStatus.PENDING, RunStatus.BLOCKED, RunStatus.RUNNING, RunStatus.PAUSED],
)
async def test_signals_are_accepted_by_live_runs(db, status):
    project = await make_project()
    run = await make_run_in(project, status, PAYMENT_FLOW)
    signal, _ = await signal_run(principal(project), gid(run), "shipped", "", None)
    assert await Signal.filter(run_id=run.id, id=signal.id).exists()


@pytest.mark.parametrize(
    "status",
    [
        RunStatus.CANCELING,
        RunStatus.COMPLETED,
        RunStatus.FAILED,
        RunStatus.TIMED_OUT,
        RunStatus.CANCELED,
        RunStatus.TERMINATED,
        RunStatus.ABANDONED,
    ],
)
async def test_signals_to_a_closed_or_canceling_run_are_refused(db, status):
    project = await make_project()
    run = await make_run_in(project, status, PAYMENT_FLOW)
    with pytest.raises(InvalidTransition, match=f"cannot signal a run that is {status.value}"):
        await signal_run(principal(project), gid(run), "shipped", "", None)
    assert not await Signal.filter(run_id=run.id).exists()


async def test_signal_input_role_and_visibility(db):
    project = await make_project()
    elsewhere = await make_project("elsewhere")
    run = await make_run_in(project, RunStatus.RUNNING, PAYMENT_FLOW)
    private = await make_run_in(
        project, RunStatus.RUNNING, PAYMENT_FLOW, visibility=Visibility.PRIVATE, initiated_by="apikey:carol"
    )
    with pytest.raises(ValidationFailed, match="name must not be empty") as caught:
        await signal_run(principal(project), gid(run), " ", "", None)
    assert caught.value.field == ("input", "name")
    with pytest.raises(Forbidden, match="signalRun needs role OPERATOR"):
        await signal_run(principal(project, Role.VIEWER), gid(run), "shipped", "", None)
    for caller, target in ((principal(elsewhere), run), (principal(project, name="dave"), private)):
        with pytest.raises(NotFound) as missing:
            await signal_run(caller, gid(target), "shipped", "", None)
        assert missing.value.field == ("input", "id")
    assert not await Signal.all().exists()
