"""The served schema against the contract clients are written against."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schema.export import SDL_PATH, served_sdl

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"
PENDING = Path(__file__).with_name("contract_pending.txt")
# What the pending list may hold: parts of the contract not served yet, never a changed one.
NOT_YET_SERVED = ("TYPE_REMOVED:", "FIELD_REMOVED:", "VALUE_REMOVED_FROM_ENUM:", "ARG_REMOVED:")


def test_exported_sdl_is_current():
    assert SDL_PATH.read_text() == served_sdl(), "schema/schema.graphql is stale: run `python -m schema.export`"


def test_served_schema_breaks_nothing_beyond_the_pending_list():
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(SDL_PATH)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode in (0, 1), result.stderr
    breaks = {
        line.removeprefix("breaks the contract: ")
        for line in result.stdout.splitlines()
        if line.startswith("breaks the contract: ")
    }
    pending = {line.strip() for line in PENDING.read_text().splitlines() if line.strip()}
    changed = sorted(line for line in breaks if not line.startswith(NOT_YET_SERVED))
    assert changed == [], f"the served schema changes what the contract defines: {changed}"
    assert breaks == pending, (
        f"served now, remove from {PENDING.name}: {sorted(pending - breaks)}; "
        f"missing from the contract and not listed: {sorted(breaks - pending)}"
    )
