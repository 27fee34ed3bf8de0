"""Units of money and percentages, as they appear in headers and in cells.

A unit is a currency (``USD`` or ``JPY``) and a scale (1e6 for millions, 1e9 for
billions), or ``%``. Header suffixes such as ``(USD m)``, ``($bn)``, ``(¥bn)`` or ``(%)``
convert a whole column; a unit written in a cell wins over the header's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MILLION = 1e6
BILLION = 1e9


@dataclass(frozen=True)
class Unit:
    """``currency`` is ``USD``, ``JPY`` or ``None``; ``scale`` multiplies to units of currency."""

    currency: str | None = None
    scale: float | None = None
    percent: bool = False

    @property
    def is_money(self) -> bool:
        return self.currency is not None or self.scale is not None

    def label(self) -> str:
        if self.percent:
            return "%"
        scale = {MILLION: "m", BILLION: "bn"}.get(self.scale or 0.0, "")
        return f"{self.currency or ''} {scale}".strip()


PERCENT = Unit(percent=True)

_CURRENCY = {"usd": "USD", "$": "USD", "us$": "USD", "dollars": "USD", "dollar": "USD",
             "jpy": "JPY", "¥": "JPY", "￥": "JPY", "yen": "JPY", "円": "JPY"}
_SCALE = {"m": MILLION, "mn": MILLION, "mm": MILLION, "mln": MILLION, "mil": MILLION, "million": MILLION,
          "millions": MILLION, "bn": BILLION, "b": BILLION, "billion": BILLION, "billions": BILLION,
          "億": 1e8}
_PERCENT_WORDS = {"%", "percent", "pct", "per cent"}

_TOKEN = re.compile(r"us\$|\$|¥|￥|円|億|%|[a-z]+", re.IGNORECASE)


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


_SUFFIX = re.compile(r"^(?P<name>.*?)[\s,]*[(\[](?P<unit>[^()\[\]]*)[)\]]\s*$")


def split_header(text: str) -> tuple[str, Unit | None, str]:
    """``"Requested (USD m)"`` -> ``("Requested", Unit("USD", 1e6), "USD m")``.

    The unit is ``None`` when there is no suffix or the suffix is not a unit (then the
    suffix stays part of the name, e.g. ``Duration (years)``).
    """
    m = _SUFFIX.match(text)
    if not m:
        return text.strip(), None, ""
    unit = parse_unit_words(m.group("unit"))
    if unit is None or unit == Unit():
        return m.group("name").strip(), None, m.group("unit").strip()
    return m.group("name").strip(), unit, m.group("unit").strip()


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
