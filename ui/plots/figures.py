"""The result plots as pure matplotlib functions: ``plot_xxx(fig, run, **context)``.

No Qt here: the same functions draw in the app (through :mod:`ui.plots.canvas`), in the
screenshot mode and in the docs. Each draws on the (empty) figure it is given, titles its
axes and labels units ("USD m" or "USD bn" by size, thousands separators). ``run`` is a
:class:`~workbench.results.RunResult` or ``None`` (a sentence says there is nothing yet);
a run that lacks a part (no frontier, no stress tests) gets a sentence saying how to get
it. Every function accepts the panel's context keywords (``scenario``, ``other``,
``label``, ``other_label``) and ignores those it does not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from ui.plots.risk_figures import (
    distribution_axes,
    fan_axes,
    overlay_distributions,
    plot_contributions,
    plot_distribution,
    plot_fan,
    plot_frontier,
    plot_stress,
    plot_tornado,
    tornado_axes,
)
from ui.plots.style import GAIN, MIN_PT, PALETTE, colours, fmt_money, fmt_number, fmt_percent, money_unit
from ui.plots.tools import (
    BAR_LABEL,
    GRID_FROM_IN,
    PANEL_PX,
    TITLE_PX,
    bar_breakdown,
    briefing,
    four_panels,
    note,
)
from workbench import figures as kf
from workbench.figures import npv_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from workbench.results import RunResult

NOTHING_YET = "No results yet: press Run to allocate and simulate the scenario."

FOUR_PANELS = ("plot_summary", "plot_allocation", "plot_contributions", "plot_impact")
#: Height a one- or two-panel view needs at the least (logical pixels); taller canvases are used whole.
LEAST_PX = {"plot_allocation_states": 860, "plot_tornado": 760, "plot_stress": 420, "plot_frontier": 380}


def needed_height(plot: str, width_px: int) -> int:
    """The least height (logical pixels) the plot function ``plot`` needs to be readable ``width_px`` wide."""
    if plot in FOUR_PANELS:
        rows = 2 if width_px >= GRID_FROM_IN * 100 else 4
        return rows * PANEL_PX + TITLE_PX
    if plot == "plot_compare":   # the distributions with their legend below, then the differences
        return 2 * (PANEL_PX + 160) + TITLE_PX
    return LEAST_PX.get(plot, 340)


@briefing
def plot_allocation(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Allocation by sector, instrument, financier and state (four panels)."""
    if run is None:
        note(fig, NOTHING_YET)
        return
    alloc = run.allocation
    total = alloc.total
    fig.suptitle(f"Committed {fmt_money(total)} ({alloc.method}): cash {fmt_money(kf.cash_deployed(run))}, "
                 f"guarantees {fmt_money(kf.guarantee_exposure(run))} at face value")
    axes = four_panels(fig)
    unit = money_unit([*alloc.by_sector.values(), *alloc.by_state.values(), *alloc.by_instrument.values(),
                       *alloc.by_financier.values()])
    parts = [("By sector", alloc.by_sector), ("By instrument", alloc.by_instrument),
             ("By financier", alloc.by_financier), ("By state", alloc.by_state)]
    for ax, (title, values), colour in zip(axes, parts, colours(4)):
        bar_breakdown(ax, values, title=title, total=total, colour=colour, unit=unit)


@briefing
def plot_allocation_states(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Allocation by state on a US tile grid map, and jobs supported by state beside it."""
    from ui.us_tile_map import draw_tile_map

    if run is None:
        note(fig, NOTHING_YET)
        return
    by_state = {k: v for k, v in run.allocation.by_state.items() if v > 0}
    divisor, unit = money_unit(by_state.values())
    if run.impact is None:
        axes = [fig.add_subplot()]
    else:  # two maps side by side on a wide canvas, one above the other on a tall one (a laptop's results view)
        width, height = fig.get_size_inches()
        axes = fig.subplots(2, 1) if height > 0.8 * width else fig.subplots(1, 2)
    draw_tile_map(axes[0], {k: v / divisor for k, v in by_state.items()}, title="Allocation by state", unit=unit,
                  fmt=(lambda v: f"{v:,.1f}") if divisor > 1 else (lambda v: f"{v:,.0f}"))
    if run.impact is not None:
        jobs = {r.name: r.jobs / 1000.0 for r in run.impact.by_state}
        draw_tile_map(axes[1], jobs, title="Jobs supported by state", unit="thousand jobs",
                      fmt=lambda v: f"{v:,.0f}k", cmap="Greens")


@briefing
def plot_impact(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Jobs and value added by sector and by state."""
    if run is None:
        note(fig, NOTHING_YET)
        return
    impact = run.impact
    if impact is None:
        note(fig, "No economic impact in this run.")
        return
    fig.suptitle(f"Economic impact: {fmt_number(impact.jobs)} jobs and {fmt_money(impact.value_added)} "
                 f"value added")
    axes = four_panels(fig)
    va_unit = money_unit([r.value_added for r in (*impact.by_sector, *impact.by_state)])
    for col, rows, where in ((0, impact.by_sector, "sector"), (1, impact.by_state, "state")):
        jobs = {r.name: r.jobs / 1000.0 for r in rows}
        _thousands_bars(axes[col], jobs, f"Jobs by {where}", PALETTE[2])
        bar_breakdown(axes[2 + col], {r.name: r.value_added for r in rows}, title=f"Value added by {where}",
                      total=impact.value_added, colour=PALETTE[4], unit=va_unit)


def _thousands_bars(ax: Axes, values: dict[str, float], title: str, colour: str) -> None:
    from ui.plots.style import thousands_formatter
    from ui.plots.tools import top_items
    from workbench.report.plots import labelled_bars

    labels, vals = top_items({k: v for k, v in values.items() if v > 0})
    if not labels:
        note(ax, f"{title}: none")
        return
    labelled_bars(ax, list(labels), np.asarray(vals, dtype=float), colour=colour, title=title,
                  xlabel="thousand jobs", fmt=lambda v: fmt_number(v * 1000), fontsize=MIN_PT, height=0.7,
                  gid=BAR_LABEL)
    ax.xaxis.set_major_formatter(thousands_formatter())
    ax.set_xlim(0, float(vals.max()) * 1.05)


@briefing
def plot_summary(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """One page for a briefing: allocation by sector, distribution of NPV, fan chart, CVaR contributions."""
    if run is None:
        note(fig, NOTHING_YET)
        return
    risk = run.risk
    npv = npv_name(run)
    fig.suptitle(f"Expected {npv} {fmt_money(risk.expected_pnl)}, CVaR {fmt_percent(risk.confidence, 0)} "
                 f"{fmt_money(risk.cvar)}, P({npv} below zero) {fmt_percent(risk.prob_loss, 0)}")
    grid = four_panels(fig)
    alloc = run.allocation
    bar_breakdown(grid[0], alloc.by_sector, title="Allocation by sector", total=alloc.total, colour=GAIN)
    distribution_axes(grid[1], risk, short=True)
    grid[1].set_title(f"Distribution of {npv} ({risk.trials:,} trials)")
    grid[1].legend(loc="upper right", frameon=True, framealpha=0.85)
    fan_axes(grid[2], risk.fan, compact=True)
    bar_breakdown(grid[3], risk.contributions.get("sector", {}), title="Contributions to CVaR by sector",
                  total=risk.cvar, colour=PALETTE[3], share_of="CVaR")


@briefing
def plot_compare(fig: Figure, run: RunResult | None, *, other: RunResult | None = None, label: str = "Current",
                 other_label: str = "Other", **_: Any) -> None:
    """Two runs compared: overlaid NPV distributions and the differences of key figures."""
    if run is None:
        note(fig, NOTHING_YET)
        return
    if other is None:
        note(fig, "Nothing to compare with yet.\nChoose a snapshot or another scenario to compare "
                  "(Compare with...) and its distribution is overlaid here.")
        return
    # one above the other at full width (the view scrolls), so that the distributions with their legend and the
    # key figures' long names with the column of differences all keep their room at every window size
    ax_dist, ax_diff = fig.subplots(2, 1, height_ratios=[3, 2])
    edges = [run.risk.histogram_edges[0], run.risk.histogram_edges[-1], other.risk.histogram_edges[0],
             other.risk.histogram_edges[-1]]
    divisor, unit = money_unit(edges)
    overlay_distributions(ax_dist, run, other, label, other_label, divisor, unit)
    ax_dist.set_title(f"Distributions of {npv_name(run)}: {label} against {other_label}")
    # eight entries: below the axes, out of the data, in two columns
    ax_dist.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    figures = key_differences(run, other)
    names = [f[0] for f in figures if f[4] == "money"]
    diffs = np.array([f[3] for f in figures if f[4] == "money"], dtype=float)
    d_div, d_unit = money_unit(diffs)
    y = np.arange(len(names))
    ax_diff.barh(y, diffs / d_div, color=PALETTE[0], height=0.6)
    ax_diff.set_yticks(y, names)
    ax_diff.invert_yaxis()
    ax_diff.axvline(0, color="#7f7f7f", linewidth=0.8)
    ax_diff.grid(axis="y", visible=False)
    ax_diff.set_title(f"{label} minus {other_label}")
    ax_diff.set_xlabel(d_unit)
    # the differences as a column of values at the right edge, in the room the padding below leaves free: a long
    # negative bar's label would otherwise run into the key figures' names at the left
    for yi, v in zip(y, diffs, strict=True):
        ax_diff.annotate(fmt_money(v, d_unit), (1.0, yi), xycoords=("axes fraction", "data"), xytext=(-3, 0),
                         textcoords="offset points", ha="right", va="center", fontsize="small", gid=BAR_LABEL)
    lo, hi = ax_diff.get_xlim()
    pad = 0.35 * (hi - lo)
    ax_diff.set_xlim(lo - 0.1 * (hi - lo), hi + 2 * pad)


#: Plot kind of each key-figure unit of :mod:`workbench.figures`.
KINDS = {kf.USD_M: "money", kf.FRACTION: "share", kf.RATE: "rate", kf.MULTIPLE: "multiple", kf.JOBS: "count"}


def key_figures(run: RunResult) -> list[tuple[str, float, str]]:
    """``(label, value, kind)`` of the core's key figures (:func:`workbench.figures.key_figures`);
    kind is "money" (USD m), "share", "rate", "multiple" or "count"."""
    return [(f.label, f.value, KINDS.get(f.unit, "count")) for f in kf.key_figures(run)]


def key_differences(run: RunResult, other: RunResult) -> list[tuple[str, float, float, float, str]]:
    """``(label, this, other, this - other, kind)`` for each key figure both runs have (matched by key)."""
    theirs = kf.key_figure_map(other)
    return [(f.label, f.value, theirs[f.key].value, f.value - theirs[f.key].value, KINDS.get(f.unit, "count"))
            for f in kf.key_figures(run) if f.key in theirs]


__all__ = ["key_differences", "key_figures", "plot_allocation", "plot_allocation_states", "plot_compare",
           "plot_contributions", "plot_distribution", "plot_fan", "plot_frontier", "plot_impact", "plot_stress",
           "plot_summary", "plot_tornado", "tornado_axes"]
