"""Reading cell values into canonical values: numbers (also written as text, with units),
fractions, yes/no, choices and text. Each reader returns the values and the problems,
as ``(position, message, suggestion)``; it never raises.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Sequence
from typing import TypeAlias, cast

import numpy as np
import numpy.typing as npt

from workbench import schema
from workbench.excel.headers import RawValue, norm_plain
from workbench.excel.units import Unit, column_unit
from workbench.issues import did_you_mean
from workbench.numbers import MISSING_WORDS, NumberError, complete, money_factor, scale_plain, value_for_column
from workbench.schema import CellValue, Column
from workbench.validation import check_value

Problem = tuple[int, str, "str | None"]
#: A column as a reader returns it: canonical floats (NaN empty) for a numeric column, else a list.
ColumnValues: TypeAlias = "npt.NDArray[np.float64] | list[str | None] | list[CellValue]"

#: Excel's error values (and LibreOffice's ``Err:nnn``), as readers show them.
ERROR_VALUES = {"#REF!", "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#VALUE!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}
_LO_ERROR = re.compile(r"^Err:\d{3}$")


class _FormatsUnknown(frozenset[int]):
    """Cell formats are not available (an .xls file): no cell is known to be a percentage."""


FORMATS_UNKNOWN = _FormatsUnknown()


class CellError(str):
    """A cell holding an error value (``#REF!``...), as opposed to text that says so."""


def looks_like_error(text: str) -> bool:
    t = text.strip()
    return t.upper() in ERROR_VALUES or bool(_LO_ERROR.match(t))


def error_value(v: object) -> str | None:
    """The Excel error value a cell holds (``#REF!``...), else ``None``."""
    return str(v) if isinstance(v, CellError) else None


def is_missing_text(v: str) -> bool:
    return v.strip().lower() in MISSING_WORDS


def _describe(v: object) -> str:
    if isinstance(v, str):
        return f'"{v[:60]}"'
    if isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return f"a date or time ({v})"
    return repr(v)


def read_numbers(col: Column, values: Sequence[RawValue], header_unit: Unit | None, percent_cells: Collection[int],
                 jpy_per_usd: float) -> tuple[npt.NDArray[np.float64], list[Problem]]:
    """A numeric column (``number``, ``integer`` or ``fraction``) in canonical units.

    ``percent_cells`` are the positions of cells formatted as a percentage (taken at face
    value). Range and type checks use :func:`workbench.validation.check_value`, so the
    messages are the same as in the app.
    """
    n = len(values)
    problems: list[Problem] = []
    if set(map(type, values)) == {float}:  # the usual column: numbers only
        out = np.array(values, dtype=float)
    else:
        out = np.fromiter((v if type(v) is float else math.nan for v in values), float, n)
    target = column_unit(col.unit)
    fraction = col.kind == "fraction"
    # the header's unit: a factor for plain numbers
    factor = 1.0
    if header_unit is not None:
        if header_unit.percent and fraction:
            factor = 0.01
        elif header_unit.is_money and target is not None:
            factor = money_factor(complete(header_unit, target), target, jpy_per_usd)
    unknown_formats = percent_cells is FORMATS_UNKNOWN
    if factor != 1.0:
        out *= factor
        if unknown_formats and header_unit is not None and header_unit.percent:
            # an .xls file: 0.08 may be shown as 8 % (0.08) or mean 0.08 % (0.0008)
            for i, v in enumerate(values):
                if type(v) is float and 0 < abs(v) <= 1:
                    problems.append((i, f"{col.name} is {v:g} under a (%) header, and in this file format the app "
                                        f"cannot see whether the cell shows {v:.0%} or {v:g} %.",
                                     "Remove (%) from the header and write fractions (0.08 for 8 %), "
                                     "or save the file as .xlsx."))
        elif percent_cells and not unknown_formats:
            idx = [i for i in percent_cells if i < n and type(values[i]) is float]
            out[idx] = [values[i] for i in idx]
    for i in np.flatnonzero(np.isnan(out)).tolist() if math.isnan(out.sum()) else ():  # empty or not a number
        v = values[i]
        if type(v) is float or v == "":
            continue
        x, problem = _one(col, v, header_unit, target, fraction, jpy_per_usd)
        if problem:
            problems.append((i, problem[0], problem[1]))
        out[i] = x
    bad = problem_positions = {p[0] for p in problems}
    finite = ~np.isnan(out)
    check = np.zeros(n, dtype=bool)
    if np.isinf(out).any():
        check |= np.isinf(out)
    lo, hi = col.minimum, col.maximum
    with np.errstate(invalid="ignore"):
        if lo is not None:
            check |= finite & ((out <= lo) if col.min_open else (out < lo))
        if hi is not None:
            check |= finite & ((out >= hi) if col.max_open else (out > hi))
        if col.kind == "integer":
            check |= finite & ~np.isinf(out) & (np.floor(out) != out)
    if col.required:
        check |= ~finite
    for hit in np.flatnonzero(check):
        i = int(hit)
        if i in bad:
            continue
        x = out[i]
        problem = check_value(col, None if math.isnan(x) else float(x))
        if problem:
            message, hint = problem
            if fraction and not unknown_formats and i in percent_cells and x > 1:
                hint = f"The cell is formatted as a percentage and shows {x * 100:g} %."
            problems.append((int(i), message, hint))
    del problem_positions
    return out, problems


def _one(col: Column, v: object, header_unit: Unit | None, target: Unit | None, fraction: bool,
         jpy_per_usd: float) -> tuple[float | None, tuple[str, str | None] | None]:
    """One non-float cell of a numeric column: its value and its problem."""
    nan = math.nan
    err = error_value(v)
    if err:
        return nan, (f"{col.name} shows the Excel error {err}.", "Fix the formula or type the value.")
    if isinstance(v, bool):
        return nan, (f"{col.name} must be a number, not {str(v).upper()}.", None)
    if isinstance(v, int):
        v = float(v)
        return scale_plain(col, v, header_unit, jpy_per_usd), None
    if isinstance(v, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        return nan, (f"{col.name} holds {_describe(v)}, not a number.", "Format the cell as a number and retype it.")
    if not isinstance(v, str):
        return nan, (f"{col.name} must be a number, not {_describe(v)}.", None)
    if is_missing_text(v):
        return nan, None
    try:
        return value_for_column(col, v, bare=header_unit, jpy_per_usd=jpy_per_usd), None
    except NumberError as exc:
        return nan, (exc.message, exc.hint)


def read_text(col: Column, values: Sequence[RawValue], *, strip: bool) -> tuple[list[str | None], list[Problem]]:
    """Text cells: numbers written as text where they look like IDs (``101``), empty -> None."""
    if set(map(type, values)) <= {str}:  # the usual column: text only (no error cells)
        texts = cast("Sequence[str]", values)   # every value's type is str
        out: list[str | None] = [v.strip() or None for v in texts] if strip else [v or None for v in texts]
        problems: list[Problem] = []
        if col.required:
            problems = [(i, f"{col.name} is required but empty.", f"Enter a {col.name.lower()}.")
                        for i, v in enumerate(out) if v is None]
        return out, problems
    out = []
    problems = []
    for i, v in enumerate(values):
        if type(v) is str:
            t = v.strip() if strip else v
            out.append(t if t else None)
            continue
        err = error_value(v)
        if err:
            problems.append((i, f"{col.name} shows the Excel error {err}.", "Fix the formula or type the value."))
            out.append(None)
            continue
        if v is None:
            out.append(None)
        elif isinstance(v, bool):
            out.append("TRUE" if v else "FALSE")
        elif isinstance(v, (int, float)):
            f = float(v)
            out.append(str(int(f)) if f.is_integer() and abs(f) < 2**53 else repr(f))
        elif isinstance(v, (dt.datetime, dt.date, dt.time)):
            out.append(v.isoformat())
        else:
            out.append(str(v))
    if col.required:
        for i, v in enumerate(out):
            if v is None:
                problems.append((i, f"{col.name} is required but empty.", f"Enter a {col.name.lower()}."))
    return out, problems


def read_choices(col: Column, values: Sequence[RawValue]) -> tuple[list[str | None], list[Problem]]:
    """A choice column: matched case- and punctuation-insensitively to its choices."""
    exact = {c: c for c in col.choices}
    fast = [exact.get(v) if type(v) is str else None for v in values]
    if None not in fast:
        return fast, []
    lookup = {norm_plain(c): c for c in col.choices}
    out: list[str | None] = []
    problems: list[Problem] = []
    for i, v in enumerate(values):
        if fast[i] is not None:
            out.append(fast[i])
            continue
        if v is None or (isinstance(v, str) and is_missing_text(v)):
            out.append(None)
            if col.required:
                problems.append((i, f"{col.name} is required but empty.", f"Enter one of {', '.join(col.choices)}."))
            continue
        err = error_value(v)
        if err:
            out.append(None)
            problems.append((i, f"{col.name} shows the Excel error {err}.", "Fix the formula or type the value."))
            continue
        text = str(v).strip()
        canon = lookup.get(norm_plain(text))
        if canon is None:
            out.append(text)
            problems.append((i, f'{col.name} "{text[:60]}" is not one of {", ".join(col.choices)}.',
                             did_you_mean(text, col.choices)))
        else:
            out.append(canon)
    return out, problems


_BOOL_WORDS = {"yes": True, "no": False, True: True, False: False}


def read_bools(col: Column, values: Sequence[RawValue]) -> tuple[list[CellValue], list[Problem]]:
    fast: list[CellValue] = list(map(_BOOL_WORDS.get, values)) if set(map(type, values)) <= {str, bool} else [None]
    if None not in fast:
        return fast, []
    out: list[CellValue] = []
    problems: list[Problem] = []
    for i, v in enumerate(values):
        if v is None or (isinstance(v, str) and is_missing_text(v)):
            out.append(col.default if col.default is not None else True)
            continue
        parsed = schema.parse_bool(v) if not isinstance(v, str) else schema.parse_bool(v.strip())
        if parsed is None:
            err = error_value(v)
            msg = (f"{col.name} shows the Excel error {err}." if err
                   else f'{col.name} must be yes or no, not "{str(v)[:60]}".')
            problems.append((i, msg, "Use yes or no."))
            out.append(True)
        else:
            out.append(parsed)
    return out, problems
