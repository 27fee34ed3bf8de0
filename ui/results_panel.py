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

import dataclasses
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from ui.plots import figures, tables
from ui.plots.canvas import PlotCanvas
from ui.results_table import RowsView, plot_and_table
from ui.stale import STAGE_OF_VIEW
from workbench.stages import GIVES

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from workbench.results import RunResult
    from workbench.scenario import Scenario

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
    #: The table goes beside the plot only when the plot keeps at least this many pixels of width there.
    plot_min_width: int = 0


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
    # two runs' legend in two columns and the key figures' names beside their differences: the plot needs a
    # laptop's full width, so the table of differences goes under it unless the view is very wide
    "compare": ViewSpec("plot_compare", "compare_table", "Differences of key figures", plot_min_width=1000),
}


class ResultView(QWidget):
    """One view: the plot and its table, in a splitter inside a vertical scroll area.

    On a wide view (:data:`SIDE_BY_SIDE_FROM` pixels and more) the table is beside the plot, as wide as its
    columns need; on a narrower one (a laptop screen) it goes under the plot, at the full width, so its numbers
    never scroll sideways. The plot is never drawn smaller than it needs to be readable
    (:func:`ui.plots.figures.needed_height` for its width, fonts at 9 pt at the least): when the window is lower
    than that, the view scrolls up and down instead of shrinking the text.
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.spec = SPECS[name]
        self.canvas = PlotCanvas(getattr(figures, self.spec.plot), self, title=VIEWS[name])
        self.table_label = QLabel(f"<b>{self.spec.table_title}</b>")
        self.table_label.setWordWrap(True)
        self.note = ""
        self.table = RowsView()
        self.splitter, side = plot_and_table(self.canvas, self.table_label, self.table)
        self.splitter.setSizes([1060, 380])
        self.splitter.setChildrenCollapsible(False)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self._side = side
        self._user_split = False
        self._fitting = False
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        # Whenever the table comes to scroll sideways by a few pixels (a scroll bar appeared beside it), settle it.
        self.table.horizontalScrollBar().rangeChanged.connect(lambda _lo, hi: hi > 0 and self._settle())

    #: From this width the table is beside the plot; below it, under the plot.
    SIDE_BY_SIDE_FROM = 1100
    #: Beside the plot, the table takes the width its columns need, within these shares of the view's width.
    SIDE_SHARE = (0.22, 0.42)
    #: Under the plot, the table is at most this tall (pixels); longer tables scroll within it.
    TABLE_UNDER_PX = 420
    #: Under the plot, this much of the table shows on the first screen when the plot leaves room for it.
    TABLE_PEEK = 0.3

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.arrange()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.arrange()
        self.table.updateGeometries()

    def arrange(self) -> None:
        """Table beside or under the plot for the view's width; the plot at least as tall as it needs."""
        QTimer.singleShot(0, self, self._settle)   # dropped if the view is deleted first
        width = self.scroll.viewport().width() if self.scroll.verticalScrollBar().isVisible() else self.width()
        wide = (self.width() >= self.SIDE_BY_SIDE_FROM and self.fits_beside(int(self.SIDE_SHARE[1] * self.width()))
                and self.width() - self.side_width(self.width()) >= self.spec.plot_min_width)
        wanted = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.splitter.orientation() != wanted:
            self.splitter.setOrientation(wanted)
            self._user_split = False
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        view_h = self.height()
        if wanted == Qt.Orientation.Horizontal:
            if not self._user_split:
                self.fit_table()
            plot_w = self.splitter.sizes()[0] or int(0.7 * width)
            need = figures.needed_height(self.spec.plot, plot_w) + self.canvas.toolbar.sizeHint().height()
            self.splitter.setMinimumHeight(need if need > view_h else 0)
            return
        plot_w = width - (bar if figures.needed_height(self.spec.plot, width) > view_h else 0)
        need = figures.needed_height(self.spec.plot, plot_w) + self.canvas.toolbar.sizeHint().height()
        self._share_columns(width - bar)
        table_h = self.table_height()
        plot_h = max(need, view_h - min(table_h, int(self.TABLE_PEEK * view_h)))
        self._fitting = True
        try:
            self.splitter.setMinimumHeight(plot_h + table_h + self.splitter.handleWidth())
            self.splitter.setSizes([plot_h, table_h])
        finally:
            self._fitting = False
        if self.table.model().rowCount() <= 200:
            self.table.resizeRowsToContents()

    def table_height(self) -> int:
        """Under the plot: the heading and the table's rows (at most :data:`TABLE_UNDER_PX`)."""
        rows = self.table.model().rowCount()
        row_h = self.table.verticalHeader().defaultSectionSize()
        header = self.table.horizontalHeader().sizeHint().height()
        body = header + rows * row_h + 2 * self.table.frameWidth() + 4
        margins = self._side.layout().contentsMargins()
        label = self.table_label.sizeHint().height() + self._side.layout().spacing()
        return min(body, self.TABLE_UNDER_PX) + label + margins.top() + margins.bottom()

    def table_width(self) -> int:
        """The width the side panel needs to show the table's columns whole (no horizontal scroll bar)."""
        header = self.table.horizontalHeader()
        columns = sum(max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c))
                      for c in range(header.count()) if not header.isSectionHidden(c))
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        margins = self._side.layout().contentsMargins()
        return columns + frame + margins.left() + margins.right() + self.SLACK

    def fit_table(self) -> None:
        """Beside the plot, give the table the width its columns need (within :data:`SIDE_SHARE`), the plot the rest.

        A divider the user has dragged is left where it is."""
        if self.splitter.orientation() != Qt.Orientation.Horizontal or self.width() <= 0:
            return
        total = self.splitter.width() - self.splitter.handleWidth()
        side = self.side_width(total)
        self._fitting = True
        try:
            self.splitter.setSizes([max(total - side, 1), side])
        finally:
            self._fitting = False
        self._share_columns(side)
        if self.table.model().rowCount() <= 200:  # a value wider than its column goes on two lines, not elided
            self.table.resizeRowsToContents()

    def side_width(self, total: int) -> int:
        """The width the table takes beside the plot out of ``total`` pixels (within :data:`SIDE_SHARE`)."""
        lo, hi = self.SIDE_SHARE
        return max(self._side.minimumWidth(), int(lo * total), min(self.table_width(), int(hi * total)))

    #: Pixels kept spare beside a table's columns (the header's and the style's own margins).
    SLACK = 24
    #: The narrowest a column is squeezed to when the columns share a side panel too narrow for them.
    MIN_COLUMN = 48

    def _share_columns(self, side: int) -> None:
        """When the columns need more than the ``side`` pixels they have, each keeps at least its header's width and
        they share the rest in proportion to what they need; their text wraps (no horizontal scroll bar). Only
        columns whose headers alone are wider than ``side`` scroll."""
        model = self.table.model()
        if model.rowCount() > 2000:
            return
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        cols = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        margins = self._side.layout().contentsMargins()
        room = (side - margins.left() - margins.right() - 2 * self.table.frameWidth()
                - self.table.verticalScrollBar().sizeHint().width() - self.SLACK)
        widths = [header.sectionSize(c) for c in cols]
        if not cols:
            return
        if sum(widths) <= room:
            return
        floor = [min(w, self._floor(c)) for c, w in zip(cols, widths)]
        if sum(floor) > room:
            return     # even at their headers' widths the columns do not fit: scroll instead
        # Each column gets its floor, and the room left is shared in proportion to what it needs beyond that.
        extra = [w - f for w, f in zip(widths, floor)]
        share = (room - sum(floor)) / max(sum(extra), 1)
        for c, f, e in zip(cols, floor, extra):
            header.resizeSection(c, f + int(e * share))
        self.table.updateGeometries()     # the scroll range follows the new widths now, not on the next event

    def _floor(self, column: int) -> int:
        """The narrowest ``column`` may be: its header's longest line (headers do not wrap by themselves)."""
        header = self.table.horizontalHeader()
        text = str(self.table.model().headerData(column, Qt.Orientation.Horizontal) or "")
        return max(self.MIN_COLUMN, max(header.fontMetrics().horizontalAdvance(line) for line in text.split("\n")) + 12)

    def fits_beside(self, side: int) -> bool:
        """Whether the table's columns fit ``side`` pixels beside the plot, each at least its header's width."""
        header = self.table.horizontalHeader()
        cols = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        needs = [max(self.table.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in cols]
        floors = sum(min(need, self._floor(c)) for c, need in zip(cols, needs))
        return floors + self.table_width() - sum(needs) <= side

    def _settle(self) -> None:
        """Once laid out, take the few pixels a table still scrolls sideways (frames, margins of the style) off
        the column with the most room over its header's width."""
        over = self.table.horizontalScrollBar().maximum()
        header = self.table.horizontalHeader()
        cols = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if over <= 0 or not cols or self.table.model().rowCount() == 0:
            return
        for c in sorted(cols, key=lambda c: self._floor(c) - header.sectionSize(c)):   # roomiest first
            take = min(over, header.sectionSize(c) - self._floor(c))
            if take > 0:
                header.resizeSection(c, header.sectionSize(c) - take)
                over -= take
            if over <= 0:
                break
        self.table.updateGeometries()

    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        if not self._fitting:
            self._user_split = True

    def show_data(self, *args: Any, plot_later_ms: int | None = None, **kwargs: Any) -> None:
        """Show a run: its table now, its plot now or ``plot_later_ms`` from now (once the table has been painted)."""
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
        self.arrange()
        self.canvas.show_run(*args, later_ms=plot_later_ms, **kwargs)


def _same(a: object, b: object) -> bool:
    """The same object, or equal numbers or texts."""
    return a is b or (type(a) is type(b) and isinstance(a, str | int | float) and a == b)


class ResultsPanel(QWidget):
    """Tabs of result views over one run, optionally compared with another."""

    viewChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run: RunResult | None = None
        self.scenario: Scenario | None = None
        self.other: RunResult | None = None
        self.other_label = ""
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        self.views: dict[str, ResultView] = {}
        #: What each view was last drawn from (:meth:`_inputs`): the same again is not drawn again.
        self._drawn: dict[str, tuple[Any, ...]] = {}
        for name, title in VIEWS.items():
            view = ResultView(name)
            self.views[name] = view
            self.tabs.addTab(view, title.replace("&", "&&"))  # "&&" shows one "&"
        self.tabs.currentChanged.connect(self._on_tab)
        self.status = QLabel("No results yet: press Run to allocate and simulate the scenario.")
        self.status.setWordWrap(True)
        self._note: str | None = None   # shown in the heading line in place of the run's (ResultsPanel.show_note)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        self._refresh()

    # ------------------------------------------------------------------ public API
    def set_result(self, run: RunResult | None, scenario: Scenario | None = None) -> None:
        """Show ``run`` (a RunResult; ``None`` clears). ``scenario`` adds project names and sectors to tables."""
        self.run = run
        if scenario is not None or run is None:
            self.scenario = scenario
        self._refresh()

    def set_comparison(self, other: RunResult | None, label: str = "Other") -> None:
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

    def _refresh_view(self, name: str, plot_later_ms: int | None = None) -> None:
        """Draw view ``name`` from the run shown, unless it shows those figures already; ``plot_later_ms``: its
        table now, its plot that many milliseconds later (a staged run's key figures first, then the plots)."""
        inputs = self._inputs(name)
        drawn = self._drawn.get(name)
        if drawn is not None and len(drawn) == len(inputs) and all(map(_same, drawn, inputs)):
            return   # e.g. the run's end after its baseline stage: the same figures, drawn already
        self._drawn[name] = inputs
        args, kwargs = self._args(name)
        self.views[name].show_data(*args, plot_later_ms=plot_later_ms, **kwargs)

    def _inputs(self, name: str) -> tuple[Any, ...]:
        """What view ``name`` is drawn from: the run's fields except those other stages give (a staged run's later
        stages leave this view's figures alone), the scenario and the comparison."""
        run = self.run
        parts: tuple[Any, ...] = (run,)
        if run is not None:
            stage = STAGE_OF_VIEW.get(name)
            others = {f for s, given in GIVES.items() if s != stage for f in given} if stage else set()
            parts = tuple(getattr(run, f.name) for f in dataclasses.fields(run) if f.name not in others)
        return (*parts, self.scenario, self.other, self.other_label)

    def show_note(self, note: str | None) -> None:
        """Put ``note`` in the heading line above the views, highlighted (a first estimate says there what its
        figures are); ``None`` gives the line back to the run shown."""
        self._note = note
        self._refresh_status()

    def _refresh_status(self) -> None:
        if self._note:
            self.status.setText(self._note)
            self.status.setStyleSheet("QLabel { background: #e3effb; color: #123c69; border: 1px solid #7aa7d6; "
                                      "border-radius: 4px; padding: 2px 8px; }")
            return
        self.status.setStyleSheet("")
        if self.run is None:
            self.status.setText("No results yet: press Run to allocate and simulate the scenario.")
        else:
            alloc = self.run.allocation
            self.status.setText(
                f"Method {alloc.method} ({alloc.status}), {self.run.trials:,} trials, seed {self.run.seed}.")

    def _refresh(self) -> None:
        self._refresh_status()
        for name in VIEWS:
            self._refresh_view(name)

    def _on_tab(self, index: int) -> None:
        view = self.tabs.widget(index)
        if isinstance(view, ResultView):
            view.canvas.ensure_drawn()
            self.viewChanged.emit(view.name)
