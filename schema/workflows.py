"""Workflows and their versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.actions import workflows
from app.definitions import ChangeLimitSpec, RetrySpec, StepSpec
from app.ids import to_global_id
from app.queries import Row, list_workflows, workflow_runs_q
from models import Workflow as WorkflowModel
from models import WorkflowVersion as WorkflowVersionModel
from schema.accounts import Project, load_project
from schema.context import Authenticated, Info, principal_of
from schema.enums import StepType
from schema.errors import UserError, attempt, query_or_raise
from schema.node import Node, PageInfo, check_page_size, page_info
from schema.runs import RunConnection, RunConnectionArgs, RunOrder, RunWhere, resolve_run_connection


@strawberry.type
class RetryPolicy:
    max_attempts: int
    backoff_seconds: float
    backoff_factor: float


@strawberry.type(
    description="Safety limit: more than maxRuns runs of one workflow started within windowSeconds are BLOCKED."
)
class ChangeLimit:
    max_runs: int
    window_seconds: int


@strawberry.type
class StepDefinition:
    ref: str
    name: str | None
    type: StepType
    depends_on: list[str]
    handler: str | None = strawberry.field(
        description="TASK: the handler's name; for a built-in handler it runs in the engine"
    )
    queue: str | None = strawberry.field(
        description="TASK: when set, the step is claimed by external workers polling this queue"
    )
    config: JSON | None
    retry: RetryPolicy | None
    timeout_seconds: int | None
    on_cancel: bool = strawberry.field(
        description="a cleanup step: it runs only when the run is canceled (not terminated)"
    )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepDefinition:
        spec = StepSpec.from_json(data)
        return cls(
            ref=spec.ref,
            name=spec.name,
            type=spec.type,
            depends_on=list(spec.depends_on),
            handler=spec.handler,
            queue=spec.queue,
            config=spec.config,
            retry=RetryPolicy(
                max_attempts=spec.retry.max_attempts,
                backoff_seconds=spec.retry.backoff_seconds,
                backoff_factor=spec.retry.backoff_factor,
            )
            if spec.retry
            else None,
            timeout_seconds=spec.timeout_seconds,
            on_cancel=spec.on_cancel,
        )


@strawberry.type
class WorkflowVersion:
    version: int
    steps: list[StepDefinition]
    max_parallel_steps: int
    timeout_seconds: int | None
    created_at: dt.datetime
    created_by: str

    @classmethod
    def from_model(cls, version: WorkflowVersionModel) -> WorkflowVersion:
        return cls(
            version=version.version,
            steps=[StepDefinition.from_json(step) for step in version.steps],
            max_parallel_steps=version.max_parallel_steps,
            timeout_seconds=version.timeout_seconds,
            created_at=version.created_at,
            created_by=version.created_by,
        )


@strawberry.type
class Workflow(Node):
    id: strawberry.ID
    key: str
    name: str
    description: str | None
    version: int = strawberry.field(description="latest version number")
    change_limit: ChangeLimit | None
    created_at: dt.datetime
    updated_at: dt.datetime
    # the workflow's row (app.queries.rows) or model: what its resolvers read
    model: strawberry.Private[WorkflowModel | Row]

    @classmethod
    def from_model(cls, workflow: WorkflowModel | Row) -> Workflow:
        limit = None
        if workflow.change_limit_max_runs is not None and workflow.change_limit_window_seconds is not None:
            limit = ChangeLimit(
                max_runs=workflow.change_limit_max_runs, window_seconds=workflow.change_limit_window_seconds
            )
        return cls(
            id=strawberry.ID(to_global_id("Workflow", workflow.id)),
            key=workflow.key,
            name=workflow.name,
            description=workflow.description,
            version=workflow.version,
            change_limit=limit,
            created_at=workflow.created_at,
            updated_at=workflow.updated_at,
            model=workflow,
        )

    @strawberry.field
    async def project(self, info: Info) -> Project:
        project = await load_project(info, self.model.project_id)
        assert project is not None
        return project

    @strawberry.field
    async def versions(self, info: Info) -> list[WorkflowVersion]:
        rows = await info.context.loaders.versions_by_workflow.load(str(self.model.id))
        return [WorkflowVersion.from_model(row) for row in rows]

    @strawberry.field
    async def definition(self, info: Info, version: int | None = None) -> WorkflowVersion | None:
        wanted = version if version is not None else self.model.version
        rows = await info.context.loaders.versions_by_workflow.load(str(self.model.id))
        return next((WorkflowVersion.from_model(row) for row in rows if row.version == wanted), None)

    @strawberry.field
    async def runs(
        self,
        info: Info,
        filter: str | None = None,
        where: RunWhere | None = None,
        search: str | None = None,
        order_by: list[RunOrder] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> RunConnection:
        args = RunConnectionArgs(
            filter=filter,
            where=where,
            search=search,
            order_by=order_by,
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return await resolve_run_connection(info, args, base=workflow_runs_q(self.model.id))


@strawberry.type
class WorkflowEdge:
    cursor: str
    node: Workflow


@strawberry.type
class WorkflowConnection:
    edges: list[WorkflowEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class WorkflowPayload:
    workflow: Workflow | None
    errors: list[UserError]


@strawberry.input
class RetryPolicyInput:
    max_attempts: int = 1
    backoff_seconds: float = 1
    backoff_factor: float = 2


@strawberry.input
class StepDefinitionInput:
    ref: str
    name: str | None = None
    type: StepType
    depends_on: list[str] | None = strawberry.field(default_factory=list)
    handler: str | None = None
    queue: str | None = None
    config: JSON | None = None
    retry: RetryPolicyInput | None = None
    timeout_seconds: int | None = None
    on_cancel: bool | None = False

    def to_spec(self) -> StepSpec:
        return StepSpec(
            ref=self.ref,
            name=self.name,
            type=self.type,
            depends_on=tuple(self.depends_on or ()),
            handler=self.handler,
            queue=self.queue,
            config=self.config,
            retry=RetrySpec(self.retry.max_attempts, self.retry.backoff_seconds, self.retry.backoff_factor)
            if self.retry
            else None,
            timeout_seconds=self.timeout_seconds,
            on_cancel=bool(self.on_cancel),
        )


@strawberry.input
class ChangeLimitInput:
    max_runs: int
    window_seconds: int

    def to_spec(self) -> ChangeLimitSpec:
        return ChangeLimitSpec(max_runs=self.max_runs, window_seconds=self.window_seconds)


@strawberry.input
class CreateWorkflowInput:
    project: str | None = strawberry.field(default=None, description="project key; defaults to the caller's project")
    key: str
    name: str
    description: str | None = None
    steps: list[StepDefinitionInput]
    max_parallel_steps: int | None = 4
    timeout_seconds: int | None = None
    change_limit: ChangeLimitInput | None = None


@strawberry.input
class PublishWorkflowVersionInput:
    workflow_key: str
    project: str | None = None
    steps: list[StepDefinitionInput]
    max_parallel_steps: int | None = None
    timeout_seconds: int | None = None
    change_limit: ChangeLimitInput | None = None


@strawberry.type
class WorkflowQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def workflows(
        self, info: Info, project: str | None = None, first: int | None = None, after: str | None = None
    ) -> WorkflowConnection:
        check_page_size(info, first=first)
        page = await query_or_raise(
            list_workflows(
                principal_of(info),
                project=project,
                first=first,
                after=after,
                max_page_size=info.context.settings.max_page_size,
            )
        )
        edges = [
            WorkflowEdge(cursor=cursor, node=Workflow.from_model(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ]
        return WorkflowConnection(
            edges=edges,
            page_info=page_info(page),
            total_count=await page.count(),
        )

    @strawberry.field(permission_classes=[Authenticated])
    async def workflow(self, info: Info, key: str, project: str | None = None) -> Workflow | None:
        found = await workflows.get_workflow(principal_of(info), key, project)
        return Workflow.from_model(found) if found else None


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def create_workflow(self, info: Info, input: CreateWorkflowInput) -> WorkflowPayload:
        workflow, errors = await attempt(
            workflows.create_workflow(
                principal_of(info),
                project_key=input.project,
                key=input.key,
                name=input.name,
                description=input.description,
                steps=[step.to_spec() for step in input.steps],
                max_parallel_steps=input.max_parallel_steps if input.max_parallel_steps is not None else 4,
                timeout_seconds=input.timeout_seconds,
                change_limit=input.change_limit.to_spec() if input.change_limit else None,
            )
        )
        return WorkflowPayload(workflow=Workflow.from_model(workflow) if workflow else None, errors=errors)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def publish_workflow_version(self, info: Info, input: PublishWorkflowVersionInput) -> WorkflowPayload:
        workflow, errors = await attempt(
            workflows.publish_workflow_version(
                principal_of(info),
                project_key=input.project,
                workflow_key=input.workflow_key,
                steps=[step.to_spec() for step in input.steps],
                max_parallel_steps=input.max_parallel_steps,
                timeout_seconds=input.timeout_seconds,
                change_limit=input.change_limit.to_spec() if input.change_limit else None,
            )
        )
        return WorkflowPayload(workflow=Workflow.from_model(workflow) if workflow else None, errors=errors)
