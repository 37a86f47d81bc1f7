from __future__ import annotations

import pytest

from app import live


class ReadCount:
    value = 0


@pytest.fixture
def feed_reads(monkeypatch: pytest.MonkeyPatch) -> ReadCount:
    """How many reads the process's per-run feeds (runEvents, runUpdates) have made since the test began."""
    count = ReadCount()
    original = live._RunFeed._read

    async def counted(self):  # type: ignore[no-untyped-def]
        count.value += 1
        return await original(self)

    monkeypatch.setattr(live._RunFeed, "_read", counted)
    return count
