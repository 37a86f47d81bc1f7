"""Domain enumerations shared by the models, the lifecycle, the engine and the schema.

The GraphQL enums in ``schema/`` wrap these, so a value means the same thing in the
database, in Python and on the wire.
"""

from __future__ import annotations

import enum


class RunStatus(str, enum.Enum):
    PENDING = "PENDING"
    BLOCKED = "BLOCKED"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    CANCELING = "CANCELING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    CANCELED = "CANCELED"
    TERMINATED = "TERMINATED"
    ABANDONED = "ABANDONED"


class StepStatus(str, enum.Enum):
    PENDING = "PENDING"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    WAITING = "WAITING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    CANCELED = "CANCELED"


class StepType(str, enum.Enum):
    TASK = "TASK"
    APPROVAL = "APPROVAL"
    SIGNAL = "SIGNAL"
    SLEEP = "SLEEP"
    SUBWORKFLOW = "SUBWORKFLOW"
    FOR_EACH = "FOR_EACH"
    HTTP = "HTTP"


class TriggerSource(str, enum.Enum):
    API = "API"
    SCHEDULE = "SCHEDULE"
    AUDIENCE = "AUDIENCE"
    BROADCAST = "BROADCAST"
    WORKFLOW_STEP = "WORKFLOW_STEP"
    INTEGRATION = "INTEGRATION"
    REHEARSAL = "REHEARSAL"
    MANUAL = "MANUAL"
    RETRY = "RETRY"
    RESTART = "RESTART"


class Priority(enum.IntEnum):
    """Stored as its rank so that ordering and `priority ge "HIGH"` are plain integer comparisons."""

    LOW = 0
    NORMAL = 1
    HIGH = 2
    CRITICAL = 3


class Visibility(str, enum.Enum):
    PROJECT = "PROJECT"
    PRIVATE = "PRIVATE"


class Role(enum.IntEnum):
    """Ordered by power: a role may do everything the roles below it may."""

    VIEWER = 0
    OPERATOR = 1
    ADMIN = 2
    SUPERADMIN = 3


class ErrorCode(str, enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    VALIDATION = "VALIDATION"
    BAD_FILTER = "BAD_FILTER"
    CONFLICT = "CONFLICT"
    LIMIT_REACHED = "LIMIT_REACHED"
    FORBIDDEN = "FORBIDDEN"


class RunEventType(str, enum.Enum):
    RUN_CREATED = "RUN_CREATED"
    RUN_BLOCKED = "RUN_BLOCKED"
    RUN_UNBLOCKED = "RUN_UNBLOCKED"
    RUN_ABANDONED = "RUN_ABANDONED"
    RUN_STARTED = "RUN_STARTED"
    RUN_PAUSED = "RUN_PAUSED"
    RUN_RESUMED = "RUN_RESUMED"
    RUN_CANCEL_REQUESTED = "RUN_CANCEL_REQUESTED"
    RUN_CANCELED = "RUN_CANCELED"
    RUN_TERMINATED = "RUN_TERMINATED"
    RUN_COMPLETED = "RUN_COMPLETED"
    RUN_FAILED = "RUN_FAILED"
    RUN_TIMED_OUT = "RUN_TIMED_OUT"
    RUN_RETRIED = "RUN_RETRIED"
    RUN_RESTARTED = "RUN_RESTARTED"
    STEP_QUEUED = "STEP_QUEUED"
    STEP_STARTED = "STEP_STARTED"
    STEP_WAITING = "STEP_WAITING"
    STEP_COMPLETED = "STEP_COMPLETED"
    STEP_FAILED = "STEP_FAILED"
    STEP_RETRY_SCHEDULED = "STEP_RETRY_SCHEDULED"
    STEP_APPROVED = "STEP_APPROVED"
    STEP_REJECTED = "STEP_REJECTED"
    STEP_SKIPPED = "STEP_SKIPPED"
    STEP_FORCE_COMPLETED = "STEP_FORCE_COMPLETED"
    STEP_RESET = "STEP_RESET"
    STEP_CANCELED = "STEP_CANCELED"
    SIGNAL_RECEIVED = "SIGNAL_RECEIVED"


class ExportFormat(str, enum.Enum):
    CSV = "CSV"
    JSONL = "JSONL"


class ExportStatus(str, enum.Enum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class RunAction(str, enum.Enum):
    CANCEL = "CANCEL"
    TERMINATE = "TERMINATE"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    RETRY = "RETRY"
    RESTART = "RESTART"
    UNBLOCK = "UNBLOCK"
    ABANDON = "ABANDON"
    SIGNAL = "SIGNAL"


class StepAction(str, enum.Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    SKIP = "SKIP"
    FORCE_COMPLETE = "FORCE_COMPLETE"
    RETRY = "RETRY"
    REPLAY_SUBTREE = "REPLAY_SUBTREE"


class SortDirection(str, enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


class RunOrderField(str, enum.Enum):
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"
    STARTED_AT = "STARTED_AT"
    FINISHED_AT = "FINISHED_AT"
    PRIORITY = "PRIORITY"
    STATUS = "STATUS"
    WORKFLOW_KEY = "WORKFLOW_KEY"
    DURATION = "DURATION"


class UnblockAction(str, enum.Enum):
    RUN = "RUN"
    ABANDON = "ABANDON"


class BulkAction(str, enum.Enum):
    CANCEL = "CANCEL"
    TERMINATE = "TERMINATE"
    PAUSE = "PAUSE"
    RESUME = "RESUME"
    RETRY = "RETRY"
    RESTART = "RESTART"


class ScheduleOverlap(str, enum.Enum):
    """What a schedule does when its previous run has not finished (JOBS.md "Schedules")."""

    SKIP = "SKIP"
    BUFFER_ONE = "BUFFER_ONE"
    BUFFER_ALL = "BUFFER_ALL"
    ALLOW_ALL = "ALLOW_ALL"
    CANCEL_OTHER = "CANCEL_OTHER"
    TERMINATE_OTHER = "TERMINATE_OTHER"


class ScheduleFireOutcome(str, enum.Enum):
    STARTED = "STARTED"
    SKIPPED = "SKIPPED"
    BUFFERED = "BUFFERED"
    MISSED = "MISSED"
    FAILED_TO_START = "FAILED_TO_START"


class ScheduleState(str, enum.Enum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"


class BulkJobStatus(str, enum.Enum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"
