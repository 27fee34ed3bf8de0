"""The first estimate after an edit: key figures from the first trials, labelled as such until the exact ones come.

The staged run (:class:`workbench.stages.StagedPipeline`, with ``first_estimate`` trials)
reports an ``estimate`` stage before the baseline when the baseline is not in its cache.
:class:`EstimateWiring` draws the key figures (the Summary view, and the view in front when
the baseline gives it) from that estimate at once and puts a banner on them, without the
stale veil: "First estimate, 4,096 trials (allocation fitted on 4,096): CVaR 95% within
USD a to b bn (95 % Monte Carlo band). The figures of all 50,000 trials follow." The exact
baseline or a newer run takes the banner off; a run cancelled or failed after its estimate
takes it off too and marks those views stale ("the run that would update this view did not
finish"), so an estimate is never left looking like the exact figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor, QPainter

from ui.stale import STAGE_OF_VIEW, STOPPED, StaleOverlay
from workbench.stages import FIRST_ESTIMATE_TRIALS, estimate_label

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from ui.main_window import MainWindow
    from workbench.results import RunResult

#: The views drawn from a first estimate (the key figures; the view in front too when it shows the baseline).
ESTIMATED_VIEWS: tuple[str, ...] = ("summary",)


class EstimateBanner(StaleOverlay):
    """A label at the top of a view saying its figures are a first estimate; no veil, the figures stay clear."""

    def __init__(self, parent) -> None:
        super().__init__(parent)
        self.label.setObjectName("estimateLabel")
        self.label.setStyleSheet("QLabel#estimateLabel { background: #e3effb; color: #123c69; border: 1px solid "
                                 "#7aa7d6; border-radius: 4px; padding: 4px 10px; }")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 0))
        painter.end()


class EstimateWiring(QObject):
    """Shows a staged run's first estimate in the key-figure views of a main window, labelled."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        panel = window.results_panel
        self.banners = {name: EstimateBanner(view) for name, view in panel.views.items()}
        #: The result shown as a first estimate, until the exact baseline replaces it (tests read it).
        self.shown: RunResult | None = None
        window.run_controller.started.connect(self.clear)
        window.run_controller.stage.connect(self._on_stage)
        window.run_controller.finished.connect(self.clear)
        window.run_controller.cancelled.connect(self._on_stopped)
        window.run_controller.failed.connect(self._on_stopped)

    def text(self, view: str) -> str | None:
        """The banner's text on ``view``, or ``None`` when it shows no estimate."""
        banner = self.banners[view]
        return None if banner.isHidden() else banner.text()

    def clear(self, *_args: object) -> None:
        self.shown = None
        for banner in self.banners.values():
            banner.hide()

    def _on_stopped(self, *_args: object) -> None:
        """A run stopped after its estimate: the views drawn from it are marked stale, not left looking exact."""
        shown = [name for name, banner in self.banners.items() if not banner.isHidden()]
        self.clear()
        marks = getattr(getattr(self.window, "stale", None), "marks", None)
        if shown and marks is not None:
            marks.mark(shown, STOPPED)

    def _on_stage(self, name: str, result: RunResult, _pending: frozenset[str]) -> None:
        if name != "estimate":
            if name == "baseline":
                self.clear()
            return
        w = self.window
        panel = w.results_panel
        panel.run, panel.scenario = result, getattr(w, "_run_scenario", w.scenario)
        views = list(ESTIMATED_VIEWS)
        current = panel.current_view()
        if STAGE_OF_VIEW.get(current) == "baseline" and current not in views:
            views.append(current)
        text = estimate_label(result)
        marks = getattr(getattr(w, "stale", None), "marks", None)
        for view in views:
            panel._refresh_view(view)
            if marks is not None:
                marks.clear([view])
            self.banners[view].show_text(text)
        self.shown = result


def install(window: MainWindow) -> EstimateWiring:
    """Have ``window``'s staged runs give a first estimate, shown in its key-figure views, labelled."""
    window.estimate = EstimateWiring(window)
    window.run_controller.first_estimate = FIRST_ESTIMATE_TRIALS
    return window.estimate
