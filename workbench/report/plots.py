"""The briefing's plots: plain matplotlib on a Figure it is given (no pyplot, no GUI).

Each plot names its measure and unit, as the rest of the briefing does. Amounts are in
USD bn (the programme is hundreds of billions); values on the plots come from the run's
result objects and the labels from :mod:`workbench.figures`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from workbench import figures as kf

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    from workbench.results import RunResult

RC: dict[RcKeyType, Any] = {"font.size": 8.5, "axes.titlesize": 9.5, "axes.titleweight": "bold", "axes.labelsize": 8.5,
      "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.fontsize": 7.5, "legend.frameon": False,
      "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#dddddd",
      "grid.linewidth": 0.6, "axes.axisbelow": True, "font.family": "DejaVu Sans", "pdf.fonttype": 42,
      "svg.fonttype": "none"}
BLUE, ORANGE, GREEN, RED, GREY = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#7f7f7f"
BN = 1000.0


def render_png(draw: Callable[[Figure], None], width_in: float, aspect: float, dpi: int = 200) -> bytes:
    """``draw(fig)`` on a new figure ``width_in`` wide, as PNG bytes at ``dpi`` (metadata without a date,
    so the same run gives the same bytes)."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with mpl.rc_context(RC):
        fig = Figure(figsize=(width_in, width_in * aspect), layout="constrained")
        FigureCanvasAgg(fig)
        draw(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _bn(ax: Axes) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x:,.0f}"))


def labelled_bars(ax: Axes, labels: list[str], values: npt.NDArray[np.float64], *, colour: str, title: str,
                  xlabel: str, fmt: Callable[[float], str], fontsize: float, height: float = 0.62,
                  gid: str | None = None) -> None:
    """Horizontal bars, first label on top, each bar's value written at its end (the briefing's and the app's
    bar charts)."""
    y = np.arange(len(labels))
    ax.barh(y, values, color=colour, height=height)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    for yi, v in zip(y, values, strict=True):
        ax.annotate(fmt(float(v)), (v, yi), xytext=(3, 0), textcoords="offset points", va="center",
                    fontsize=fontsize, gid=gid)


def _hbars(ax: Axes, items: list[tuple[str, float]], colour: str, title: str, xlabel: str) -> None:
    vals = np.array([v for _, v in items], dtype=float) / BN
    labelled_bars(ax, [k for k, _ in items], vals, colour=colour, title=title, xlabel=xlabel,
                  fmt=lambda v: f"{v:,.1f}", fontsize=7.5)
    lo, hi = ax.get_xlim()
    ax.set_xlim(min(lo, 0), hi + 0.15 * (hi - min(lo, 0)))


def allocation(fig: Figure, run: RunResult) -> None:
    a = run.allocation
    axes = fig.subplots(1, 2)
    for ax, values, title in ((axes[0], a.by_sector, "By sector"), (axes[1], a.by_financier, "By financier")):
        items = sorted(((k, v) for k, v in values.items() if v > 0), key=lambda kv: -kv[1])
        _hbars(ax, items, BLUE, title, "Committed (USD bn)")


def distribution(fig: Figure, run: RunResult) -> None:
    r = run.risk
    npv = kf.npv_name(run)
    ax = fig.add_subplot()
    edges = np.asarray(r.histogram_edges, dtype=float) / BN
    counts = np.asarray(r.histogram_counts, dtype=float)
    widths = np.diff(edges)
    density = counts / max(counts.sum(), 1.0) / np.where(widths > 0, widths, 1.0)
    centres = (edges[:-1] + edges[1:]) / 2
    tail = centres <= -r.var / BN
    ax.bar(edges[:-1], density, width=widths, align="edge", color=BLUE, alpha=0.55, linewidth=0, label=npv)
    ax.bar(edges[:-1][tail], density[tail], width=widths[tail], align="edge", color=RED, alpha=0.75, linewidth=0,
           label=f"worst {kf.pct(1 - r.confidence)} of trials")
    c = kf.pct(r.confidence)
    for value, name, col in ((-r.var, f"VaR {c}: loss of {kf.format_value(r.var, kf.USD_M)}", ORANGE),
                             (-r.cvar, f"CVaR {c}: loss of {kf.format_value(r.cvar, kf.USD_M)}", RED),
                             (r.expected_pnl, f"Expected {npv}: {kf.format_value(r.expected_pnl, kf.USD_M)}", GREEN)):
        ax.axvline(value / BN, color=col, linestyle="--", linewidth=1.4, label=name)
    q = np.asarray(r.quantiles, dtype=float) / BN
    n = len(q) - 1
    lo = min(float(q[round(0.002 * n)]), -r.cvar / BN, 0.0)
    hi = max(float(q[round(0.998 * n)]), r.expected_pnl / BN, 0.0)
    pad = 0.04 * (hi - lo or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.axvline(0, color=GREY, linewidth=0.8)
    _bn(ax)
    ax.set_xlabel(f"{npv} over the horizon (USD bn)")
    ax.set_ylabel("Probability density (per USD bn)")
    ax.set_title(f"Distribution of the programme's {npv} ({r.trials:,} trials)")
    ax.legend(loc="upper right")


def fan(fig: Figure, run: RunResult) -> None:
    f = run.risk.fan
    ax = fig.add_subplot()
    values = np.asarray(f.values, dtype=float) / BN
    years = np.asarray(f.years)
    rows = {p: values[i] for i, p in enumerate(f.percentiles)}
    if 5 in rows and 95 in rows:
        ax.fill_between(years, rows[5], rows[95], color=BLUE, alpha=0.18, linewidth=0, label="5th to 95th percentile")
    if 25 in rows and 75 in rows:
        ax.fill_between(years, rows[25], rows[75], color=BLUE, alpha=0.35, linewidth=0,
                        label="25th to 75th percentile")
    if 50 in rows:
        ax.plot(years, rows[50], color=BLUE, linewidth=2, label="Median")
    ax.plot(years, np.asarray(f.mean) / BN, color=GREEN, linestyle="--", linewidth=1.4, label="Mean")
    ax.step(years, np.asarray(f.invested) / BN, where="mid", color=GREY, linewidth=1.2, label="Capital invested")
    ax.set_xticks(years[:: max(1, len(years) // 6)])
    ax.set_ylabel("Portfolio value at year-end (USD bn)")
    ax.set_title("Portfolio value by year (undiscounted)")
    ax.legend(loc="upper left")


def contributions(fig: Figure, run: RunResult) -> None:
    r = run.risk
    axes = fig.subplots(1, 2)
    for ax, key, title in ((axes[0], "sector", "By sector"), (axes[1], "financier", "By financier")):
        items = sorted(r.contributions.get(key, {}).items(), key=lambda kv: -kv[1])
        _hbars(ax, items, RED, title, "Contribution to CVaR (USD bn)")
    fig.suptitle(f"Contributions to CVaR {kf.pct(r.confidence)} of {kf.format_value(r.cvar, kf.USD_M)} "
                 "(losses positive; they add up to CVaR)", fontsize=9.5, fontweight="bold")


def stress(fig: Figure, run: RunResult) -> None:
    s = list(run.stress)
    npv = kf.npv_name(run)
    names = [x.name for x in s]
    d_pnl = np.array([x.expected_pnl_change for x in s], dtype=float) / BN
    d_cvar = np.array([x.cvar_change for x in s], dtype=float) / BN
    axes = fig.subplots(1, 2, sharey=True)
    y = np.arange(len(names))
    axes[0].barh(y, d_pnl, color=[RED if v < 0 else BLUE for v in d_pnl], height=0.62)
    axes[1].barh(y, d_cvar, color=[RED if v > 0 else BLUE for v in d_cvar], height=0.62)
    axes[0].set_yticks(y, names)
    axes[0].invert_yaxis()
    for ax, title in ((axes[0], f"Change of expected {npv}"), (axes[1], "Change of CVaR")):
        ax.axvline(0, color=GREY, linewidth=0.8)
        ax.set_title(title)
        ax.set_xlabel("USD bn")
        ax.grid(axis="y", visible=False)
        _bn(ax)


def tornado(fig: Figure, run: RunResult, most: int = 10) -> None:
    bars = list(run.tornado)
    npv = kf.npv_name(run)
    swing = np.array([abs(b.expected_pnl_high - b.expected_pnl_low) for b in bars])
    order = np.argsort(-swing, kind="stable")[:most]
    axes = fig.subplots(1, 2, sharey=True)
    for ax, base_name, low_name, high_name, title in (
            (axes[0], "base_expected_pnl", "expected_pnl_low", "expected_pnl_high", f"Expected {npv}"),
            (axes[1], "base_cvar", "cvar_low", "cvar_high", "CVaR")):
        base = float(getattr(bars[0], base_name)) / BN
        low = np.array([getattr(b, low_name) for b in bars], dtype=float)[order] / BN
        high = np.array([getattr(b, high_name) for b in bars], dtype=float)[order] / BN
        y = np.arange(len(order))
        ax.barh(y, low - base, left=base, color=ORANGE, height=0.62, label="Input down")
        ax.barh(y, high - base, left=base, color=BLUE, height=0.62, label="Input up")
        ax.axvline(base, color="black", linewidth=1)
        ax.set_title(f"{title}\n(base USD {base:,.1f} bn)")
        ax.set_xlabel("USD bn")
        ax.grid(axis="y", visible=False)
        _bn(ax)
    axes[0].set_yticks(np.arange(len(order)), [f"{bars[i].input} ({bars[i].step})" for i in order], fontsize=7)
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)
