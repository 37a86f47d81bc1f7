"""Demo data for `flowdeck serve --demo`: a project, four realistic workflows and runs of each."""

from __future__ import annotations

import logging

from app.actions.accounts import create_project
from app.actions.runs import RunOptions, SubjectSpec, TriggerSpec, start_run, trigger_workflow
from app.actions.workflows import create_workflow
from app.auth import Principal
from app.definitions import ChangeLimitSpec, RetrySpec, StepSpec
from app.enums import Priority, Role, StepType, TriggerSource, Visibility
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
            _step("restore", StepType.TASK, handler="noop", on_cancel=True, name="Restore access (cleanup)"),
        ],
        "change_limit": ChangeLimitSpec(max_runs=5, window_seconds=3600),
    },
    {
        "key": "billing-sync",
        "name": "Billing sync",
        "description": "Pull invoices from the billing provider, with retries.",
        "steps": [
            _step(
                "fetch-invoices", StepType.TASK, handler="fail", config={"message": "provider timeout", "times": 2},
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
                "extract-pages", StepType.FOR_EACH, "split",
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
    for index, (user, name) in enumerate([("u-1001", "Ada Smith"), ("u-1002", "Grace Jones"), ("u-1003", "Alan Smith")]):
        await start_run(
            operator, workflow_key="offboard-user", project_key=None, version=None,
            options=RunOptions(
                input={"userId": user}, subject=SubjectSpec(type="identity", id=user, name=name),
                tenant="acme", priority=Priority.HIGH if index == 0 else Priority.NORMAL,
                tags=[("region", "eu")], trigger=TriggerSpec(source=TriggerSource.MANUAL),
                reason="employee left",
            ),
        )
    await trigger_workflow(
        operator, workflow_key="billing-sync", project_key=None,
        subjects=[SubjectSpec(type="account", id=f"acct-{n}", name=f"Account {n}") for n in range(1, 4)],
        options=RunOptions(input={"period": "2026-11"}, tenant="acme", tags=[("region", "us")]),
    )
    await start_run(
        operator, workflow_key="ingest-document", project_key=None, version=None,
        options=RunOptions(
            input={"pages": ["cover", "terms", "signature"]},
            subject=SubjectSpec(type="document", id="doc-77", name="Master services agreement"),
        ),
    )
    await start_run(
        operator, workflow_key="agent-conversation", project_key=None, version=None,
        options=RunOptions(
            input={"question": "Where is my invoice?"}, tags=[("kind", "conversation")],
            subject=SubjectSpec(type="customer", id="c-42", name="Customer 42"), visibility=Visibility.PROJECT,
        ),
    )
    log.info("demo project %r loaded", DEMO_PROJECT)
    return True
