"""What-if plots: a criterion against one input with its crossing (switching values, goal seek),
robust allocations across the stress tests, and Sobol indices beside the tornado.

Pure matplotlib over the core's what-if results (``workbench.whatif.tasks``); each function
draws on the figure it is given, like :mod:`ui.plots.figures`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from ui.plots.style import (
    GAIN,
    LOSS,
    NEUTRAL,
    PALETTE,
    colours,
    fmt_money,
    money_formatter,
    money_unit,
    percent_formatter,
)
from ui.plots.tools import briefing, note
from workbench.figures import npv_label
from workbench.whatif.vocabulary import GENERIC_NPV

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

    from workbench.whatif.switching import Crossing
    from workbench.whatif.tasks import RobustComparison, SeekReport, SobolReport, SwitchingReport

    WhatIfReport = SwitchingReport | SeekReport | RobustComparison | SobolReport

#: Inputs shown in the Sobol plot (largest tornado swing first); the table lists them all.
SOBOL_BARS = 15


def _value_axis(axis: Axis, unit: str, values: list[float]) -> tuple[float, str]:
    """Format ``axis`` for values in ``unit`` ("fraction", "probability", "USD m"); returns (divisor, label)."""
    if unit in ("fraction", "probability", "share"):
        axis.set_major_formatter(percent_formatter(1))
        return 1.0, "%"
    divisor, money = money_unit([v for v in values if math.isfinite(v)] or [0.0])
    axis.set_major_formatter(money_formatter(divisor))
    return divisor, money


def crossing_axes(ax: Axes, crossing: Crossing, *, statistic_unit: str, target_op: str | None = None) -> float:
    """The criterion along the input (with its Monte Carlo 95 % band), the threshold, the scenario's value
    and the crossing with its band. Returns the divisor of the input's axis."""
    inp = crossing.input
    pts = list(crossing.curve)
    xs = np.array([p.value for p in pts], float)
    ys = np.array([p.statistic for p in pts], float)
    se = np.array([p.se for p in pts], float)
    allocation = crossing.criterion == "allocation"
    y_unit = "share" if allocation else statistic_unit
    x_div, x_label = _value_axis(ax.xaxis, inp.unit, [*xs, inp.value])
    y_div, y_label = _value_axis(ax.yaxis, y_unit, [*ys, crossing.threshold])
    if len(xs):
        style: dict[str, Any] = dict(drawstyle="steps-post") if allocation else {}   # matplotlib keywords
        ax.plot(xs / x_div, ys / y_div, "o-", color=GAIN, markersize=3.5, linewidth=1.5,
                label="Largest move of a project (share of the programme)" if allocation else crossing.criterion_label,
                **style)
        ok = np.isfinite(se)
        if ok.any() and not allocation:
            ax.fill_between(xs[ok] / x_div, (ys[ok] - 1.96 * se[ok]) / y_div, (ys[ok] + 1.96 * se[ok]) / y_div,
                            color=GAIN, alpha=0.15, linewidth=0, label="Monte Carlo 95 % band")
    ax.axhline(crossing.threshold / y_div, color=LOSS, linewidth=1.2, linestyle="--",
               label=("Change threshold" if allocation else
                      f"Target ({target_op} {_fmt(crossing.threshold, statistic_unit)})" if target_op else
                      f"Threshold ({_fmt(crossing.threshold, statistic_unit)})"))
    ax.axvline(inp.value / x_div, color=NEUTRAL, linewidth=1, linestyle=":",
               label=f"Scenario's value ({_fmt(inp.value, inp.unit)})")
    if crossing.value is not None:
        ax.axvline(crossing.value / x_div, color="black", linewidth=1.4,
                   label=f"Crossing at {_fmt(crossing.value, inp.unit)}")
        band = crossing.band()
        if band is not None:
            ax.axvspan(band[0] / x_div, band[1] / x_div, color="black", alpha=0.12, linewidth=0,
                       label="Crossing's 95 % band")
        if getattr(crossing, "other_side", None) is not None:
            ax.axvline(crossing.other_side / x_div, color="black", linewidth=1, linestyle="-.",
                       label=f"Change on the other side at {_fmt(crossing.other_side, inp.unit)}")
    else:
        ax.text(0.5, 0.95, "None within the range", transform=ax.transAxes, ha="center", va="top", color=LOSS,
                fontweight="bold")
    ax.set_xlabel(f"{inp.name} ({x_label})")
    ax.set_ylabel("Largest move (share of the programme)" if allocation else
                  crossing.criterion_label.replace("USD m", y_label))
    ax.legend(loc="best", fontsize="small")
    return x_div


def _fmt(v: float, unit: str) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    if unit in ("fraction", "probability", "share"):
        return f"{100 * v:.2f} %"
    return fmt_money(v)


@briefing
def plot_switching(fig: Figure, report: SwitchingReport | None = None, *, selected: int = 0, **_: Any) -> None:
    """The selected input's criterion curve with its switching value."""
    if report is None or not report.crossings:
        note(fig, "No switching values yet: choose the inputs and the criterion, then press Run.")
        return
    c = report.crossings[min(max(selected, 0), len(report.crossings) - 1)]
    ax = fig.subplots()
    unit = "probability" if c.criterion == "p-loss" else "USD m"
    crossing_axes(ax, c, statistic_unit=unit)
    what = "the allocation changes" if c.criterion == "allocation" else \
        f"{c.criterion_label} = {_fmt(c.threshold, unit)}"
    fig.suptitle(f"Switching value of {c.input.name}: where {what} ({report.trials:,} trials, common random "
                 f"numbers)")


@briefing
def plot_seek(fig: Figure, report: SeekReport | None = None, **_: Any) -> None:
    """Goal seek: the statistic along the input, the target, and the boundary value."""
    if report is None:
        note(fig, "No answer yet: choose the input and the target, then press Run.")
        return
    res = report.result
    ax = fig.subplots()
    unit = res.target.statistic.unit
    div = crossing_axes(ax, res.crossing, statistic_unit=unit, target_op=res.target.op)
    xs = [p.value for p in res.crossing.curve]
    if res.answer is not None and xs:
        lo, hi = (res.answer, max(xs)) if res.holds_when == ">=" else (min(xs), res.answer)
        ax.axvspan(lo / div, hi / div, color=PALETTE[2], alpha=0.08, linewidth=0, label="Target holds")
        ax.legend(loc="best", fontsize="small")
    head = (f"Goal seek: {res.target.describe(report.confidence, measure_rate(report))}" if res.reachable
            else "Goal seek: the target cannot be reached within the input's valid range")
    fig.suptitle(f"{head} ({report.trials:,} trials, common random numbers)")


@briefing
def plot_robust(fig: Figure, comp: RobustComparison | None = None, **_: Any) -> None:
    """Each allocation's expected NPV in every stress (left) and its largest regret (right)."""
    if comp is None:
        note(fig, "No comparison yet: press Run.")
        return
    left, right = fig.subplots(1, 2, width_ratios=(3, 1))
    k, a = len(comp.scenarios), len(comp.allocations)
    cvar = getattr(comp, "measure", "expected") == "cvar"
    outcome = comp.cvar if cvar else comp.pnl
    divisor, unit = money_unit(list(outcome.ravel()) + list(comp.max_regret))
    y = np.arange(k)
    height = 0.8 / max(a, 1)
    cols = colours(a)
    for i, name in enumerate(comp.allocations):
        left.barh(y + (i - (a - 1) / 2) * height, outcome[i] / divisor, height=height, color=cols[i], label=name)
    left.scatter(comp.best / divisor, y, marker="|", s=160, color="black", zorder=3,
                 label=("Smallest CVaR any allocation gets in that stress" if cvar
                        else "Best any allocation gets in that stress"))
    left.set_yticks(y, list(comp.scenarios), fontsize="small")
    left.invert_yaxis()
    left.axvline(0, color="black", linewidth=0.8)
    left.xaxis.set_major_formatter(money_formatter(divisor))
    npv = measure_name(comp)
    left.set_xlabel(f"CVaR {100 * comp.confidence:g} % of {npv} ({unit}, first {comp.cvar_trials:,} fitting trials)"
                    if cvar else f"Expected {npv} ({unit}, fitting sample)")
    left.set_title("Outcome in every stress")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 5), fontsize="small")
    yb = np.arange(a)
    right.barh(yb, comp.max_regret / divisor, color=cols, height=0.6)
    right.set_yticks(yb, list(comp.allocations), fontsize="small")
    right.invert_yaxis()
    right.xaxis.set_major_formatter(money_formatter(divisor))
    right.set_xlabel(unit)
    right.set_title("Largest regret of CVaR" if cvar else f"Largest regret of expected {npv}", fontsize="small")
    fig.suptitle(f"Allocations across the baseline and {k - 1} stress tests ({comp.trials:,} trials, the same draws "
                 "in every stress)")


@briefing
def plot_sobol(fig: Figure, report: SobolReport | None = None, **_: Any) -> None:
    """The tornado's swings (left) beside the Sobol indices (right), inputs in the tornado's order; the
    inputs ranked differently by the two are marked."""
    if report is None:
        note(fig, "No indices yet: choose the statistic, then press Run.")
        return
    res = report.sobol
    by_name = {i.name: i for i in res.inputs}
    names = [n for n in report.tornado_order if n in by_name][:SOBOL_BARS]
    if not names:
        note(fig, "The tornado varies no input that changes the risk model.")
        return
    cvar = res.statistic in ("cvar", "var")
    bars = {b.input: b for b in report.tornado}
    swing = np.array([bars[n].cvar_swing if cvar else bars[n].expected_pnl_swing for n in names])
    left, right = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(names))
    divisor, unit = money_unit(list(swing))
    differs = report.differences
    colour = [LOSS if n in differs else GAIN for n in names]
    left.barh(y, swing / divisor, color=colour, height=0.6)
    left.set_yticks(y, names, fontsize="small")
    for t, n in zip(left.get_yticklabels(), names):
        if n in differs:
            t.set_color(LOSS)
    left.invert_yaxis()
    left.xaxis.set_major_formatter(money_formatter(divisor))
    left.set_xlabel(unit)
    left.set_title(f"Tornado swing of {'CVaR' if cvar else 'expected'} {measure_name(report)}", fontsize="small")
    first = np.array([by_name[n].first for n in names])
    total = np.array([by_name[n].total for n in names])
    t_err = np.array([[by_name[n].total - by_name[n].total_ci[0], by_name[n].total_ci[1] - by_name[n].total]
                      for n in names]).T.clip(min=0)
    f_err = np.array([[by_name[n].first - by_name[n].first_ci[0], by_name[n].first_ci[1] - by_name[n].first]
                      for n in names]).T.clip(min=0)
    right.barh(y - 0.17, total, height=0.32, color=PALETTE[0], xerr=t_err, capsize=2, label="Total index")
    right.barh(y + 0.17, first, height=0.32, color=PALETTE[1], xerr=f_err, capsize=2, label="First-order index")
    for k, n in enumerate(names):
        if n in differs:
            right.text(max(total[k] + t_err[1, k], first[k] + f_err[1, k]) + 0.01, y[k],
                       f"tornado #{differs[n][0]}, Sobol #{differs[n][1]}", va="center", fontsize="x-small",
                       color=LOSS)
    right.set_xlim(0, max(1.0, float(np.max(total + t_err[1])) + 0.3))
    right.tick_params(axis="y", left=False, labelleft=False)
    right.set_xlabel("Share of the variance (95 % bootstrap interval)")
    right.set_title("Sobol indices")
    right.legend(loc="lower right", fontsize="small")
    flagged = sum(1 for n in names if n in differs)
    fig.suptitle(f"Global sensitivity of {res.statistic_label} beside the tornado: {flagged} of {len(names)} inputs "
                 "ranked differently (red)")


def measure_rate(report: WhatIfReport) -> float | None:
    """The discount rate a what-if report's NPV is at (None when it does not say)."""
    rate = float(getattr(report, "discount_rate", float("nan")))
    return rate if rate == rate else None


def measure_name(report: WhatIfReport) -> str:
    """The measure of a what-if report, from the results vocabulary: "NPV at 5 %"."""
    rate = measure_rate(report)
    return npv_label(rate) if rate is not None else GENERIC_NPV


__all__ = ["crossing_axes", "measure_name", "measure_rate", "plot_robust", "plot_seek", "plot_sobol", "plot_switching"]
