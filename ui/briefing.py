"""File > Write briefing...: the same briefing as ``workbench report``, written in the background.

The briefing is of the scenario as it is now (its assumption register included). When the
last run's results are of these inputs, they are used as they are; otherwise the scenario
is run first, with its own trials and seed, exactly as ``workbench report`` runs it. The
work happens in a :class:`QThread`; the window stays usable, the status bar says what is
happening, and a message says where the file went or why it could not be written.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.scenario import Scenario

log = logging.getLogger(__name__)

FILTERS = "Word document (*.docx);;PDF (*.pdf)"


class BriefingThread(QThread):
    """Run (when no run is given) and write one briefing; reports on the GUI thread."""

    written = Signal(str)
    failed = Signal(str)

    def __init__(self, scenario: Scenario, run: RunResult | None, path: str, *, author: str = "",
                 parent: QObject | None = None):
        super().__init__(parent)
        self.scenario = scenario
        self.result = run
        self.path = path
        self.author = author

    def run(self) -> None:  # the thread's body: core calls only, no widgets
        from workbench.report import ReportError, make_briefing

        try:
            result = self.result
            if result is None:
                from workbench.pipeline import run_scenario

                result = run_scenario(self.scenario)
            make_briefing(self.scenario, result, self.path, author=self.author)
        except ReportError as exc:
            self.failed.emit(str(exc))
        except OSError as exc:
            self.failed.emit(f"Could not write {self.path}: {exc.strerror or exc}. Check the folder is writable "
                             "and the file is not open in Word or a PDF viewer.")
        except Exception as exc:  # an infeasible or invalid scenario, a solver failure: one sentence
            explain = getattr(exc, "explain", None)
            self.failed.emit(explain() if callable(explain) else f"The briefing could not be made: {exc}")
        else:
            self.written.emit(self.path)


def write_briefing(window, path: str | None = None) -> BriefingThread | None:
    """Ask where (unless ``path`` is given) and write the briefing in the background; the thread, or None."""
    if getattr(window, "briefing_thread", None) is not None and window.briefing_thread.isRunning():
        window.notify("A briefing is already being written; wait for it to finish.")
        return None
    if path is None:
        folder = window.current_path.parent if window.current_path else Path.home()
        stem = (window.current_path.stem if window.current_path else "briefing") + " briefing.docx"
        path, _ = QFileDialog.getSaveFileName(window, "Write briefing", str(folder / stem), FILTERS)
        if not path:
            return None
    if Path(path).suffix.lower() not in (".docx", ".pdf"):
        path += ".docx"
    scn = window.scenario
    if any(i.is_error for i in window.document.issues):
        window.message("The scenario has errors", "A briefing needs a run, and a scenario with errors does not run. "
                       "Fix the problems listed in the Issues panel first.")
        return None
    done = window.result_scenario
    fresh = window.last_result if done is not None and done.same_inputs(scn) else None
    thread = BriefingThread(scn, fresh, path, author=str(scn.field("Author") or ""), parent=window)
    window.briefing_thread = thread
    window.statusBar().showMessage("Writing the briefing" + ("" if fresh else " (running the scenario first)")
                                   + "...")
    thread.written.connect(lambda p: _done(window, p))
    thread.failed.connect(lambda m: _failed(window, m))
    thread.start()
    return thread


def _done(window, path: str) -> None:
    window.statusBar().showMessage(f"Briefing written to {path}", 15_000)
    window.last_briefing = path


def _failed(window, message: str) -> None:
    window.statusBar().clearMessage()
    window.message("The briefing was not written", message, QMessageBox.Icon.Warning)


def install(window) -> QAction:
    """Add *Write briefing...* to the File menu, after Export."""
    act = QAction("Write &briefing...", window)
    act.setStatusTip("Write a briefing (Word or PDF): the answer, key figures, plots, stress tests, binding limits, "
                     "the assumption register and the input tables.")
    act.triggered.connect(lambda: write_briefing(window))
    file_menu = window.menuBar().actions()[0].menu()
    quit_action = window.menu_actions.quit
    items = file_menu.actions()
    anchor = items[items.index(quit_action) - 1] if quit_action in items else None  # the separator before Quit
    file_menu.insertAction(anchor, act) if anchor is not None else file_menu.addAction(act)
    window.briefing_action = act
    window.briefing_thread = None
    return act


def shutdown(window) -> None:
    """Let a briefing being written finish before the window goes (the thread must not outlive it)."""
    thread = getattr(window, "briefing_thread", None)
    if thread is not None and thread.isRunning():
        window.statusBar().showMessage("Finishing the briefing before closing...")
        thread.wait()
