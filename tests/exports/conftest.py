"""Fixtures for the export tests: the API clients of tests/schema, and a runner to write jobs with."""

from __future__ import annotations

import pytest

from app.exporter import ExportRunner
from app.settings import Settings
from tests.schema.conftest import acme, globex, superadmin  # noqa: F401  (fixtures used here too)


@pytest.fixture
def runner(db: Settings) -> ExportRunner:
    """A runner that is not started: tests call `run_due()` to write the jobs there are, then look."""
    return ExportRunner(db, name="tests", chunk_size=500)
