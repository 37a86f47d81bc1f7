"""Where a live event's time goes between its commit and its delivery: stage timestamps for a
sample of runEvents events, the garbage collector's pauses and the event loop's stalls.

Off unless `FLOWDECK_LIVE_TRACE=<path>` is set (with `FLOWDECK_LIVE_TRACE_SAMPLE=<n>`, every
n-th seq of each run; 1 by default). Each process then notes, for each sampled (run, seq):

- where it commits (an engine, an action): `committed`, its transaction committed (the
  notification is handed to the broadcast next);
- where it serves: `hub`, the notification reached this process's hub (a transaction's
  notification names its last event: the others of the transaction have none);
- `asked`: the run's shared reader woke on a notification and asked for what is new;
- `read`: the statement that read it returned (a batch waits for the statement in flight);
- `executed`: its shared feed's execution produced and encoded its payload;
- `pushed`: the feed's task wrote it to every caught-up subscriber.

and, whatever the sample, every collection of the garbage collector (generation, pause) and
every stall of the event loop over 5 ms (a task that sleeps 5 ms and measures how late it
wakes). At exit each process writes it all as JSON to `<path>.<role>-<pid>.json` (role:
`serve` or `engine`); `bench/live.py --trace` joins the files with the clients' receive times
and prints where the slowest deliveries spent their time.
Figures for a benchmark, not for production (the notes cost a dict entry per sampled event).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gc
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

TRACE_ENV = "FLOWDECK_LIVE_TRACE"
SAMPLE_ENV = "FLOWDECK_LIVE_TRACE_SAMPLE"
STALL_PROBE_SECONDS = 0.005


class LiveTrace:
    """The notes of one process (see the module's docstring)."""

    def __init__(self, path: Path, sample: int, role: str) -> None:
        self.path = path
        self.role = role
        self.sample = max(sample, 1)
        self.events: dict[str, dict[str, float]] = {}  # "run:seq" -> stage -> time.time()
        self.collections: list[tuple[float, int, float]] = []  # (when, generation, pause seconds)
        self.stalls: list[tuple[float, float]] = []  # (when, seconds late)
        self._collecting_since = 0.0
        self._watching: asyncio.Task[None] | None = None

    def note(self, run_id: uuid.UUID | str, seq: int, stage: str, when: float | None = None) -> None:
        """`stage` of the event (run, seq) happened now (or at `when`, a time.time())."""
        if seq % self.sample:
            return
        self.events.setdefault(f"{run_id}:{seq}", {})[stage] = time.time() if when is None else when
        if self._watching is None:
            with contextlib.suppress(RuntimeError):  # no event loop here: nothing to watch
                self._watching = asyncio.get_running_loop().create_task(self._watch_the_loop())

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._collecting_since = time.perf_counter()
        else:
            pause = time.perf_counter() - self._collecting_since
            self.collections.append((time.time(), int(info["generation"]), pause))

    async def _watch_the_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(STALL_PROBE_SECONDS)
            late = loop.time() - started - STALL_PROBE_SECONDS
            if late > STALL_PROBE_SECONDS:
                self.stalls.append((time.time(), late))

    def write(self) -> None:
        figures = {"role": self.role, "events": self.events, "collections": self.collections, "stalls": self.stalls}
        Path(f"{self.path}.{self.role}-{os.getpid()}.json").write_text(json.dumps(figures))


TRACE: LiveTrace | None = None


def install_from_environment(role: str) -> None:
    """Start noting (and write the notes at exit) when FLOWDECK_LIVE_TRACE asks for it; `role`
    names the process (serve, engine) in the file's name."""
    global TRACE
    where = os.environ.get(TRACE_ENV)
    if not where or TRACE is not None:
        return
    TRACE = LiveTrace(Path(where), int(os.environ.get(SAMPLE_ENV) or 1), role)
    gc.callbacks.append(TRACE._on_collection)
    atexit.register(TRACE.write)


__all__ = ["TRACE", "LiveTrace", "install_from_environment"]
