"""ID and Project stay in view while the Projects table scrolls sideways; the overlay follows the main view."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication


def test_projects_keeps_id_and_project_in_view(window, projects, qtbot):
    window.resize(1280, 720)
    window.set_current_table("Projects")
    qtbot.waitExposed(projects.view)
    frozen = projects.frozen
    assert frozen is not None and frozen.count == 2
    overlay, view = frozen.frozen, projects.view
    shown = [c for c in range(view.model().columnCount()) if not overlay.isColumnHidden(c)]
    assert shown == [0, 1]
    assert overlay.isVisible() and overlay.width() == view.columnWidth(0) + view.columnWidth(1)
    bar = view.horizontalScrollBar()
    assert bar.maximum() > 0                     # the table is wider than the window
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    assert overlay.isVisible() and overlay.x() <= view.verticalHeader().width() + view.frameWidth()
    # the overlay shows the same rows as the main view, scrolled with it
    view.verticalScrollBar().setValue(5)
    assert overlay.verticalScrollBar().value() == view.verticalScrollBar().value()
    assert overlay.model() is view.model() and overlay.selectionModel() is view.selectionModel()
    view.setColumnWidth(1, 250)
    assert overlay.columnWidth(1) == 250 and overlay.width() == view.columnWidth(0) + 250
