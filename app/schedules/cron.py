"""A thin wrapper over `cronsim`: the `@hourly`-style shortcuts, the zone check, UTC instants.

cronsim does the parsing and follows Debian cron's daylight-saving rule, which JOBS.md
specifies: an expression with a fixed hour fires once when its local time is skipped (at
the next valid time) and once when it is repeated (first pass); one with a wildcard or a
stepped hour fires by elapsed time, so on both passes of a repeated hour.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from app.enums import ErrorCode
from app.errors import Problem, ValidationFailed

SHORTCUTS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}
MAX_NEXT_FIRE_TIMES = 100
# the column's size
MAX_CRON_LENGTH = 255
# cronsim gives minute precision: a fire instant never has seconds
_ONE_SECOND = dt.timedelta(seconds=1)


@dataclasses.dataclass(frozen=True)
class Cron:
    """A validated cron expression in a time zone."""

    expression: str
    zone: ZoneInfo

    def after(self, instant: dt.datetime) -> Iterator[dt.datetime]:
        """The fire instants (UTC) strictly after `instant`, in order, without end."""
        for local in CronSim(_expand(self.expression), instant.astimezone(self.zone)):
            yield local.astimezone(dt.UTC)

    def from_(self, instant: dt.datetime) -> Iterator[dt.datetime]:
        """The fire instants (UTC) at or after `instant`."""
        for fire in self.after(instant - _ONE_SECOND):
            if fire >= instant:
                yield fire

    def next_after(self, instant: dt.datetime) -> dt.datetime:
        return next(self.after(instant))

    def next_times(self, instant: dt.datetime, count: int) -> list[dt.datetime]:
        """The next `count` fire instants after `instant` (at most MAX_NEXT_FIRE_TIMES)."""
        if not 0 <= count <= MAX_NEXT_FIRE_TIMES:
            raise ValidationFailed(f"count must be between 0 and {MAX_NEXT_FIRE_TIMES}, got {count}", ("count",))
        times: list[dt.datetime] = []
        for fire in self.after(instant):
            if len(times) == count:
                break
            times.append(fire)
        return times


def _expand(expression: str) -> str:
    stripped = " ".join(expression.split())
    return SHORTCUTS.get(stripped.lower(), stripped)


def cron_problems(expression: str, timezone: str, path: tuple[str, ...] = ("input",)) -> list[Problem]:
    """What is wrong with a cron expression and its zone: VALIDATION on `cron` / `timezone`."""
    problems: list[Problem] = []
    if len(expression) > MAX_CRON_LENGTH:
        problems.append(Problem(ErrorCode.VALIDATION, f"cron is over {MAX_CRON_LENGTH} characters", (*path, "cron")))
    else:
        try:
            CronSim(_expand(expression), dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        except CronSimError as error:
            problems.append(Problem(ErrorCode.VALIDATION, f"invalid cron {expression!r}: {error}", (*path, "cron")))
    if _zone(timezone) is None:
        problems.append(
            Problem(
                ErrorCode.VALIDATION,
                f"unknown time zone {timezone!r}: use an IANA name such as 'Europe/Paris' or 'UTC'",
                (*path, "timezone"),
            )
        )
    return problems


def _zone(name: str) -> ZoneInfo | None:
    if not name or name != name.strip():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_cron(expression: str, timezone: str, path: tuple[str, ...] = ("input",)) -> Cron:
    """The Cron for an expression in a zone; ValidationFailed naming `cron` or `timezone` otherwise."""
    problems = cron_problems(expression, timezone, path)
    if problems:
        raise ValidationFailed(problems[0].message, problems[0].field, problems=problems)
    zone = _zone(timezone)
    assert zone is not None
    return Cron(expression, zone)
