"""The main window as a whole: issues panel, run and cancel, settings, unsaved-changes prompt, --help."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.app import build_parser
from ui.main_window import MainWindow
from ui.results_panel import VIEWS
from workbench.commands import SetCell, SetField


def test_layout_shows_tables_results_and_issues_at_once(window):
    assert window.size().width() >= 1440 and window.size().height() >= 900
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Scenario", "Sectors", "Projects", "Financing", "Constraints", "Correlations", "Risk events"]
    for widget in (window.tabs, window.results_panel, window.issues_panel):
        assert widget.isVisible() and widget.width() > 300
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


def test_cancel_a_run_keeps_the_data(window, qtbot):
    before = window.scenario
    window.run_controller.options.update(trials=2_000_000)
    with qtbot.waitSignal(window.run_controller.started, timeout=10_000):
        window.run_now()
    with qtbot.waitSignal(window.run_controller.cancelled, timeout=120_000):
        window.status.cancel.click()
    assert window.scenario is before and window.last_result is None
    assert "cancelled" in window.statusBar().currentMessage()


def test_run_refused_while_the_scenario_has_errors(window):
    window.push(SetCell("Projects", 0, "Sector", "Nowhere"))
    assert not window.run_now()
    assert not window.run_controller.is_running()
    assert "error" in window.statusBar().currentMessage()


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
