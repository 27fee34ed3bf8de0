"""The main window as a whole: issues panel, run and cancel, settings, unsaved-changes prompt, --help."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.app import build_parser
from ui.main_window import MainWindow
from ui.results_panel import VIEWS
from workbench.commands import SetCell, SetField


def test_layout_shows_tables_and_results_at_once_and_no_empty_issues_strip(window):
    assert window.size().width() >= 1440 and window.size().height() >= 900
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Scenario", "Sectors", "Projects", "Financing", "Constraints", "Correlations", "Risk events"]
    for widget in (window.tabs, window.results_panel):
        assert widget.isVisible() and widget.width() > 300
    assert not window.issues_panel.isVisible()   # no problems: the Issues strip takes no room
    results_left = window.results_panel.mapTo(window, window.results_panel.rect().topLeft()).x()
    assert window.tabs.geometry().right() < results_left
    assert "No problems found" in window.status.validation.text()


def test_clicking_an_issue_selects_its_cell(window):
    window.push(SetCell("Projects", 6, "Sector", "Semiconductor"))
    window.push(SetField("Horizon (years)", 80))
    issues = window.issues_panel.issues
    assert window.issues_panel.tree.topLevelItemCount() == len(issues) >= 2
    assert "2 errors" in window.issues_panel.header.text()
    row = next(i for i, issue in enumerate(issues) if issue.column == "Sector")
    window.set_current_table("Sectors")
    window.issues_panel.activate_row(row)
    page = window.current_page()
    assert page is window.pages["Projects"]
    current = page.proxy.mapToSource(page.view.currentIndex())
    assert (current.row(), page.model.columns[current.column()]) == (6, "Sector")
    horizon = next(i for i, issue in enumerate(issues) if issue.table == "Scenario")
    window.issues_panel.activate_row(horizon)
    assert window.current_page() is window.form
    assert QApplication.focusWidget() is window.form.editors["Horizon (years)"] or not window.isActiveWindow()


def test_run_shows_progress_then_results(window, qtbot):
    window.run_controller.options.update(trials=2000, stress=False, tornado=False)
    with qtbot.waitSignal(window.run_controller.started, timeout=10_000):
        window.menu_actions.run.trigger()
    assert window.status.progress.isVisibleTo(window) and window.menu_actions.cancel.isEnabled()
    with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
        pass
    assert not window.status.progress.isVisibleTo(window)
    assert window.results_panel.run is window.last_result
    assert window.last_result.trials == 2000
    window.menu_actions.apply_allocation.trigger()
    amounts = window.last_result.allocation.amounts
    p = window.scenario.projects
    assert dict(zip(p["ID"], p["Allocated (USD m)"], strict=True)) == {i: amounts.get(i, 0.0) for i in p["ID"]}
    assert window.undo_stack.undoText() == "Apply allocation"


def test_cancel_a_run_keeps_the_data(window, qtbot):
    before = window.scenario
    window.run_controller.options.update(trials=2_000_000)
    with qtbot.waitSignal(window.run_controller.started, timeout=10_000):
        window.run_now()
    with qtbot.waitSignal(window.run_controller.cancelled, timeout=120_000):
        window.status.cancel.click()
    assert window.scenario is before and window.last_result is None
    assert "cancelled" in window.statusBar().currentMessage()


def test_run_of_a_scenario_with_errors_lists_them_and_changes_nothing(window, qtbot):
    window.push(SetCell("Projects", 0, "Sector", "Nowhere"))
    before = window.scenario
    with qtbot.waitSignal(window.run_controller.failed, timeout=60_000):
        assert not window.run_now()
    text = window.messages[-1].text()
    assert "problems to fix" in text and 'Sector "Nowhere"' in text
    assert window.issues_dock.isVisible()
    assert window.scenario is before and window.last_result is None


def test_auto_run_collapses_a_burst_of_edits(window, qtbot):
    window.run_controller.options.update(trials=2000, stress=False, tornado=False)
    window.menu_actions.auto_run.setChecked(True)
    started = []
    window.run_controller.started.connect(lambda: started.append(1))
    for k in range(5):
        window.push(SetCell("Sectors", 0, "Volatility", 0.2 + k / 100))
    with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
        pass
    assert len(started) == 1
    assert window.result_scenario.same_content(window.scenario)
    assert window.settings.auto_run()


def test_settings_keep_recent_files_and_layout(qtbot, settings, tmp_path):
    first = MainWindow(settings=settings, offer_recovery=False)
    first.show()
    first.resize(1500, 950)
    first.issues_dock.hide()
    settings.add_recent_file(tmp_path / "a.xlsx")
    first.close()
    assert not first.isVisible()
    second = MainWindow(settings=settings, offer_recovery=False)
    second.show()
    try:
        assert settings.window_geometry() is not None      # the size itself is clamped to the offscreen screen
        assert not second.issues_dock.isVisible()
        assert settings.recent_files() == [str((tmp_path / "a.xlsx").resolve())]
    finally:
        second.close()


def _answer(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        seen.append(box.text())
        box.button(button).click()


def test_unsaved_changes_prompt_cancel_keeps_window_discard_closes(qtbot, settings):
    win = MainWindow(settings=settings, offer_recovery=False)
    win.show()
    win.push(SetCell("Sectors", 0, "Volatility", 0.25))
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer(QMessageBox.StandardButton.Cancel, seen))
    assert not win.close()
    assert win.isVisible() and seen and "not saved" in seen[0]
    QTimer.singleShot(0, lambda: _answer(QMessageBox.StandardButton.Discard, seen))
    assert win.close()
    assert len(seen) == 2


def test_help_lists_the_views():
    text = build_parser().format_help()
    for name in VIEWS:
        assert name in text
    for option in ("--file", "--library", "--screenshot", "--view"):
        assert option in text


def test_shortcuts_are_the_platform_standard_ones(window):
    from PySide6.QtGui import QKeySequence

    a = window.menu_actions
    assert a.undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert a.copy.shortcut() == QKeySequence(QKeySequence.StandardKey.Copy)
    assert a.open.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert a.run.shortcut() == QKeySequence("F5")
    assert a.undo.shortcutContext() == Qt.ShortcutContext.WindowShortcut


def test_a_failing_run_becomes_a_clear_message_and_the_app_lives_on(window, qtbot):
    from workbench.commands import InsertRows

    window.push(InsertRows("Constraints", ((0, {"Group": "Sector", "Value": "*", "Max share": 0.05}),)))
    assert not any(i.is_error for i in window.document.issues)      # valid, but no allocation can meet it
    before = window.scenario
    window.run_controller.options.update(trials=2000, stress=False, tornado=False)
    with qtbot.waitSignal(window.run_controller.failed, timeout=120_000):
        assert window.run_now()
    box = window.messages[-1]
    assert box.isVisible() and box.windowTitle() == "The run did not finish"
    assert "Traceback" not in box.text() and len(box.text()) > 20
    assert window.scenario is before and window.last_result is None
    window.undo_stack.undo()                                        # still fully usable
    assert len(window.scenario.constraints) == len(before.constraints) - 1


def test_editor_turns_red_while_typing_an_invalid_value(window, projects):
    from PySide6.QtWidgets import QAbstractSpinBox

    from ui.delegates import INVALID_STYLE

    index = projects.proxy.mapFromSource(projects.model.index(0, projects.model.column_index("Requested (USD m)")))
    projects.view.setCurrentIndex(index)
    projects.view.edit(index)
    editor = projects.view.focusWidget()
    assert isinstance(editor, QAbstractSpinBox)
    editor.setValue(0)                                  # the request must be above 0
    assert editor.styleSheet() == INVALID_STYLE and "above 0" in editor.toolTip()
    editor.setValue(10)
    assert editor.styleSheet() == ""


def test_restoring_a_snapshot_is_one_undo_step(window):
    from workbench.commands import SetField as _SetField

    other, _ = _SetField("Name", "Restored one").apply(window.scenario)
    window.snapshots_panel.restore_requested.emit(other)
    assert window.scenario.name == "Restored one"
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "Restore snapshot"


def test_a_corrupted_library_does_not_stop_the_app(qtbot, settings, tmp_path):
    bad = tmp_path / "library.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    win = MainWindow(settings=settings, library=str(bad))
    win.show()
    try:
        assert win.tabs.count() == 7 and win.results_panel is not None
        assert win.snapshots_panel is not None and win.snapshots_panel.library is None   # it shows why instead
        win.push(SetField("Author", "still works"))
        assert win.scenario.fields["Author"] == "still works"
    finally:
        win.undo_stack.setClean()
        win.close()


def test_preferences_and_reset_layout(window):
    from ui.settings import preferences_dialog

    dialog = preferences_dialog(window)
    dialog.auto_run.setChecked(True)
    assert window.menu_actions.auto_run.isChecked() and window.settings.auto_run()
    dialog.auto_run.setChecked(False)
    assert not window.settings.auto_run()
    dialog.close()
    window.issues_dock.hide()
    window.menu_actions.reset_layout.trigger()
    assert window.issues_dock.isVisible() and not window.issues_dock.isFloating()
