"""Units of money and percentages, as they appear in headers and in cells.

A unit is a currency (``USD`` or ``JPY``) and a scale (1e6 for millions, 1e9 for
billions), or ``%``. Header suffixes such as ``(USD m)``, ``($bn)``, ``(¥bn)`` or ``(%)``
convert a whole column; a unit written in a cell wins over the header's.
"""

from __future__ import annotations

import re

from workbench.numbers import (  # the units and their words live in the one number parser
    BILLION,
    MILLION,
    PERCENT,
    Unit,
    column_unit,
    money_factor,
    parse_unit_words,
)

__all__ = ["BILLION", "MILLION", "PERCENT", "Unit", "column_unit", "money_factor", "parse_unit_words",
           "split_header"]

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
