"""Crash recovery in the app: autosave unsaved edits, offer them back after a crash.

Wiring (the main window does this; ``window`` has ``scenario``, ``undo_stack`` and ``push``)::

    manager = RecoveryManager(window)      # or RecoveryManager(parent, get_scenario=fn, is_dirty=fn)
    manager.offer()                        # at start: "Restore unsaved edits from <time>?" if a session crashed
    manager.schedule()                     # after every change: a record is written ~1 s after the last one
    manager.close()                        # on a clean close: the record goes, no prompt next start

* ``schedule(*_)`` restarts a single-shot timer (``delay_ms``, 1 s); when it fires the
  current scenario is written to this session's recovery record if it is dirty, and the
  record is removed if it is not (after a save or an undo back to the saved state).
* ``flush()`` does the same at once; when the parent is a widget, its close event flushes
  a pending write first (before the window's own "save changes?" prompt), so a kill while
  that prompt is up loses nothing; ``close()`` stops the timer and removes the record.
* ``pending_recovery() -> Scenario | None``: the newest record left by a session that ended
  without ``close()`` (crash, kill, power loss); records of another running instance are
  left alone (see :mod:`workbench.snapshots.recovery`).
* ``offer(parent=None) -> Scenario | None`` shows the prompt; on *Restore* it emits
  ``restored(scenario)`` and, when the parent has ``push``, pushes
  ``ReplaceScenario(scenario, "Restore unsaved edits")`` (one undo step); either answer
  removes the crashed session's records, so the prompt comes once.

Signals: ``written(str)`` (record path), ``cleared()``, ``restored(object)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.snapshots.recovery import RecoveryRecord, RecoveryStore

if TYPE_CHECKING:
    from PySide6.QtWidgets import QPushButton

    from workbench.scenario import Scenario

log = logging.getLogger(__name__)

#: Milliseconds of quiet after the last change before the recovery record is written.
DELAY_MS = 1000


def recovery_prompt(parent: QWidget | None, record: RecoveryRecord) -> tuple[QMessageBox, QPushButton]:
    """The question box for ``record`` (not shown yet) and its Restore button."""
    when = record.time.astimezone().strftime("%Y-%m-%d %H:%M")
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Restore unsaved edits")
    box.setText(f"Restore unsaved edits from {when}?")
    name = record.scenario.name or "the scenario"
    source = record.meta.get("file")
    box.setInformativeText(f"Scenario Workbench did not close normally last time. Your unsaved edits to "
                           f"\u201c{name}\u201d{f' ({source})' if source else ''} were kept. Restore them as one "
                           "step you can undo, or discard them.")
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(restore)
    return box, restore


class RecoveryManager(QObject):
    """Debounced recovery records for one app session (see the module docstring)."""

    written = Signal(str)
    cleared = Signal()
    restored = Signal(object)

    def __init__(self, parent: QObject | None = None, *, get_scenario: Callable[[], Scenario] | None = None,
                 is_dirty: Callable[[], bool] | None = None, store: RecoveryStore | None = None,
                 meta: Callable[[], dict] | None = None, delay_ms: int = DELAY_MS) -> None:
        super().__init__(parent)
        if get_scenario is None:
            if parent is None or not hasattr(parent, "scenario"):
                raise TypeError("RecoveryManager needs get_scenario, or a parent with a 'scenario' attribute")
            get_scenario = lambda: parent.scenario  # noqa: E731
        if is_dirty is None:
            stack = getattr(parent, "undo_stack", None)
            is_dirty = (lambda: not stack.isClean()) if stack is not None else (lambda: True)
        self.get_scenario = get_scenario
        self.is_dirty = is_dirty
        self.meta = meta
        self.store = store or RecoveryStore()
        self._closed = False
        self._pending: list[RecoveryRecord] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)
        if isinstance(parent, QWidget):  # on close, write pending edits before any "save changes?" prompt
            parent.installEventFilter(self)

    # -------------------------------------------------------------- autosave
    def schedule(self, *_: object) -> None:   # a slot for any signal
        """A change happened: write the record after a quiet spell (a burst makes one write)."""
        if not self._closed:
            self._timer.start()

    autosave = schedule

    def is_scheduled(self) -> bool:
        return self._timer.isActive()

    def flush(self) -> None:
        """Write the record now if there are unsaved edits, else remove it."""
        self._timer.stop()
        if self._closed:
            return
        try:
            if self.is_dirty():
                path = self.store.write(self.get_scenario(), meta=self.meta() if self.meta else None)
                self.written.emit(str(path))
            else:
                self.store.clear()
                self.cleared.emit()
        except Exception as exc:  # a full disk must not take the app down; the next change tries again
            log.warning("could not write the recovery record: %s", exc)

    def close(self) -> None:
        """A clean exit: no record left behind, so the next start does not prompt."""
        self._timer.stop()
        if not self._closed:
            self._closed = True
            self.store.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and self._timer.isActive():
            self.flush()  # a kill while the close prompt is up must not lose the last second of edits
        return False

    # -------------------------------------------------------------- recovery
    def pending_records(self) -> list[RecoveryRecord]:
        if self._pending is None:
            self._pending = self.store.pending()
        return self._pending

    def pending_recovery(self) -> Scenario | None:
        """The newest unsaved edits of a session that crashed, or None."""
        records = self.pending_records()
        return records[0].scenario if records else None

    def discard_pending(self) -> None:
        for record in self.pending_records():
            self.store.discard(record)
        self._pending = []

    def offer(self, parent: QWidget | None = None) -> Scenario | None:
        """Ask "Restore unsaved edits from <time>?"; return the restored Scenario or None."""
        records = self.pending_records()
        if not records:
            return None
        owner = self.parent()
        widget = parent if parent is not None else owner if isinstance(owner, QWidget) else None
        box, restore = recovery_prompt(widget, records[0])
        box.exec()
        accepted = box.clickedButton() is restore
        box.deleteLater()
        scn = records[0].scenario if accepted else None
        if scn is not None:
            self.restored.emit(scn)
            push = getattr(owner, "push", None)
            if callable(push):
                from workbench.commands import ReplaceScenario

                push(ReplaceScenario(scn, "Restore unsaved edits"))
            self.flush()  # the edits are this session's now: recorded before the crashed record goes
        self.discard_pending()
        return scn
