"""The directory where the Prometheus client's multiprocess mode keeps each process's figures.

Kept apart from `metrics` on purpose: `flowdeck serve` must set `PROMETHEUS_MULTIPROC_DIR`
before anything imports the Prometheus client, which picks its mode on import.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(environ: os._Environ[str] = os.environ) -> tuple[Path, bool]:
    """Make sure `PROMETHEUS_MULTIPROC_DIR` names an empty directory for this server instance.

    Called by `flowdeck serve` before any worker imports this module. An operator's own
    directory is emptied (figures of a previous instance would be added to ours); without
    one a private temporary directory is made. Returns the directory, and whether it is
    ours to remove at exit.
    """
    if "prometheus_client" in sys.modules:
        # it has already chosen single-process mode: this process's figures would never be scraped
        raise RuntimeError("the Prometheus client was imported before its multiprocess directory was set")
    given = environ.get(MULTIPROC_ENV)
    if given:
        path = Path(given)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        return path, False
    path = Path(tempfile.mkdtemp(prefix="flowdeck-metrics-"))
    environ[MULTIPROC_ENV] = str(path)
    return path, True


def remove_multiprocess_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
