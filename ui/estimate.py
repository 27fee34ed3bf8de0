"""The first estimate after an edit: key figures from the first trials, labelled as such until the exact ones come.

The staged run (:class:`workbench.stages.StagedPipeline`, with ``first_estimate`` trials)
reports an ``estimate`` stage before the baseline when the baseline is not in its cache.
:class:`EstimateWiring` shows the key figures (the Summary view, and the view in front when
the baseline gives it) from that estimate at once, without the stale veil (their plots wait
:attr:`EstimateWiring.PLOT_AFTER_MS` for the exact baseline, which usually comes first, so
that the window does not spend a second drawing figures about to be replaced), and the results
heading line above the views says what they are, highlighted (a banner over the view would
cover the plots' titles): "First estimate, 4,096 trials (allocation fitted on 4,096): CVaR 95% within
USD a to b bn (95 % Monte Carlo band). The figures of all 50,000 trials follow." The exact
baseline or a newer run gives the heading back to the run shown; a run cancelled or failed after its estimate
gives it back too and marks those views stale ("the run that would update this view did not
finish"), so an estimate is never left looking like the exact figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from ui.stale import STAGE_OF_VIEW, STOPPED
from workbench.stages import FIRST_ESTIMATE_TRIALS, estimate_label

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from workbench.results import RunResult

#: The views drawn from a first estimate (the key figures; the view in front too when it shows the baseline).
ESTIMATED_VIEWS: tuple[str, ...] = ("summary",)


class EstimateWiring(QObject):
    """Shows a staged run's first estimate in the key-figure views of a main window, labelled."""

    #: The estimate's plots wait this long for the exact baseline (milliseconds); its key figures show at once.
    PLOT_AFTER_MS = 1500

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        #: The result shown as a first estimate, until the exact baseline replaces it (tests read it).
        self.shown: RunResult | None = None
        #: The views drawn from it (their heading line says what the figures are).
        self.views: list[str] = []
        window.run_controller.started.connect(self.clear)
        window.run_controller.stage.connect(self._on_stage)
        window.run_controller.finished.connect(self.clear)
        window.run_controller.cancelled.connect(self._on_stopped)
        window.run_controller.failed.connect(self._on_stopped)

    def text(self, view: str) -> str | None:
        """What the results heading says of ``view``'s figures when they are a first estimate, else ``None``."""
        panel = self.window.results_panel
        return panel.status.text() if self.shown is not None and view in self.views else None

    def clear(self, *_args: object) -> None:
        had = self.shown is not None
        self.shown, self.views = None, []
        if had:
            self.window.results_panel.show_note(None)

    def _on_stopped(self, *_args: object) -> None:
        """A run stopped after its estimate: the views drawn from it are marked stale, not left looking exact."""
        shown = list(self.views) if self.shown is not None else []
        self.clear()
        if shown:
            self.window.stale.marks.mark(shown, STOPPED)

    def _on_stage(self, name: str, result: RunResult, _pending: frozenset[str]) -> None:
        if name != "estimate":
            if name == "baseline":
                self.clear()
            return
        panel = self.window.results_panel
        views = list(ESTIMATED_VIEWS)
        current = panel.current_view()
        if STAGE_OF_VIEW.get(current) == "baseline" and current not in views:
            views.append(current)
        # the key figures now, not veiled as stale (labelled instead); the plots only if the exact baseline has not
        # come within PLOT_AFTER_MS (a second of the window drawing the estimate's plots would hold it back)
        self.window.stale.show(result, views, plot_after_ms=self.PLOT_AFTER_MS)
        self.shown, self.views = result, views
        panel.show_note(estimate_label(result))


def install(window: MainWindow) -> EstimateWiring:
    """Have ``window``'s staged runs give a first estimate, shown in its key-figure views, labelled."""
    window.estimate = EstimateWiring(window)
    window.run_controller.first_estimate = FIRST_ESTIMATE_TRIALS
    return window.estimate
