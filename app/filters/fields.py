"""The fields of the run filter language (FILTER.md's table): type, operators, column."""

from __future__ import annotations

import dataclasses
import enum

from app.enums import Priority, RunStatus, TriggerSource, Visibility


class Op(enum.StrEnum):
    EQ = "eq"
    NE = "ne"
    CO = "co"
    SW = "sw"
    EW = "ew"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    PR = "pr"


# Operators that compare against a value ordered by the field's type.
RANGE_OPS = frozenset({Op.GT, Op.GE, Op.LT, Op.LE})
# Operators that match a substring, case-insensitively.
TEXT_OPS = frozenset({Op.CO, Op.SW, Op.EW})


class Kind(enum.Enum):
    """What a field's value is, and how a literal in a filter must look to be one."""

    STRING = "a string"
    ID = "a run id (a quoted global id)"
    INT = "a whole number"
    SECONDS = "a number of seconds"
    BOOL = "true or false"
    TIME = "a quoted ISO-8601 time"
    ENUM = "one of {choices} (quoted)"


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    ops: frozenset[Op]
    # the Run column; None for the computed fields (has_errors, duration, tags.KEY)
    column: str | None
    nullable: bool = False
    # `eq` ignores case (FILTER.md: subject_name and workflow)
    eq_ignores_case: bool = False
    choices: type[enum.Enum] | None = None

    def describe_kind(self) -> str:
        if self.kind is Kind.ENUM:
            assert self.choices is not None
            return self.kind.value.format(choices=", ".join(member.name for member in self.choices))
        return self.kind.value


def _ops(*names: str) -> frozenset[Op]:
    return frozenset(Op(name) for name in names)


_EQ = _ops("eq", "ne")
_TEXT = _ops("eq", "ne", "co", "sw", "ew")
_NUMBER = _ops("eq", "ne", "gt", "ge", "lt", "le")
_BOOL = _ops("eq")
_TIME = _ops("eq", "gt", "ge", "lt", "le", "pr")
_OPTIONAL = _ops("eq", "ne", "pr")
_PARENT = _ops("eq", "pr")

_SPECS = [
    FieldSpec("id", Kind.ID, _EQ, "id"),
    FieldSpec("workflow_key", Kind.STRING, _TEXT, "workflow_key"),
    FieldSpec("workflow", Kind.STRING, _TEXT, "workflow_name", eq_ignores_case=True),
    FieldSpec("workflow_version", Kind.INT, _NUMBER, "workflow_version"),
    FieldSpec("status", Kind.ENUM, _EQ, "status", choices=RunStatus),
    FieldSpec("triggered_by", Kind.ENUM, _EQ, "triggered_by", choices=TriggerSource),
    FieldSpec("trigger_key", Kind.STRING, _TEXT | _ops("pr"), "trigger_key", nullable=True),
    FieldSpec("cancellation_key", Kind.STRING, _OPTIONAL, "cancellation_key", nullable=True),
    FieldSpec("schedule_id", Kind.STRING, _OPTIONAL, "schedule_id", nullable=True),
    FieldSpec("audience_key", Kind.STRING, _OPTIONAL, "audience_key", nullable=True),
    FieldSpec("initiated_by", Kind.STRING, _TEXT, "initiated_by"),
    FieldSpec("subject_type", Kind.STRING, _EQ, "subject_type", nullable=True),
    FieldSpec("subject_id", Kind.STRING, _TEXT, "subject_id", nullable=True),
    FieldSpec("subject_name", Kind.STRING, _TEXT, "subject_name", nullable=True, eq_ignores_case=True),
    FieldSpec("tenant", Kind.STRING, _OPTIONAL, "tenant", nullable=True),
    FieldSpec("batch_id", Kind.STRING, _OPTIONAL, "batch_id", nullable=True),
    FieldSpec("priority", Kind.ENUM, _NUMBER, "priority", choices=Priority),
    FieldSpec("dry_run", Kind.BOOL, _BOOL, "dry_run"),
    FieldSpec("visibility", Kind.ENUM, _EQ, "visibility", choices=Visibility),
    FieldSpec("reason", Kind.STRING, _ops("eq", "ne", "co", "pr"), "reason", nullable=True),
    FieldSpec("manually_triggered", Kind.BOOL, _BOOL, "manually_triggered"),
    FieldSpec("change_limit_reached", Kind.BOOL, _BOOL, "change_limit_reached"),
    FieldSpec("disregard_change_limit", Kind.BOOL, _BOOL, "disregard_change_limit"),
    FieldSpec("has_errors", Kind.BOOL, _BOOL, None),
    FieldSpec("error_count", Kind.INT, _NUMBER, "error_count"),
    FieldSpec("retry_of", Kind.ID, _PARENT, "retry_of_id", nullable=True),
    FieldSpec("restart_of", Kind.ID, _PARENT, "restart_of_id", nullable=True),
    FieldSpec("parent_run", Kind.ID, _PARENT, "parent_run_id", nullable=True),
    FieldSpec("created_at", Kind.TIME, _TIME, "created_at"),
    FieldSpec("updated_at", Kind.TIME, _TIME, "updated_at"),
    FieldSpec("scheduled_at", Kind.TIME, _TIME, "scheduled_at", nullable=True),
    FieldSpec("started_at", Kind.TIME, _TIME, "started_at", nullable=True),
    FieldSpec("finished_at", Kind.TIME, _TIME, "finished_at", nullable=True),
    FieldSpec("expires_at", Kind.TIME, _TIME, "expires_at", nullable=True),
    # null before the run starts
    FieldSpec("duration", Kind.SECONDS, frozenset(RANGE_OPS), None, nullable=True),
]

FIELDS: dict[str, FieldSpec] = {spec.name: spec for spec in _SPECS}

TAG_PREFIX = "tags."
# `tags.KEY`: the value of the run's tag KEY, null (absent) when the run has no such tag
TAG_FIELD = FieldSpec("tags", Kind.STRING, _TEXT | _ops("pr"), None, nullable=True)
