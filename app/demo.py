"""Demo data for `flowdeck serve --demo`: a project, four realistic workflows and runs of each."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging

from app.actions import bulk, run_control
from app.actions.accounts import create_project
from app.actions.runs import RunOptions, SubjectSpec, TriggerSpec, start_run, trigger_workflow
from app.actions.workflows import create_workflow, publish_workflow_version
from app.auth import Principal
from app.definitions import ChangeLimitSpec, RetrySpec, StepSpec
from app.enums import Priority, Role, StepType, TriggerSource, UnblockAction, Visibility
from app.ids import to_global_id
from app.lifecycle import utcnow
from app.schedules import actions as schedules
from app.schedules.identity import schedule_global_id
from models import Project

log = logging.getLogger("flowdeck.demo")

DEMO_PROJECT = "demo"
SYSTEM = Principal(key_id=None, name="demo", role=Role.SUPERADMIN, project_id=None)


def _step(ref: str, type: StepType, *deps: str, **fields: object) -> StepSpec:
    return StepSpec(ref=ref, type=type, depends_on=deps, **fields)  # type: ignore[arg-type]


WORKFLOWS: list[dict[str, object]] = [
    {
        "key": "offboard-user",
        "name": "Offboard user",
        "description": "Revoke an identity's access after a manager approves.",
        "steps": [
            _step("lookup", StepType.TASK, handler="echo", name="Look up the identity"),
            _step("approve", StepType.APPROVAL, "lookup", name="Manager approval"),
            _step("revoke-sso", StepType.TASK, "approve", handler="noop", name="Revoke SSO sessions"),
            _step("revoke-vpn", StepType.TASK, "approve", handler="noop", name="Revoke VPN access"),
            _step("notify", StepType.TASK, "revoke-sso", "revoke-vpn", handler="noop", name="Notify IT"),
            # cleanup runs on an IT worker: a canceled offboarding waits in CANCELING for it
            _step(
                "restore",
                StepType.TASK,
                handler="restore-access",
                queue="it-ops",
                on_cancel=True,
                name="Restore access (cleanup)",
            ),
        ],
        "change_limit": ChangeLimitSpec(max_runs=3, window_seconds=3600),
    },
    {
        "key": "billing-sync",
        "name": "Billing sync",
        "description": "Pull invoices from the billing provider, with retries.",
        "steps": [
            _step(
                "fetch-invoices",
                StepType.TASK,
                handler="fail",
                config={"message": "provider timeout", "times": 2},
                retry=RetrySpec(max_attempts=3, backoff_seconds=0.5, backoff_factor=2),
            ),
            _step("wait-settlement", StepType.SLEEP, "fetch-invoices", config={"seconds": 1}),
            _step("post-ledger", StepType.TASK, "wait-settlement", handler="echo"),
        ],
    },
    {
        "key": "ingest-document",
        "name": "Ingest document",
        "description": "Split a document into pages and extract each one.",
        "steps": [
            _step("split", StepType.TASK, handler="echo"),
            _step(
                "extract-pages",
                StepType.FOR_EACH,
                "split",
                config={"items": "pages", "body": {"type": "TASK", "handler": "echo"}},
            ),
            _step("index", StepType.TASK, "extract-pages", handler="noop"),
        ],
    },
    {
        "key": "agent-conversation",
        "name": "Agent conversation",
        "description": "An agent answers a customer and waits for the customer's reply.",
        "steps": [
            _step("draft-answer", StepType.TASK, handler="echo"),
            _step("customer-reply", StepType.SIGNAL, "draft-answer", config={"signal": "customer-reply"}),
            _step("close", StepType.TASK, "customer-reply", handler="noop"),
        ],
    },
]


async def load_demo() -> bool:
    """Load the demo on an empty database; False when there is data already."""
    if await Project.exists():
        return False
    project = await create_project(SYSTEM, DEMO_PROJECT, "Demo project")
    for spec in WORKFLOWS:
        await create_workflow(
            SYSTEM,
            project_key=project.key,
            key=str(spec["key"]),
            name=str(spec["name"]),
            description=str(spec["description"]),
            steps=spec["steps"],  # type: ignore[arg-type]
            max_parallel_steps=4,
            timeout_seconds=None,
            change_limit=spec.get("change_limit"),  # type: ignore[arg-type]
        )
    operator = Principal(key_id=None, name="demo", role=Role.SUPERADMIN, project_id=project.id)
    await publish_workflow_version(
        SYSTEM,
        project_key=project.key,
        workflow_key="billing-sync",
        steps=[
            _step(
                "fetch-invoices",
                StepType.TASK,
                handler="fail",
                config={"message": "provider outage", "times": 5},
                retry=RetrySpec(max_attempts=2, backoff_seconds=0.2, backoff_factor=2),
            ),
            _step("post-ledger", StepType.TASK, "fetch-invoices", handler="echo"),
        ],
        max_parallel_steps=None,
        timeout_seconds=None,
        change_limit=None,
    )
    offboarded = []
    for index, (user, name) in enumerate(
        [
            ("u-1001", "Ada Smith"),
            ("u-1002", "Grace Jones"),
            ("u-1003", "Alan Smith"),
            ("u-1004", "Linus Berg"),
            ("u-1005", "Joan Clarke"),
        ]
    ):
        offboarded.append(
            await start_run(
                operator,
                workflow_key="offboard-user",
                project_key=None,
                version=None,
                options=RunOptions(
                    input={"userId": user},
                    subject=SubjectSpec(type="identity", id=user, name=name),
                    tenant="acme",
                    priority=Priority.HIGH if index == 0 else Priority.NORMAL,
                    tags=[("region", "eu")],
                    trigger=TriggerSpec(source=TriggerSource.MANUAL, cancellation_key=user),
                    reason="employee left",
                ),
            )
        )
    # offboarded[0..2] run (waiting for approval; [2] is canceled once started, see settle_demo);
    # [3] and [4] are BLOCKED by the change limit
    await bulk.unblock_runs(
        operator,
        run_id=to_global_id("Run", offboarded[4].id),
        filter=None,
        action=UnblockAction.ABANDON,
        reason="duplicate request",
    )
    await trigger_workflow(
        operator,
        workflow_key="billing-sync",
        project_key=None,
        subjects=[SubjectSpec(type="account", id=f"acct-{n}", name=f"Account {n}") for n in range(1, 3)],
        options=RunOptions(input={"period": "2026-11"}, tenant="acme", tags=[("region", "us")]),
    )  # version 2: FAILED after its attempts
    recovered = RunOptions(input={"period": "2026-10"}, tenant="globex", tags=[("region", "us")])
    await start_run(operator, workflow_key="billing-sync", project_key=None, version=1, options=recovered)
    await start_run(
        operator,
        workflow_key="billing-sync",
        project_key=None,
        version=1,
        options=dataclasses.replace(recovered, timeout_seconds=1, reason="tight deadline"),
    )  # TIMED_OUT: its retries and settlement wait outlast one second
    canceled = await start_run(operator, workflow_key="billing-sync", project_key=None, version=1, options=recovered)
    await run_control.cancel_run(operator, to_global_id("Run", canceled.id), "duplicate")  # CANCELED
    terminated = await start_run(operator, workflow_key="billing-sync", project_key=None, version=1, options=recovered)
    await run_control.terminate_run(operator, to_global_id("Run", terminated.id), "wrong account")  # TERMINATED
    await start_run(
        operator,
        workflow_key="billing-sync",
        project_key=None,
        version=1,
        options=dataclasses.replace(recovered, scheduled_at=utcnow() + dt.timedelta(days=1)),
    )  # PENDING until tomorrow
    await start_run(
        operator,
        workflow_key="ingest-document",
        project_key=None,
        version=None,
        options=RunOptions(
            input={"pages": ["cover", "terms", "signature"]},
            subject=SubjectSpec(type="document", id="doc-77", name="Master services agreement"),
        ),
    )
    for customer in ("c-42", "c-43"):
        conversation = await start_run(
            operator,
            workflow_key="agent-conversation",
            project_key=None,
            version=None,
            options=RunOptions(
                input={"question": "Where is my invoice?"},
                tags=[("kind", "conversation")],
                subject=SubjectSpec(type="customer", id=customer, name=f"Customer {customer[2:]}"),
                visibility=Visibility.PROJECT,
            ),
        )
    await run_control.pause_run(operator, to_global_id("Run", conversation.id), "agent on hold")  # PAUSED
    await _load_demo_schedule()
    log.info("demo project %r loaded", DEMO_PROJECT)
    return True


DEMO_SCHEDULE = "billing-sync-every-minute"


async def _load_demo_schedule() -> None:
    """A schedule that fires every minute (version 1 of billing-sync, which succeeds after two
    retries), triggered once at load so that its first fire shows at once."""
    schedule = await schedules.create_schedule(
        SYSTEM,
        key=DEMO_SCHEDULE,
        project_key=DEMO_PROJECT,
        workflow_key="billing-sync",
        settings=schedules.ScheduleSettings(cron="* * * * *", workflow_version=1),
        note="demo: fires every minute; pause it with pauseSchedule",
    )
    await schedules.trigger_schedule(SYSTEM, schedule_global_id(schedule.id), None)


async def settle_demo(timeout: float = 30.0) -> None:
    """Once the engine has started the third offboarding, cancel it: its cleanup step waits for a
    worker on queue it-ops, so the run shows CANCELING until one comes."""
    import asyncio

    from app.enums import RunStatus
    from app.errors import FlowdeckError
    from models import Run

    operator = Principal(key_id=None, name="demo", role=Role.SUPERADMIN, project_id=None)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        run = await Run.get_or_none(workflow_key="offboard-user", subject_id="u-1003")
        if run is None or run.status is not RunStatus.PENDING:
            break
        await asyncio.sleep(0.2)
    if run is not None and run.status is RunStatus.RUNNING:
        # another server process of the demo may have done it first
        with contextlib.suppress(FlowdeckError):
            await run_control.cancel_run(operator, to_global_id("Run", run.id), "rehired")
