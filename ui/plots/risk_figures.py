"""Risk plots: distribution of NPV at the discount rate with VaR and CVaR, fan chart, frontier, contributions,
stress tests and tornado. Pure matplotlib; re-exported by :mod:`ui.plots.figures`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ui.plots.style import (
    CVAR_COLOUR,
    GAIN,
    LOSS,
    MEAN_COLOUR,
    NEUTRAL,
    PALETTE,
    VAR_COLOUR,
    fmt_money,
    fmt_percent,
    money_formatter,
    money_unit,
)
from ui.plots.tools import bar_breakdown, briefing, four_panels, label_signed_bars, note, top_items
from workbench.figures import npv_label

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.risk.result import FanChart, RiskResult
    from workbench.risk.sensitivity import TornadoBar

#: Tornado bars shown (largest swing first).
TORNADO_BARS = 15


def plot_range(risk: RiskResult, tail: float = 0.002) -> tuple[float, float]:
    """NPV range (USD m) holding all but ``tail`` of the trials on each side, padded, with VaR and CVaR inside."""
    q = np.asarray(risk.quantiles, dtype=float)
    n = len(q) - 1
    lo, hi = float(q[round(tail * n)]), float(q[round((1 - tail) * n)])
    lo = min(lo, -risk.cvar, risk.expected_pnl, 0.0)
    hi = max(hi, risk.expected_pnl, 0.0)
    pad = 0.04 * (hi - lo or 1.0)
    return lo - pad, hi + pad


def distribution_axes(ax: Axes, risk: RiskResult, *, label: str = "", colour: str = GAIN, divisor: float | None = None,
                      unit: str | None = None, filled: bool = True, mark: bool = True, linestyle: str = "-",
                      xlim: tuple[float, float] | None = None, short: bool = False) -> None:
    """The histogram of ``risk``'s NPV at its discount rate (a RiskResult) as a density, with VaR, CVaR and the
    mean marked.

    ``xlim`` (USD m) defaults to :func:`plot_range`: the far tails (a few trials) are left out of view.
    """
    npv = npv_label(risk.discount_rate)
    edges = np.asarray(risk.histogram_edges, dtype=float)
    counts = np.asarray(risk.histogram_counts, dtype=float)
    if divisor is None or unit is None:
        divisor, unit = money_unit([edges[0], edges[-1]])
    x = edges / divisor
    widths = np.diff(x)
    density = counts / max(counts.sum(), 1.0) / np.where(widths > 0, widths, 1.0)
    if filled:
        # one filled outline per part (not a bar per bin: hundreds of artists made every redraw and legend
        # placement of the view take seconds); the worst trials are the bins left of VaR, a prefix of the bins
        centres = (x[:-1] + x[1:]) / 2
        k = int(np.count_nonzero(centres <= -risk.var / divisor))
        ax.stairs(density, x, fill=True, color=colour, alpha=0.55, linewidth=0,
                  label=(f"{label} {npv}" if label else npv) if not short else "_npv")
        if k:
            ax.stairs(density[:k], x[:k + 1], fill=True, color=LOSS, alpha=0.75, linewidth=0,
                      label=f"worst {fmt_percent(1 - risk.confidence, 0)} of trials" if not short else "_worst")
    else:
        ax.stairs(density, x, color=colour, linewidth=1.8, linestyle=linestyle, label=f"{label} {npv}")
    if mark:
        c = fmt_percent(risk.confidence, 0)
        prefix = f"{label} " if label else ""
        if short:
            names = (f"VaR {fmt_money(risk.var, unit)}", f"CVaR {fmt_money(risk.cvar, unit)}",
                     f"Mean {fmt_money(risk.expected_pnl, unit)}")
        else:
            names = (f"VaR {c}: loss of {fmt_money(risk.var, unit)}", f"CVaR {c}: loss of {fmt_money(risk.cvar, unit)}",
                     f"Expected {npv} {fmt_money(risk.expected_pnl, unit)}")
        for value, name, col in ((-risk.var, names[0], VAR_COLOUR), (-risk.cvar, names[1], CVAR_COLOUR),
                                 (risk.expected_pnl, names[2], MEAN_COLOUR)):
            ax.axvline(value / divisor, color=col, linestyle=linestyle if not filled else "--", linewidth=1.6,
                       label=prefix + name)
    lo, hi = xlim if xlim is not None else plot_range(risk)
    ax.set_xlim(lo / divisor, hi / divisor)
    ax.set_xlabel(f"{npv} over the horizon ({unit})")
    ax.set_ylabel(f"Probability density (per {unit.split()[-1]})")
    ax.xaxis.set_major_formatter(money_formatter(divisor))
    ax.axvline(0, color=NEUTRAL, linewidth=0.8)


@briefing
def plot_distribution(fig: Figure, run: RunResult | None, *, other: RunResult | None = None, label: str = "Current",
                      other_label: str = "Other", **_: Any) -> None:
    """Distribution of NPV at the discount rate with VaR and CVaR marked (and another run overlaid when given)."""
    if run is None:
        note(fig, "No results yet: press Run.")
        return
    risk = run.risk
    ax = fig.add_subplot()
    edges = [risk.histogram_edges[0], risk.histogram_edges[-1]]
    if other is not None:
        edges += [other.risk.histogram_edges[0], other.risk.histogram_edges[-1]]
    divisor, unit = money_unit(edges)
    if other is None:
        distribution_axes(ax, risk, divisor=divisor, unit=unit)
    else:
        overlay_distributions(ax, run, other, label, other_label, divisor, unit)
    npv = npv_label(risk.discount_rate)
    ax.set_title(f"Distribution of the programme's {npv} ({risk.trials:,} trials); P({npv} below zero) "
                 f"{fmt_percent(risk.prob_loss)}")
    if other is None:
        ax.legend(loc="upper right")
    else:   # two runs' eight entries: below the axes, out of the data, in two columns
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)


def overlay_distributions(ax: Axes, run: RunResult, other: RunResult, label: str, other_label: str, divisor: float,
                          unit: str) -> None:
    """Two runs' NPV densities as outlines on one axes, each with its VaR, CVaR and mean."""
    (a, b), (c, d) = plot_range(run.risk), plot_range(other.risk)
    xlim = (min(a, c), max(b, d))
    distribution_axes(ax, run.risk, label=label, divisor=divisor, unit=unit, filled=False, colour=GAIN, xlim=xlim)
    distribution_axes(ax, other.risk, label=other_label, divisor=divisor, unit=unit, filled=False,
                      colour=PALETTE[1], linestyle="--", xlim=xlim)


@briefing
def plot_fan(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Fan chart: percentiles of the portfolio's value at each year-end, with the capital invested."""
    if run is None:
        note(fig, "No results yet: press Run.")
        return
    fan_axes(fig.add_subplot(), run.risk.fan)


def fan_axes(ax: Axes, fan: FanChart, compact: bool = False) -> None:
    values = np.asarray(fan.values, dtype=float)
    divisor, unit = money_unit([values.min(), values.max()])
    years = np.asarray(fan.years)
    pct = list(fan.percentiles)
    rows = {p: values[i] / divisor for i, p in enumerate(pct)}
    if 5 in rows and 95 in rows:
        ax.fill_between(years, rows[5], rows[95], color=GAIN, alpha=0.18, linewidth=0,
                        label="5-95 %" if compact else "5th to 95th percentile")
    if 25 in rows and 75 in rows:
        ax.fill_between(years, rows[25], rows[75], color=GAIN, alpha=0.35, linewidth=0,
                        label="25-75 %" if compact else "25th to 75th percentile")
    if 50 in rows:
        ax.plot(years, rows[50], color=GAIN, linewidth=2, label="Median")
    ax.plot(years, np.asarray(fan.mean) / divisor, color=MEAN_COLOUR, linestyle="--", linewidth=1.5, label="Mean")
    ax.step(years, np.asarray(fan.invested) / divisor, where="mid", color=NEUTRAL, linewidth=1.2,
            label="Invested" if compact else "Capital invested")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=3 if compact else 5, integer=True, min_n_ticks=2))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))
    ax.yaxis.set_major_formatter(money_formatter(divisor))
    ax.set_ylabel(f"Portfolio value at year-end ({unit})")
    ax.set_title("Portfolio value by year")
    ax.legend(loc="upper left", ncols=2 if compact else 1)


@briefing
def plot_frontier(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Efficient frontier (expected NPV against CVaR, and against standard deviation) with the run marked."""
    if run is None:
        note(fig, "No results yet: press Run.")
        return
    frontier = run.frontier
    if frontier is None or not frontier.points:
        note(fig, "No efficient frontier in this run.\nTurn on \u201cCompute the efficient frontier\u201d "
                  "in the run options and run again.")
        return
    pts = frontier.points
    ret = np.array([p.expected_pnl for p in pts], dtype=float)
    cvar = np.array([p.cvar for p in pts], dtype=float)
    std = np.array([p.std for p in pts], dtype=float)
    risk = run.risk
    npv = npv_label(risk.discount_rate)
    divisor, unit = money_unit([*ret, *cvar, *std, risk.expected_pnl, risk.cvar])
    axes = fig.subplots(1, 2, sharey=True)
    for ax, xs, current, name in ((axes[0], cvar, risk.cvar, f"CVaR {fmt_percent(risk.confidence, 0)}"),
                                  (axes[1], std, risk.std, f"Standard deviation of {npv}")):
        order = np.argsort(xs)
        ax.plot(xs[order] / divisor, ret[order] / divisor, "-o", color=GAIN, markersize=4, label="Efficient frontier")
        ax.plot([current / divisor], [risk.expected_pnl / divisor], marker="*", markersize=16, color=LOSS,
                linestyle="none", label=f"Current allocation ({run.allocation.method})")
        ax.annotate(f"{fmt_money(risk.expected_pnl, unit)}", (current / divisor, risk.expected_pnl / divisor),
                    xytext=(8, -12), textcoords="offset points", color=LOSS)
        ax.set_xlabel(f"{name} ({unit})")
        ax.xaxis.set_major_formatter(money_formatter(divisor))
        ax.yaxis.set_major_formatter(money_formatter(divisor))
    axes[0].set_ylabel(f"Expected {npv} ({unit})")
    axes[0].set_title(f"Expected {npv} against CVaR")
    axes[1].set_title(f"Expected {npv} against standard deviation")
    axes[0].legend(loc="lower right")
    fig.suptitle("Efficient frontier under your limits (computed on the fitting sample; the current allocation "
                 "on the reporting sample)", fontsize="medium", fontweight="normal", color="#444444")


@briefing
def plot_contributions(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Contributions to CVaR by sector, instrument, financier and the largest projects (they sum to CVaR)."""
    if run is None:
        note(fig, "No results yet: press Run.")
        return
    risk = run.risk
    contributions = risk.contributions
    fig.suptitle(f"Contributions to CVaR {fmt_percent(risk.confidence, 0)} of {fmt_money(risk.cvar)} "
                 f"(losses positive)")
    axes = four_panels(fig)
    every = [v for part in contributions.values() for v in part.values()]
    unit = money_unit(every)
    for ax, key, title in zip(axes, ("sector", "instrument", "financier", "project"),
                              ("By sector", "By instrument", "By financier", "By project (largest)")):
        bar_breakdown(ax, contributions.get(key, {}), title=title, total=risk.cvar, unit=unit, colour=CVAR_COLOUR,
                      share_of="CVaR")


@briefing
def plot_stress(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Change of expected NPV and of CVaR under each stress test, against the baseline."""
    if run is None:
        note(fig, "No results yet: press Run.")
        return
    stress = list(run.stress or ())
    if not stress:
        note(fig, "No stress tests in this run.\nAdd risk events to the scenario (or turn stress tests on) "
                  "and run again.")
        return
    npv = npv_label(run.risk.discount_rate)
    names = [s.name for s in stress]
    d_pnl = np.array([s.expected_pnl_change for s in stress], dtype=float)
    d_cvar = np.array([s.cvar_change for s in stress], dtype=float)
    divisor, unit = money_unit([*d_pnl, *d_cvar])
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(names))
    axes[0].barh(y, d_pnl / divisor, color=[LOSS if v < 0 else GAIN for v in d_pnl], height=0.65)
    axes[1].barh(y, d_cvar / divisor, color=[LOSS if v > 0 else GAIN for v in d_cvar], height=0.65)
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    for ax, vals, title in ((axes[0], d_pnl, f"Change of expected {npv}"), (axes[1], d_cvar, "Change of CVaR")):
        ax.axvline(0, color=NEUTRAL, linewidth=0.8)
        ax.set_title(title)
        ax.set_xlabel(unit)
        ax.xaxis.set_major_formatter(money_formatter(divisor))
        ax.grid(axis="y", visible=False)
        label_signed_bars(ax, y, vals, unit, divisor)
        lo, hi = ax.get_xlim()
        pad = 0.25 * (hi - lo)
        ax.set_xlim(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0))
    fig.suptitle(f"Stress tests against the baseline (expected {npv} {fmt_money(run.risk.expected_pnl)}, "
                 f"CVaR {fmt_money(run.risk.cvar)})")


@briefing
def plot_tornado(fig: Figure, run: RunResult | None, **_: Any) -> None:
    """Tornado: expected NPV and CVaR when each input moves down and up (largest swing on top)."""
    if run is None:
        note(fig, "No results yet: press Run.")
        return
    bars = list(run.tornado or ())
    if not bars:
        note(fig, "No sensitivity analysis in this run.\nTurn the tornado on in the run options and run again.")
        return
    npv = npv_label(run.risk.discount_rate)
    axes = fig.subplots(1, 2, sharey=True)
    swing = np.array([abs(b.expected_pnl_high - b.expected_pnl_low) + abs(b.cvar_high - b.cvar_low) * 1e-9
                      for b in bars])
    order = np.argsort(-swing, kind="stable")[:TORNADO_BARS]
    for ax, base_name, low_name, high_name, title in (
            (axes[0], "base_expected_pnl", "expected_pnl_low", "expected_pnl_high", f"Expected {npv}"),
            (axes[1], "base_cvar", "cvar_low", "cvar_high", "CVaR")):
        tornado_axes(ax, bars, base_name, low_name, high_name, title, order=order)
    axes[1].tick_params(axis="y", left=False, labelleft=False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
    fig.suptitle(f"Sensitivity: each input moved down and up ({min(len(bars), TORNADO_BARS)} largest of "
                 f"{len(bars)})")


def tornado_axes(ax: Axes, bars: list[TornadoBar], base_name: str, low_name: str, high_name: str, title: str,
                 order: np.ndarray | None = None) -> None:
    """Bars from the base value to the value with the input down and up, in ``order`` (largest swing first)."""
    base = float(getattr(bars[0], base_name))
    low = np.array([getattr(b, low_name) for b in bars], dtype=float)
    high = np.array([getattr(b, high_name) for b in bars], dtype=float)
    if order is None:
        order = np.argsort(-np.abs(high - low), kind="stable")[:TORNADO_BARS]
    divisor, unit = money_unit([base, *low, *high])
    y = np.arange(len(order))
    labels = [f"{bars[i].input} ({bars[i].step})" for i in order]
    ax.barh(y, (low[order] - base) / divisor, left=base / divisor, color=PALETTE[1], height=0.65, label="Input down")
    ax.barh(y, (high[order] - base) / divisor, left=base / divisor, color=PALETTE[0], height=0.65, label="Input up")
    ax.axvline(base / divisor, color="black", linewidth=1)
    ax.set_yticks(y, labels)
    if not ax.yaxis_inverted():
        ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(money_formatter(divisor))
    ax.set_xlabel(unit)
    ax.set_title(f"{title} (base {fmt_money(base, unit)})")


__all__ = ["distribution_axes", "fan_axes", "plot_contributions", "plot_distribution", "plot_fan", "plot_frontier",
           "plot_stress", "plot_tornado", "top_items", "tornado_axes"]
