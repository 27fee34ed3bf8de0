"""Two runs side by side, for any window that has two results (snapshots, scenarios).

:class:`CompareView` shows both P&L distributions overlaid (each with its VaR, CVaR and
mean) and a table of key-figure differences; the results panel's *Compare* tab shows the
same for the current run and the one given to ``ResultsPanel.set_comparison``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

from ui.plots import figures, tables
from ui.plots.canvas import PlotCanvas
from ui.results_table import RowsView, plot_beside_table


class CompareView(QWidget):
    """``set_runs(run, other, label, other_label)``: overlaid distributions and differences of key figures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = PlotCanvas(figures.plot_compare, self, title="Comparison")
        self.table = RowsView()
        self.heading = QLabel("<b>Differences of key figures</b>")
        plot_beside_table(self, self.canvas, self.heading, self.table)
        self.set_runs(None, None)

    def set_runs(self, run: Any, other: Any, label: str = "Current", other_label: str = "Other") -> None:
        """Compare ``run`` (labelled ``label``) with ``other``; either may be ``None`` (a sentence says so)."""
        context = {"other": other, "label": label, "other_label": other_label}
        rows = tables.compare_table(run, **context)
        self.table.set_rows(rows.headers, rows.rows, rows.decimals, rows.tooltips)
        self.canvas.show_run(run, **context)
