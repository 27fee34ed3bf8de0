"""How a cell's value is shown and read back: percent and USD m formatting, tolerant parsing.

Fractions are shown as percentages (0.085 -> ``8.5 %``), money with thousands separators
(``100,000``), years without. Typed and pasted text is read by the core's one number
parser (:mod:`workbench.numbers`) in the units the cell shows: in a rate, ``8.5``,
``8.5%``, ``8.5 %`` and ``0.085`` are all 8.5 % (as Excel reads a percentage cell: a
plain number of 1 or more is a percentage, below 1 a fraction; ``0.5 %`` needs its sign);
in a USD m column ``$1.2bn`` is 1,200 and ``(150)`` is -150; ``yes``/``no`` for switches; the words of
:data:`workbench.numbers.MISSING_WORDS` (``n/a``, ``-``...) mean empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench import numbers, schema
from workbench.numbers import MISSING_WORDS, NumberError, is_missing, percent_text
from workbench.schema import Column

if TYPE_CHECKING:
    from workbench.scenario import Scenario

__all__ = ["MISSING_WORDS", "ParseError", "column_for", "display", "edit_text", "is_missing", "number_text",
           "parse", "percent_text", "range_text"]

#: How a number typed without a unit is read in a cell showing a percentage: as Excel does,
#: 1 and more are percentages (``6`` is 6 %), below 1 a fraction (``0.06`` is 6 %).
PERCENT_CELLS = numbers.PERCENT_ENTRY


def column_for(table: str, name: str) -> Column:
    """The schema column of a table (the Risk events sector shock columns included)."""
    if table == "Scenario":
        return schema.SCENARIO_FIELDS.by_name[name]
    return schema.TABLES[table].by_name.get(name, schema.SHOCK_COLUMN)


def number_text(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


# A cell's value is of any kind its column allows (number, text, date, bool) or missing: hence Any below.
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
    """The text a plain text editor starts with and copy puts on the clipboard: every digit of the
    value, no thousands separators, fractions as percentages (``8.5%``), so that both this
    app and Excel read it back as the same number."""
    if is_missing(value):
        return ""
    if col.kind == "bool":
        return "yes" if schema.parse_bool(value) else "no"
    if col.is_numeric:
        try:
            x = float(value)
        except (TypeError, ValueError):
            return str(value)
        if col.kind == "fraction":   # typed back as a percentage; Excel reads "8.5%" as the number 0.085
            return f"{x * 100:.12g}%"
        return f"{int(x)}" if x.is_integer() and abs(x) < 1e15 else repr(x)
    return str(value)


def jpy_per_usd(scn: Scenario | None) -> float:
    """The scenario's exchange rate, used to read amounts typed in yen (150 when unreadable)."""
    try:
        rate = float(scn.field("JPY per USD"))
    except (AttributeError, KeyError, TypeError, ValueError):
        return 150.0
    return rate if rate > 0 else 150.0


#: A typed or pasted text that cannot be a value of its column (``message`` and ``hint``).
ParseError = NumberError


def parse(col: Column, text: Any, *, jpy_per_usd: float = 150.0) -> Any:
    """The canonical value of a typed or pasted text, or :class:`ParseError` saying why."""
    if not isinstance(text, str):
        return None if is_missing(text) else text
    raw = text.strip()
    if raw.lower() in MISSING_WORDS:
        return None
    if col.kind == "bool":
        parsed = schema.parse_bool(raw)
        if parsed is None:
            raise ParseError(f'{col.name} must be yes or no, not "{raw}".', "Type yes or no.")
        return parsed
    if col.kind == "choice":
        for choice in col.choices:
            if choice.lower() == raw.lower():
                return choice
        return raw
    if not col.is_numeric:
        return raw
    return numbers.value_for_column(col, raw, bare=PERCENT_CELLS if col.kind == "fraction" else None,
                                    jpy_per_usd=jpy_per_usd)


def range_text(col: Column) -> str:
    """The allowed range in the units the cell shows (percentages for fractions)."""
    return col.range_text()
