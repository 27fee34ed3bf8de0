"""The status bar: validation status, whether the results are up to date, run progress with Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton


class RunStatus:
    """Widgets of the main window's status bar, driven by the RunController's signals."""

    def __init__(self, window):
        self._window = window
        bar = window.statusBar()
        self.validation = QLabel()
        self.validation.setToolTip("Problems of the scenario: the Issues panel lists them.")
        self.stale = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop the run under way (Shift+F5). The scenario is not changed.")
        self.cancel.clicked.connect(window.cancel_run)
        for widget in (self.stale, self.progress, self.cancel):
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.validation)
        self._running(False)
        rc = window.run_controller
        rc.started.connect(self._on_started)
        rc.progress.connect(self._on_progress)
        rc.finished.connect(lambda _run: self._done("Run finished: results updated."))
        rc.failed.connect(lambda _msg: self._done("The run did not finish."))
        rc.cancelled.connect(lambda: self._done("Run cancelled: the results shown are from before."))

    def _running(self, on: bool) -> None:
        self.progress.setVisible(on)
        self.cancel.setVisible(on)
        actions = getattr(self._window, "menu_actions", None)
        if actions is not None:
            actions.cancel.setEnabled(on)

    def _on_started(self) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("Starting...")
        self._running(True)

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        self.progress.setFormat(f"{message} %p%" if message else "%p%")

    def _done(self, text: str) -> None:
        self._running(False)
        self._window.statusBar().showMessage(text, 10_000)

    def set_validation(self, text: str, has_errors: bool) -> None:
        colour = "#b00020" if has_errors else "#2e7d32" if text == "No problems found" else "#8a6d00"
        self.validation.setText(f"<span style='color:{colour}'>{text}</span>")

    def set_stale(self, stale: bool) -> None:
        self.stale.setText("<span style='color:#8a6d00'>Results are for an earlier version: press Run (F5)"
                           "</span>" if stale else "")
