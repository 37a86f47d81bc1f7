"""`node(id:)`: any object by its global id, or null when the caller cannot see it."""

from __future__ import annotations

import strawberry

from app.ids import parse_global_id
from app.queries import NodeModel, find_visible_node
from models import ApiKey as ApiKeyModel
from models import Project as ProjectModel
from models import Run as RunModel
from models import StepRun as StepRunModel
from models import Workflow as WorkflowModel
from schema.accounts import ApiKey, Project
from schema.bulk_jobs import visible_bulk_job
from schema.context import Authenticated, Info, principal_of
from schema.exports import visible_export_job
from schema.node import Node
from schema.runs import Run, StepRun
from schema.schedules import visible_schedule
from schema.workflows import Workflow


def _as_node(found: NodeModel) -> Node:
    if isinstance(found, RunModel):
        return Run.from_model(found)
    if isinstance(found, StepRunModel):
        return StepRun.from_model(found)
    if isinstance(found, ProjectModel):
        return Project.from_model(found)
    if isinstance(found, WorkflowModel):
        return Workflow.from_model(found)
    assert isinstance(found, ApiKeyModel)
    return ApiKey.from_model(found)


async def resolve_node(info: Info, global_id: str) -> Node | None:
    parsed = parse_global_id(global_id)
    if parsed is None:
        return None
    type_name, raw_id = parsed
    principal = principal_of(info)
    if type_name == "ExportJob":
        return await visible_export_job(principal, global_id)
    if type_name == "Schedule":
        return await visible_schedule(principal, global_id)
    if type_name == "BulkJob":
        return await visible_bulk_job(principal, global_id)
    found = await find_visible_node(principal, type_name, raw_id)
    return _as_node(found) if found is not None else None


@strawberry.type
class NodeQueries:
    @strawberry.field(permission_classes=[Authenticated])
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)
