"""Reading a number as people type it: ``$1.2bn``, ``8.5 %``, ``(1,200)``, ``¥3 trillion``, ``-1,354``.

One parser for every place a number is typed or read as text: the Excel reader (cells
holding text), the table editors, the Scenario form and paste. It knows units of money
(a currency, ``USD`` or ``JPY``, and a scale: thousand, million, billion, trillion, 億,
兆) and percentages, accounting negatives ``(150)`` and the Unicode minus, and one list
of the words that mean "missing" (:data:`MISSING_WORDS`).

:func:`value_for_column` turns a text into a column's canonical value. A number written
without a unit is read in ``bare``, the unit the reader sees: the app's cells show
fractions as percentages and read a plain number the way Excel does in a percentage cell
(``bare=PERCENT_ENTRY``: ``6`` and ``0.06`` are both 6 %); in a workbook, a plain number
is in the column's canonical unit unless the header says otherwise (``Rate (%)``,
``Amount ($bn)``). Problems are :class:`NumberError` with a
message and a hint written in the units of the cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Protocol

from workbench.errors import WorkbenchError

THOUSAND = 1e3
MILLION = 1e6
BILLION = 1e9
TRILLION = 1e12


@dataclass(frozen=True)
class Unit:
    """``currency`` is ``USD``, ``JPY`` or ``None``; ``scale`` multiplies to units of currency."""

    currency: str | None = None
    scale: float | None = None
    percent: bool = False

    @property
    def is_money(self) -> bool:
        return not self.percent and (self.currency is not None or self.scale is not None)

    def label(self) -> str:
        if self.percent:
            return "%"
        scale = {THOUSAND: "k", MILLION: "m", BILLION: "bn", TRILLION: "tn"}.get(self.scale or 0.0, "")
        return f"{self.currency or ''} {scale}".strip()


PERCENT = Unit(percent=True)
#: How a cell shown as a percentage reads a number typed without a unit, as Excel does in a
#: percentage-formatted cell: 1 and more are percentages (``6`` is 6 %), below 1 a fraction
#: (``0.06`` is 6 % too). ``0.5 %`` needs its sign.
PERCENT_ENTRY = Unit(percent=True, scale=0.0)

#: Texts meaning "no value" in a cell, compared after stripping and lower-casing. ``#N/A``
#: is not among them: typed as text it is still Excel's error value, and reported as one.
MISSING_WORDS = frozenset({"", "n/a", "na", "-", "\u2013", "\u2014", "none", "null", "nan", "missing"})

_CURRENCY = {"usd": "USD", "$": "USD", "us$": "USD", "dollars": "USD", "dollar": "USD",
             "jpy": "JPY", "¥": "JPY", "￥": "JPY", "yen": "JPY", "円": "JPY"}
_SCALE = {"k": THOUSAND, "thousand": THOUSAND, "thousands": THOUSAND,
          "m": MILLION, "mn": MILLION, "mm": MILLION, "mln": MILLION, "mil": MILLION, "million": MILLION,
          "millions": MILLION, "bn": BILLION, "b": BILLION, "billion": BILLION, "billions": BILLION,
          "tn": TRILLION, "trn": TRILLION, "trillion": TRILLION, "trillions": TRILLION,
          "億": 1e8, "兆": TRILLION}
_PERCENT_WORDS = {"%", "percent", "pct", "per cent"}

_TOKEN = re.compile(r"us\$|\$|¥|￥|円|億|兆|%|[a-z]+", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?(?![\d,])|"
                     r"(?<![\d.])[-+]?\.\d+(?:[eE][-+]?\d+)?")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2212": "-", "\uff05": "%"})


class NumberError(WorkbenchError, ValueError):
    """A text that cannot be the value of its column: ``message`` says why, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message + (f" {hint}" if hint else ""))
        self.message = message
        self.hint = hint


class NumericColumn(Protocol):
    """What the parser needs of a column (:class:`workbench.schema.Column` has it); read only."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def unit(self) -> str: ...


def is_missing(value: object) -> bool:
    """``None``, NaN, or a text in :data:`MISSING_WORDS`."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str):
        return value.strip().lower() in MISSING_WORDS
    return False


def parse_unit_words(text: str) -> Unit | None:
    """The unit in ``text`` (``"USD m"``, ``"$bn"``, ``"¥bn"``, ``"%"``...), ``Unit()`` for no
    unit at all, or ``None`` when the text is not a unit."""
    t = text.strip().lower()
    if not t:
        return Unit()
    if t in _PERCENT_WORDS:
        return PERCENT
    compact = re.sub(r"[\s.]", "", t)
    tokens = _TOKEN.findall(compact)
    if "".join(tokens) != compact:
        return None
    currency = scale = None
    for tok in tokens:
        tok_cur = _CURRENCY.get(tok)
        tok_scale = _SCALE.get(tok)
        if tok_cur is None and tok_scale is None:
            # glued forms: "usdm", "usdbn", "jpybn", "musd"
            for cur_word, cur in _CURRENCY.items():
                if tok.startswith(cur_word) and tok[len(cur_word):] in _SCALE:
                    tok_cur, tok_scale = cur, _SCALE[tok[len(cur_word):]]
                    break
                if tok.endswith(cur_word) and tok[: -len(cur_word)] in _SCALE:
                    tok_cur, tok_scale = cur, _SCALE[tok[: -len(cur_word)]]
                    break
        if tok_cur is None and tok_scale is None:
            return None
        if tok_cur is not None:
            if currency is not None and currency != tok_cur:
                return None
            currency = tok_cur
        if tok_scale is not None:
            if scale is not None:
                return None
            scale = tok_scale
    return Unit(currency, scale)


def parse_number_text(text: str) -> tuple[float, Unit] | str:
    """``"$1.2bn"`` -> ``(1.2, Unit("USD", 1e9))``; ``"(150)"`` -> ``(-150, Unit())``;
    ``"12%"`` -> ``(12, PERCENT)``. A string (the reason) when it is not a number."""
    t = text.strip().translate(_SPACES)
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    found = list(_NUMBER.finditer(t))
    if len(found) != 1:
        return "it is not a number"
    m = found[0]
    before, after = t[: m.start()].strip(), t[m.end():].strip()
    sign = 1.0
    if before.endswith("-"):
        sign, before = -1.0, before[:-1].strip()
    elif before.startswith("-"):
        sign, before = -1.0, before[1:].strip()
    unit_before = parse_unit_words(before)
    unit_after = parse_unit_words(after)
    if unit_before is None or unit_after is None:
        return "it is not a number"
    if unit_before.percent or (unit_before.scale is not None):
        return "it is not a number"
    if unit_after.percent:
        unit = PERCENT if unit_before == Unit() else None
    else:
        cur = unit_before.currency or unit_after.currency
        if unit_before.currency and unit_after.currency and unit_before.currency != unit_after.currency:
            unit = None
        else:
            unit = Unit(cur, unit_after.scale)
    if unit is None:
        return "its units contradict each other"
    try:
        x = float(m.group(0).replace(",", ""))
    except ValueError:
        return "it is not a number"
    if negative:
        if x < 0:
            return "it is not a number"
        x = -x
    if math.isinf(x):
        return "it is too large"
    return sign * x, unit


def column_unit(unit_name: str) -> Unit | None:
    """The canonical unit of a schema column (``USD m``, ``USD bn``), else ``None``."""
    if unit_name == "USD m":
        return Unit("USD", MILLION)
    if unit_name == "USD bn":
        return Unit("USD", BILLION)
    return None


def money_factor(src: Unit, dst: Unit, jpy_per_usd: float) -> float:
    """The factor taking an amount in ``src`` to ``dst`` (both with currency and scale)."""
    usd = (src.scale or 1.0) / (jpy_per_usd if src.currency == "JPY" else 1.0)
    return usd / (dst.scale or 1.0)


def complete(unit: Unit, target: Unit) -> Unit:
    """A unit with its gaps filled from the column's unit (``($bn)`` has both)."""
    return Unit(unit.currency or target.currency, unit.scale or target.scale)


def example_text(col: NumericColumn, bare: Unit | None = None) -> str:
    """A number as the user would type it in this cell: ``8.5 %``, ``1,200`` or ``3``."""
    if col.kind == "fraction":
        return "8.5 %" if bare is not None and bare.percent else "0.085"
    if col.kind == "integer":
        return "3"
    return "1,200"


def scale_plain(col: NumericColumn, x: float, bare: Unit | None, jpy_per_usd: float) -> float:
    """A number written without a unit, read in ``bare`` (see the module text)."""
    if bare is None:
        return x
    if bare == PERCENT_ENTRY:
        return x / 100.0 if col.kind == "fraction" and abs(x) >= 1 else x
    if bare.percent:
        return x / 100.0 if col.kind == "fraction" else x
    target = column_unit(col.unit)
    if bare.is_money and target is not None:
        return x * money_factor(complete(bare, target), target, jpy_per_usd)
    return x


def value_for_column(col: NumericColumn, text: str, *, bare: Unit | None = None,
                     jpy_per_usd: float = 150.0) -> float | None:
    """The canonical value of ``text`` typed into a number column; ``None`` when it means missing.

    A unit in the text wins (``8.5 %`` is 0.085 in a rate, ``$1.2bn`` is 1,200 in a USD m
    column, ``¥3 trillion`` is converted at ``jpy_per_usd``); a plain number is read in
    ``bare``. Raises :class:`NumberError` when the text is not a value of the column.
    """
    raw = text.strip()
    if is_missing(raw):
        return None
    shown = raw[:60]
    fraction = col.kind == "fraction"
    parsed = parse_number_text(raw)
    if isinstance(parsed, str):
        raise NumberError(f'{col.name} must be a number, not "{shown}"; {parsed}.',
                          f"Type a number such as {example_text(col, bare)}.")
    x, unit = parsed
    if unit.percent:
        if not fraction:
            raise NumberError(f'{col.name} is not a percentage, but the cell says "{shown}".', "Remove the % sign.")
        return x / 100.0
    if unit.is_money:
        target = column_unit(col.unit)
        if target is None:
            what = "a share or rate" if fraction else "a plain number"
            raise NumberError(f'{col.name} is {what}, not an amount of money, but the cell says "{shown}".',
                              "Remove the currency or scale.")
        hdr = bare if bare is not None and bare.is_money else target
        src = unit
        if src.scale is None:
            if src.currency is not None and src.currency != (hdr.currency or "USD"):
                raise NumberError(f'"{shown}" gives a currency but no scale, so the amount is unclear.',
                                  f'Write the scale, such as "{shown}bn" or "{shown}m".')
            src = Unit(src.currency or hdr.currency or "USD", hdr.scale or MILLION)
        elif src.currency is None:
            src = Unit(hdr.currency or "USD", src.scale)
        return x * money_factor(src, target, jpy_per_usd)
    return scale_plain(col, x, bare, jpy_per_usd)


def percent_text(x: float, digits: int = 3) -> str:
    """A fraction as the app shows it: ``0.085`` -> ``8.5 %`` (up to ``digits`` decimals, no trailing zeros)."""
    text = f"{x * 100:.{digits}f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text} %"
