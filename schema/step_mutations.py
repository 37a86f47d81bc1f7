"""Step-level mutations (approve, reject, skip, force-complete, retry, replay) and the worker API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.scalars import JSON

from app.actions import step_control, workers
from app.auth import Principal
from models import Run as RunModel
from models import StepRun as StepRunModel
from schema.context import Authenticated, Info, principal_of
from schema.errors import UserError, attempt
from schema.runs import Run, StepRun


@strawberry.input
class StepActionInput:
    run_id: strawberry.ID
    step_ref: str
    reason: str | None = None


@strawberry.input
class ForceCompleteStepInput:
    run_id: strawberry.ID
    step_ref: str
    result: JSON | None = None
    reason: str | None = None


@strawberry.input
class ClaimStepsInput:
    queue: str
    worker_id: str
    limit: int | None = 1
    lease_seconds: int | None = 60


@strawberry.input
class HeartbeatStepInput:
    step_run_id: strawberry.ID
    worker_id: str
    lease_seconds: int | None = 60


@strawberry.input
class CompleteStepInput:
    step_run_id: strawberry.ID
    worker_id: str
    output: JSON | None = None


@strawberry.input(description="the holder gives a step back unfinished; it is QUEUED again for any worker at once")
class ReleaseStepInput:
    step_run_id: strawberry.ID
    worker_id: str


@strawberry.input
class FailStepInput:
    step_run_id: strawberry.ID
    worker_id: str
    error: str
    retryable: bool | None = strawberry.field(
        default=True, description="false: no further attempt, whatever the retry policy"
    )


@strawberry.type
class StepPayload:
    step: StepRun | None
    run: Run | None
    errors: list[UserError]


@strawberry.type
class ReplaySubtreePayload:
    reset_steps: int = strawberry.field(description="how many step runs were reset to PENDING")
    run: Run | None
    errors: list[UserError]


@strawberry.type
class ClaimPayload:
    steps: list[StepRun]
    errors: list[UserError]


StepControl = Callable[[Principal, str, str, str | None], Awaitable[tuple[StepRunModel, RunModel]]]


def _step_payload(result: tuple[StepRunModel, RunModel] | None, errors: list[UserError]) -> StepPayload:
    if result is None:
        return StepPayload(step=None, run=None, errors=errors)
    step, run = result
    return StepPayload(step=StepRun.from_model(step), run=Run.from_model(run), errors=[])


async def _step_action(info: Info, action: StepControl, input: StepActionInput) -> StepPayload:
    return _step_payload(*await attempt(action(principal_of(info), input.run_id, input.step_ref, input.reason)))


@strawberry.type
class StepMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def approve_step(self, info: Info, input: StepActionInput) -> StepPayload:
        return await _step_action(info, step_control.approve_step, input)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def reject_step(self, info: Info, input: StepActionInput) -> StepPayload:
        return await _step_action(info, step_control.reject_step, input)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def skip_step(self, info: Info, input: StepActionInput) -> StepPayload:
        return await _step_action(info, step_control.skip_step, input)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def retry_step(self, info: Info, input: StepActionInput) -> StepPayload:
        return await _step_action(info, step_control.retry_step, input)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def force_complete_step(self, info: Info, input: ForceCompleteStepInput) -> StepPayload:
        return _step_payload(
            *await attempt(
                step_control.force_complete_step(
                    principal_of(info), input.run_id, input.step_ref, input.result, input.reason
                )
            )
        )

    @strawberry.mutation(permission_classes=[Authenticated])
    async def replay_subtree(self, info: Info, input: StepActionInput) -> ReplaySubtreePayload:
        result, errors = await attempt(
            step_control.replay_subtree(principal_of(info), input.run_id, input.step_ref, input.reason)
        )
        if result is None:
            return ReplaySubtreePayload(reset_steps=0, run=None, errors=errors)
        run, reset = result
        return ReplaySubtreePayload(reset_steps=reset, run=Run.from_model(run), errors=[])

    @strawberry.mutation(permission_classes=[Authenticated])
    async def claim_steps(self, info: Info, input: ClaimStepsInput) -> ClaimPayload:
        steps, errors = await attempt(
            workers.claim_steps(
                principal_of(info),
                input.queue,
                input.worker_id,
                input.limit if input.limit is not None else 1,
                input.lease_seconds if input.lease_seconds is not None else 60,
            )
        )
        return ClaimPayload(steps=[StepRun.from_model(step) for step in steps or []], errors=errors)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def heartbeat_step(self, info: Info, input: HeartbeatStepInput) -> StepPayload:
        return _step_payload(
            *await attempt(
                workers.heartbeat_step(
                    principal_of(info),
                    input.step_run_id,
                    input.worker_id,
                    input.lease_seconds if input.lease_seconds is not None else 60,
                )
            )
        )

    @strawberry.mutation(permission_classes=[Authenticated])
    async def complete_step(self, info: Info, input: CompleteStepInput) -> StepPayload:
        return _step_payload(
            *await attempt(workers.complete_step(principal_of(info), input.step_run_id, input.worker_id, input.output))
        )

    @strawberry.mutation(permission_classes=[Authenticated])
    async def fail_step(self, info: Info, input: FailStepInput) -> StepPayload:
        return _step_payload(
            *await attempt(
                workers.fail_step(
                    principal_of(info),
                    input.step_run_id,
                    input.worker_id,
                    input.error,
                    input.retryable if input.retryable is not None else True,
                )
            )
        )

    @strawberry.mutation(
        permission_classes=[Authenticated],
        description=(
            "OPERATOR. A worker that stops (SIGTERM) gives back the steps it still holds: each is QUEUED\n"
            "again at once, as its next attempt, for another worker; no retry backoff. CONFLICT when not held."
        ),
    )
    async def release_step(self, info: Info, input: ReleaseStepInput) -> StepPayload:
        return _step_payload(
            *await attempt(workers.release_step(principal_of(info), input.step_run_id, input.worker_id))
        )
