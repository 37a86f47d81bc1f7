"""`node(id:)`: any object by its type name and raw id, when the caller may see it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from app.enums import Role
from models import ApiKey, Project, Run, StepRun, Workflow

if TYPE_CHECKING:
    from app.auth import Principal

NodeModel = Run | StepRun | Project | Workflow | ApiKey


async def find_visible_node(principal: Principal, type_name: str, raw_id: uuid.UUID | str) -> NodeModel | None:
    """The row behind a global id, or None when there is none or `principal` may not see it.

    ExportJob is not here: `app.actions.exports.get_export_job` owns its visibility.
    """
    if type_name == "Run":
        run = await Run.get_or_none(id=raw_id)
        if run and principal.can_see_run(run.project_id, run.visibility, run.initiated_by):
            return run
    elif type_name == "StepRun":
        step = await StepRun.get_or_none(id=raw_id).select_related("run")
        if step and principal.can_see_run(step.run.project_id, step.run.visibility, step.run.initiated_by):
            return step
    elif type_name == "Project":
        project = await Project.get_or_none(id=raw_id)
        if project and principal.can_see_project(project.id):
            return project
    elif type_name == "Workflow":
        workflow = await Workflow.get_or_none(id=raw_id)
        if workflow and principal.can_see_project(workflow.project_id):
            return workflow
    elif type_name == "ApiKey":
        key = await ApiKey.get_or_none(id=raw_id)
        if key and principal.role >= Role.ADMIN and principal.can_see_project(key.project_id):
            return key
    return None
