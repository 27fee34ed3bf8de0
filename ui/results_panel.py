"""The results of a run as plots with tables beside them, one tab per view.

:class:`ResultsPanel` is what the main window embeds. ``set_result(run)`` shows a
:class:`~workbench.results.RunResult` (``None`` clears it); ``show_view(name)`` switches
to one of :data:`VIEWS`; ``set_comparison(other, label)`` compares the current run with
another one (overlaid NPV distributions and a table of key-figure differences).

Each view is a :class:`~ui.plots.canvas.PlotCanvas` (matplotlib with its toolbar, export
and copy) drawn by a pure function of :mod:`ui.plots.figures`, beside a sortable table
built by :mod:`ui.plots.tables`. Only the visible view is drawn; the others are drawn
when first shown.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ui.plots import figures, tables
from ui.plots.canvas import PlotCanvas
from ui.results_table import RowsView, plot_beside_table

#: View name -> tab title, in tab order (``--view NAME`` of the screenshot mode uses the names).
VIEWS: dict[str, str] = {
    "summary": "Summary",
    "allocation": "Allocation",
    "states": "By state (map)",
    "distribution": "NPV distribution",
    "fan": "Value by year",
    "frontier": "Efficient frontier",
    "contributions": "CVaR contributions",
    "stress": "Stress tests",
    "tornado": "Sensitivity",
    "impact": "Jobs and value added",
    "compare": "Compare",
}


@dataclass(frozen=True)
class ViewSpec:
    plot: str            # name of the function in ui.plots.figures
    table: str           # name of the function in ui.plots.tables
    table_title: str
    note: str = ""       # name of a function in ui.plots.tables giving a sentence shown under the title


SPECS: dict[str, ViewSpec] = {
    "summary": ViewSpec("plot_summary", "key_figures_table", "Key figures"),
    "allocation": ViewSpec("plot_allocation", "allocation_by_project", "Allocation by project", "allocation_note"),
    "states": ViewSpec("plot_allocation_states", "allocation_by_state", "Allocation by state"),
    "distribution": ViewSpec("plot_distribution", "percentiles", "Percentiles of NPV"),
    "fan": ViewSpec("plot_fan", "fan_table", "Portfolio value by year"),
    "frontier": ViewSpec("plot_frontier", "frontier_table", "Frontier points"),
    "contributions": ViewSpec("plot_contributions", "contributions_table", "Contributions to CVaR"),
    "stress": ViewSpec("plot_stress", "stress_table", "Stress tests"),
    "tornado": ViewSpec("plot_tornado", "tornado_table", "Sensitivity", "tornado_note"),
    "impact": ViewSpec("plot_impact", "impact_table", "Jobs and value added"),
    "compare": ViewSpec("plot_compare", "compare_table", "Differences of key figures"),
}


class ResultView(QWidget):
    """One view: the plot on the left, its table on the right (a splitter between them)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.spec = SPECS[name]
        self.canvas = PlotCanvas(getattr(figures, self.spec.plot), self, title=VIEWS[name])
        self.table_label = QLabel(f"<b>{self.spec.table_title}</b>")
        self.table_label.setWordWrap(True)
        self.note = ""
        self.table = RowsView()
        self.splitter, side = plot_beside_table(self, self.canvas, self.table_label, self.table)
        self.splitter.setSizes([1060, 380])
        self.splitter.setChildrenCollapsible(False)
        self._side = side
        self._user_split = False
        self._fitting = False
        self.splitter.splitterMoved.connect(self._on_splitter_moved)

    #: Below this width (in a tall view) the table goes under the plot instead of beside it.
    SIDE_BY_SIDE_FROM = 1100
    #: Beside the plot, the table takes the width its columns need, within these shares of the view's width.
    SIDE_SHARE = (0.22, 0.42)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        narrow = self.width() < self.SIDE_BY_SIDE_FROM and self.height() > 0.8 * self.width()
        wanted = Qt.Orientation.Vertical if narrow else Qt.Orientation.Horizontal
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            total = self.width() if wanted == Qt.Orientation.Horizontal else self.height()
            self.splitter.setSizes([int(total * 0.72), int(total * 0.28)])
        elif wanted == Qt.Orientation.Horizontal and not self._user_split:
            self.fit_table()

    def table_width(self) -> int:
        """The width the side panel needs to show the table's columns whole (no horizontal scroll bar)."""
        header = self.table.horizontalHeader()
        columns = sum(max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                      for c in range(header.count()) if not header.isSectionHidden(c))
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        margins = self._side.layout().contentsMargins()
        return columns + frame + margins.left() + margins.right() + 4

    def fit_table(self) -> None:
        """Beside the plot, give the table the width its columns need (within :data:`SIDE_SHARE`), the plot the rest.

        A divider the user has dragged is left where it is."""
        if self.splitter.orientation() != Qt.Orientation.Horizontal or self.width() <= 0:
            return
        total = self.splitter.width() - self.splitter.handleWidth()
        lo, hi = self.SIDE_SHARE
        side = max(self._side.minimumWidth(), int(lo * total), min(self.table_width(), int(hi * total)))
        self._fitting = True
        try:
            self.splitter.setSizes([max(total - side, 1), side])
        finally:
            self._fitting = False
        self._share_columns(side)
        if self.table.model().rowCount() <= 200:  # a value wider than its column goes on two lines, not elided
            self.table.resizeRowsToContents()

    #: The narrowest a column is squeezed to when the columns share a side panel too narrow for them.
    MIN_COLUMN = 48
    #: Columns needing up to this many times the side panel's width share it, wrapping; wider tables scroll.
    MOST_SQUEEZE = 2.0

    def _share_columns(self, side: int) -> None:
        """When the columns need more than the side panel's ``side`` pixels (but at most :data:`MOST_SQUEEZE` times
        as much), they share it in proportion to what they need and their text wraps (no horizontal scroll bar)."""
        model = self.table.model()
        if model.rowCount() > 2000:
            return
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        cols = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        margins = self._side.layout().contentsMargins()
        room = (side - margins.left() - margins.right() - 2 * self.table.frameWidth()
                - self.table.verticalScrollBar().sizeHint().width() - 4)
        widths = [header.sectionSize(c) for c in cols]
        if not cols or sum(widths) <= room or sum(widths) > self.MOST_SQUEEZE * room:
            return     # fits, or so wide (many columns) that wrapping would leave each unreadable: scroll instead
        scale = room / sum(widths)
        for c, w in zip(cols, widths):
            header.resizeSection(c, max(int(w * scale), self.MIN_COLUMN))
        self.table.updateGeometries()     # the scroll range follows the new widths now, not on the next event

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        if not self._fitting:
            self._user_split = True

    def show_data(self, *args: Any, **kwargs: Any) -> None:
        table_fn: Callable[..., tables.Rows] = getattr(tables, self.spec.table)
        rows = table_fn(*args, **kwargs)
        self.table.set_rows(rows.headers, rows.rows, rows.decimals, rows.tooltips)
        if self.spec.note:
            self.note = getattr(tables, self.spec.note)(*args, **kwargs)
            title = f"<b>{html.escape(self.spec.table_title)}</b>"
            self.table_label.setText(f"{title}<br>{html.escape(self.note)}" if self.note else title)
            self.table_label.setToolTip(self.note)
        if not self._user_split:
            self.fit_table()
        self.canvas.show_run(*args, **kwargs)


class ResultsPanel(QWidget):
    """Tabs of result views over one run, optionally compared with another."""

    viewChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run: Any = None
        self.scenario: Any = None
        self.other: Any = None
        self.other_label = ""
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        self.views: dict[str, ResultView] = {}
        for name, title in VIEWS.items():
            view = ResultView(name)
            self.views[name] = view
            self.tabs.addTab(view, title.replace("&", "&&"))  # "&&" shows one "&"
        self.tabs.currentChanged.connect(self._on_tab)
        self.status = QLabel("No results yet: press Run to allocate and simulate the scenario.")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        self._refresh()

    # ------------------------------------------------------------------ public API
    def set_result(self, run: Any, scenario: Any = None) -> None:
        """Show ``run`` (a RunResult; ``None`` clears). ``scenario`` adds project names and sectors to tables."""
        self.run = run
        if scenario is not None or run is None:
            self.scenario = scenario
        self._refresh()

    def set_comparison(self, other: Any, label: str = "Other") -> None:
        """Compare the current run with ``other`` (``None`` stops comparing)."""
        self.other = other
        self.other_label = label or "Other"
        self._refresh_view("compare")
        self._refresh_view("distribution")

    def show_view(self, name: str) -> None:
        if name not in VIEWS:
            raise KeyError(f'No results view "{name}": choose one of {", ".join(VIEWS)}.')
        self.tabs.setCurrentWidget(self.views[name])
        self.views[name].canvas.ensure_drawn()

    def current_view(self) -> str:
        return self.tabs.currentWidget().name  # type: ignore[attr-defined]

    def canvas(self, name: str) -> PlotCanvas:
        return self.views[name].canvas

    def table(self, name: str) -> RowsView:
        return self.views[name].table

    # ------------------------------------------------------------------ internals
    def _args(self, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Every plot and table function takes the run and the same keyword context (ignoring what it does not use)."""
        return (self.run,), {"scenario": self.scenario, "other": self.other, "label": "Current",
                             "other_label": self.other_label}

    def _refresh_view(self, name: str) -> None:
        args, kwargs = self._args(name)
        self.views[name].show_data(*args, **kwargs)

    def _refresh(self) -> None:
        if self.run is None:
            self.status.setText("No results yet: press Run to allocate and simulate the scenario.")
        else:
            alloc = self.run.allocation
            self.status.setText(
                f"Method {alloc.method} ({alloc.status}), {self.run.trials:,} trials, seed {self.run.seed}.")
        for name in VIEWS:
            self._refresh_view(name)

    def _on_tab(self, index: int) -> None:
        view = self.tabs.widget(index)
        if isinstance(view, ResultView):
            view.canvas.ensure_drawn()
            self.viewChanged.emit(view.name)
