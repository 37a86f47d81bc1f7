"""Cron in a time zone (JOBS.md "Schedules"): next fire times written out by hand, across both
daylight-saving changes of Europe/Paris and America/New_York, and the VALIDATION errors.

2026 changes: Europe/Paris springs forward on 29 March at 02:00 CET (01:00 UTC) and falls back
on 25 October at 03:00 CEST (01:00 UTC); America/New_York springs forward on 8 March at 02:00
EST (07:00 UTC) and falls back on 1 November at 02:00 EDT (06:00 UTC).
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.enums import ErrorCode
from app.errors import ValidationFailed
from app.schedules.cron import parse_cron


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"

# (cron, zone, after (UTC), the next fire times (UTC)), each with the local time in the comment
CASES = [
    # Paris, spring forward: 02:30 does not exist on 29 March; a fixed hour fires once, at 03:00 CEST
    ("30 2 * * *", PARIS, "2026-03-28T12:00", ["2026-03-29T01:00", "2026-03-30T00:30"]),
    # wildcard hour: by elapsed time, 01:00 CET is followed by 03:00 CEST one hour later
    ("0 * * * *", PARIS, "2026-03-29T00:00", ["2026-03-29T01:00", "2026-03-29T02:00", "2026-03-29T03:00"]),
    # stepped minute: 01:45 CET, then 03:00 CEST (15 minutes later)
    ("*/15 * * * *", PARIS, "2026-03-29T00:40", ["2026-03-29T00:45", "2026-03-29T01:00", "2026-03-29T01:15"]),
    # @daily: midnight CET on the 29th, midnight CEST on the 30th
    ("@daily", PARIS, "2026-03-28T12:00", ["2026-03-28T23:00", "2026-03-29T22:00"]),
    # Paris, fall back: 02:30 happens twice on 25 October; a fixed hour fires on the first pass only
    ("30 2 * * *", PARIS, "2026-10-24T12:00", ["2026-10-25T00:30", "2026-10-26T01:30"]),
    # wildcard hour: 02:00 CEST and 02:00 CET both fire, then 03:00 CET
    ("0 * * * *", PARIS, "2026-10-24T23:30", ["2026-10-25T00:00", "2026-10-25T01:00", "2026-10-25T02:00"]),
    # stepped hour: 00:00 CEST, 02:00 CEST, 02:00 CET (repeated hour, second pass), 04:00 CET
    (
        "0 */2 * * *",
        PARIS,
        "2026-10-24T21:30",
        ["2026-10-24T22:00", "2026-10-25T00:00", "2026-10-25T01:00", "2026-10-25T03:00"],
    ),
    # New York, spring forward: 02:30 does not exist on 8 March; fires at 03:00 EDT
    ("30 2 * * *", NEW_YORK, "2026-03-07T12:00", ["2026-03-08T07:00", "2026-03-09T06:30"]),
    # weekdays at 09:00: 14:00 UTC in EST (Friday 6 March), 13:00 UTC in EDT from Monday 9 March
    ("0 9 * * 1-5", NEW_YORK, "2026-03-05T15:00", ["2026-03-06T14:00", "2026-03-09T13:00", "2026-03-10T13:00"]),
    # stepped minute: 01:30 EST, then 03:00 EDT
    ("*/30 * * * *", NEW_YORK, "2026-03-08T06:10", ["2026-03-08T06:30", "2026-03-08T07:00", "2026-03-08T07:30"]),
    # New York, fall back: 01:30 happens twice on 1 November; fixed hour: first pass (EDT) only
    ("30 1 * * *", NEW_YORK, "2026-10-31T12:00", ["2026-11-01T05:30", "2026-11-02T06:30"]),
    # wildcard hour: 01:00 EDT, 01:00 EST, 02:00 EST
    ("0 * * * *", NEW_YORK, "2026-11-01T04:30", ["2026-11-01T05:00", "2026-11-01T06:00", "2026-11-01T07:00"]),
    # stepped minute: both passes of 01:00-02:00, every half hour
    (
        "*/30 * * * *",
        NEW_YORK,
        "2026-11-01T04:45",
        ["2026-11-01T05:00", "2026-11-01T05:30", "2026-11-01T06:00", "2026-11-01T06:30", "2026-11-01T07:00"],
    ),
    # @monthly at local midnight: EST in February and March, EDT in April
    ("@monthly", NEW_YORK, "2026-01-15T00:00", ["2026-02-01T05:00", "2026-03-01T05:00", "2026-04-01T04:00"]),
    # shortcuts, names, lists and ranges in UTC
    ("@hourly", "UTC", "2026-01-01T00:10", ["2026-01-01T01:00", "2026-01-01T02:00"]),
    ("@weekly", "UTC", "2026-01-01T00:00", ["2026-01-04T00:00", "2026-01-11T00:00"]),
    ("0 12 * JAN,JUL MON", "UTC", "2026-01-20T00:00", ["2026-01-26T12:00", "2026-07-06T12:00"]),
    ("15 8-9 1,15 * *", "UTC", "2026-01-01T08:20", ["2026-01-01T09:15", "2026-01-15T08:15", "2026-01-15T09:15"]),
    # 29 February exists only in leap years
    ("0 0 29 2 *", "UTC", "2026-01-01T00:00", ["2028-02-29T00:00", "2032-02-29T00:00"]),
]


@pytest.mark.parametrize(("expression", "zone", "after", "expected"), CASES)
def test_next_fire_times(expression: str, zone: str, after: str, expected: list[str]) -> None:
    cron = parse_cron(expression, zone)
    assert cron.next_times(utc(after), len(expected)) == [utc(text) for text in expected]


@pytest.mark.parametrize(
    ("expression", "zone", "field", "words"),
    [
        ("0 0 30 2 *", "UTC", "cron", "invalid cron '0 0 30 2 *'"),  # 30 February
        ("0 0 31 4,6 *", "UTC", "cron", "invalid cron '0 0 31 4,6 *'"),  # 31 April / June
        ("0 0 * *", "UTC", "cron", "Wrong number of fields"),
        ("61 * * * *", "UTC", "cron", "Bad minute"),
        ("@yearly-ish", "UTC", "cron", "invalid cron"),
        ("0 " + "1," * 200 + "2 * * *", "UTC", "cron", "cron is over 255 characters"),
        ("0 9 * * *", "Europe/Atlantis", "timezone", "unknown time zone 'Europe/Atlantis'"),
        ("0 9 * * *", "../../etc/passwd", "timezone", "unknown time zone"),
        ("0 9 * * *", "", "timezone", "unknown time zone"),
    ],
)
def test_bad_cron_or_zone_is_a_validation_error_on_its_field(
    expression: str, zone: str, field: str, words: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_cron(expression, zone)
    problem = raised.value.problems[0]
    assert problem.code is ErrorCode.VALIDATION
    assert problem.field == ("input", field)
    assert words in problem.message


def test_both_fields_wrong_reports_both() -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_cron("0 0 30 2 *", "Mars/Olympus")
    assert [p.field for p in raised.value.problems] == [("input", "cron"), ("input", "timezone")]


def test_next_fire_times_are_limited_to_100() -> None:
    cron = parse_cron("* * * * *", "UTC")
    assert len(cron.next_times(utc("2026-01-01T00:00"), 100)) == 100
    with pytest.raises(ValidationFailed, match="count must be between 0 and 100"):
        cron.next_times(utc("2026-01-01T00:00"), 101)
