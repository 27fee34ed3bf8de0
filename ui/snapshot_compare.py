"""The comparison of two snapshots inside the Snapshots panel: input diff, result deltas, waterfall.

``ComparisonView.show_comparison(cmp)`` fills the three tabs from a
:class:`workbench.snapshots.compare.Comparison`; ``show_waterfall(w)`` fills the third
from a :class:`~workbench.snapshots.compare.Waterfall`. The panel owns the background run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.snapshots.report import NAMES, figure

if TYPE_CHECKING:
    from workbench.snapshots.compare import Comparison


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # labels take the room, numbers stay close
    t.verticalHeader().setVisible(False)
    return t


def _fill(t: QTableWidget, rows: list[list[str]], numeric_from: int = 99) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c >= numeric_from:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            t.setItem(r, c, item)


def _value(v: Any) -> str:   # a summary value as stored (JSON: number, text, list or mapping)
    if v is None:
        return ""
    if isinstance(v, dict):
        return ", ".join(f"{k}: {_value(x)}" for k, x in v.items() if x is not None)
    if isinstance(v, float):
        return f"{v:,.6g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


class ComparisonView(QWidget):
    """Three tabs: Inputs (cell by cell), Results (old, new, change), Waterfall (with its own controls)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Select two snapshots and press Compare.")
        self.title.setWordWrap(True)
        self.tabs = QTabWidget()
        self.inputs = _table(["Table", "Row", "Column", "Old", "New"])
        self.results = _table(["Figure", "Old", "New", "Change"])
        self.steps = _table(["Step", "Changes", "\u0394 Expected NPV", "\u0394 CVaR"])
        self.trials = QSpinBox()
        self.trials.setRange(1000, 1_000_000)
        self.trials.setSingleStep(5000)
        self.trials.setValue(20_000)
        self.trials.setSuffix(" trials")
        self.run_button = QPushButton("Compute waterfall")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.waterfall_note = QLabel("Re-runs the models with each group of changes applied in turn, on the same "
                                     "random numbers, to show what moved expected NPV and CVaR (each run's NPV at its "
                                     "own discount rate).")
        self.waterfall_note.setWordWrap(True)
        wf = QWidget()
        wl = QVBoxLayout(wf)
        controls = QHBoxLayout()
        for w in (self.trials, self.run_button, self.cancel_button, self.progress):
            controls.addWidget(w)
        wl.addLayout(controls)
        wl.addWidget(self.waterfall_note)
        wl.addWidget(self.steps)
        self.tabs.addTab(self.inputs, "Inputs")
        self.tabs.addTab(self.results, "Results")
        self.tabs.addTab(wf, "Waterfall")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs)
        self.comparison: Comparison | None = None
        self.set_running(False, enabled=False)

    def show_comparison(self, cmp: Comparison) -> None:
        self.comparison = cmp
        n = len(cmp.diff.changes)
        self.title.setText(f"{cmp.old_label} \u2192 {cmp.new_label}: "
                           + ("identical inputs" if cmp.identical else f"{n} input change{'s' * (n != 1)}"))
        _fill(self.inputs, [[c.table, c.row, c.column or f"(row {c.kind})", _value(c.old), _value(c.new)]
                            for c in cmp.diff.changes])
        shown = sorted((d for d in cmp.deltas if d.key in NAMES), key=lambda d: list(NAMES).index(d.key))
        _fill(self.results, [[NAMES[d.key], figure(d.key, d.old), figure(d.key, d.new),
                              figure(d.key, d.delta, signed=True)] for d in shown], numeric_from=1)
        if not shown:
            self.results.setRowCount(0)
        _fill(self.steps, [])
        self.set_running(False, enabled=not cmp.identical)

    def show_waterfall(self, w) -> None:
        rows = [["Start (old)", "", figure("expected_pnl", w.base.get("expected_pnl")),
                 figure("cvar", w.base.get("cvar"))]]
        rows += [[s.label, str(s.changes), figure("expected_pnl", s.deltas.get("expected_pnl"), signed=True),
                  figure("cvar", s.deltas.get("cvar"), signed=True)] for s in w.steps]
        rows.append(["End (new)", "", figure("expected_pnl", w.final.get("expected_pnl")),
                     figure("cvar", w.final.get("cvar"))])
        _fill(self.steps, rows, numeric_from=1)
        self.waterfall_note.setText(f"{w.trials:,} trials, seed {w.seed}, the same random numbers for every run. "
                                    "Each step is the move caused by its group given the steps above it.")

    def set_running(self, running: bool, *, enabled: bool = True) -> None:
        self.run_button.setEnabled(enabled and not running)
        self.trials.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running)
        if running:
            self.progress.setValue(0)

    def set_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(message or "%p%")
