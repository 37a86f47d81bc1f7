"""The GraphQL enums: the domain enums of app.enums, exposed by name."""

from __future__ import annotations

import strawberry

from app import enums

RunStatus = strawberry.enum(
    enums.RunStatus,
    description="Lifecycle of a run. Terminal: COMPLETED FAILED TIMED_OUT CANCELED TERMINATED ABANDONED.",
)
StepStatus = strawberry.enum(enums.StepStatus)
StepType = strawberry.enum(enums.StepType)
TriggerSource = strawberry.enum(enums.TriggerSource)
Priority = strawberry.enum(
    enums.Priority, description="Ordered: LOW < NORMAL < HIGH < CRITICAL. The engine starts higher priorities first."
)
Visibility = strawberry.enum(enums.Visibility)
Role = strawberry.enum(enums.Role, description="Ordered: VIEWER < OPERATOR < ADMIN < SUPERADMIN.")
ErrorCode = strawberry.enum(enums.ErrorCode)
SortDirection = strawberry.enum(enums.SortDirection)
RunOrderField = strawberry.enum(enums.RunOrderField)
RunEventType = strawberry.enum(enums.RunEventType)
BulkAction = strawberry.enum(enums.BulkAction)
RunAction = strawberry.enum(
    enums.RunAction, description="A run-level action; Run.availableActions lists those the caller may take now."
)
StepAction = strawberry.enum(
    enums.StepAction, description="A step-level action; StepRun.availableActions lists those the caller may take now."
)
UnblockAction = strawberry.enum(enums.UnblockAction)
ExportFormat = strawberry.enum(enums.ExportFormat)
ExportStatus = strawberry.enum(enums.ExportStatus)

__all__ = [
    "BulkAction",
    "ErrorCode",
    "ExportFormat",
    "ExportStatus",
    "Priority",
    "Role",
    "RunAction",
    "RunEventType",
    "RunOrderField",
    "RunStatus",
    "SortDirection",
    "StepAction",
    "StepStatus",
    "StepType",
    "TriggerSource",
    "UnblockAction",
    "Visibility",
]
