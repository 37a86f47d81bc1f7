"""`node(id:)`: any object by its global id, or null when the caller cannot see it."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from app.enums import Role
from app.ids import parse_global_id
from models import ApiKey as ApiKeyModel
from models import Project as ProjectModel
from models import Run as RunModel
from models import StepRun as StepRunModel
from models import Workflow as WorkflowModel
from schema.accounts import ApiKey, Project
from schema.context import Authenticated, principal_of
from schema.exports import visible_export_job
from schema.node import Node
from schema.runs import Run, StepRun
from schema.workflows import Workflow


async def resolve_node(info: Info, global_id: str) -> Node | None:
    parsed = parse_global_id(global_id)
    if parsed is None:
        return None
    type_name, raw_id = parsed
    principal = principal_of(info)
    if type_name == "Run":
        run = await RunModel.get_or_none(id=raw_id)
        if run and principal.can_see_run(run.project_id, run.visibility, run.initiated_by):
            return Run.from_model(run)
    elif type_name == "StepRun":
        step = await StepRunModel.get_or_none(id=raw_id).select_related("run")
        if step and principal.can_see_run(step.run.project_id, step.run.visibility, step.run.initiated_by):
            return StepRun.from_model(step)
    elif type_name == "Project":
        project = await ProjectModel.get_or_none(id=raw_id)
        if project and principal.can_see_project(project.id):
            return Project.from_model(project)
    elif type_name == "Workflow":
        workflow = await WorkflowModel.get_or_none(id=raw_id)
        if workflow and principal.can_see_project(workflow.project_id):
            return Workflow.from_model(workflow)
    elif type_name == "ApiKey":
        key = await ApiKeyModel.get_or_none(id=raw_id)
        if key and principal.role >= Role.ADMIN and principal.can_see_project(key.project_id):
            return ApiKey.from_model(key)
    elif type_name == "ExportJob":
        return await visible_export_job(principal, global_id)
    return None


@strawberry.type
class NodeQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)
