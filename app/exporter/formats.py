"""The rows of an export file: which fields, how each format writes them.

Both formats carry the same fields, named as on the API's Run type. JSONL keeps JSON
types (numbers, booleans, null, tags as an object); CSV writes text, with empty cells
for null and tags as `k=v;k2=v2`.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from app.enums import ExportFormat
from app.ids import to_global_id
from models import Run

COLUMNS = (
    "id",
    "workflowKey",
    "workflowVersion",
    "status",
    "triggeredBy",
    "initiatedBy",
    "subjectType",
    "subjectId",
    "subjectName",
    "tenant",
    "batchId",
    "priority",
    "dryRun",
    "errorCount",
    "createdAt",
    "startedAt",
    "finishedAt",
    "durationSeconds",
    "reason",
    "tags",
)

# A spreadsheet evaluates a cell starting with one of these as a formula (OWASP's list,
# tab and carriage return included); a leading apostrophe makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _time(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value is not None else None


def run_record(run: Run, tags: Sequence[tuple[str, str]], now: dt.datetime) -> dict[str, Any]:
    """One run as the export's fields, JSON-typed. `now` ends the duration of an unfinished run."""
    duration = None
    if run.started_at is not None:
        duration = ((run.finished_at or now) - run.started_at).total_seconds()
    return {
        "id": to_global_id("Run", run.id),
        "workflowKey": run.workflow_key,
        "workflowVersion": run.workflow_version,
        "status": run.status.value,
        "triggeredBy": run.triggered_by.value,
        "initiatedBy": run.initiated_by,
        "subjectType": run.subject_type,
        "subjectId": run.subject_id,
        "subjectName": run.subject_name,
        "tenant": run.tenant,
        "batchId": run.batch_id,
        "priority": run.priority.name,
        "dryRun": run.dry_run,
        "errorCount": run.error_count,
        "createdAt": _time(run.created_at),
        "startedAt": _time(run.started_at),
        "finishedAt": _time(run.finished_at),
        "durationSeconds": duration,
        "reason": run.reason,
        "tags": dict(sorted(tags)),
    }


def neutralise_formula(text: str) -> str:
    """`text` as a spreadsheet shows it literally: prefixed with `'` when it would start a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _escape_tag_part(text: str) -> str:
    # so that `;` and `=` inside a key or value never read as separators
    return text.replace("\\", "\\\\").replace(";", "\\;").replace("=", "\\=")


def tags_text(tags: dict[str, str]) -> str:
    """Tags as one CSV cell: `k=v;k2=v2`, by key; `\\`, `;` and `=` inside are backslash-escaped."""
    return ";".join(f"{_escape_tag_part(key)}={_escape_tag_part(value)}" for key, value in tags.items())


def csv_cell(value: Any) -> str:
    """A field's CSV text: empty for null, true/false, numbers as Python writes them, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return neutralise_formula(tags_text(value))
    return neutralise_formula(str(value))


def _csv_lines(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    # RFC 4180: CRLF line ends, fields quoted only when they hold a comma, quote or line break
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def _csv_header() -> str:
    return _csv_lines([COLUMNS])


def _csv_rows(records: Sequence[dict[str, Any]]) -> str:
    return _csv_lines([[csv_cell(record[column]) for column in COLUMNS] for record in records])


def _jsonl_header() -> str:
    return ""


def _jsonl_rows(records: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n" for record in records)


@dataclasses.dataclass(frozen=True)
class FileFormat:
    """How one ExportFormat is written and served."""

    extension: str
    media_type: str
    header: Callable[[], str]
    rows: Callable[[Sequence[dict[str, Any]]], str]


FILE_FORMATS: dict[ExportFormat, FileFormat] = {
    ExportFormat.CSV: FileFormat("csv", "text/csv; charset=utf-8", _csv_header, _csv_rows),
    ExportFormat.JSONL: FileFormat("jsonl", "application/x-ndjson", _jsonl_header, _jsonl_rows),
}
