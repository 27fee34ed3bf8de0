"""Stale marks on the results views: what the last edit made out of date, until it is recomputed.

After an edit the results on screen belong to the scenario as it was. Rather than blank them
or leave them looking current, each view that is out of date keeps its plot and table,
covered by a pale veil with a label ("Stale: recomputing..." while auto-run recomputes it,
"Stale: the scenario changed since this run. Press Run (F5)." otherwise); its table is
greyed and its tab title is grey with a trailing "(stale)" mark in the tooltip.

With the staged run (:mod:`workbench.stages`) the marks come off view by view: the
allocation and key figures first, then the stress tests, the sensitivity and the frontier
as each finishes (:data:`STAGE_OF_VIEW`). ``install(window)`` wires this into the main window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from collections.abc import Iterable

    from PySide6.QtGui import QPaintEvent

    from ui.main_window import MainWindow
    from ui.results_panel import ResultsPanel
    from workbench.results import RunResult
    from workbench.scenario import Scenario

#: Results view -> the stage of the staged run that recomputes it.
STAGE_OF_VIEW: dict[str, str] = {
    "summary": "baseline", "allocation": "baseline", "states": "baseline", "distribution": "baseline",
    "fan": "baseline", "contributions": "baseline", "impact": "baseline", "compare": "baseline",
    "stress": "stress", "tornado": "tornado", "frontier": "frontier",
}
RECOMPUTING = "Stale: recomputing..."
CHANGED = "Stale: the scenario changed since this run. Press Run (F5)."
STOPPED = "Stale: the run that would update this view did not finish. Press Run (F5)."
_GREY = QColor("#8a8a8a")


class StaleOverlay(QWidget):
    """A pale veil over a view with a label at the top; lets clicks through to the view below."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.label = QLabel(RECOMPUTING, self)
        self.label.setObjectName("staleLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("QLabel#staleLabel { background: #fff4ce; color: #5c4400; border: 1px solid #d9b84a;"
                                 " border-radius: 4px; padding: 4px 10px; font-weight: bold; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 36, 12, 12)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parent().rect())
            self._fit_label()
        return False

    def show_text(self, text: str) -> None:
        self.label.setText(text)
        self.setGeometry(self.parent().rect())
        self._fit_label()
        self.show()
        self.raise_()

    def _fit_label(self) -> None:
        """The label on one line when the view is wide enough, else wrapped to the view's width."""
        wanted = self.label.fontMetrics().horizontalAdvance(self.label.text()) + 40
        self.label.setFixedWidth(max(120, min(wanted, self.width() - 24)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(255, 255, 255, 150))
        painter.end()


class StaleMarks:
    """The stale marks of one :class:`ui.results_panel.ResultsPanel` (one overlay per view)."""

    def __init__(self, panel: ResultsPanel) -> None:
        self.panel = panel
        self.overlays = {name: StaleOverlay(view) for name, view in panel.views.items()}
        self._titles = {name: panel.tabs.tabText(panel.tabs.indexOf(view)) for name, view in panel.views.items()}

    def mark(self, names: Iterable[str], text: str = RECOMPUTING) -> None:
        """Mark the views ``names`` stale with ``text`` on their veil."""
        for name in names:
            view = self.panel.views[name]
            self.overlays[name].show_text(text)
            view.table.setEnabled(False)
            index = self.panel.tabs.indexOf(view)
            self.panel.tabs.tabBar().setTabTextColor(index, _GREY)
            self.panel.tabs.setTabToolTip(index, f"{self._titles[name]} (stale): {text}")

    def clear(self, names: Iterable[str] | None = None) -> None:
        """Take the marks off the views ``names`` (all when ``None``)."""
        for name in (self.overlays if names is None else names):
            view = self.panel.views[name]
            self.overlays[name].hide()
            view.table.setEnabled(True)
            index = self.panel.tabs.indexOf(view)
            self.panel.tabs.tabBar().setTabTextColor(index, self.panel.tabs.palette().windowText().color())
            self.panel.tabs.setTabToolTip(index, "")

    def stale_views(self) -> list[str]:
        return [name for name, overlay in self.overlays.items() if not overlay.isHidden()]

    def text(self, name: str) -> str | None:
        """The veil's text on view ``name``, or ``None`` when it is not stale."""
        overlay = self.overlays[name]
        return None if overlay.isHidden() else overlay.text()

    def restate(self, text: str) -> None:
        """Change the text of every mark shown (a run that was cancelled or failed)."""
        stale = self.stale_views()
        if stale:
            self.mark(stale, text)


def views_of(stages: Iterable[str]) -> list[str]:
    return [view for view, stage in STAGE_OF_VIEW.items() if stage in set(stages)]


class StaleWiring(QObject):
    """Connects the document and the run controller of a main window to its stale marks."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.marks = StaleMarks(window.results_panel)
        #: The stages reported so far by the run under way, in order (tests and the benchmark read it).
        self.reported: list[str] = []
        #: Runs started so far: a view scheduled to be drawn from one run is not drawn once a newer one started.
        self._runs = 0
        window.document.changed.connect(self._on_changed)
        window.run_controller.started.connect(self._on_started)
        window.run_controller.stage.connect(self._on_stage)
        window.run_controller.finished.connect(self._on_finished)
        window.run_controller.cancelled.connect(self._on_stopped)
        window.run_controller.failed.connect(self._on_stopped)

    def _on_changed(self, scn: Scenario) -> None:
        w = self.window
        if w.last_result is None or w.result_scenario is None:
            self.marks.clear()
            return
        if w.result_scenario is scn or w.result_scenario.same_inputs(scn):
            if not w.run_controller.is_running():
                self.marks.clear()
            return
        busy = w.run_controller.is_scheduled() or w.run_controller.is_running()
        self.marks.mark(STAGE_OF_VIEW, RECOMPUTING if busy else CHANGED)

    def _on_started(self) -> None:
        self.reported = []
        self._runs += 1
        if self.window.last_result is not None:
            self.marks.mark(STAGE_OF_VIEW, RECOMPUTING)

    def _on_stage(self, name: str, result: RunResult, pending: frozenset[str]) -> None:
        self.reported.append(name)
        if not pending:
            return   # the whole result: finished() follows and shows it
        panel = self.window.results_panel
        fresh = [v for v in panel.views if STAGE_OF_VIEW.get(v) == name]
        # only this stage's views are drawn again (the whole panel is redrawn once, when the run finishes):
        # the GUI thread then leaves the run its share of the CPU. The key figures and the view in front now;
        # the other views one by one as the event loop is free
        current = panel.current_view()
        first = [v for v in fresh if v in ("summary", current)] if name == "baseline" else fresh
        self.show(result, first)
        for view in fresh:
            if view not in first:
                QTimer.singleShot(0, lambda v=view, n=self._runs: self._refresh_later(v, n))
        self.marks.mark(views_of(pending), RECOMPUTING)

    #: A stage's plots are drawn this long after its tables, which the window paints first (milliseconds).
    PLOT_AFTER_MS = 40

    def show(self, result: RunResult, views: Iterable[str], plot_after_ms: int = PLOT_AFTER_MS) -> None:
        """Make ``result`` the panel's run and show ``views`` from it, taking their stale marks off (a stage's
        views, or a first estimate's): their tables now, their plots ``plot_after_ms`` later."""
        w = self.window
        panel = w.results_panel
        panel.run, panel.scenario = result, getattr(w, "_run_scenario", w.scenario)
        views = list(views)
        for view in views:   # the tables (the key figures) at once, the plots as soon as they have been painted
            panel._refresh_view(view, plot_later_ms=plot_after_ms)
        self.marks.clear(views)

    def _refresh_later(self, view: str, run_number: int) -> None:
        """Draw ``view`` from the panel's run, unless a newer run has started since it was scheduled. A later stage
        of the same run may have replaced the panel's run meanwhile: it holds this stage's figures too."""
        panel = self.window.results_panel
        if run_number == self._runs and panel.run is not None:
            panel._refresh_view(view)
            self.marks.clear([view])

    def _on_finished(self, _run: RunResult) -> None:
        w = self.window
        if w.result_scenario is w.scenario or w.result_scenario.same_inputs(w.scenario):
            self.marks.clear()
        else:
            self.marks.mark(STAGE_OF_VIEW, CHANGED)

    def _on_stopped(self, *_args: object) -> None:
        if not self.window.run_controller.is_running() and not self.window.run_controller.is_scheduled():
            self.marks.restate(STOPPED)


def install(window: MainWindow) -> StaleWiring:
    """Give ``window``'s results panel stale marks that follow its edits and staged runs."""
    window.stale = StaleWiring(window)
    return window.stale
