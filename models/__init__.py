"""Tortoise models: fields, relations, indexes. No logic beyond small guards."""

from models.accounts import ApiKey, Project
from models.bulk import BulkJob, BulkTarget
from models.exports import ExportJob
from models.runs import Run, RunCount, RunEvent, RunTag, RunUpdate, Signal, StepRun
from models.schedules import Schedule, ScheduleFire
from models.workflows import Workflow, WorkflowVersion

__all__ = [
    "ApiKey",
    "BulkJob",
    "BulkTarget",
    "ExportJob",
    "Project",
    "Run",
    "RunCount",
    "RunEvent",
    "RunTag",
    "RunUpdate",
    "Schedule",
    "ScheduleFire",
    "Signal",
    "StepRun",
    "Workflow",
    "WorkflowVersion",
]
