"""The garbage collector as a server process runs it (issue 9).

A page of 50 runs with their steps allocates tens of thousands of container objects (rows,
result dicts, lists) that live for the request. With CPython's default thresholds (700
allocations) the young generations are collected a few times per request, each collection
promotes what the request still holds, and the oldest generation, which holds every object
of the loaded schema, modules and caches, is then walked every few dozen requests: measured
on Q1 in process, 4.3 ms of collector time per request out of ~13 ms of CPU.

A server frees nearly all of that by reference counting when the request ends; only cycles
need the collector. So once start-up is done, its objects (schema, plans' compiler, modules)
are frozen out of the collector's walks (`gc.freeze`), and the youngest generation is collected
after `gen0_threshold` allocations instead of 700: collections become rare and short, and
cyclic garbage is still collected.
"""

from __future__ import annotations

import gc


def tune_for_serving(gen0_threshold: int) -> None:
    """Freeze what start-up allocated and collect the youngest generation every `gen0_threshold`
    net allocations (the older generations' thresholds are kept)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(gen0_threshold, older, oldest)


__all__ = ["tune_for_serving"]
