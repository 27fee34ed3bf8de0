"""Main-window tables at scale: build, sort, filter and edit a 50,000-project Projects page.

    python benchmarks/table_models.py [--rows 50000]

Offscreen Qt; prints one line per figure (seconds). The GUI-latency figures of the whole
app (timer gaps during a run, first window) are in ``benchmarks/ui_latency.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args(argv)
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from benchmarks.ui_latency import big_scenario
    from ui.table_page import TablePage
    from ui.undo import ScenarioDocument
    from workbench.commands import SetCell

    app = QApplication.instance() or QApplication([])
    scn = big_scenario(args.rows)
    t = time.perf_counter()
    doc = ScenarioDocument(scn)
    page = TablePage(doc, "Projects", notify=lambda _text: None)
    page.resize(1400, 800)
    page.show()
    app.processEvents()
    figures = {"build the page (incl. validating the scenario)": time.perf_counter() - t}
    col = page.model.column_index("Requested (USD m)")
    for label, order in (("sort by Requested, ascending", Qt.SortOrder.AscendingOrder),
                         ("sort by Requested, descending", Qt.SortOrder.DescendingOrder)):
        t = time.perf_counter()
        page.view.sortByColumn(col, order)
        page.view.viewport().repaint()
        figures[label] = time.perf_counter() - t
    t = time.perf_counter()
    page.filter.setText("semiconductors")
    page.view.viewport().repaint()
    figures[f"filter 'semiconductors' ({page.proxy.rowCount():,} rows shown)"] = time.perf_counter() - t
    page.filter.clear()
    t = time.perf_counter()
    doc.push(SetCell("Projects", 7, "Sponsor", "Benchmark Corp"))
    page.view.viewport().repaint()
    figures["one cell edit (command, validation, repaint)"] = time.perf_counter() - t
    t = time.perf_counter()
    doc.undo_stack.undo()
    page.view.viewport().repaint()
    figures["undo it"] = time.perf_counter() - t
    for label, seconds in figures.items():
        print(f"{args.rows:,} projects, {label}: {seconds:.3f} s")
    page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
