"""The GraphQL enums: the domain enums of app.enums, registered with Strawberry and exposed by name.

`strawberry.enum` marks the class in place, so the names below are the domain classes
themselves: a value means the same thing in the database, in Python and on the wire.
"""

from __future__ import annotations

import strawberry

from app.enums import (
    BulkAction,
    ErrorCode,
    ExportFormat,
    ExportStatus,
    Priority,
    Role,
    RunAction,
    RunEventType,
    RunOrderField,
    RunStatus,
    SortDirection,
    StepAction,
    StepStatus,
    StepType,
    TriggerSource,
    UnblockAction,
    Visibility,
)

strawberry.enum(
    RunStatus, description="Lifecycle of a run. Terminal: COMPLETED FAILED TIMED_OUT CANCELED TERMINATED ABANDONED."
)
strawberry.enum(
    Priority, description="Ordered: LOW < NORMAL < HIGH < CRITICAL. The engine starts higher priorities first."
)
strawberry.enum(Role, description="Ordered: VIEWER < OPERATOR < ADMIN < SUPERADMIN.")
strawberry.enum(RunAction, description="A run-level action; Run.availableActions lists those the caller may take now.")
strawberry.enum(
    StepAction, description="A step-level action; StepRun.availableActions lists those the caller may take now."
)
for _plain in (
    StepStatus,
    StepType,
    TriggerSource,
    Visibility,
    ErrorCode,
    SortDirection,
    RunOrderField,
    RunEventType,
    BulkAction,
    UnblockAction,
    ExportFormat,
    ExportStatus,
):
    strawberry.enum(_plain)

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
