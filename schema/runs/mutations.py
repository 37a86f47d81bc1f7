"""The run root fields of Mutation that create runs: startRun, triggerWorkflow; and their payloads."""

from __future__ import annotations

import strawberry

from app.actions import runs as run_actions
from schema.context import Authenticated, Info, principal_of
from schema.errors import UserError, attempt
from schema.runs.inputs import StartRunInput, TriggerWorkflowInput
from schema.runs.types import Run


@strawberry.type
class RunPayload:
    run: Run | None
    errors: list[UserError]


@strawberry.type
class TriggerPayload:
    batch_id: str | None
    runs: list[Run]
    errors: list[UserError]


@strawberry.type
class RunMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def start_run(self, info: Info, input: StartRunInput) -> RunPayload:
        run, errors = await attempt(
            run_actions.start_run(
                principal_of(info),
                workflow_key=input.workflow_key,
                project_key=input.project,
                version=input.version,
                options=input.to_options(),
            )
        )
        return RunPayload(run=Run.from_model(run) if run else None, errors=errors)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def trigger_workflow(self, info: Info, input: TriggerWorkflowInput) -> TriggerPayload:
        result, errors = await attempt(
            run_actions.trigger_workflow(
                principal_of(info),
                workflow_key=input.workflow_key,
                project_key=input.project,
                subjects=[s.to_spec() for s in input.subjects],
                options=input.to_options(),
            )
        )
        if result is None:
            return TriggerPayload(batch_id=None, runs=[], errors=errors)
        batch_id, runs = result
        return TriggerPayload(batch_id=batch_id, runs=[Run.from_model(r) for r in runs], errors=[])
