from __future__ import annotations

from typing import Any

from tortoise import fields, models

from models.accounts import Project


class Workflow(models.Model):
    id = fields.UUIDField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="workflows", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=128)
    name = fields.CharField(max_length=200)
    description = fields.TextField(null=True)
    # the latest published version number
    version = fields.IntField(default=1)
    change_limit_max_runs = fields.IntField(null=True)
    change_limit_window_seconds = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    project_id: str

    class Meta:
        table = "workflows"
        unique_together = (("project", "key"),)


class WorkflowVersion(models.Model):
    id = fields.UUIDField(primary_key=True)
    workflow: fields.ForeignKeyRelation[Workflow] = fields.ForeignKeyField(
        "models.Workflow", related_name="versions", on_delete=fields.CASCADE
    )
    version = fields.IntField()
    # the validated step definitions, as the API's StepDefinition objects in snake_case
    steps: Any = fields.JSONField()
    max_parallel_steps = fields.IntField(default=4)
    timeout_seconds = fields.IntField(null=True)
    created_by = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    workflow_id: str

    class Meta:
        table = "workflow_versions"
        unique_together = (("workflow", "version"),)
