"""The results sheets of an exported workbook: Allocation, Risk summary, Distribution,
Stress tests, Impact and Charts (native Excel charts), read from a RunResult as
``docs/risk-model.md`` documents it. Ignored on import."""

from __future__ import annotations

import math
from typing import Any

from workbench.excel.style import COUNT, DECIMAL, MONEY, PERCENT, CellMaker

Row = list[Any]


class SheetWriter:
    """Appends titled tables to one write-only sheet; remembers where each table sits."""

    def __init__(self, wb, title: str, widths: dict[int, float]):
        self.ws = wb.create_sheet(title)
        self.mk = CellMaker(self.ws)
        self.mk.plan_widths([], fixed=widths)
        self.row = 0                         # rows written so far
        self.tables: dict[str, tuple[int, int, int]] = {}   # name -> (header row, first data row, last row)

    def blank(self) -> None:
        self.ws.append([])
        self.row += 1

    def title(self, text: str) -> None:
        self.ws.append([self.mk.title(text)])
        self.row += 1

    def table(self, name: str, header: list[str], rows: list[Row], formats: list[str | None]) -> None:
        self.ws.append(self.mk.header(header))
        self.row += 1
        first = self.row + 1
        for r in rows:
            cells = []
            for v, fmt in zip(r, formats):
                if isinstance(v, str):
                    cells.append(self.mk.text(v, f"{self.ws.title} {name}"))
                elif isinstance(v, bool) or v is None:
                    cells.append(v)
                else:
                    cells.append(self.mk.number(v, fmt))
            self.ws.append(cells)
            self.row += 1
        self.tables[name] = (first - 1, first, self.row)


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def write_results(wb, scn, run) -> None:
    """Add the results sheets for ``run`` (a RunResult) to a write-only workbook."""
    _allocation(wb, scn, run)
    _risk_summary(wb, scn, run)
    _distribution(wb, run)
    _stress(wb, run)
    _impact(wb, run)
    from workbench.excel.charts import charts_sheet

    charts_sheet(wb, scn, run)


def _allocation(wb, scn, run) -> None:
    alloc = run.allocation
    risk = run.risk
    size = scn.size or float("nan")
    sw = SheetWriter(wb, "Allocation", {0: 14, 1: 40, 2: 22, 3: 12, 4: 22, 5: 8, 6: 14, 7: 14, 8: 12, 9: 14, 10: 14})
    sw.ws.freeze_panes = "B2"
    p = scn.projects_effective()
    contrib = (getattr(risk, "contributions", {}) or {}).get("project", {})
    expected = getattr(risk, "expected_by_project", {}) or {}
    rows = []
    for rec in p[["ID", "Project", "Sector", "Instrument", "Financier", "State", "Requested (USD m)"]].itertuples(
            index=False, name=None):
        pid = str(rec[0])
        amount = _f(alloc.amounts.get(pid, 0.0)) or 0.0
        rows.append([pid, rec[1], rec[2], rec[3], rec[4] or None, rec[5] or None, _f(rec[6]), amount,
                     amount / size if size else None, _f(expected.get(pid)), _f(contrib.get(pid))])
    sw.table("projects", ["ID", "Project", "Sector", "Instrument", "Financier", "State", "Requested (USD m)",
                          "Allocated (USD m)", "Share of programme", "Expected P&L (USD m)",
                          "CVaR contribution (USD m)"], rows,
             [None] * 6 + [MONEY, MONEY, PERCENT, MONEY, MONEY])


def _risk_summary(wb, scn, run) -> None:
    risk, alloc = run.risk, run.allocation
    conf = _f(getattr(risk, "confidence", None)) or _f(scn.field("Confidence level")) or 0.95
    sw = SheetWriter(wb, "Risk summary", {0: 44, 1: 18, 2: 14, 3: 90})
    sw.title(f"Risk summary: {scn.name}")
    pct = getattr(risk, "percentiles", {}) or {}
    mc = getattr(risk, "mc_error", None)
    g = getattr(risk, "guarantees", None)
    rows: list[Row] = [
        ["Allocation method", run.method, None], ["Solver status", str(alloc.status), None],
        ["Optimality gap", _f(alloc.gap), "fraction"], ["Trials", run.trials, None], ["Seed", run.seed, None],
        ["Programme size (USD m)", scn.size, "USD m"], ["Deployed (USD m)", alloc.total, "USD m"],
        ["Expected P&L (USD m)", _f(risk.expected_pnl), "USD m"], ["Standard deviation (USD m)", _f(risk.std), "USD m"],
        [f"VaR at {conf:.1%} (USD m loss)", _f(risk.var), "USD m"],
        [f"CVaR at {conf:.1%} (USD m loss)", _f(risk.cvar), "USD m"],
        ["Probability of a loss", _f(risk.prob_loss), "fraction"],
    ]
    rows += [[f"P&L percentile {k}", _f(v), "USD m"] for k, v in sorted(pct.items())]
    if mc is not None:
        rows += [["Expected P&L standard error (USD m)", _f(mc.expected_pnl_se), "USD m"],
                 ["CVaR 95 % band, low (USD m)", _f(mc.cvar_ci[0]), "USD m"],
                 ["CVaR 95 % band, high (USD m)", _f(mc.cvar_ci[1]), "USD m"]]
    if g is not None:
        rows += [["Guarantees: amount guaranteed (USD m)", _f(g.face), "USD m"],
                 ["Guarantees: expected payout (USD m)", _f(g.expected_payout), "USD m"],
                 ["Guarantees: probability of any payout", _f(g.probability_of_payout), "fraction"]]
    sw.table("measures", ["Measure", "Value", "Unit"], rows, [None, MONEY, None])
    sw.blank()
    contrib = (getattr(risk, "contributions", {}) or {}).get("sector", {})
    sw.table("contributions", ["Sector", "CVaR contribution (USD m)", "Share of CVaR"],
             [[k, _f(v), (_f(v) or 0) / risk.cvar if risk.cvar else None] for k, v in contrib.items()],
             [None, MONEY, PERCENT])
    if alloc.binding:
        sw.blank()
        sw.table("binding", ["Binding limit", "Shadow price", "", "What it means"],
                 [[b.source, _f(b.shadow_price), None, b.text] for b in alloc.binding], [None, "0.0000", None, None])
    notes = [*getattr(alloc, "notes", ()), *getattr(risk, "notes", ())]
    if notes:
        sw.blank()
        sw.table("notes", ["Notes"], [[str(n)] for n in notes], [None])


def _distribution(wb, run) -> None:
    risk = run.risk
    sw = SheetWriter(wb, "Distribution", {0: 16, 1: 16, 2: 12, 3: 4, 4: 10, 5: 14, 6: 14, 7: 14, 8: 14, 9: 14,
                                          10: 14, 11: 16})
    edges = list(getattr(risk, "histogram_edges", []))
    counts = list(getattr(risk, "histogram_counts", []))
    hist = [[_f(edges[i]), _f(edges[i + 1]), int(counts[i])] for i in range(min(len(counts), len(edges) - 1))]
    sw.table("histogram", ["P&L from (USD m)", "P&L to (USD m)", "Trials"], hist, [MONEY, MONEY, COUNT])
    fan = getattr(risk, "fan", None)
    if fan is not None:
        sw.blank()
        labels = [f"P{p}" for p in fan.percentiles]
        rows = [[int(y), *[_f(fan.values[k][t]) for k in range(len(labels))], _f(fan.mean[t]), _f(fan.invested[t])]
                for t, y in enumerate(fan.years)]
        sw.table("fan", ["Year end", *[f"{x} value (USD m)" for x in labels], "Mean value (USD m)",
                         "Invested (USD m)"], rows, ["0", *[MONEY] * (len(labels) + 2)])


def _stress(wb, run) -> None:
    sw = SheetWriter(wb, "Stress tests", {0: 44, 1: 60, 2: 16, 3: 16, 4: 16, 5: 16, 6: 14, 7: 12})
    rows = [[s.name, s.description, _f(s.expected_pnl), _f(s.expected_pnl_change), _f(s.cvar), _f(s.cvar_change),
             _f(s.prob_loss), "yes" if s.user_defined else "no"] for s in run.stress]
    sw.table("stress", ["Stress test", "What happens", "Expected P&L (USD m)", "Change (USD m)", "CVaR (USD m)",
                        "CVaR change (USD m)", "Probability of a loss", "User-defined"], rows,
             [None, None, MONEY, MONEY, MONEY, MONEY, PERCENT, None])
    if run.tornado:
        sw.blank()
        rows = [[b.input, b.step, _f(b.low_value), _f(b.base_value), _f(b.high_value), _f(b.expected_pnl_low),
                 _f(b.expected_pnl_high), _f(b.cvar_low), _f(b.cvar_high)] for b in run.tornado]
        sw.table("tornado", ["Input (sensitivity)", "Step", "Low", "Base", "High", "Expected P&L low (USD m)",
                             "Expected P&L high (USD m)", "CVaR low (USD m)", "CVaR high (USD m)"], rows,
                 [None, None, "0.000", "0.000", "0.000", MONEY, MONEY, MONEY, MONEY])


def _impact(wb, run) -> None:
    imp = run.impact
    if imp is None:
        return
    sw = SheetWriter(wb, "Impact", {0: 30, 1: 18, 2: 16, 3: 22})
    sw.table("totals", ["Economic impact", "Amount (USD m)", "Jobs", "Value added (USD m)"],
             [["Total", _f(imp.amount), _f(imp.jobs), _f(imp.value_added)]], [None, MONEY, COUNT, MONEY])
    for name, rows, label in (("sector", imp.by_sector, "Sector"), ("state", imp.by_state, "State"),
                              ("project", imp.by_project, "Project")):
        sw.blank()
        sw.table(name, [label, "Amount (USD m)", "Jobs", "Value added (USD m)"],
                 [[r.name, _f(r.amount), _f(r.jobs), _f(r.value_added)] for r in rows], [None, MONEY, COUNT, MONEY])
    if getattr(imp, "assumptions", None):
        sw.blank()
        sw.table("assumptions", ["Sector multipliers used", "Jobs per USD m", "Value added per USD"],
                 [[a.sector, _f(a.jobs_per_usd_m), _f(a.value_added_per_usd)] for a in imp.assumptions],
                 [None, DECIMAL, DECIMAL])
