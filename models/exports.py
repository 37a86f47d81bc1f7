from __future__ import annotations

from typing import Any

from tortoise import fields, models
from tortoise.indexes import Index

from app.enums import ExportFormat, ExportStatus
from models.accounts import ApiKey, Project


class ExportJob(models.Model):
    id = fields.UUIDField(primary_key=True)
    # null when a SUPERADMIN exported across every project
    project: fields.ForeignKeyNullableRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="exports", null=True, on_delete=fields.CASCADE
    )
    api_key: fields.ForeignKeyNullableRelation[ApiKey] = fields.ForeignKeyField(
        "models.ApiKey", related_name="exports", null=True, on_delete=fields.SET_NULL
    )
    created_by = fields.CharField(max_length=255)
    status = fields.CharEnumField(ExportStatus, max_length=16, default=ExportStatus.PENDING)
    format = fields.CharEnumField(ExportFormat, max_length=8, default=ExportFormat.CSV)
    filter_text = fields.TextField(null=True)
    # the RunWhere and orderBy arguments as given, in snake_case
    where: Any = fields.JSONField(null=True)
    order_by: Any = fields.JSONField(null=True)
    row_count = fields.IntField(default=0)
    progress = fields.FloatField(default=0.0)
    path = fields.CharField(max_length=1024, null=True)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    # the runner writing a RUNNING job, and until when it holds it: a runner that dies stops
    # renewing, and once the lease runs out another process takes the job over
    claimed_by = fields.CharField(max_length=255, null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    # how often a job was taken over from a process that died; bounded (app.background)
    takeovers = fields.IntField(default=0, db_default=0)
    # when the file is (or was) deleted: FLOWDECK_EXPORT_RETENTION_HOURS after it was written
    expires_at = fields.DatetimeField(null=True)

    project_id: str | None
    api_key_id: str | None

    class Meta:
        table = "export_jobs"
        # the runners' poll: PENDING jobs, and RUNNING ones whose lease ran out, oldest first
        indexes = [Index(fields=("status", "created_at"))]
