"""The ``Charts`` sheet: native Excel charts of the main results, over small data tables
on the same sheet (so the charts stay live if a colleague edits the numbers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.chart import BarChart, LineChart, Reference

from workbench.excel.sheet_writer import SheetWriter, _f
from workbench.excel.style import COUNT, MONEY
from workbench.figures import npv_name

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

    from workbench.results import RunResult
    from workbench.scenario import Scenario

CHART_COL = "F"


def charts_sheet(wb: Workbook, scn: Scenario, run: RunResult) -> None:
    sw = SheetWriter(wb, "Charts", {0: 34, 1: 16, 2: 16, 3: 16})
    risk, alloc = run.risk, run.allocation
    npv = npv_name(run)
    sectors = scn.sector_names
    sw.table("by sector", ["Sector", "Allocated (USD m)", "CVaR contribution (USD m)"],
             [[s, _f(alloc.by_sector.get(s, 0.0)), _f((risk.contributions or {}).get("sector", {}).get(s))]
              for s in sectors], [None, MONEY, MONEY])
    sw.blank()
    edges, counts = list(risk.histogram_edges), list(risk.histogram_counts)
    step = max(1, len(counts) // 40)   # 40 bars read better than 200
    hist = []
    for i in range(0, len(counts), step):
        j = min(i + step, len(counts))
        hist.append([f"{(_f(edges[i]) or 0) / 1000:,.0f} bn", int(sum(counts[i:j]))])
    sw.table("histogram", [f"{npv} bin (USD bn)", "Trials"], hist, [None, COUNT])
    fan = risk.fan
    if fan is not None and len(fan.years):
        sw.blank()
        idx = {p: k for k, p in enumerate(fan.percentiles)}
        keys = [p for p in (5, 50, 95) if p in idx]
        sw.table("fan", ["Year end", *[f"P{p} value (USD m)" for p in keys]],
                 [[str(y), *[_f(fan.values[idx[p]][t]) for p in keys]] for t, y in enumerate(fan.years)],
                 [None, *[MONEY] * len(keys)])
    if run.stress:
        sw.blank()
        sw.table("stress", ["Stress test", f"Change in expected {npv} (USD m)"],
                 [[s.name, _f(s.expected_pnl_change)] for s in run.stress], [None, MONEY])
    _add_charts(sw, npv)


def _add_charts(sw: SheetWriter, npv: str) -> None:
    ws = sw.ws
    anchor = 1
    t = sw.tables

    def place(chart: BarChart | LineChart, height: float = 7.5, width: float = 18.0) -> None:
        nonlocal anchor
        chart.height, chart.width = height, width
        ws.add_chart(chart, f"{CHART_COL}{anchor}")
        anchor += int(height * 2) + 2

    h, first, last = t["by sector"]
    if last >= first:
        c = BarChart()
        c.type, c.title, c.y_axis.title = "bar", "Allocation and CVaR contribution by sector", "USD m"
        c.add_data(Reference(ws, min_col=2, max_col=3, min_row=h, max_row=last), titles_from_data=True)
        c.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        place(c)
    h, first, last = t["histogram"]
    if last >= first:
        c = BarChart()
        c.title, c.y_axis.title, c.x_axis.title = f"Distribution of the programme's {npv}", "Trials", \
            f"{npv} (USD bn)"
        c.gapWidth = 0
        c.legend = None
        c.add_data(Reference(ws, min_col=2, min_row=h, max_row=last), titles_from_data=True)
        c.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        place(c)
    if "fan" in t:
        h, first, last = t["fan"]
        c = LineChart()
        c.title, c.y_axis.title = "Portfolio value by year end (5th, 50th, 95th percentile)", "USD m"
        c.add_data(Reference(ws, min_col=2, max_col=4, min_row=h, max_row=last), titles_from_data=True)
        c.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        place(c)
    if "stress" in t:
        h, first, last = t["stress"]
        c = BarChart()
        c.type, c.title, c.x_axis.title = "bar", f"Stress tests: change in expected {npv}", "USD m"
        c.legend = None
        c.add_data(Reference(ws, min_col=2, min_row=h, max_row=last), titles_from_data=True)
        c.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        place(c, height=max(7.5, 0.6 * (last - first + 1)))
