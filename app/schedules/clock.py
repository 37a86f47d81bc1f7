"""The schedules' clock. Every "now" of the firing tick and of the schedule actions comes
from `now()`, so a test can move time forward by replacing it (`app.schedules.clock.now = ...`)
instead of waiting for real fire times."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
