"""No API key secret in any log line or export the whole test run wrote (SERVER.md, Observability).

tests/observability/test_logs.py drives one workload made for the purpose; this sweep covers
everything else the suite does. It looks for two kinds of secret:

- every secret flowdeck makes (`fdk_` and 43 URL-safe characters, app.auth.new_secret),
  written here as a pattern, not imported;
- the secrets the tests choose themselves and hand to servers (`FLOWDECK_BOOTSTRAP_KEY`,
  `FLOWDECK_WORKER_KEY`, `FLOWDECK_METRICS_KEY`), registered by tests.servers.

and reads three places: every log record emitted in the test process (a handler on the root
logger), the output and export files of every `flowdeck serve` the tests started (read when it
stops, before its directory is removed), and at the end every file under pytest's temporary
directories (the exports and the logs of engines and workers the tests started there).

Two things print a secret on purpose and are left out: `flowdeck serve --demo`'s
"flowdeck demo: ..." lines, which show the demo's key to the person who started it, and the
demo's key file `.flowdeck-demo-key`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

GENERATED = re.compile(r"fdk_[A-Za-z0-9_-]{43}")
SECRET_VARIABLES = ("FLOWDECK_BOOTSTRAP_KEY", "FLOWDECK_WORKER_KEY", "FLOWDECK_METRICS_KEY")
SHOWN_ON_PURPOSE = re.compile(r"^flowdeck demo: .*$", re.MULTILINE)
DEMO_KEY_FILE = ".flowdeck-demo-key"
MAX_FILE_BYTES = 64 * 1024 * 1024

_known: set[str] = set()
findings: list[str] = []


def register(secret: str | None) -> None:
    """A secret a test hands to a process: it must not be written anywhere either."""
    if secret and len(secret) >= 12:
        _known.add(secret)


def register_environment(env: dict[str, str]) -> None:
    for name in SECRET_VARIABLES:
        register(env.get(name))


def scan_text(where: str, text: str) -> None:
    text = SHOWN_ON_PURPOSE.sub("", text)
    leaked = set(GENERATED.findall(text)) | {secret for secret in _known if secret in text}
    for secret in sorted(leaked):
        line = next(line for line in text.splitlines() if secret in line)
        findings.append(f"{where}: a secret ({secret[:6]}...) in: {line.replace(secret, '<SECRET>')[:300]}")


def scan_file(path: Path) -> None:
    if path.name == DEMO_KEY_FILE or not path.is_file() or path.is_symlink():
        return
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return
        data = path.read_bytes()
    except OSError:
        return
    if b"\0" in data[:4096]:  # a database or another binary file: not a log nor an export
        return
    scan_text(str(path), data.decode(errors="replace"))


def scan_tree(root: Path) -> None:
    if root.is_dir():
        for path in root.rglob("*"):
            scan_file(path)


class LogRecordSweep(logging.Handler):
    """Every record logged in the test process, formatted as a log file would have it."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
        except Exception:  # a record that cannot be formatted is not this sweep's business
            return
        scan_text(f"log record {record.name}", text)
