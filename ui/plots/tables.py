"""The tables beside the plots, as plain rows (no Qt): ``name(run, **context) -> Rows``.

Money columns are USD m with thousands separators (the column header says so), shares
are percentages; the Qt side (:mod:`ui.results_table`) only displays and sorts them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ui.plots.figures import KINDS, key_differences
from ui.plots.style import fmt_number
from workbench import figures as kf
from workbench.text import ordinal

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.scenario import Scenario


@dataclass(frozen=True)
class Rows:
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]   # cells of mixed kinds (text, numbers), as in the core's figures.Table
    decimals: tuple[int, ...] = ()
    tooltips: tuple[str, ...] = field(default_factory=tuple)


EMPTY = Rows(("",), ())


def _rows(headers: Sequence[str], rows: Sequence[Sequence[Any]], decimals: Sequence[int] | None = None,
          tooltips: Sequence[str] = ()) -> Rows:
    return Rows(tuple(headers), tuple(tuple(r) for r in rows),
                tuple(decimals) if decimals is not None else (0,) * len(headers), tuple(tooltips))


def _show(value: float, kind: str) -> str:
    """A key figure's value as the core writes it (:func:`workbench.figures.format_value`)."""
    return kf.format_value(value, UNITS.get(kind, kf.JOBS))


#: Unit in :mod:`workbench.figures` of each plot kind (the inverse of ``ui.plots.figures.KINDS``).
UNITS = {kind: unit for unit, kind in KINDS.items()}


#: A column header longer than this goes on several lines (the words as the core writes them).
HEADER_LINE = 10


def from_core(table: kf.Table, *, drop: Sequence[str] = (), sort_by: str | None = None) -> Rows:
    """A core results table as displayed rows: fractions as percentages ("(%)" in the header), money in USD m;
    long headers on lines of at most :data:`HEADER_LINE` characters, so the column is as wide as its numbers."""
    keep = [i for i, c in enumerate(table.columns) if c.header not in drop]
    headers, decimals = [], []
    for i in keep:
        c = table.columns[i]
        header = f"{c.header} (%)" if c.unit == kf.FRACTION else c.header
        kept = re.sub(r"(USD|at) (\S+)( %| m\b)?", lambda m: m.group(0).replace(" ", "\u00a0"), header)  # units whole
        headers.append(textwrap.fill(kept, HEADER_LINE, break_long_words=False).replace("\u00a0", " "))
        decimals.append(1 if c.unit == kf.FRACTION else 0)
    rows = []
    for r in table.rows:
        out = []
        for i in keep:
            v = r[i]
            if table.columns[i].unit == kf.FRACTION and isinstance(v, (int, float)) and not isinstance(v, bool):
                v = 100.0 * v
            elif isinstance(v, bool):
                v = "yes" if v else "no"
            out.append(v)
        rows.append(tuple(out))
    tips = list(table.row_notes)
    if sort_by is not None:
        k = [h.replace("\n", " ") for h in headers].index(sort_by)
        order = sorted(range(len(rows)), key=lambda j: -rows[j][k])
        rows = [rows[j] for j in order]
        tips = [tips[j] for j in order] if tips else []
    return _rows(headers, rows, decimals, tips)


def key_figures_table(run: RunResult | None, **_: Any) -> Rows:
    """Every key figure of the core (value with its band), its definition as the row's tooltip; then the run's facts."""
    if run is None:
        return EMPTY
    figs = kf.key_figures(run)
    rows = [(f.label, f.text()) for f in figs]
    tips = [f.definition for f in figs]
    rule = getattr(run, "stop_rule", None)
    trials = fmt_number(run.trials)
    trials_tip = "Monte Carlo trials behind every figure above."
    if rule is not None:   # the scenario's CVaR precision (or --precision) chose them
        trials += (f" (stop rule: CVaR relative SE {100 * rule.relative_se:.2f} %, target {100 * rule.precision:g} %"
                   + (")" if rule.reached else f", not reached within {rule.max_trials:,})"))
        trials_tip += " " + rule.describe()
    rows += [("Method", f"{run.allocation.method} ({run.allocation.status})"), ("Trials", trials),
             ("Seed", str(run.seed))]
    tips += ["The allocation method and what its solver reports.",
             trials_tip, "The random seed: the same seed gives the same numbers."]
    return _rows(("Key figure", "Value"), rows, tooltips=tips)


def allocation_note(run: RunResult | None, **_: Any) -> str:
    """Why less than the programme size is allocated ("" when all of it is)."""
    return "" if run is None else kf.allocation_explanation(run)


def tornado_note(run: RunResult | None, **_: Any) -> str:
    return "" if run is None else kf.tornado_note(run)


def allocation_by_project(run: RunResult | None, *, scenario: Scenario | None = None, **_: Any) -> Rows:
    """Every project with its allocation (and, given the scenario, its name, sector, instrument and request)."""
    if run is None:
        return EMPTY
    return from_core(kf.allocation_table(run, "project", scenario), sort_by="Allocated (USD m)")


def allocation_by_state(run: RunResult | None, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    return from_core(kf.allocation_table(run, "state"), sort_by="Allocated (USD m)")


def percentiles(run: RunResult | None, *, other: RunResult | None = None, label: str = "Current",
                other_label: str = "Other", **_: Any) -> Rows:
    if run is None:
        return EMPTY
    npv = kf.npv_name(run)
    p = run.risk.percentiles
    if other is None:
        return _rows(("Percentile", f"{npv} (USD m)"), [(ordinal(q), float(v)) for q, v in sorted(p.items())])
    q2 = other.risk.percentiles
    rows = [(ordinal(q), float(v), float(q2.get(q, float("nan"))), float(v) - float(q2.get(q, float("nan"))))
            for q, v in sorted(p.items())]
    return _rows(("Percentile", f"{label}: {npv} (USD m)", f"{other_label} (USD m)", "Difference (USD m)"), rows)


def fan_table(run: RunResult | None, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    fan = run.risk.fan
    pct = list(fan.percentiles)
    headers = ["Year", *(f"P{q} (USD m)" for q in pct), "Mean (USD m)", "Cash invested (USD m)"]
    rows = []
    for j, year in enumerate(fan.years):
        rows.append((str(year), *(float(fan.values[i][j]) for i in range(len(pct))), float(fan.mean[j]),
                     float(fan.invested[j])))
    return _rows(headers, rows)


def frontier_table(run: RunResult | None, **_: Any) -> Rows:
    if run is None or run.frontier is None:
        return EMPTY
    rows: list[tuple[int | str, float, float, float]] = [(i + 1, p.expected_pnl, p.cvar, p.std)
                                                        for i, p in enumerate(run.frontier.points)]
    rows.append(("Current", run.risk.expected_pnl, run.risk.cvar, run.risk.std))
    return _rows(("Point", f"Expected {kf.npv_name(run)} (USD m)", "CVaR (USD m)", "Std (USD m)"), rows)


def contributions_table(run: RunResult | None, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    rows = []
    for by in ("sector", "instrument", "financier", "project"):
        t = kf.contributions_table(run, by)
        rows += [(by.capitalize(), name, v, 100.0 * share) for name, v, share in t.rows]
    return _rows(("By", "Name", "Contribution (USD m)", "Share of CVaR (%)"), rows, (0, 0, 0, 1))


def stress_table(run: RunResult | None, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    return from_core(kf.stress_table(run), drop=("What happens", "User-defined"))


def tornado_table(run: RunResult | None, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    t = kf.tornado_table(run)
    return from_core(t, drop=("Low value", "Base value", "High value", t.columns[5].header, "Baseline CVaR (USD m)"))


def impact_table(run: RunResult | None, **_: Any) -> Rows:
    if run is None or run.impact is None:
        return EMPTY
    rows = []
    for by in ("sector", "state"):
        rows += [(by.capitalize(), *r) for r in kf.impact_table(run, by).rows]
    return _rows(("By", "Name", "Allocated (USD m)", "Jobs", "Value added (USD m)"), rows)


def compare_table(run: RunResult | None, *, other: RunResult | None = None, label: str = "Current",
                  other_label: str = "Other", **_: Any) -> Rows:
    if run is None or other is None:
        return EMPTY
    rows = [(name, _show(a, kind), _show(b, kind), _show(d, kind) if kind not in ("share", "rate") else
             f"{fmt_number(100 * d, 1 if kind == 'share' else 2)} points") for name, a, b, d, kind in
            key_differences(run, other)]
    return _rows(("Key figure", label, other_label, "Difference"), rows)
