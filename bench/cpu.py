"""CPU time of another process, as psutil's `Process(pid).cpu_times()` reads it (Linux /proc),
for CPU-per-request figures that load on a shared machine distorts less than wall-clock ones."""

from __future__ import annotations

import os

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process `pid` (all its threads)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    # after the command: state is field 3 of stat(5), utime 14 and stime 15
    return (int(fields[11]) + int(fields[12])) / _TICKS


__all__ = ["cpu_seconds"]
