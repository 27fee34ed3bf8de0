"""The tables beside the plots, as plain rows (no Qt): ``name(run, **context) -> Rows``.

Money columns are USD m with thousands separators (the column header says so), shares
are percentages; the Qt side (:mod:`ui.results_table`) only displays and sorts them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ui.plots.figures import key_differences, key_figures
from ui.plots.style import fmt_money, fmt_number, fmt_percent


@dataclass(frozen=True)
class Rows:
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    decimals: tuple[int, ...] = ()
    tooltips: tuple[str, ...] = field(default_factory=tuple)


EMPTY = Rows(("",), ())


def _rows(headers: Sequence[str], rows: Sequence[Sequence[Any]], decimals: Sequence[int] | None = None,
          tooltips: Sequence[str] = ()) -> Rows:
    return Rows(tuple(headers), tuple(tuple(r) for r in rows),
                tuple(decimals) if decimals is not None else (0,) * len(headers), tuple(tooltips))


def _show(value: float, kind: str) -> str:
    if kind == "money":
        return fmt_money(value)
    if kind == "share":
        return fmt_percent(value)
    return fmt_number(value)


def key_figures_table(run: Any, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    risk = run.risk
    rows = [(name, _show(value, kind)) for name, value, kind in key_figures(run)]
    mc = risk.mc_error
    rows += [
        ("Standard error of expected P&L", fmt_money(mc.expected_pnl_se)),
        (f"CVaR {fmt_percent(mc.level, 0)} band", f"{fmt_money(mc.cvar_ci[0])} to {fmt_money(mc.cvar_ci[1])}"),
        ("Guarantees: expected payout", fmt_money(risk.guarantees.expected_payout)),
        ("Guarantees: probability of a payout", fmt_percent(risk.guarantees.probability_of_payout)),
        ("Method", f"{run.allocation.method} ({run.allocation.status})"),
        ("Trials", fmt_number(run.trials)),
        ("Seed", str(run.seed)),
    ]
    return _rows(("Key figure", "Value"), rows)





def allocation_by_project(run: Any, *, scenario: Any = None, **_: Any) -> Rows:
    """Every project with its allocation (and, given the scenario, its name, sector, instrument and request)."""
    if run is None:
        return EMPTY
    amounts = run.allocation.amounts
    total = run.allocation.total or 1.0
    info: dict[str, dict[str, Any]] = {}
    if scenario is not None:
        frame = scenario.projects
        cols = [c for c in ("ID", "Project", "Sector", "Instrument", "Financier", "State", "Requested (USD m)")
                if c in frame.columns]
        for rec in frame[cols].to_dict("records"):
            info[str(rec["ID"])] = rec
    expected = getattr(run.risk, "expected_by_project", {}) or {}
    contrib = getattr(run.risk, "contributions", {}).get("project", {})
    headers = ["ID", "Project", "Sector", "Instrument", "Financier", "State", "Requested (USD m)",
               "Allocated (USD m)", "Share (%)", "Expected P&L (USD m)", "CVaR contribution (USD m)"]
    rows = []
    for pid, amount in amounts.items():
        rec = info.get(str(pid), {})
        requested = rec.get("Requested (USD m)")
        rows.append((str(pid), rec.get("Project") or "", rec.get("Sector") or "", rec.get("Instrument") or "",
                     rec.get("Financier") or "", rec.get("State") or "",
                     float(requested) if requested is not None else None, float(amount), 100.0 * amount / total,
                     float(expected.get(pid, float("nan"))), float(contrib.get(pid, float("nan")))))
    rows.sort(key=lambda r: -r[7])
    return _rows(headers, rows, (0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0))


def allocation_by_state(run: Any, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    total = run.allocation.total or 1.0
    jobs = {r.name: r.jobs for r in run.impact.by_state} if run.impact is not None else {}
    rows = sorted(((s, v, 100.0 * v / total, jobs.get(s, float("nan"))) for s, v in run.allocation.by_state.items()
                   if v > 0), key=lambda r: -r[1])
    return _rows(("State", "Allocated (USD m)", "Share (%)", "Jobs"), rows, (0, 0, 1, 0))


def percentiles(run: Any, *, other: Any = None, label: str = "Current", other_label: str = "Other", **_: Any) -> Rows:
    if run is None:
        return EMPTY
    p = run.risk.percentiles
    if other is None:
        return _rows(("Percentile", "P&L (USD m)"), [(f"{q}th", float(v)) for q, v in sorted(p.items())])
    q2 = other.risk.percentiles
    rows = [(f"{q}th", float(v), float(q2.get(q, float("nan"))), float(v) - float(q2.get(q, float("nan"))))
            for q, v in sorted(p.items())]
    return _rows(("Percentile", f"{label} (USD m)", f"{other_label} (USD m)", "Difference (USD m)"), rows)


def fan_table(run: Any, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    fan = run.risk.fan
    pct = list(fan.percentiles)
    headers = ["Year", *(f"P{q} (USD m)" for q in pct), "Mean (USD m)", "Invested (USD m)"]
    rows = []
    for j, year in enumerate(fan.years):
        rows.append((str(year), *(float(fan.values[i][j]) for i in range(len(pct))), float(fan.mean[j]),
                     float(fan.invested[j])))
    return _rows(headers, rows)


def frontier_table(run: Any, **_: Any) -> Rows:
    if run is None or run.frontier is None:
        return EMPTY
    rows = [(i + 1, p.expected_pnl, p.cvar, p.std) for i, p in enumerate(run.frontier.points)]
    rows.append(("Current", run.risk.expected_pnl, run.risk.cvar, run.risk.std))
    return _rows(("Point", "Expected P&L (USD m)", "CVaR (USD m)", "Std (USD m)"), rows)


def contributions_table(run: Any, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    cvar = run.risk.cvar or 1.0
    rows = []
    for by in ("sector", "instrument", "financier", "project"):
        for name, v in sorted(run.risk.contributions.get(by, {}).items(), key=lambda kv: -kv[1]):
            rows.append((by.capitalize(), str(name), float(v), 100.0 * v / cvar))
    return _rows(("By", "Name", "Contribution (USD m)", "Share of CVaR (%)"), rows, (0, 0, 0, 1))


def stress_table(run: Any, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    rows = [(s.name, s.expected_pnl, s.expected_pnl_change, s.cvar, s.cvar_change, 100.0 * s.prob_loss)
            for s in run.stress]
    tips = [s.description for s in run.stress]
    return _rows(("Stress test", "Expected P&L (USD m)", "Change (USD m)", "CVaR (USD m)", "CVaR change (USD m)",
                  "Prob. of loss (%)"), rows, (0, 0, 0, 0, 0, 1), tips)


def tornado_table(run: Any, **_: Any) -> Rows:
    if run is None:
        return EMPTY
    rows = [(b.input, b.step, b.expected_pnl_low - b.base_expected_pnl, b.expected_pnl_high - b.base_expected_pnl,
             b.cvar_low - b.base_cvar, b.cvar_high - b.base_cvar) for b in run.tornado]
    rows.sort(key=lambda r: -abs(r[3] - r[2]))
    return _rows(("Input", "Step", "Exp. P&L down (USD m)", "Exp. P&L up (USD m)", "CVaR down (USD m)",
                  "CVaR up (USD m)"), rows)


def impact_table(run: Any, **_: Any) -> Rows:
    if run is None or run.impact is None:
        return EMPTY
    rows = []
    for by, items in (("Sector", run.impact.by_sector), ("State", run.impact.by_state)):
        rows += [(by, r.name, r.amount, r.jobs, r.value_added) for r in items]
    return _rows(("By", "Name", "Allocated (USD m)", "Jobs", "Value added (USD m)"), rows)


def compare_table(run: Any, *, other: Any = None, label: str = "Current", other_label: str = "Other",
                  **_: Any) -> Rows:
    if run is None or other is None:
        return EMPTY
    rows = [(name, _show(a, kind), _show(b, kind), _show(d, kind) if kind != "share" else
             f"{fmt_number(100 * d, 1)} points") for name, a, b, d, kind in key_differences(run, other)]
    return _rows(("Key figure", label, other_label, "Difference"), rows)
