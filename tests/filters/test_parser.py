"""The filter parser: every production, precedence, case rules, and each error's message and position."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.enums import Priority, RunStatus, TriggerSource, Visibility
from app.errors import BadFilter
from app.filters import FIELDS, And, Comparison, Not, Op, Or, parse_filter
from app.ids import to_global_id

RUN_ID = uuid.UUID("0b7e3c5e-6a51-4c1e-9d0a-2f1f3b9c8d7e")
GLOBAL_RUN_ID = to_global_id("Run", RUN_ID)


def comparison(text: str) -> Comparison:
    expr = parse_filter(text)
    assert isinstance(expr, Comparison)
    return expr


def shape(expr: object) -> object:
    """A compact picture of a tree: comparisons by field name."""
    if isinstance(expr, Comparison):
        return (expr.tag_key and f"tags.{expr.tag_key}") or expr.field.name
    if isinstance(expr, Not):
        return ("not", shape(expr.operand))
    if isinstance(expr, And):
        return ("and", *[shape(o) for o in expr.operands])
    assert isinstance(expr, Or)
    return ("or", *[shape(o) for o in expr.operands])


# ---------------------------------------------------------------- productions


def test_the_examples_of_filter_md_parse():
    examples = [
        'status eq "BLOCKED" and workflow_key eq "offboard-user"',
        '(status eq "FAILED" or status eq "TIMED_OUT") and finished_at ge "2026-11-01T00:00:00Z"',
        'subject_name co "smith" and not dry_run eq true',
        'tags.region eq "eu" and priority gt "NORMAL"',
        'cancellation_key eq "order-123"',
    ]
    assert [shape(parse_filter(text)) for text in examples] == [
        ("and", "status", "workflow_key"),
        ("and", ("or", "status", "status"), "finished_at"),
        ("and", "subject_name", ("not", "dry_run")),
        ("and", "tags.region", "priority"),
        "cancellation_key",
    ]


def test_and_binds_tighter_than_or():
    assert shape(parse_filter('tenant pr or tenant eq "a" and batch_id pr')) == (
        "or",
        "tenant",
        ("and", "tenant", "batch_id"),
    )
    assert shape(parse_filter('tenant pr and tenant eq "a" or batch_id pr')) == (
        "or",
        ("and", "tenant", "tenant"),
        "batch_id",
    )


def test_parentheses_override_precedence_and_not_applies_to_one_factor():
    assert shape(parse_filter("(tenant pr or reason pr) and batch_id pr")) == (
        "and",
        ("or", "tenant", "reason"),
        "batch_id",
    )
    assert shape(parse_filter("not tenant pr and batch_id pr")) == ("and", ("not", "tenant"), "batch_id")
    assert shape(parse_filter("not (tenant pr and batch_id pr)")) == ("not", ("and", "tenant", "batch_id"))
    assert shape(parse_filter("not not tenant pr")) == ("not", ("not", "tenant"))
    assert shape(parse_filter("((((tenant pr))))")) == "tenant"


def test_keywords_operators_literals_and_field_names_ignore_case():
    expr = parse_filter('STATUS EQ "failed" AND NOT Dry_Run Eq TRUE Or TENANT Pr oR tenant eQ NULL')
    assert shape(expr) == ("or", ("and", "status", ("not", "dry_run")), "tenant", "tenant")
    assert isinstance(expr, Or)
    first = expr.operands[0]
    assert isinstance(first, And)
    status, not_dry = first.operands
    assert isinstance(status, Comparison) and status.value is RunStatus.FAILED
    assert isinstance(not_dry, Not) and isinstance(not_dry.operand, Comparison)
    assert not_dry.operand.value is True
    last = expr.operands[2]
    assert isinstance(last, Comparison) and last.op is Op.EQ and last.value is None


def test_tag_keys_keep_their_case_and_punctuation():
    c = comparison('TAGS.Cost-Center:v2 eq "R&D"')
    assert (c.tag_key, c.op, c.value) == ("Cost-Center:v2", Op.EQ, "R&D")
    assert comparison("tags.region pr").tag_key == "region"


def test_strings_take_json_escapes():
    c = comparison(r'subject_name eq "say \"hi\" \\ \/ \n\t \u00e9\ud83d\ude00"')
    assert c.value == 'say "hi" \\ / \n\t \u00e9\U0001f600'


def test_every_operator_and_pr_on_a_field_that_takes_them():
    for op in ("eq", "ne", "co", "sw", "ew"):
        assert comparison(f'trigger_key {op} "x"').op is Op(op)
    for op in ("gt", "ge", "lt", "le"):
        assert comparison(f"error_count {op} 3").op is Op(op)
    present = comparison("trigger_key pr")
    assert (present.op, present.value) == (Op.PR, None)


def test_values_are_typed_by_the_field():
    assert comparison("error_count gt -3").value == -3
    assert comparison("workflow_version eq 2e1").value == 20
    assert comparison("duration ge 1.5").value == 1.5
    assert comparison("duration lt 90").value == 90.0
    assert comparison("has_errors eq false").value is False
    assert comparison('priority ge "high"').value is Priority.HIGH
    assert comparison('triggered_by eq "schedule"').value is TriggerSource.SCHEDULE
    assert comparison('visibility ne "PRIVATE"').value is Visibility.PRIVATE
    assert comparison(f'retry_of eq "{GLOBAL_RUN_ID}"').value == RUN_ID
    assert comparison(f'id ne "{GLOBAL_RUN_ID}"').value == RUN_ID


def test_times_are_utc_and_a_time_without_offset_is_utc():
    assert comparison('created_at gt "2026-11-01T10:00:00"').value == dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
    shifted = comparison('finished_at le "2026-11-01T10:00:00+02:00"').value
    assert shifted == dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    assert shifted.utcoffset() == dt.timedelta(0)  # type: ignore[union-attr]
    assert comparison('started_at ge "2026-11-01T10:00:00.250Z"').value == dt.datetime(
        2026, 11, 1, 10, 0, 0, 250000, tzinfo=dt.UTC
    )


def test_every_field_of_the_table_is_known_with_its_operators():
    table = {
        "id": "eq ne",
        "workflow_key": "eq ne co sw ew",
        "workflow": "eq ne co sw ew",
        "workflow_version": "eq ne gt ge lt le",
        "status": "eq ne",
        "triggered_by": "eq ne",
        "trigger_key": "eq ne co sw ew pr",
        "cancellation_key": "eq ne pr",
        "schedule_id": "eq ne pr",
        "audience_key": "eq ne pr",
        "initiated_by": "eq ne co sw ew",
        "subject_type": "eq ne",
        "subject_id": "eq ne co sw ew",
        "subject_name": "eq ne co sw ew",
        "tenant": "eq ne pr",
        "batch_id": "eq ne pr",
        "priority": "eq ne gt ge lt le",
        "dry_run": "eq",
        "visibility": "eq ne",
        "reason": "eq ne co pr",
        "manually_triggered": "eq",
        "change_limit_reached": "eq",
        "disregard_change_limit": "eq",
        "has_errors": "eq",
        "error_count": "eq ne gt ge lt le",
        "retry_of": "eq pr",
        "restart_of": "eq pr",
        "parent_run": "eq pr",
        "created_at": "eq gt ge lt le pr",
        "updated_at": "eq gt ge lt le pr",
        "scheduled_at": "eq gt ge lt le pr",
        "started_at": "eq gt ge lt le pr",
        "finished_at": "eq gt ge lt le pr",
        "expires_at": "eq gt ge lt le pr",
        "duration": "gt ge lt le",
    }
    assert {name: {op.value for op in spec.ops} for name, spec in FIELDS.items()} == {
        name: set(ops.split()) for name, ops in table.items()
    }
    samples = {
        "id": f'"{GLOBAL_RUN_ID}"',
        "retry_of": f'"{GLOBAL_RUN_ID}"',
        "restart_of": f'"{GLOBAL_RUN_ID}"',
        "parent_run": f'"{GLOBAL_RUN_ID}"',
        "status": '"RUNNING"',
        "triggered_by": '"API"',
        "priority": '"LOW"',
        "visibility": '"PROJECT"',
        "workflow_version": "1",
        "error_count": "0",
        "duration": "2.5",
    }
    for name, ops in table.items():
        for op in ops.split():
            spec = FIELDS[name]
            if op == "pr":
                text = f"{name} pr"
            elif spec.kind.name == "BOOL":
                text = f"{name} {op} true"
            elif spec.kind.name == "TIME":
                text = f'{name} {op} "2026-11-01T00:00:00Z"'
            else:
                text = f"{name} {op} {samples.get(name, chr(34) + 'x' + chr(34))}"
            assert comparison(text).op is Op(op), text


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('stauts eq "FAILED"', "unknown field 'stauts'", 0),
        ('status eq "FAILED" and workflow_kee eq "a"', "unknown field 'workflow_kee'", 23),
        ("tags. eq 1", "unknown field 'tags.'", 0),
        ('status co "FAIL"', "operator 'co' is not allowed for field 'status' (allowed: eq, ne)", 7),
        ("duration eq 5", "operator 'eq' is not allowed for field 'duration' (allowed: gt, ge, lt, le)", 9),
        ("  dry_run ne true", "operator 'ne' is not allowed for field 'dry_run' (allowed: eq)", 10),
        ('error_count gt "3"', "field 'error_count' takes a whole number, got '\"3\"'", 15),
        ("error_count gt 1.5", "field 'error_count' takes a whole number, got '1.5'", 15),
        (
            'status eq "FIALED"',
            "field 'status' takes one of PENDING, BLOCKED, RUNNING, PAUSED, CANCELING, "
            "COMPLETED, FAILED, TIMED_OUT, CANCELED, TERMINATED, ABANDONED (quoted), got '\"FIALED\"'",
            10,
        ),
        (
            "status eq 3",
            "field 'status' takes one of PENDING, BLOCKED, RUNNING, PAUSED, CANCELING, "
            "COMPLETED, FAILED, TIMED_OUT, CANCELED, TERMINATED, ABANDONED (quoted), got '3'",
            10,
        ),
        ('dry_run eq "true"', "field 'dry_run' takes true or false, got '\"true\"'", 11),
        ("tenant eq true", "field 'tenant' takes a string, got 'true'", 10),
        (
            'created_at gt "yesterday"',
            "field 'created_at' takes a quoted ISO-8601 time, got '\"yesterday\"'",
            14,
        ),
        ('duration gt "5"', "field 'duration' takes a number of seconds, got '\"5\"'", 12),
        (
            'retry_of eq "not-an-id"',
            "field 'retry_of' takes a run id (a quoted global id), got '\"not-an-id\"'",
            12,
        ),
        (f'id eq "{to_global_id("Workflow", RUN_ID)}"', "field 'id' takes a run id (a quoted global id)", 6),
        ('priority ge "URGENT"', "field 'priority' takes one of LOW, NORMAL, HIGH, CRITICAL (quoted)", 12),
        ("error_count gt null", "operator 'gt' needs a value, not null", 15),
        ("error_count gt 99999999999", "the number '99999999999' is out of range", 15),
        ("duration gt 1e999", "the number '1e999' is out of range", 12),
        ('tenant eq "acme', "unterminated string", 10),
        ('tenant eq "acme\\"', "unterminated string", 10),
        ('tenant eq "a\\qb"', "invalid escape in string '\"a\\qb\"'", 10),
        ('tenant eq "\\ud800"', "invalid \\u escape (an unpaired surrogate)", 10),
        ('tenant eq "a\\u0000"', "a string may not contain the NUL character", 10),
        ('(status eq "FAILED"', "unclosed '('", 0),
        ('tenant pr and ((status eq "FAILED") or tenant pr', "unclosed '('", 14),
        ('(status eq "FAILED" tenant pr)', "expected ')', 'and' or 'or', got 'tenant'", 20),
        ('status eq "FAILED" tenant pr', "expected 'and', 'or' or the end of the filter, got 'tenant'", 19),
        ('status eq "FAILED")', "unexpected ')' without a matching '('", 18),
        ('and status eq "FAILED"', "expected a field, 'not' or '(', got 'and'", 0),
        ("tenant pr or or tenant pr", "expected a field, 'not' or '(', got 'or'", 13),
        ("()", "expected a field, 'not' or '(', got ')'", 1),
        ('"tenant" pr', "expected a field, 'not' or '(', got '\"tenant\"'", 0),
        ('status "FAILED"', "expected an operator after 'status', got '\"FAILED\"'", 7),
        (
            'status eqq "FAILED"',
            "unknown operator 'eqq' (expected one of eq, ne, co, sw, ew, gt, ge, lt, le, pr)",
            7,
        ),
        (
            "status eq FAILED",
            "expected a value (a quoted string, a number, true, false or null) after 'eq', got 'FAILED'",
            10,
        ),
        (
            "status eq (",
            "expected a value (a quoted string, a number, true, false or null) after 'eq', got '('",
            10,
        ),
        ("tenant eq 'acme'", 'unexpected character "\'"', 10),
        ("tenant pr && batch_id pr", "unexpected character '&'", 10),
        ("", "unexpected end of the filter", 0),
        ("   ", "unexpected end of the filter", 3),
        ("status", "unexpected end of the filter", 6),
        ("status eq ", "unexpected end of the filter", 10),
        ("tenant pr and", "unexpected end of the filter", 13),
        ("not", "unexpected end of the filter", 3),
        ("(", "unexpected end of the filter", 1),
    ],
)
def test_errors_name_the_problem_and_its_position(text, message, position):
    with pytest.raises(BadFilter) as caught:
        parse_filter(text)
    assert caught.value.position == position
    assert caught.value.message.startswith(message)
    assert caught.value.message.endswith(f" at {position}")


def test_the_leftmost_error_is_the_one_reported():
    # an unknown field comes before a string that is never closed
    with pytest.raises(BadFilter, match="unknown field 'bogus' at 0"):
        parse_filter('bogus eq "x" and tenant eq "unterminated')


def test_nesting_and_size_are_bounded_with_a_bad_filter_error():
    deep = "(" * 40 + "tenant pr" + ")" * 40
    with pytest.raises(BadFilter, match=r"nests deeper than 32 levels at 32$"):
        parse_filter(deep)
    nots = "not " * 40 + "tenant pr"
    with pytest.raises(BadFilter, match=r"nests deeper than 32 levels at 128$"):
        parse_filter(nots)
    long = " or ".join(["tenant pr"] * 101)
    with pytest.raises(BadFilter, match="more than 100 comparisons") as caught:
        parse_filter(long)
    assert caught.value.position == 100 * len("tenant pr or ")
    assert isinstance(parse_filter(" or ".join(["tenant pr"] * 100)), Or)


# ---------------------------------------------------------------- fuzz

VOCABULARY = [
    *FIELDS,
    "tags.region",
    "tags.",
    "and",
    "or",
    "not",
    "AND",
    "Not",
    "(",
    ")",
    "eq",
    "ne",
    "co",
    "sw",
    "ew",
    "gt",
    "ge",
    "lt",
    "le",
    "pr",
    "EQ",
    "true",
    "false",
    "null",
    '"FAILED"',
    '"x"',
    '"2026-11-01"',
    '"',
    '"\\',
    '"\\u12"',
    "3",
    "-1",
    "1.5",
    "1e9",
    "-",
    ".",
    "'",
    "\\",
    "&",
    "%",
    "_",
    f'"{GLOBAL_RUN_ID}"',
]


def _check_never_raises_anything_but_bad_filter(text: str) -> None:
    try:
        parse_filter(text)
    except BadFilter as error:
        assert 0 <= error.position <= len(text)
        assert error.message.endswith(f" at {error.position}")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_random_text_raises_nothing_but_bad_filter(text):
    _check_never_raises_anything_but_bad_filter(text)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), max_size=14), st.sampled_from([" ", "", "  "]))
def test_random_token_soup_raises_nothing_but_bad_filter(tokens, separator):
    _check_never_raises_anything_but_bad_filter(separator.join(tokens))
