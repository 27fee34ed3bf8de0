"""How a cell's value is shown and read back: percent and USD m formatting, tolerant parsing.

Fractions are shown as percentages (0.085 -> ``8.5 %``), money with thousands separators
(``100,000``), years without. Parsing accepts what people type or paste from Excel:
``8.5%``, ``0.085``, ``1,200``, ``$1,200``, ``(150)``, ``yes``/``no``; an empty cell,
``n/a`` or ``-`` means empty. It never guesses that a plain number above 1 in a fraction
column is a percentage (the workbook format forbids that guess); validation explains it.
"""

from __future__ import annotations

import math
from typing import Any

from workbench import schema
from workbench.schema import Column

MISSING_WORDS = ("", "n/a", "na", "-", "none")


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def column_for(table: str, name: str) -> Column:
    """The schema column of a table (the Risk events sector shock columns included)."""
    if table == "Scenario":
        return schema.SCENARIO_FIELDS.by_name[name]
    return schema.TABLES[table].by_name.get(name, schema.SHOCK_COLUMN)


def percent_text(x: float) -> str:
    text = f"{x * 100:.3f}".rstrip("0").rstrip(".")
    return f"{text} %"


def number_text(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


def display(col: Column, value: Any) -> str:
    """The text a cell shows."""
    if is_missing(value):
        return ""
    if col.kind == "bool":
        parsed = schema.parse_bool(value)
        return "yes" if parsed else "no" if parsed is not None else str(value)
    if not col.is_numeric:
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if col.kind == "fraction":
        return percent_text(x)
    if col.unit == "year" or (col.kind == "integer" and "seed" in col.name.lower()):
        return f"{x:.0f}" if x.is_integer() else f"{x:g}"
    if col is schema.SHOCK_COLUMN:
        return f"{x:+.3g}" if x else "0"
    return number_text(x)


def edit_text(col: Column, value: Any) -> str:
    """The text a plain text editor starts with (and what copy puts on the clipboard)."""
    if is_missing(value):
        return ""
    if col.kind == "bool":
        return "yes" if schema.parse_bool(value) else "no"
    if col.is_numeric:
        try:
            x = float(value)
        except (TypeError, ValueError):
            return str(value)
        return f"{int(x)}" if x.is_integer() and abs(x) < 1e15 else repr(x)
    return str(value)


class ParseError(ValueError):
    """A typed or pasted text that cannot be a value of its column."""


def parse(col: Column, text: Any) -> Any:
    """The canonical value of a typed or pasted text, or :class:`ParseError` saying why."""
    if not isinstance(text, str):
        return None if is_missing(text) else text
    raw = text.strip()
    if raw.lower() in MISSING_WORDS:
        return None
    if col.kind == "bool":
        parsed = schema.parse_bool(raw)
        if parsed is None:
            raise ParseError(f'{col.name} must be yes or no, not "{raw}".')
        return parsed
    if col.kind == "choice":
        for choice in col.choices:
            if choice.lower() == raw.lower():
                return choice
        return raw
    if not col.is_numeric:
        return raw
    return _parse_number(col, raw)


def _parse_number(col: Column, raw: str) -> float:
    s = raw.replace(",", "").replace("\u00a0", "").replace(" ", "")
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    for prefix in ("US$", "USD", "$"):
        if s.upper().startswith(prefix):
            s = s[len(prefix):]
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    try:
        x = float(s)
    except ValueError:
        raise ParseError(f'{col.name} must be a number, not "{raw}".') from None
    if math.isnan(x) or math.isinf(x):
        raise ParseError(f'{col.name} must be a finite number, not "{raw}".')
    if percent:
        x /= 100.0
    return -x if negative else x


def range_text(col: Column) -> str:
    """The allowed range in the units the cell shows (percentages for fractions)."""
    if col.kind != "fraction":
        return col.range_text()
    lo, hi = col.minimum, col.maximum
    lo_t = percent_text(lo) if lo is not None else None
    hi_t = percent_text(hi) if hi is not None else None
    if lo_t and hi_t:
        return f"{'above' if col.min_open else 'from'} {lo_t} {'below' if col.max_open else 'to'} {hi_t}"
    if lo_t:
        return f"{'above' if col.min_open else 'at least'} {lo_t}"
    if hi_t:
        return f"{'below' if col.max_open else 'at most'} {hi_t}"
    return "any number"
