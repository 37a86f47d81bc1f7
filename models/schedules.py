from __future__ import annotations

from typing import Any

from tortoise import fields, models
from tortoise.indexes import Index

from app.enums import Priority, ScheduleFireOutcome, ScheduleOverlap, ScheduleState
from models.accounts import Project
from models.workflows import Workflow


class Schedule(models.Model):
    id = fields.UUIDField(primary_key=True)
    project: fields.ForeignKeyRelation[Project] = fields.ForeignKeyField(
        "models.Project", related_name="schedules", on_delete=fields.CASCADE
    )
    workflow: fields.ForeignKeyRelation[Workflow] = fields.ForeignKeyField(
        "models.Workflow", related_name="schedules", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=128)
    # null: the workflow's latest version at each fire time
    workflow_version = fields.IntField(null=True)
    cron = fields.CharField(max_length=255)
    timezone = fields.CharField(max_length=64)
    input: Any = fields.JSONField(null=True)
    # [[key, value], ...] in the order given
    tags: Any = fields.JSONField(default=list)
    priority = fields.IntEnumField(Priority, default=Priority.NORMAL)
    overlap = fields.CharEnumField(ScheduleOverlap, max_length=16, default=ScheduleOverlap.SKIP)
    catchup_window_seconds = fields.IntField()
    pause_on_failure = fields.BooleanField(default=False)
    state = fields.CharEnumField(ScheduleState, max_length=8, default=ScheduleState.ACTIVE)
    note = fields.TextField(null=True)
    # the earliest fire time not acted on yet (UTC); engines claim a schedule by moving it on
    next_fire_at = fields.DatetimeField(null=True)
    last_fired_at = fields.DatetimeField(null=True)
    skipped_count = fields.IntField(default=0)
    missed_count = fields.IntField(default=0)
    created_by = fields.CharField(max_length=255)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    project_id: str
    workflow_id: str

    class Meta:
        table = "schedules"
        unique_together = (("project", "key"),)
        # the engines' tick: active schedules whose next fire time has come
        indexes = [Index(fields=("state", "next_fire_at"))]


class ScheduleFire(models.Model):
    """One fire time of a schedule and what became of it. UNIQUE (schedule, nominal_time):
    a fire time is acted on once, whatever the number of engines."""

    id = fields.BigIntField(primary_key=True)
    schedule: fields.ForeignKeyRelation[Schedule] = fields.ForeignKeyField(
        "models.Schedule", related_name="fires", on_delete=fields.CASCADE
    )
    nominal_time = fields.DatetimeField()
    actual_time = fields.DatetimeField(null=True)
    outcome = fields.CharEnumField(ScheduleFireOutcome, max_length=16)
    run_id = fields.UUIDField(null=True)
    error = fields.TextField(null=True)

    schedule_id: str

    class Meta:
        table = "schedule_fires"
        unique_together = (("schedule", "nominal_time"),)
