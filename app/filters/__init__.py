"""The run filter language of FILTER.md: parse, compile to a parameterised Q, evaluate in Python."""

from app.filters.evaluate import matches
from app.filters.fields import FIELDS, FieldSpec, Kind, Op
from app.filters.parser import And, Comparison, FilterExpr, Not, Or, parse_filter
from app.filters.sql import CriterionQ, compile_filter

__all__ = [
    "FIELDS",
    "And",
    "Comparison",
    "CriterionQ",
    "FieldSpec",
    "FilterExpr",
    "Kind",
    "Not",
    "Op",
    "Or",
    "compile_filter",
    "matches",
    "parse_filter",
]
