"""Two runs side by side, for any window that has two results (snapshots, scenarios).

:class:`CompareView` shows both P&L distributions overlaid (each with its VaR, CVaR and
mean) and a table of key-figure differences; the results panel's *Compare* tab shows the
same for the current run and the one given to ``ResultsPanel.set_comparison``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from ui.plots import figures, tables
from ui.plots.canvas import PlotCanvas
from ui.results_table import RowsView


class CompareView(QWidget):
    """``set_runs(run, other, label, other_label)``: overlaid distributions and differences of key figures."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = PlotCanvas(figures.plot_compare, self, title="Comparison")
        self.table = RowsView()
        self.heading = QLabel("<b>Differences of key figures</b>")
        side = QWidget()
        side.setMinimumWidth(280)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 4, 4, 4)
        side_layout.addWidget(self.heading)
        side_layout.addWidget(self.table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.canvas)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.set_runs(None, None)

    def set_runs(self, run: Any, other: Any, label: str = "Current", other_label: str = "Other") -> None:
        """Compare ``run`` (labelled ``label``) with ``other``; either may be ``None`` (a sentence says so)."""
        context = {"other": other, "label": label, "other_label": other_label}
        rows = tables.compare_table(run, **context)
        self.table.set_rows(rows.headers, rows.rows, rows.decimals, rows.tooltips)
        self.canvas.show_run(run, **context)
