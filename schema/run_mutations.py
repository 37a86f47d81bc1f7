"""Lifecycle mutations on runs: cancel, terminate, pause, resume, retry, restart, signal, updates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from strawberry.scalars import JSON

from app.actions import run_control, signals, updates
from app.auth import Principal
from models import Run as RunModel
from schema.context import Authenticated, Info, principal_of
from schema.errors import UserError, attempt
from schema.runs import Run, RunPayload, RunUpdate, Signal


@strawberry.input
class RunActionInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input
class SignalRunInput:
    id: strawberry.ID
    name: str
    message: str
    payload: JSON | None = None


@strawberry.input
class PostRunUpdateInput:
    run_id: strawberry.ID
    type: str | None = "UPDATE"
    message: str | None = None
    details: JSON | None = None
    workstream_id: str | None = None


@strawberry.type
class SignalPayload:
    signal: Signal | None
    run: Run | None
    errors: list[UserError]


@strawberry.type
class RunUpdatePayload:
    update: RunUpdate | None
    errors: list[UserError]


RunControl = Callable[[Principal, str, str | None], Awaitable[RunModel]]


async def _run_payload(info: Info, action: RunControl, input: RunActionInput) -> RunPayload:
    run, errors = await attempt(action(principal_of(info), input.id, input.reason))
    return RunPayload(run=Run.from_model(run) if run else None, errors=errors)


@strawberry.type
class RunLifecycleMutations:
    @strawberry.mutation(
        permission_classes=[Authenticated], description="graceful: cleanup (onCancel) steps run, then CANCELED"
    )
    async def cancel_run(self, info: Info, input: RunActionInput) -> RunPayload:
        return await _run_payload(info, run_control.cancel_run, input)

    @strawberry.mutation(permission_classes=[Authenticated], description="immediate: TERMINATED, no cleanup")
    async def terminate_run(self, info: Info, input: RunActionInput) -> RunPayload:
        return await _run_payload(info, run_control.terminate_run, input)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def pause_run(self, info: Info, input: RunActionInput) -> RunPayload:
        return await _run_payload(info, run_control.pause_run, input)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def resume_run(self, info: Info, input: RunActionInput) -> RunPayload:
        return await _run_payload(info, run_control.resume_run, input)

    @strawberry.mutation(
        permission_classes=[Authenticated],
        description="new run (retryOf = this one) that reuses completed steps and reruns from the first failed",
    )
    async def retry_run(self, info: Info, input: RunActionInput) -> RunPayload:
        return await _run_payload(info, run_control.retry_run, input)

    @strawberry.mutation(
        permission_classes=[Authenticated],
        description="new run (restartOf = this one) from scratch, same workflow version and input; ADMIN",
    )
    async def restart_run(self, info: Info, input: RunActionInput) -> RunPayload:
        return await _run_payload(info, run_control.restart_run, input)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def signal_run(self, info: Info, input: SignalRunInput) -> SignalPayload:
        result, errors = await attempt(
            signals.signal_run(principal_of(info), input.id, input.name, input.message, input.payload)
        )
        if result is None:
            return SignalPayload(signal=None, run=None, errors=errors)
        signal, run = result
        return SignalPayload(signal=Signal.from_model(signal), run=Run.from_model(run), errors=[])

    @strawberry.mutation(permission_classes=[Authenticated])
    async def post_run_update(self, info: Info, input: PostRunUpdateInput) -> RunUpdatePayload:
        update, errors = await attempt(
            updates.post_run_update(
                principal_of(info),
                input.run_id,
                input.type or "UPDATE",
                input.message or "",
                input.details,
                input.workstream_id,
            )
        )
        return RunUpdatePayload(update=RunUpdate.from_model(update) if update else None, errors=errors)
