"""The result plots as pure matplotlib functions: ``plot_xxx(fig, run, ...)``.

No Qt here: the same functions draw in the app (through :mod:`ui.plots.canvas`), in the
screenshot mode and in the docs. Each clears nothing and draws on the figure it is given;
each titles its axes and labels units ("USD m" or "USD bn" by size, thousands separators).
A run that lacks a part (no frontier was computed, no stress tests) gets a short sentence
in the figure saying how to get it, not an empty axes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ui.plots.style import briefing, colours, fmt_money, money_formatter, money_unit
from workbench.results import RunResult

#: Bars shown per breakdown before the rest are summed into "Other".
TOP_N = 12


def _note(fig_or_ax: Figure | Axes, text: str) -> None:
    """A sentence in place of a plot that has nothing to show."""
    target = fig_or_ax
    if isinstance(target, Figure):
        ax = target.add_subplot()
    else:
        ax = target
    ax.axis("off")
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, fontsize=11, color="#555555",
            transform=ax.transAxes)


def _top(values: Mapping[str, float], n: int = TOP_N) -> tuple[list[str], np.ndarray]:
    """Labels and values sorted largest first; beyond ``n`` the rest is summed as "Other (k)"."""
    items = sorted(((str(k), float(v)) for k, v in values.items()), key=lambda kv: -abs(kv[1]))
    if len(items) > n:
        rest = items[n - 1:]
        items = [*items[: n - 1], (f"Other ({len(rest)})", sum(v for _, v in rest))]
    return [k for k, _ in items], np.array([v for _, v in items], dtype=float)


def bar_breakdown(ax: Axes, values: Mapping[str, float], *, title: str, total: float | None = None,
                  colour: str | None = None, unit: tuple[float, str] | None = None) -> None:
    """Horizontal bars of amounts in USD m, largest on top, labelled with amount and share of ``total``."""
    labels, vals = _top({k: v for k, v in values.items() if abs(v) > 0})
    if not labels:
        _note(ax, f"{title}: nothing allocated")
        return
    divisor, unit_label = unit or money_unit(vals)
    y = np.arange(len(labels))
    ax.barh(y, vals / divisor, color=colour or colours(1)[0], height=0.7, label=title)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(money_formatter(divisor))
    ax.set_xlabel(unit_label)
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    right = float(np.max(vals / divisor)) if len(vals) else 1.0
    for yi, v in zip(y, vals):
        share = f" ({100 * v / total:.0f} %)" if total else ""
        ax.text(v / divisor + right * 0.01, yi, fmt_money(v, unit_label) + share, va="center", fontsize=8.5)
    ax.set_xlim(0, right * 1.35 if right > 0 else 1)


@briefing
def plot_allocation(fig: Figure, run: RunResult) -> None:
    """Allocation by sector, instrument, financier and state (four panels)."""
    alloc = run.allocation
    total = alloc.total
    fig.suptitle(f"Allocation: {fmt_money(total)} by method {alloc.method}")
    axes = fig.subplots(2, 2)
    unit = money_unit([*alloc.by_sector.values(), *alloc.by_state.values(), *alloc.by_instrument.values(),
                       *alloc.by_financier.values()])
    for ax, (title, values), colour in zip(
            axes.flat,
            [("By sector", alloc.by_sector), ("By instrument", alloc.by_instrument),
             ("By financier", alloc.by_financier), ("By state", alloc.by_state)],
            colours(4)):
        bar_breakdown(ax, values, title=title, total=total, colour=colour, unit=unit)


@briefing
def plot_allocation_states(fig: Figure, run: RunResult) -> None:
    """Allocation by state on a US tile grid map."""
    from ui.us_tile_map import draw_tile_map

    by_state = run.allocation.by_state
    divisor, unit = money_unit(by_state.values())
    ax = fig.add_subplot()
    draw_tile_map(ax, {k: v / divisor for k, v in by_state.items()}, title="Allocation by state", unit=unit,
                  fmt=lambda v: f"{v:,.1f}" if divisor > 1 else f"{v:,.0f}")
