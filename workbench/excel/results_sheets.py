"""The results sheets of an exported workbook: Key figures, Allocation, Risk summary,
Distribution, Stress tests, Impact and Charts (native Excel charts). Every key figure and
results table comes from :mod:`workbench.figures`, the definitions the app and the CLI
show too. Ignored on import."""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench import figures as kf
from workbench.excel.sheet_writer import Row, SheetWriter, _f
from workbench.excel.style import COUNT, DECIMAL, MONEY, PERCENT

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

    from workbench.results import RunResult
    from workbench.scenario import Scenario

__all__ = ["UNIT_FORMATS", "Row", "SheetWriter", "write_results"]

#: Excel number format of each key-figure unit, and the word shown in the Unit column.
UNIT_FORMATS = {kf.USD_M: MONEY, kf.FRACTION: PERCENT, kf.RATE: "0.00%", kf.MULTIPLE: DECIMAL, kf.JOBS: COUNT, "": None}
UNIT_WORDS = {kf.USD_M: "USD m", kf.FRACTION: "share", kf.RATE: "a year", kf.MULTIPLE: "times", kf.JOBS: "jobs"}


def write_results(wb: Workbook, scn: Scenario, run: RunResult) -> None:
    """Add the results sheets for ``run`` to a write-only workbook."""
    _key_figures(wb, scn, run)
    _allocation(wb, scn, run)
    _risk_summary(wb, scn, run)
    _distribution(wb, run)
    _stress(wb, run)
    _impact(wb, run)
    from workbench.excel.charts import charts_sheet

    charts_sheet(wb, scn, run)


def _write(sw: SheetWriter, table: kf.Table) -> None:
    """A core table as it stands: headers with units, numbers formatted by each column's unit."""
    rows = [[("yes" if v else "no") if isinstance(v, bool) else v for v in r] for r in table.rows]
    sw.table(table.key, list(table.headers), rows, [UNIT_FORMATS.get(c.unit) for c in table.columns])


def _note(sw: SheetWriter, name: str, title: str, text: str) -> None:
    if text:
        sw.blank()
        sw.table(name, [title], [[text]], [None])


def _key_figures(wb: Workbook, scn: Scenario, run: RunResult) -> None:
    sw = SheetWriter(wb, "Key figures", {0: 26, 1: 48, 2: 16, 3: 8, 4: 16, 5: 16, 6: 110})
    sw.title(f"Key figures: {scn.name}")
    figs = kf.key_figures(run)
    rows: list[Row] = []
    formats: list[list[str | None]] = []
    for f in figs:
        fmt = UNIT_FORMATS.get(f.unit)
        lo, hi = f.band if f.band else (None, None)
        rows.append([f.key, f.label, _f(f.value), UNIT_WORDS.get(f.unit, f.unit), _f(lo), _f(hi), f.definition])
        formats.append([None, None, fmt, None, fmt, fmt, None])
    sw.table("key figures", ["Key", "Key figure", "Value", "Unit", f"{kf.pct(kf.BAND_LEVEL)} band, low",
                             f"{kf.pct(kf.BAND_LEVEL)} band, high", "Definition"], rows, [], row_formats=formats)
    _note(sw, "why", "Why not the whole programme", kf.allocation_explanation(run))


def _allocation(wb: Workbook, scn: Scenario, run: RunResult) -> None:
    sw = SheetWriter(wb, "Allocation", {0: 14, 1: 40, 2: 22, 3: 12, 4: 22, 5: 8, 6: 14, 7: 14, 8: 12, 9: 14, 10: 14})
    sw.ws.freeze_panes = "B2"
    table = kf.allocation_table(run, "project", scn)
    _write(sw, table)
    for by in ("instrument", "sector", "financier", "state"):
        sw.blank()
        _write(sw, kf.allocation_table(run, by))
    _note(sw, "why", "Why not the whole programme", table.note)


def _risk_summary(wb: Workbook, scn: Scenario, run: RunResult) -> None:
    risk, alloc = run.risk, run.allocation
    npv = kf.npv_name(run)
    sw = SheetWriter(wb, "Risk summary", {0: 44, 1: 18, 2: 14, 3: 90})
    sw.title(f"Risk summary: {scn.name}")
    rows: list[Row] = [
        ["Allocation method", run.method, None], ["Solver status", str(alloc.status), None],
        ["Optimality gap", _f(alloc.gap), "fraction"], ["Trials", run.trials, None], ["Seed", run.seed, None],
        ["Discount rate", _f(risk.discount_rate), "a year"], ["Confidence level", _f(risk.confidence), None],
    ]
    formats = [None, None, "0.0000", COUNT, "0", PERCENT, PERCENT]
    sw.table("run", ["Run", "Value", "Unit"], rows, [], row_formats=[[None, f, None] for f in formats])
    sw.blank()
    sw.table("percentiles", [f"Percentile of {npv}", "Value (USD m)"],
             [[f"{k} %", _f(v)] for k, v in sorted(risk.percentiles.items())], [None, MONEY])
    sw.blank()
    _write(sw, kf.contributions_table(run, "sector"))
    if alloc.binding:
        sw.blank()
        sw.table("binding", ["Binding limit", "Shadow price", "", "What it means"],
                 [[b.source, _f(b.shadow_price), None, b.text] for b in alloc.binding], [None, "0.0000", None, None])
    notes = [*alloc.notes, *risk.notes]
    if notes:
        sw.blank()
        sw.table("notes", ["Notes"], [[str(n)] for n in notes], [None])


def _distribution(wb: Workbook, run: RunResult) -> None:
    risk = run.risk
    npv = kf.npv_name(run)
    sw = SheetWriter(wb, "Distribution", {0: 16, 1: 16, 2: 12, 3: 4, 4: 10, 5: 14, 6: 14, 7: 14, 8: 14, 9: 14,
                                          10: 14, 11: 16})
    edges = list(risk.histogram_edges)
    counts = list(risk.histogram_counts)
    hist = [[_f(edges[i]), _f(edges[i + 1]), int(counts[i])] for i in range(min(len(counts), len(edges) - 1))]
    sw.table("histogram", [f"{npv} from (USD m)", f"{npv} to (USD m)", "Trials"], hist, [MONEY, MONEY, COUNT])
    fan = risk.fan
    if fan is not None:
        sw.blank()
        labels = [f"P{p}" for p in fan.percentiles]
        rows = [[int(y), *[_f(fan.values[k][t]) for k in range(len(labels))], _f(fan.mean[t]), _f(fan.invested[t])]
                for t, y in enumerate(fan.years)]
        sw.table("fan", ["Year end", *[f"{x} value, undiscounted (USD m)" for x in labels], "Mean value (USD m)",
                         "Cash invested (USD m)"], rows, ["0", *[MONEY] * (len(labels) + 2)])


def _stress(wb: Workbook, run: RunResult) -> None:
    sw = SheetWriter(wb, "Stress tests", {0: 44, 1: 60, 2: 16, 3: 16, 4: 16, 5: 16, 6: 14, 7: 12})
    _write(sw, kf.stress_table(run))
    if run.tornado:
        sw.blank()
        table = kf.tornado_table(run)
        sw.table("tornado note", ["Sensitivity (tornado)"], [[table.note]], [None])
        formats = [None, None, "0.000", "0.000", "0.000", *[MONEY] * 6]
        sw.table("tornado", list(table.headers), [list(r) for r in table.rows], formats)


def _impact(wb: Workbook, run: RunResult) -> None:
    imp = run.impact
    if imp is None:
        return
    sw = SheetWriter(wb, "Impact", {0: 30, 1: 18, 2: 16, 3: 22})
    sw.table("totals", ["Economic impact", "Amount (USD m)", "Jobs", "Value added (USD m)"],
             [["Total", _f(imp.amount), _f(imp.jobs), _f(imp.value_added)]], [None, MONEY, COUNT, MONEY])
    for by in ("sector", "state", "project"):
        sw.blank()
        _write(sw, kf.impact_table(run, by))
    if imp.assumptions:
        sw.blank()
        sw.table("assumptions", ["Sector multipliers used", "Jobs per USD m", "Value added per USD"],
                 [[a.sector, _f(a.jobs_per_usd_m), _f(a.value_added_per_usd)] for a in imp.assumptions],
                 [None, DECIMAL, DECIMAL])
