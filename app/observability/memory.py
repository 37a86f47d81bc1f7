"""Memory diagnostics for soaks: what a long-running process holds, and what grows.

Off unless `FLOWDECK_MEMORY_DIAGNOSTICS=<directory>` is set. Then each `SIGUSR2` writes into
that directory `flowdeck-<pid>-<n>.json`: the live objects per type (gc), and the RSS split
into anonymous and file-backed pages before and after `malloc_trim(0)` (memory glibc gives
back once asked is free memory it kept, not a leak). With `FLOWDECK_TRACEMALLOC=<frames>` too
(tracemalloc slows every allocation, the more frames the more), also
`flowdeck-<pid>-<n>.tracemalloc`, a tracemalloc snapshot (load it with
`tracemalloc.Snapshot.load` and `compare_to` two of them, grouped by "traceback").

`bench/soak.py --memory-probe DIR [--tracemalloc-frames N]` sets this up and prints what grew
between the probe after warm-up and the one just before the end.
"""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import gc
import itertools
import json
import logging
import os
import signal
import tracemalloc
from pathlib import Path
from types import FrameType

log = logging.getLogger("flowdeck")

DIAGNOSTICS_ENV = "FLOWDECK_MEMORY_DIAGNOSTICS"
TRACEMALLOC_ENV = "FLOWDECK_TRACEMALLOC"


def rss_kib(pid: int | str = "self") -> dict[str, int]:
    """RssAnon, RssFile and VmRSS of a process, in KiB (Linux)."""
    figures = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            figures[name] = int(value.split()[0])
    return figures


def malloc_trim() -> bool:
    """Ask glibc to give free heap memory back to the system; False when there is no glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.malloc_trim(0))
    except (OSError, AttributeError):
        return False


def type_counts() -> dict[str, int]:
    counts = collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
    return dict(counts.most_common(200))


def install_from_environment() -> None:
    """Install the SIGUSR2 dump (and start tracing) when FLOWDECK_MEMORY_DIAGNOSTICS asks for it."""
    where = os.environ.get(DIAGNOSTICS_ENV)
    if not where:
        return
    frames = int(os.environ.get(TRACEMALLOC_ENV) or 0)
    if frames:
        tracemalloc.start(frames)
    directory = Path(where)
    directory.mkdir(parents=True, exist_ok=True)
    numbers = itertools.count(1)

    def dump(_signum: int, _frame: FrameType | None) -> None:
        number = next(numbers)
        stem = directory / f"flowdeck-{os.getpid()}-{number}"
        gc.collect()
        if frames:
            ignored = (tracemalloc.__file__, "<frozen importlib._bootstrap>")
            snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, name) for name in ignored])
            snapshot.dump(f"{stem}.tracemalloc")
        before = rss_kib()
        trimmed = malloc_trim()
        figures = {
            "rss_before_trim": before,
            "rss_after_trim": rss_kib(),
            "trimmed": trimmed,
            "traced": tracemalloc.get_traced_memory()[0] if frames else None,
            "types": type_counts(),
        }
        Path(f"{stem}.json").write_text(json.dumps(figures, indent=1))
        log.warning("memory snapshot written to %s.*", stem)

    signal.signal(signal.SIGUSR2, dump)
    log.warning("memory diagnostics on (tracemalloc frames: %s): SIGUSR2 writes into %s", frames, directory)
