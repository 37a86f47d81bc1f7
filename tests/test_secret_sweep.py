"""The sweep behind "no secret in any log line or export" (tests/secret_sweep.py) finds what it must."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import secret_sweep

# the shape of a secret flowdeck makes: "fdk_" and 43 URL-safe characters (token_urlsafe(32))
MADE = "fdk_" + "Ab0-_" * 8 + "xyz"


@pytest.fixture
def own_findings() -> Iterator[list[str]]:
    """What the sweep finds during the test, taken back afterwards (these leaks are on purpose)."""
    before = len(secret_sweep.findings)
    found: list[str] = []
    yield found
    found.extend(secret_sweep.findings[before:])
    del secret_sweep.findings[before:]


def test_a_made_secret_is_found_and_not_repeated_in_the_report(own_findings: list[str]) -> None:
    assert len(MADE) == 47
    secret_sweep.scan_text("here", f"INFO key accepted: {MADE} for project acme")
    found = secret_sweep.findings[-1]
    assert found.startswith("here: a secret (fdk_Ab...)") and "key accepted: <SECRET> for" in found
    assert MADE not in found


def test_a_key_handed_to_a_process_is_found(own_findings: list[str]) -> None:
    chosen = "chosen-bootstrap-key-0123456789"
    secret_sweep.register_environment({"FLOWDECK_BOOTSTRAP_KEY": chosen, "OTHER": "not-a-secret-value"})
    before = len(secret_sweep.findings)
    secret_sweep.scan_text("there", "Authorization: Bearer chosen-bootstrap-key-0123456789")
    secret_sweep.scan_text("there", "not-a-secret-value is logged")
    assert len(secret_sweep.findings) == before + 1


def test_the_demos_own_lines_and_key_file_are_left_out(own_findings: list[str], tmp_path: Path) -> None:
    before = len(secret_sweep.findings)
    secret_sweep.scan_text("demo", f"flowdeck demo: the dashboard at http://127.0.0.1:8000/#key={MADE}\nstarted")
    (tmp_path / ".flowdeck-demo-key").write_text(MADE + "\n")
    secret_sweep.scan_tree(tmp_path)
    assert len(secret_sweep.findings) == before
    # the same text anywhere else is a leak
    secret_sweep.scan_text("a log", f"INFO flowdeck.demo: the dashboard at http://127.0.0.1:8000/#key={MADE}")
    leaked = tmp_path / "export.csv"
    leaked.write_text(f"id,note\n1,{MADE}\n")
    secret_sweep.scan_tree(tmp_path)
    # gone again before the end of the run, whose own sweep reads every temporary file
    leaked.unlink()
    (tmp_path / ".flowdeck-demo-key").unlink()
    assert len(secret_sweep.findings) == before + 2


def test_log_records_of_the_test_process_are_read(own_findings: list[str]) -> None:
    logging.getLogger("flowdeck.test").warning("a key went by: %s", MADE)
    assert own_findings == [] and any(MADE[:6] in found for found in secret_sweep.findings)
