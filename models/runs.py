from __future__ import annotations

from typing import Any

from tortoise import fields, models
from tortoise.indexes import Index

from app.enums import (
    Priority,
    RunEventType,
    RunStatus,
    StepStatus,
    StepType,
    TriggerSource,
    Visibility,
)
from models.accounts import Project
from models.workflows import Workflow

TERMINAL_RUN_STATUSES = frozenset(
    {
        RunStatus.COMPLETED,
        RunStatus.FAILED,
        RunStatus.TIMED_OUT,
        RunStatus.CANCELED,
        RunStatus.TERMINATED,
        RunStatus.ABANDONED,
    }
)


class Run(models.Model):
    id = fields.UUIDField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="runs", on_delete=fields.CASCADE
    )
    workflow: fields.ForeignKeyRelation[Workflow] = fields.ForeignKeyField(
        "models.Workflow", related_name="runs", on_delete=fields.CASCADE
    )
    # Copied from the workflow so that filters, sorting and search need no join.
    workflow_key = fields.CharField(max_length=128)
    workflow_name = fields.CharField(max_length=200)
    workflow_version = fields.IntField()

    status = fields.CharEnumField(RunStatus, max_length=16, default=RunStatus.PENDING)
    triggered_by = fields.CharEnumField(TriggerSource, max_length=16, default=TriggerSource.API)
    trigger_key = fields.CharField(max_length=255, null=True)
    audience_key = fields.CharField(max_length=255, null=True)
    schedule_id = fields.CharField(max_length=255, null=True)
    # a PENDING run its schedule's overlap policy holds back until the schedule's previous
    # run has finished (BUFFER_ONE, BUFFER_ALL); the engine does not start it while set
    schedule_hold = fields.BooleanField(default=False, db_default=False)
    cancellation_key = fields.CharField(max_length=255, null=True)
    initiated_by = fields.CharField(max_length=255)

    subject_type = fields.CharField(max_length=100, null=True)
    subject_id = fields.CharField(max_length=255, null=True)
    subject_name = fields.CharField(max_length=255, null=True)
    subject_collection = fields.CharField(max_length=255, null=True)
    tenant = fields.CharField(max_length=255, null=True)
    batch_id = fields.CharField(max_length=64, null=True)

    priority = fields.IntEnumField(Priority, default=Priority.NORMAL)
    dry_run = fields.BooleanField(default=False)
    visibility = fields.CharEnumField(Visibility, max_length=8, default=Visibility.PROJECT)
    reason = fields.TextField(null=True)
    manually_triggered = fields.BooleanField(default=False)
    change_limit_reached = fields.BooleanField(default=False)
    disregard_change_limit = fields.BooleanField(default=False)
    max_parallel_steps = fields.IntField(default=4)
    timeout_seconds = fields.IntField(null=True)
    idempotency_key = fields.CharField(max_length=255, null=True)

    input: Any = fields.JSONField(null=True)
    output: Any = fields.JSONField(null=True)
    error_message = fields.TextField(null=True)
    error_type = fields.CharField(max_length=100, null=True)
    error_step_ref = fields.CharField(max_length=255, null=True)
    error_count = fields.IntField(default=0)

    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    scheduled_at = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)

    retry_of: fields.ForeignKeyNullableRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="retries", null=True, on_delete=fields.SET_NULL
    )
    restart_of: fields.ForeignKeyNullableRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="restarts", null=True, on_delete=fields.SET_NULL
    )
    parent_run: fields.ForeignKeyNullableRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="child_runs", null=True, on_delete=fields.SET_NULL
    )
    parent_step_id = fields.UUIDField(null=True)

    # the seq of the last RunEvent appended; bumped in the same transaction as the event
    event_seq = fields.IntField(default=0)
    # the seq of the last RunUpdate appended
    update_seq = fields.IntField(default=0)

    project_id: str
    workflow_id: str
    retry_of_id: str | None
    restart_of_id: str | None
    parent_run_id: str | None

    class Meta:
        table = "runs"
        unique_together = (("project", "idempotency_key"),)
        indexes = [
            # Keyset orders (migration 0004_scale): each order's columns and the id tie-break, in one
            # direction, so both walks are an index range scan; scoped to a project and across
            # projects (SUPERADMIN). PRIORITY, STATUS and WORKFLOW_KEY continue with created_at,
            # which also serves `status eq`/`workflow_key eq` with the default order.
            Index(fields=("project_id", "created_at", "id")),
            Index(fields=("created_at", "id")),
            Index(fields=("project_id", "updated_at", "id")),
            Index(fields=("updated_at", "id")),
            Index(fields=("project_id", "started_at", "id")),
            Index(fields=("started_at", "id")),
            Index(fields=("project_id", "finished_at", "id")),
            Index(fields=("finished_at", "id")),
            Index(fields=("project_id", "priority", "created_at", "id")),
            Index(fields=("priority", "created_at", "id")),
            Index(fields=("project_id", "status", "created_at", "id")),
            Index(fields=("status", "created_at", "id")),
            Index(fields=("project_id", "workflow_key", "created_at", "id")),
            Index(fields=("workflow_key", "created_at", "id")),
            # Workflow.runs, and the change limit's count of a workflow's recent runs
            Index(fields=("workflow_id", "created_at", "id")),
            # the engine: due PENDING runs, highest priority first
            Index(fields=("status", "priority", "created_at")),
            # filter fields that select few rows (booleans gain nothing from a btree; substring
            # matches use the trigram indexes of migration 0004_scale on PostgreSQL, runs_fts on SQLite)
            Index(fields=("workflow_name",)),
            Index(fields=("subject_name",)),
            Index(fields=("schedule_id",)),
            Index(fields=("audience_key",)),
            Index(fields=("scheduled_at",)),
            Index(fields=("expires_at",)),
            Index(fields=("error_count",)),
            Index(fields=("tenant",)),
            Index(fields=("batch_id",)),
            Index(fields=("subject_id",)),
            Index(fields=("initiated_by",)),
            Index(fields=("cancellation_key",)),
            Index(fields=("trigger_key",)),
            Index(fields=("retry_of_id",)),
            Index(fields=("restart_of_id",)),
            Index(fields=("parent_run_id",)),
        ]

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_RUN_STATUSES


class RunCount(models.Model):
    """How many runs a workflow has in a status: what unfiltered runStats and totalCount read.

    Kept exact by app.run_counts, called by the lifecycle in the transaction of every run's
    creation and status change. PRIVATE runs are counted apart, since a project-scoped caller
    sees only its own.
    """

    id = fields.BigIntField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="run_counts", on_delete=fields.CASCADE
    )
    workflow: fields.ForeignKeyRelation[Workflow] = fields.ForeignKeyField(
        "models.Workflow", related_name="run_counts", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(RunStatus, max_length=16)
    private = fields.BooleanField()
    count = fields.BigIntField(default=0)

    project_id: str
    workflow_id: str

    class Meta:
        table = "run_counts"
        unique_together = (("project", "workflow", "status", "private"),)


class RunTag(models.Model):
    """Tags live in their own table: filtering inside a JSON column is not portable."""

    id = fields.BigIntField(primary_key=True)
    run: fields.ForeignKeyRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="tags", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=100)
    value = fields.CharField(max_length=255)

    run_id: str

    class Meta:
        table = "run_tags"
        unique_together = (("run", "key"),)
        # with run_id, `tags.KEY eq V` is answered from the index alone
        indexes = [Index(fields=("key", "value", "run_id"))]


class StepRun(models.Model):
    id = fields.UUIDField(primary_key=True)
    run: fields.ForeignKeyRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="steps", on_delete=fields.CASCADE
    )
    ref = fields.CharField(max_length=255)
    # the step's place in its definition, for a stable order
    position = fields.IntField(default=0)
    name = fields.CharField(max_length=255, null=True)
    type = fields.CharEnumField(StepType, max_length=16)
    status = fields.CharEnumField(StepStatus, max_length=16, default=StepStatus.PENDING)
    attempt = fields.IntField(default=0)
    depends_on: Any = fields.JSONField(default=list)
    handler = fields.CharField(max_length=255, null=True)
    queue = fields.CharField(max_length=255, null=True)
    config: Any = fields.JSONField(null=True)
    # {"max_attempts", "backoff_seconds", "backoff_factor"} or null for a single attempt
    retry: Any = fields.JSONField(null=True)
    timeout_seconds = fields.IntField(null=True)
    on_cancel = fields.BooleanField(default=False)

    input: Any = fields.JSONField(null=True)
    output: Any = fields.JSONField(null=True)
    error = fields.TextField(null=True)
    job_run_id = fields.CharField(max_length=255, null=True)
    worker_id = fields.CharField(max_length=255, null=True)
    iteration = fields.IntField(null=True)
    parent_ref = fields.CharField(max_length=255, null=True)
    reused = fields.BooleanField(default=False)
    reason = fields.TextField(null=True)
    actor = fields.CharField(max_length=255, null=True)

    created_at = fields.DatetimeField()
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    lease_expires_at = fields.DatetimeField(null=True)
    # when a QUEUED step may start (retry backoff) or a WAITING timer fires
    due_at = fields.DatetimeField(null=True)

    run_id: str

    class Meta:
        table = "step_runs"
        unique_together = (("run", "ref"),)
        indexes = [
            Index(fields=("queue", "status", "created_at")),
            Index(fields=("status", "due_at")),
            Index(fields=("status", "lease_expires_at")),
        ]


class RunEvent(models.Model):
    id = fields.BigIntField(primary_key=True)
    run: fields.ForeignKeyRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="events", on_delete=fields.CASCADE
    )
    seq = fields.IntField()
    at = fields.DatetimeField()
    type = fields.CharEnumField(RunEventType, max_length=32)
    step_ref = fields.CharField(max_length=255, null=True)
    step_type = fields.CharEnumField(StepType, max_length=16, null=True)
    attempt = fields.IntField(null=True)
    ok = fields.BooleanField(default=True)
    actor = fields.CharField(max_length=255, null=True)
    reason = fields.TextField(null=True)
    data: Any = fields.JSONField(null=True)

    run_id: str

    class Meta:
        table = "run_events"
        # also guarantees that two racing writers can never both append one seq
        unique_together = (("run", "seq"),)


class RunUpdate(models.Model):
    id = fields.BigIntField(primary_key=True)
    run: fields.ForeignKeyRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="updates", on_delete=fields.CASCADE
    )
    seq = fields.IntField()
    at = fields.DatetimeField()
    type = fields.CharField(max_length=64, default="UPDATE")
    message = fields.TextField(default="")
    details: Any = fields.JSONField(null=True)
    workstream_id = fields.CharField(max_length=255, null=True)

    run_id: str

    class Meta:
        table = "run_updates"
        unique_together = (("run", "seq"),)
        indexes = [Index(fields=("at",))]


class Signal(models.Model):
    id = fields.UUIDField(primary_key=True)
    run: fields.ForeignKeyRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="signals", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=255)
    message = fields.TextField(default="")
    payload: Any = fields.JSONField(null=True)
    received_at = fields.DatetimeField()
    sent_by = fields.CharField(max_length=255)
    # the ref of the step that consumed it; null while buffered
    consumed_by = fields.CharField(max_length=255, null=True)

    run_id: str

    class Meta:
        table = "signals"
        indexes = [Index(fields=("run_id", "name", "consumed_by"))]
