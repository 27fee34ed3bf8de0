"""Briefing style for the result plots: fonts, colours, money units and number formats.

Amounts in the models are USD m. A plot whose largest amount reaches USD 10 bn shows
"USD bn" (one decimal); smaller ones show "USD m" with thousands separators, so that
a figure pasted into a briefing reads like the briefing's own tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.ticker import FuncFormatter

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: rcParams applied while a figure is drawn (readable when pasted at half a page width).
BRIEFING_RC: dict[str, Any] = {
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.labelsize": 10.5,
    "xtick.labelsize": 9.5,
    "ytick.labelsize": 9.5,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "svg.fonttype": "none",   # text stays text in SVG exports (editable in Office)
    "pdf.fonttype": 42,
}

#: Colour-blind-safe palette (Okabe-Ito), then matplotlib's tab10 for longer lists.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
GAIN, LOSS, NEUTRAL = "#0072B2", "#D55E00", "#7f7f7f"
VAR_COLOUR, CVAR_COLOUR, MEAN_COLOUR = "#E69F00", "#D55E00", "#009E73"

#: Amounts from this many USD m up are shown in USD bn.
BN_FROM = 10_000.0



#: The figure size (inches) the briefing fonts are meant for; smaller figures get proportionally smaller fonts.
DESIGN_SIZE = (8.0, 5.0)
#: Fonts are never scaled below this fraction of :data:`BRIEFING_RC`.
MIN_FONT_SCALE = 0.8
#: No text is set under this size (points), whatever the canvas: the smallest a reader reads on a laptop screen
#: (legends, ticks, labels, titles; the layout test checks every text against it).
MIN_PT = 9.0
#: matplotlib's "small" is this share of ``font.size``; the base font is kept high enough for "small" to be MIN_PT.
SMALL_SHARE = 0.833

_FONT_KEYS = ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
              "legend.fontsize", "figure.titlesize")


def font_scale(fig: Figure) -> float:
    """How much to shrink :data:`BRIEFING_RC`'s fonts for ``fig``: 1 at :data:`DESIGN_SIZE` and larger,
    down to :data:`MIN_FONT_SCALE` for a small canvas (a laptop screen with the table beside the plot)."""
    try:
        width, height = (float(v) for v in fig.get_size_inches())
    except (AttributeError, TypeError, ValueError):
        return 1.0
    scale = min(width / DESIGN_SIZE[0], height / DESIGN_SIZE[1], 1.0)
    return max(MIN_FONT_SCALE, scale) if math.isfinite(scale) else 1.0


def briefing_rc(fig: Figure | None = None) -> dict[str, Any]:   # rcParams of mixed kinds
    """:data:`BRIEFING_RC` with its font sizes scaled to ``fig`` (see :func:`font_scale`)."""
    scale = 1.0 if fig is None else font_scale(fig)
    rc = dict(BRIEFING_RC)
    for key in _FONT_KEYS:
        floor = MIN_PT / SMALL_SHARE if key == "font.size" else MIN_PT
        rc[key] = round(max(float(BRIEFING_RC[key]) * scale, floor), 2)
    return rc


def colours(n: int) -> list[str]:
    if n <= len(PALETTE):
        return list(PALETTE[:n])
    cmap = mpl.colormaps["tab20"]
    return [mpl.colors.to_hex(cmap(i % 20)) for i in range(n)]


def money_unit(values: Iterable[float]) -> tuple[float, str]:
    """``(divisor, unit)`` for amounts in USD m: ``(1000, "USD bn")`` for large ones, else ``(1, "USD m")``."""
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    arr = arr[np.isfinite(arr)]
    biggest = float(np.max(np.abs(arr))) if arr.size else 0.0
    return (1000.0, "USD bn") if biggest >= BN_FROM else (1.0, "USD m")


def fmt_number(x: float, decimals: int = 0) -> str:
    """Thousands separators; a true minus sign; "n/a" for missing or non-finite values."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    text = f"{float(x):,.{decimals}f}"
    if text.startswith("-"):
        text = "\u2212" + text[1:]
    if text in ("\u22120", "\u22120.0", "\u22120.00"):
        text = text[1:]
    return text


def fmt_money(x_usd_m: float, unit: str | None = None) -> str:
    """An amount given in USD m, as "USD 1,234 m" or "USD 12.3 bn" (unit chosen by size unless given)."""
    if x_usd_m is None or not math.isfinite(float(x_usd_m)):
        return "n/a"
    if unit is None:
        unit = money_unit([x_usd_m])[1]
    if unit == "USD bn":
        return f"USD {fmt_number(x_usd_m / 1000.0, 1)} bn"
    return f"USD {fmt_number(x_usd_m, 0)} m"


def fmt_percent(x: float, decimals: int = 1) -> str:
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    return f"{fmt_number(100.0 * float(x), decimals)} %"


def thousands_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: fmt_number(x, decimals))


def money_formatter(divisor: float) -> FuncFormatter:
    """Axis tick labels for amounts in USD m shown divided by ``divisor``."""
    def label(x: float, _pos: int | None) -> str:
        return fmt_number(x, 0 if float(x).is_integer() or abs(x) >= 100 or divisor == 1.0 else 1)

    return FuncFormatter(label)


def percent_formatter(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: f"{fmt_number(100.0 * x, decimals)} %")
