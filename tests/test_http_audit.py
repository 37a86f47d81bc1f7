"""GraphQL over HTTP as the spec says: the spec's reference implementation, graphql-http, ships
server audits (`serverAudits`); they run here with Node against a real `flowdeck serve`.

tests/http_audit/ is a tiny Node project (package.json + package-lock.json); its
node_modules are installed with `npm ci` on first use. Every audit must pass: no error,
no warning.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.servers import FlowdeckServer

AUDIT_DIR = Path(__file__).resolve().parent / "http_audit"
# the audits graphql-http 1.23.1 runs; a new release with more fails the count, not silently passes
AUDIT_COUNT = 61


def install_audits() -> None:
    if not (AUDIT_DIR / "node_modules" / "graphql-http" / "package.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=AUDIT_DIR, check=True, capture_output=True, timeout=300
        )


def test_graphql_over_http_server_audits_all_pass(live_server: FlowdeckServer):
    install_audits()
    result = subprocess.run(
        ["node", "audit.mjs", live_server.graphql_url],
        cwd=AUDIT_DIR,
        env={**os.environ, "FLOWDECK_AUDIT_KEY": live_server.key or ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    audits = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(audits) == AUDIT_COUNT
    assert [audit for audit in audits if audit["status"] != "ok"] == []
    assert "Traceback" not in live_server.output()
