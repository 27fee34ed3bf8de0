"""Undo and redo: the pure commands of :mod:`workbench.commands` on a ``QUndoStack``.

:class:`ScenarioDocument` owns the current :class:`~workbench.scenario.Scenario`, its
validation issues and the undo stack. Every edit is pushed as one pure command (a
``Macro`` when one user action makes several changes), so one user action is one undo
step, labelled with the command's label ("Undo Edit Projects Requested (USD m)").

A command is applied *before* it reaches the stack: when the pure command raises (a bad
value, a missing column), the stack and the scenario are untouched and the caller shows
the message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.issues import Issue
from workbench.scenario import Scenario
from workbench.validation_incremental import IncrementalValidator

if TYPE_CHECKING:
    from workbench.commands import Command


class PureUndoCommand(QUndoCommand):
    """One pure command as one undo step: redo applies it, undo applies its inverse."""

    def __init__(self, document: ScenarioDocument, command: Command, applied: Scenario, inverse: Command):
        super().__init__(getattr(command, "label", "") or getattr(inverse, "label", "") or type(command).__name__)
        self._doc = document
        self._forward = command
        self._inverse = inverse
        self._pending: Scenario | None = applied  # the first redo just installs it

    def redo(self) -> None:
        if self._pending is not None:
            scn, self._pending = self._pending, None
        else:
            scn, self._inverse = self._forward.apply(self._doc.scenario)
        self._doc._install(scn, self._forward)

    def undo(self) -> None:
        applied = self._inverse
        scn, self._forward = applied.apply(self._doc.scenario)
        self._doc._install(scn, applied)


class ScenarioDocument(QObject):
    """The scenario being edited, its issues and its undo stack."""

    #: Emitted with the new scenario after every change (edit, undo, redo, load).
    changed = Signal(object)

    def __init__(self, scenario: Scenario, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._scenario = scenario
        self._validator = IncrementalValidator()   # an edit revalidates only what it can affect
        self._issues = self._validator.issues(scenario)
        #: The edit that made the current scenario from the previous one (``None``: a new scenario or unknown).
        self.last_command: Command | None = None

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def issues(self) -> list[Issue]:
        """The validation issues of the current scenario (computed once per change)."""
        return self._issues

    def push(self, command: Command) -> Scenario:
        """Apply a pure command as one undo step; exceptions leave everything as it was."""
        applied, inverse = command.apply(self._scenario)
        self.undo_stack.push(PureUndoCommand(self, command, applied, inverse))
        return self._scenario

    def reset(self, scenario: Scenario) -> None:
        """Start afresh with ``scenario`` (a new window content): clears undo history."""
        self.undo_stack.clear()
        self._install(scenario)
        self.undo_stack.setClean()

    def _install(self, scenario: Scenario, command: Command | None = None) -> None:
        """Make ``scenario`` current; ``command`` is the edit that made it from the current one (``None``: unknown)."""
        self._scenario = scenario
        self._issues = self._validator.update(scenario, command)
        self.last_command = command   # lets the table models repaint only the cells it touched
        self.changed.emit(scenario)
