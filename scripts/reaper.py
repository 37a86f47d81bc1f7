"""Run a command, then end every process it left behind; exit with the command's status.

Used by scripts/test: this process becomes a Linux "child subreaper", so anything the test
suite starts and does not stop (a daemonised PostgreSQL, a redis-server or flowdeck server
whose test crashed) is re-parented to it instead of to init. When the command has exited,
those orphans, and only they, are sent SIGTERM, then SIGKILL, by process id.

    python scripts/reaper.py COMMAND [ARG...]
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
GRACE_SECONDS = 5.0


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print(f"reaper: prctl failed (errno {ctypes.get_errno()}); stragglers go to init", file=sys.stderr)


def children() -> list[int]:
    """Process ids whose parent is this process."""
    me = os.getpid()
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The command name (2nd field) may hold spaces and parentheses: split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == me:
                found.append(int(stat.parent.name))
    return found


def reap_zombies() -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass


def end_stragglers() -> None:
    deadline = time.monotonic() + GRACE_SECONDS
    signalled: set[int] = set()
    while True:
        reap_zombies()
        left = children()
        if not left:
            return
        if time.monotonic() > deadline:
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        else:
            new = [pid for pid in left if pid not in signalled]
            if new:
                print(f"reaper: stopping processes the run left behind: {new}", file=sys.stderr)
            for pid in new:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGTERM)
                signalled.add(pid)
        time.sleep(0.2)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    become_subreaper()
    command = subprocess.Popen(argv)
    # Ctrl-C reaches the command directly (same process group); SIGTERM sent to us is passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: command.send_signal(signal.SIGTERM))
    status = command.wait()
    end_stragglers()
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
