"""The repair of an infeasible run, offered where the run's explanation is shown.

When a run fails because no allocation satisfies every limit, the core names every
independent conflict and proposes one combined change of the user's own cells that makes
every limit hold, proven by solving the repaired scenario again
(:class:`workbench.allocation.infeasibility.Repair`). :class:`RepairOffer` adds an
"Apply these changes" button to the message box that shows the explanation, and keeps the
same action in the Run menu while the offer stands. Applying pushes the repair's one
``Macro`` command on the undo stack (one undo step: Undo gives back every value the
user wrote) and runs the scenario again, so the user sees it run clean.

The offer holds only for the scenario the failed run was given: after any other edit (or
undo) it is withdrawn, since the repair's cells and values were computed for that scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox

if TYPE_CHECKING:
    from ui.main_window import MainWindow
    from workbench.allocation.infeasibility import Repair
    from workbench.scenario import Scenario

#: The text of the button in the explanation's message box.
APPLY_TEXT = "Apply these changes"


class RepairOffer(QObject):
    """Offers the proven repair of the last infeasible run (``window`` is the main window)."""

    def __init__(self, window: MainWindow, menu: QMenu | None = None):
        super().__init__(window)
        self.window = window
        self.repair: Repair | None = None   # the workbench Repair on offer, or None
        self.scenario: Scenario | None = None   # the scenario it was computed for
        self.action = QAction("Apply the proposed &changes to the limits", window)
        self.action.setStatusTip("Make the changes the last run proposed so that every limit holds "
                                 "(one undo step), then run again.")
        self.action.setEnabled(False)
        self.action.triggered.connect(lambda _checked=False: self.apply())
        if menu is not None:
            menu.addAction(self.action)
        rc = window.run_controller
        rc.started.connect(self.withdraw)
        rc.failed.connect(self._on_failed)
        window.document.changed.connect(self._on_changed)

    # ------------------------------------------------------------ public API
    def apply(self) -> bool:
        """Apply the repair on offer as one undo step and run again; False (with a message) if none applies."""
        if self.repair is None:
            self.window.notify("There are no proposed changes to apply: they are offered when a run finds "
                               "that the limits conflict.")
            return False
        if not self.window.scenario.same_content(self.scenario):
            self.withdraw()
            self.window.notify("The scenario changed after the run that proposed these changes: run again for "
                               "changes that fit the current limits.")
            return False
        repair = self.repair
        if not self.window.push(repair.command):
            return False
        self.withdraw()
        n = len(repair.edits)
        self.window.statusBar().showMessage(f"Applied {n} change{'s' if n != 1 else ''} so that every limit holds "
                                            "(Undo gives back your values); running again.", 15_000)
        self.window.run_now()
        return True

    def withdraw(self) -> None:
        self.repair = None
        self.scenario = None
        self.action.setEnabled(False)

    # ------------------------------------------------------------ internals
    def _on_failed(self, message: str) -> None:
        from workbench.allocation import Infeasible

        exc, scn = getattr(self.window.run_controller, "last_error", (None, None))
        if not isinstance(exc, Infeasible) or exc.repair is None or scn is None:
            self.withdraw()
            return
        self.repair, self.scenario = exc.repair, scn
        self.action.setEnabled(self.window.scenario.same_content(scn))
        # the window shows the explanation in a message box after this slot: add the button to it
        QTimer.singleShot(0, lambda: self._add_button(message))

    def _add_button(self, message: str) -> None:
        if self.repair is None:
            return
        box = next((b for b in reversed(getattr(self.window, "messages", [])) if b.text() == message), None)
        if box is None:
            return
        button = box.addButton(APPLY_TEXT, QMessageBox.ButtonRole.AcceptRole)
        button.setToolTip("Make the changes listed last (one undo step), then run again.")
        box.setDefaultButton(button)
        button.clicked.connect(lambda _checked=False: self.apply())

    def _on_changed(self, scn: Scenario) -> None:
        if self.repair is not None:
            self.action.setEnabled(scn.same_content(self.scenario))


def install(window: MainWindow, menu: QMenu | None = None) -> RepairOffer:
    """Offer repairs in ``window`` (its action added to ``menu``)."""
    return RepairOffer(window, menu)


__all__ = ["APPLY_TEXT", "RepairOffer", "install"]
