"""Exporting runs to CSV or JSONL files: the background runner, the row formats, the stored query."""

from app.exporter.formats import COLUMNS, FILE_FORMATS, FileFormat, run_record
from app.exporter.query import JobQuery, order_to_json, where_to_json
from app.exporter.runner import ExportRunner, publish_change

__all__ = [
    "COLUMNS",
    "FILE_FORMATS",
    "ExportRunner",
    "FileFormat",
    "JobQuery",
    "order_to_json",
    "publish_change",
    "run_record",
    "where_to_json",
]
