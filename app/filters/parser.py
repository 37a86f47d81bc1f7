"""Parse the run filter language of FILTER.md into a small typed tree.

Tokens are read on demand, left to right, so the error reported is always the
leftmost one. Every failure is a `BadFilter` naming the problem and the 0-based
position FILTER.md defines; no other exception escapes for any input string.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
import re
import uuid
from collections.abc import Callable
from typing import Union

from app.errors import BadFilter
from app.filters.fields import FIELDS, TAG_FIELD, TAG_PREFIX, FieldSpec, Kind, Op
from app.ids import parse_global_id

# A value after normalisation: what the field holds (None is the `null` literal).
FilterValue = Union[str, int, float, bool, dt.datetime, uuid.UUID, enum.Enum, None]  # noqa: UP007


@dataclasses.dataclass(frozen=True)
class Comparison:
    """`field op value` or `field pr`."""

    field: FieldSpec
    op: Op
    value: FilterValue
    position: int
    # the KEY of `tags.KEY`; None for every other field
    tag_key: str | None = None


@dataclasses.dataclass(frozen=True)
class Not:
    operand: FilterExpr


@dataclasses.dataclass(frozen=True)
class And:
    operands: tuple[FilterExpr, ...]


@dataclasses.dataclass(frozen=True)
class Or:
    operands: tuple[FilterExpr, ...]


FilterExpr = Union[Comparison, Not, And, Or]  # noqa: UP007

# Limits that keep compilation and the database's expression depth bounded.
MAX_NESTING = 32
MAX_COMPARISONS = 100
INT_RANGE = (-(2**31), 2**31 - 1)


class _Tok(enum.Enum):
    WORD = "word"
    STRING = "string"
    NUMBER = "number"
    LPAREN = "("
    RPAREN = ")"
    END = "end"


@dataclasses.dataclass(frozen=True)
class _Token:
    kind: _Tok
    text: str
    position: int

    def describe(self) -> str:
        if self.kind is _Tok.END:
            return "the end of the filter"
        text = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"'{text}'"


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/\-]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_KEYWORDS = frozenset({"and", "or", "not"})
_OPS = {op.value: op for op in Op}


def _fail(problem: str, position: int) -> BadFilter:
    return BadFilter(f"{problem} at {position}", position)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._peeked: _Token | None = None

    def peek(self) -> _Token:
        if self._peeked is None:
            self._peeked = self._read()
        return self._peeked

    def next(self) -> _Token:
        token = self.peek()
        self._peeked = None
        return token

    def _read(self) -> _Token:
        text, n = self.text, len(self.text)
        while self.pos < n and text[self.pos].isspace():
            self.pos += 1
        start = self.pos
        if start >= n:
            return _Token(_Tok.END, "", n)
        char = text[start]
        if char == "(" or char == ")":
            self.pos += 1
            return _Token(_Tok.LPAREN if char == "(" else _Tok.RPAREN, char, start)
        if char == '"':
            return self._read_string(start)
        match = _WORD.match(text, start) or _NUMBER.match(text, start)
        if match is None:
            raise _fail(f"unexpected character {char!r}", start)
        self.pos = match.end()
        kind = _Tok.WORD if _WORD.match(char) else _Tok.NUMBER
        return _Token(kind, match.group(), start)

    def _read_string(self, start: int) -> _Token:
        text, n = self.text, len(self.text)
        i = start + 1
        while i < n and text[i] != '"':
            i += 2 if text[i] == "\\" else 1
        if i >= n:
            raise _fail("unterminated string", start)
        self.pos = i + 1
        return _Token(_Tok.STRING, text[start : i + 1], start)


def _decode_string(token: _Token) -> str:
    try:
        value = json.loads(token.text, strict=False)
    except ValueError:
        raise _fail(f"invalid escape in string {token.describe()}", token.position) from None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _fail(
            f"invalid \\u escape (an unpaired surrogate) in string {token.describe()}", token.position
        ) from None
    if "\x00" in value:
        raise _fail("a string may not contain the NUL character", token.position)
    return str(value)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lexer = _Lexer(text)
        self.comparisons = 0

    def parse(self) -> FilterExpr:
        expr = self.expr(0)
        token = self.lexer.peek()
        if token.kind is _Tok.RPAREN:
            raise _fail("unexpected ')' without a matching '('", token.position)
        if token.kind is not _Tok.END:
            problem = f"expected 'and', 'or' or the end of the filter, got {token.describe()}"
            raise _fail(problem, token.position)
        return expr

    def _keyword(self, word: str) -> bool:
        token = self.lexer.peek()
        return token.kind is _Tok.WORD and token.text.lower() == word

    def expr(self, depth: int) -> FilterExpr:
        terms = [self.term(depth)]
        while self._keyword("or"):
            self.lexer.next()
            terms.append(self.term(depth))
        return terms[0] if len(terms) == 1 else Or(tuple(terms))

    def term(self, depth: int) -> FilterExpr:
        factors = [self.factor(depth)]
        while self._keyword("and"):
            self.lexer.next()
            factors.append(self.factor(depth))
        return factors[0] if len(factors) == 1 else And(tuple(factors))

    def factor(self, depth: int) -> FilterExpr:
        token = self.lexer.peek()
        if token.kind is _Tok.END:
            raise _fail("unexpected end of the filter", token.position)
        if depth >= MAX_NESTING and (token.kind is _Tok.LPAREN or self._keyword("not")):
            raise _fail(f"the filter nests deeper than {MAX_NESTING} levels", token.position)
        if self._keyword("not"):
            self.lexer.next()
            return Not(self.factor(depth + 1))
        if token.kind is _Tok.LPAREN:
            self.lexer.next()
            inner = self.expr(depth + 1)
            closing = self.lexer.next()
            if closing.kind is _Tok.END:
                raise _fail("unclosed '('", token.position)
            if closing.kind is not _Tok.RPAREN:
                raise _fail(f"expected ')', 'and' or 'or', got {closing.describe()}", closing.position)
            return inner
        if token.kind is _Tok.WORD and token.text.lower() not in _KEYWORDS:
            return self.comparison()
        raise _fail(f"expected a field, 'not' or '(', got {token.describe()}", token.position)

    def comparison(self) -> Comparison:
        field_token = self.lexer.next()
        spec, tag_key = self._field(field_token)
        self.comparisons += 1
        if self.comparisons > MAX_COMPARISONS:
            raise _fail(f"the filter has more than {MAX_COMPARISONS} comparisons", field_token.position)
        op_token = self.lexer.next()
        if op_token.kind is _Tok.END:
            raise _fail("unexpected end of the filter", op_token.position)
        if op_token.kind is not _Tok.WORD:
            raise _fail(
                f"expected an operator after '{field_token.text}', got {op_token.describe()}",
                op_token.position,
            )
        op = _OPS.get(op_token.text.lower())
        if op is None:
            raise _fail(
                f"unknown operator {op_token.describe()} (expected one of {', '.join(_OPS)})",
                op_token.position,
            )
        if op not in spec.ops:
            allowed = ", ".join(o.value for o in Op if o in spec.ops)
            raise _fail(
                f"operator '{op.value}' is not allowed for field '{field_token.text}' (allowed: {allowed})",
                op_token.position,
            )
        if op is Op.PR:
            return Comparison(spec, op, None, field_token.position, tag_key)
        value_token = self.lexer.next()
        value = self._value(spec, op, field_token.text, value_token)
        return Comparison(spec, op, value, field_token.position, tag_key)

    def _field(self, token: _Token) -> tuple[FieldSpec, str | None]:
        name = token.text
        if name.lower().startswith(TAG_PREFIX) and len(name) > len(TAG_PREFIX):
            # the key keeps its case: tags are matched exactly as they were written
            return TAG_FIELD, name[len(TAG_PREFIX) :]
        spec = FIELDS.get(name.lower())
        if spec is None:
            raise _fail(f"unknown field '{name}'", token.position)
        return spec, None

    def _value(self, spec: FieldSpec, op: Op, field_name: str, token: _Token) -> FilterValue:
        if token.kind is _Tok.END:
            raise _fail("unexpected end of the filter", token.position)
        word = token.text.lower() if token.kind is _Tok.WORD else None
        if token.kind not in (_Tok.STRING, _Tok.NUMBER) and word not in ("true", "false", "null"):
            raise _fail(
                f"expected a value (a quoted string, a number, true, false or null) "
                f"after '{op.value}', got {token.describe()}",
                token.position,
            )

        def wrong_type() -> BadFilter:
            return _fail(f"field '{field_name}' takes {spec.describe_kind()}, got {token.describe()}", token.position)

        if word == "null":
            # `eq null` / `ne null` ask whether the value is missing; nothing else compares with null
            if op in (Op.EQ, Op.NE):
                return None
            raise _fail(f"operator '{op.value}' needs a value, not null", token.position)
        kind = spec.kind
        if kind is Kind.BOOL:
            if word is None:
                raise wrong_type()
            return word == "true"
        if kind in (Kind.INT, Kind.SECONDS):
            if token.kind is not _Tok.NUMBER:
                raise wrong_type()
            return self._number(spec, token, wrong_type)
        if token.kind is not _Tok.STRING:
            raise wrong_type()
        text = _decode_string(token)
        if kind is Kind.STRING:
            return text
        if kind is Kind.ENUM:
            assert spec.choices is not None
            member = spec.choices.__members__.get(text.strip().upper())
            if member is None:
                raise wrong_type()
            return member
        if kind is Kind.TIME:
            return _time(text, wrong_type)
        # Kind.ID
        parsed = parse_global_id(text.strip())
        if parsed is None or parsed[0] != "Run":
            raise wrong_type()
        return parsed[1]

    @staticmethod
    def _number(spec: FieldSpec, token: _Token, wrong_type: Callable[[], BadFilter]) -> int | float:
        value = float(token.text)
        if not math.isfinite(value):
            raise _fail(f"the number {token.describe()} is out of range", token.position)
        if spec.kind is Kind.SECONDS:
            return value
        if not value.is_integer():
            raise wrong_type()
        whole = int(value) if ("." in token.text or "e" in token.text.lower()) else int(token.text)
        if not INT_RANGE[0] <= whole <= INT_RANGE[1]:
            raise _fail(f"the number {token.describe()} is out of range", token.position)
        return whole


def _time(text: str, wrong_type: Callable[[], BadFilter]) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise wrong_type() from None


def parse_filter(text: str) -> FilterExpr:
    """Parse a filter expression; `BadFilter` (with its position) for anything malformed."""
    return _Parser(text).parse()
