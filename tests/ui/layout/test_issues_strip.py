"""The Issues strip (Issues, with Snapshots and Sources tabbed beside it) takes no room while the scenario has no
problems, and comes back, Issues in front, as soon as it has some."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from workbench.commands import SetCell


def room_under_the_results(window) -> int:
    """Pixels between the bottom of the tables and results and the top of the status bar."""
    return window.statusBar().y() - window.splitter.mapTo(window, QPoint(0, window.splitter.height())).y()


def strip(window):
    return [window.issues_dock, window.snapshots_dock, window.sources_dock]


def test_the_issues_strip_collapses_when_empty_and_comes_back_with_problems(window, qtbot):
    assert not window.issues_panel.issues                      # the default scenario has no problems
    assert "No problems found" in window.status.validation.text()
    assert not any(dock.isVisible() for dock in strip(window))
    qtbot.waitUntil(lambda: room_under_the_results(window) <= 8)
    qtbot.waitUntil(lambda: room_under_the_results(window) <= 8)

    window.push(SetCell("Projects", 0, "Sector", "Nowhere"))   # an error: the strip comes back
    assert window.issues_panel.issues
    qtbot.waitUntil(lambda: all(dock.isVisible() for dock in strip(window)))
    assert not window.issues_dock.visibleRegion().isEmpty()    # Issues is the tab in front
    assert window.snapshots_dock.visibleRegion().isEmpty()
    qtbot.waitUntil(lambda: room_under_the_results(window) >= window.issues_dock.height())

    window.undo_stack.undo()                                    # fixed: the strip goes again
    assert not window.issues_panel.issues
    assert not any(dock.isVisible() for dock in strip(window))
    qtbot.waitUntil(lambda: room_under_the_results(window) <= 8)


def test_a_strip_opened_by_the_user_stays_while_nothing_changes_its_problems(window):
    window.snapshots_dock.toggleViewAction().trigger()           # View > Snapshots
    window.push(SetCell("Sectors", 0, "Volatility", 0.21))       # an edit that adds no problem
    assert not window.issues_panel.issues
    assert window.snapshots_dock.isVisible()
