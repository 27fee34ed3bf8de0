"""The frame every What if dialog shares: options on top, Run / Cancel with a progress bar, and the
answer as a plot beside a table.

:class:`WhatIfDialog` reads the window's current scenario when Run is pressed and runs the
dialog's core task in the background through its own :class:`~ui.runner.RunController`; a run
asked for while the main window's run is under way waits for it, so two solver runs never
overlap. A result computed for an earlier version of the scenario is marked as such.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.plots.canvas import PlotCanvas
from ui.plots.whatif import plot_switching
from ui.results_table import RowsView, plot_beside_table
from ui.runner import RunController
from workbench.figures import npv_label
from workbench.whatif.statistics import STATISTICS, UnknownStatistic, find_statistic
from workbench.whatif.vocabulary import GENERIC_NPV

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from ui.main_window import MainWindow
    from workbench.scenario import Scenario

#: The report type of a dialog's core task (e.g. :class:`workbench.whatif.tasks.SwitchingReport`).
R = TypeVar("R")

#: Milliseconds between checks whether the main window's run has ended (a what-if run waits for it).
WAIT_POLL_MS = 200
DEFAULT_TRIALS = 20_000

class WhatIfDialog(QDialog, Generic[R]):
    """Options on top, Run / Cancel with a progress bar, then the plot beside the table."""

    title = ""
    plot: Callable[..., None] = staticmethod(plot_switching)   # each dialog's own plot of its report
    intro = ""
    # These two attributes hide QWidget.window() and QDialog.result() (kept: the dialogs and tests read them).
    window: MainWindow   # type: ignore[assignment]
    result: R | None   # type: ignore[assignment]

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.setWindowTitle(self.title)
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.result = None
        self.result_scenario: Scenario | None = None
        self.runner = RunController(self, run_function=self.task, delay_ms=0)
        self.runner.options = {}   # the task's own options only (no pipeline defaults)
        self.runner.started.connect(self._on_started)
        self.runner.progress.connect(self._on_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self._wait = QTimer(self)
        self._wait.setInterval(WAIT_POLL_MS)
        self._wait.timeout.connect(self._start_when_free)
        self._pending: dict[str, Any] | None = None   # the task's keyword arguments (of mixed kinds)
        self._heading_text = ""
        self._scenario_run: Scenario | None = None
        self._stat_boxes: list[QComboBox] = []

        layout = QVBoxLayout(self)
        intro = QLabel(self.intro)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.trials = QSpinBox()
        self.trials.setRange(100, 1_000_000)
        self.trials.setSingleStep(1000)
        self.trials.setGroupSeparatorShown(True)
        self.trials.setValue(min(int(window.scenario.trials), DEFAULT_TRIALS))
        self.trials.setToolTip("Trials of every evaluation: the same draws at every evaluation (common random "
                               "numbers). More trials: a smaller Monte Carlo error, a longer run.")
        self.build_options()
        row = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this analysis; the scenario is not changed.")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("")
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)
        self.status = QLabel("Press Run to compute on the current scenario.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        body = QWidget()
        self.canvas = PlotCanvas(self.plot, title=self.title)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = RowsView()
        self.splitter, _side = plot_beside_table(body, self.canvas, self.heading, self.build_side())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)   # the tables here carry the answers: give them room
        layout.addWidget(body, 1)
        self.canvas.show_run(None)
        window.document.changed.connect(self._on_scenario_changed)
        self.resize(1200, 760)
        self.splitter.setSizes([700, 480])

    # ------------------------------------------------------------ to override
    def build_options(self) -> None:
        self.form.addRow("Trials per evaluation", self.trials)

    def build_side(self) -> QWidget:
        return self.table

    def options(self) -> dict[str, Any]:
        """The task's keyword arguments from the widgets; ValueError with a sentence when one is wrong."""
        return {"trials": self.trials.value()}

    def task(self, scn: Scenario, **kwargs: Any) -> R:
        raise TypeError("a what-if dialog defines its task")

    def show_result(self, result: R) -> None:
        self.canvas.show_run(result)

    # ------------------------------------------------------------ running
    def run(self) -> bool:
        """Start the analysis on the current scenario (after the main window's run under way, if any)."""
        errors = [i for i in self.window.document.issues if i.is_error]
        if errors:
            self._say(f"The scenario has {len(errors)} error{'s' if len(errors) != 1 else ''} to fix first: see the "
                      "Issues panel.", error=True)
            return False
        try:
            opts = self.options()
        except (ValueError, UnknownStatistic) as exc:
            self._say(str(exc), error=True)
            return False
        self._pending = opts
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        if self.window.run_controller.is_running():
            self._say("Waiting for the run under way in the main window to finish...")
            self._wait.start()
            return True
        self._start_when_free()
        return True

    def _start_when_free(self) -> None:
        if self.window.run_controller.is_running() or self._pending is None:
            return
        self._wait.stop()
        opts, self._pending = self._pending, None
        self._scenario_run = self.window.scenario
        self.runner.start(self._scenario_run, **opts)

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending = None
            self._wait.stop()
            self._on_cancelled()
            return
        self.runner.cancel()

    def is_running(self) -> bool:
        return self.runner.is_running() or self._pending is not None

    def _on_started(self) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("Starting...")
        self._say("Running...")

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        self.progress.setFormat(f"{message} %p%" if message else "%p%")

    def _idle(self) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _on_finished(self, result: R) -> None:
        self._idle()
        self.result = result
        self.result_scenario = self._scenario_run
        self.progress.setValue(1000)
        self.progress.setFormat("Done")
        self._say(self.summary(result))
        self.show_result(result)

    def _on_failed(self, message: str) -> None:
        self._idle()
        self.progress.setFormat("Stopped")
        self._say(message, error=True)

    def _on_cancelled(self) -> None:
        self._idle()
        self.progress.setValue(0)
        self.progress.setFormat("Cancelled")
        self._say("Cancelled: nothing was computed; the results shown (if any) are from before.")

    def summary(self, result: R) -> str:
        return ""

    # ------------------------------------------------------------ the measure's name
    def discount_rate(self, scn: Scenario | None = None) -> float | None:
        """The scenario's discount rate (None while it cannot be read): every statistic is of NPV at it."""
        return _field(scn if scn is not None else self.window.scenario, "Discount rate")

    def confidence(self, scn: Scenario | None = None) -> float:
        """The scenario's confidence level (VaR and CVaR are named with it); 0.95 while it cannot be read."""
        c = _field(scn if scn is not None else self.window.scenario, "Confidence level")
        return c if c is not None else 0.95

    def npv(self, scn: Scenario | None = None) -> str:
        """The measure as shown: "NPV at 5 %" (the scenario's discount rate, from the results vocabulary)."""
        rate = self.discount_rate(scn)
        return npv_label(rate) if rate is not None else GENERIC_NPV

    def stat_combo(self, default: str = "expected-npv") -> QComboBox:
        """A choice of statistic, each named with the scenario's measure and kept so as the scenario changes."""
        box = _stat_combo(self.confidence(), self.discount_rate(), default)
        self._stat_boxes.append(box)
        return box

    def _on_scenario_changed(self, scn: Scenario) -> None:
        for box in self._stat_boxes:
            _label_stat_combo(box, self.confidence(scn), self.discount_rate(scn))
        if self.result_scenario is not None and not self.result_scenario.same_content(scn):
            self.heading.setText("<span style='color:#8a6d00'>Computed for an earlier version of the scenario: "
                                 "press Run again.</span><br>" + self._heading_text)

    def set_heading(self, text: str) -> None:
        self._heading_text = text
        self.heading.setText(text)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(f"<span style='color:#b00020'>{_html(text)}</span>" if error else _html(text))

    def shutdown(self) -> None:
        self._pending = None
        self._wait.stop()
        self.runner.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


def _field(scn: Scenario, name: str) -> float | None:
    try:
        v = float(scn.field(name))
    except (TypeError, ValueError, KeyError):
        return None
    return v if v == v else None


def _stat_combo(confidence: float, discount_rate: float | None, default: str = "expected-npv") -> QComboBox:
    box = QComboBox()
    for st in STATISTICS:
        box.addItem(st.label_at(confidence, discount_rate), st.key)
    box.setCurrentIndex(max(box.findData(default), 0))
    return box


def _label_stat_combo(box: QComboBox, confidence: float, discount_rate: float | None) -> None:
    for i in range(box.count()):
        key = box.itemData(i)
        if key in {st.key for st in STATISTICS}:
            box.setItemText(i, find_statistic(key).label_at(confidence, discount_rate))


def fmt_value(v: float | None, unit: str) -> str:
    from workbench.whatif.inputs import fmt_value as fmt

    return fmt(v, unit)


def _stat_text(key: str, value: float) -> str:
    return find_statistic(key).format(value)
