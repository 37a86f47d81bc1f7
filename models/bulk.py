from __future__ import annotations

from typing import Any

from tortoise import fields, models
from tortoise.indexes import Index

from app.enums import BulkAction, BulkJobStatus, Role
from models.accounts import ApiKey, Project


class BulkJob(models.Model):
    """A bulk action run in the background by the engines (JOBS.md "Bulk jobs")."""

    id = fields.UUIDField(primary_key=True)
    # null when a SUPERADMIN acted across every project
    project: fields.ForeignKeyNullableRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="bulk_jobs", null=True, on_delete=fields.CASCADE
    )
    api_key: fields.ForeignKeyNullableRelation[ApiKey] = fields.ForeignKeyField(
        "models.ApiKey", related_name="bulk_jobs", null=True, on_delete=fields.SET_NULL
    )
    # the caller as it was when the job was created: the job acts with these rights
    key_name = fields.CharField(max_length=255)
    role = fields.IntEnumField(Role)
    initiated_by = fields.CharField(max_length=255)
    action = fields.CharEnumField(BulkAction, max_length=16)
    status = fields.CharEnumField(BulkJobStatus, max_length=16, default=BulkJobStatus.PENDING)
    filter_text = fields.TextField(null=True)
    # the RunWhere as given (snake_case) and the raw run ids of `ids`
    where: Any = fields.JSONField(null=True)
    ids: Any = fields.JSONField(null=True)
    reason = fields.TextField(null=True)
    dry_run = fields.BooleanField(default=False)
    max_per_second = fields.FloatField()
    idempotency_key = fields.CharField(max_length=255, null=True)
    # set when the target is frozen (the job leaves PENDING then)
    matched = fields.IntField(default=0)
    frozen_at = fields.DatetimeField(null=True)
    freeze_attempts = fields.IntField(default=0)
    processed = fields.IntField(default=0)
    succeeded = fields.IntField(default=0)
    failed = fields.IntField(default=0)
    # at most 100: [{"run_id", "code", "message"}]
    failures: Any = fields.JSONField(default=list)
    error = fields.TextField(null=True)
    canceled_by = fields.CharField(max_length=255, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    # background work (app.background): owner, lease, takeovers
    claimed_by = fields.CharField(max_length=255, null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    takeovers = fields.IntField(default=0)

    project_id: str | None
    api_key_id: str | None

    class Meta:
        table = "bulk_jobs"
        unique_together = (("project", "idempotency_key"),)
        indexes = [Index(fields=("status", "created_at")), Index(fields=("project_id", "created_at"))]


class BulkTarget(models.Model):
    """One run of a frozen bulk target: the runs that matched when a bulk action began.

    `snapshot_id` is a bulk job's id, or (uuid1) a synchronous action's, removed when it ends.
    A job deletes a run's row in the transaction that acts on the run: the rows left are
    the work left.
    """

    id = fields.BigIntField(primary_key=True)
    snapshot_id = fields.UUIDField()
    run_id = fields.UUIDField()

    class Meta:
        table = "bulk_targets"
        unique_together = (("snapshot_id", "run_id"),)
