"""Small drawing helpers shared by the plot modules (pure matplotlib)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ui.plots.style import GAIN, fmt_money, fmt_number, money_formatter, money_unit

#: Bars shown per breakdown before the rest are summed into "Other".
TOP_N = 12


def note(fig_or_ax: Figure | Axes, text: str) -> Axes:
    """A sentence in place of a plot that has nothing to show."""
    ax = fig_or_ax.add_subplot() if isinstance(fig_or_ax, Figure) else fig_or_ax
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=11, color="#555555",
            transform=ax.transAxes)
    return ax


def top_items(values: Mapping[str, float], n: int = TOP_N) -> tuple[list[str], np.ndarray]:
    """Labels and values, largest magnitude first; beyond ``n`` the rest is summed as "Other (k)"."""
    items = sorted(((str(k), float(v)) for k, v in values.items()), key=lambda kv: -abs(kv[1]))
    if len(items) > n:
        rest = items[n - 1:]
        items = [*items[: n - 1], (f"Other ({len(rest)})", sum(v for _, v in rest))]
    return [k for k, _ in items], np.array([v for _, v in items], dtype=float)


def bar_breakdown(ax: Axes, values: Mapping[str, float], *, title: str, total: float | None = None,
                  colour: str | None = None, unit: tuple[float, str] | None = None, share_of: str = "") -> None:
    """Horizontal bars of amounts in USD m, largest on top, labelled with the amount and its share of ``total``."""
    labels, vals = top_items({k: v for k, v in values.items() if abs(v) > 0})
    if not labels:
        note(ax, f"{title}: nothing to show")
        ax.set_title(title)
        return
    divisor, unit_label = unit or money_unit(vals)
    y = np.arange(len(labels))
    ax.barh(y, vals / divisor, color=colour or GAIN, height=0.7, label=title)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(money_formatter(divisor))
    ax.set_xlabel(unit_label)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    scaled = vals / divisor
    right = max(float(np.max(scaled)), 0.0)
    left = min(float(np.min(scaled)), 0.0)
    span = (right - left) or 1.0
    for yi, v in zip(y, vals):
        share = f" ({fmt_number(100 * v / total)} %{' of ' + share_of if share_of else ''})" if total else ""
        ax.text(max(v / divisor, 0.0) + span * 0.01, yi, fmt_money(v, unit_label) + share, va="center", fontsize=8.5)
    if left < 0:
        ax.axvline(0, color="#7f7f7f", linewidth=0.8)
    ax.set_xlim(left - (0.05 * span if left < 0 else 0), right + span * 0.45)
