"""Copy and paste rectangular blocks as tab-separated text, one undo step per paste."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtGui import QGuiApplication

from ui.clipboard import block_from_text, text_from_block
from workbench.default_scenario import default_scenario


def _select(page, top: int, left: str, bottom: int, right: str) -> None:
    m = page.model
    tl = page.proxy.mapFromSource(m.index(top, m.column_index(left)))
    br = page.proxy.mapFromSource(m.index(bottom, m.column_index(right)))
    page.view.selectionModel().select(QItemSelection(tl, br), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    page.view.selectionModel().setCurrentIndex(tl, QItemSelectionModel.SelectionFlag.NoUpdate)


def test_tsv_round_trip_with_quoted_cells():
    block = [["a", "b\tc"], ['say "hi"', "line1\nline2"], ["", "x"]]
    assert block_from_text(text_from_block(block)) == block
    assert block_from_text("1\t2\r\n3\t4\r\n") == [["1", "2"], ["3", "4"]]


def test_paste_a_block_from_the_clipboard_is_one_undo_step(window, projects):
    _select(projects, 1, "Requested (USD m)", 1, "Requested (USD m)")
    QGuiApplication.clipboard().setText("1,500\t250\n2600\t$300\n")     # as Excel puts it
    window.menu_actions.paste.trigger()
    p = window.scenario.projects
    assert list(p.loc[1:2, "Requested (USD m)"]) == [1500.0, 2600.0]
    assert list(p.loc[1:2, "Minimum ticket (USD m)"]) == [250.0, 300.0]
    assert window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Paste 4 cells into Projects"
    window.undo_stack.undo()
    assert window.scenario.same_content(default_scenario())


def test_bad_pasted_values_are_refused_and_nothing_changes(window, projects):
    before = window.scenario
    _select(projects, 0, "Requested (USD m)", 0, "Requested (USD m)")
    assert not projects.paste("100\tabc\n200\t-5\n")
    assert window.scenario is before
    assert window.undo_stack.count() == 0
    shown = window.messages[-1].text()
    assert "Nothing was pasted" in shown
    assert 'row 1, Minimum ticket (USD m): Minimum ticket (USD m) must be a number, not "abc"' in shown
    assert "row 2, Minimum ticket (USD m)" in shown and "-5" in shown


def test_paste_percent_text_and_a_block_too_wide_is_refused(window, projects):
    _select(projects, 0, "Recovery rate", 0, "Recovery rate")
    assert projects.paste("35%\n0.3\n")
    assert list(window.scenario.projects.loc[0:1, "Recovery rate"]) == [0.35, 0.3]
    _select(projects, 0, "Allocated (USD m)", 0, "Allocated (USD m)")
    assert not projects.paste("1\t2\t3\n")
    assert "3 columns wide" in window.statusBar().currentMessage()


def test_paste_past_the_last_row_adds_rows_in_the_same_step(window):
    page = window.set_current_table("Sectors")
    n = len(window.scenario.sectors)
    _select(page, n - 1, "Sector", n - 1, "Sector")
    assert page.paste("Biotech & pharma\t0.09\t0.25\nRobotics\t0.07\t0.2\n")
    s = window.scenario.sectors
    assert len(s) == n + 1
    assert s.iloc[-1]["Sector"] == "Robotics" and s.iloc[-1]["Volatility"] == 0.2
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert len(window.scenario.sectors) == n


def test_single_value_fills_the_selection(window, projects):
    _select(projects, 0, "Strategic score", 4, "Strategic score")
    assert projects.paste("3")
    assert list(window.scenario.projects.loc[0:4, "Strategic score"]) == [3.0] * 5


def test_copy_puts_canonical_values_on_the_clipboard(window, projects):
    _select(projects, 0, "Requested (USD m)", 1, "Minimum ticket (USD m)")
    text = projects.copy()
    p = window.scenario.projects
    expected = [[f"{p.at[r, c]:.0f}" for c in ("Requested (USD m)", "Minimum ticket (USD m)")] for r in (0, 1)]
    assert block_from_text(QGuiApplication.clipboard().text()) == expected == block_from_text(text)
    _select(projects, 0, "Specific risk", 0, "Specific risk")
    # a rate is copied as a percentage with every digit: Excel reads "15%" as 0.15, and so does paste,
    # also for 100 % (a bare "1" would be read as 1 % in a percentage cell)
    assert projects.copy().strip() == f"{float(p.at[0, 'Specific risk']) * 100:.12g}%"


def test_copy_paste_between_rows_round_trips(window, projects):
    _select(projects, 0, "Sector", 0, "Recovery rate")
    projects.copy()
    _select(projects, 10, "Sector", 10, "Sector")
    window.menu_actions.paste.trigger()
    p = window.scenario.projects
    cols = list(p.columns[p.columns.get_loc("Sector"): p.columns.get_loc("Recovery rate") + 1])
    assert [p.at[10, c] for c in cols] == [p.at[0, c] for c in cols]


def test_delete_clears_optional_cells_and_keeps_required_ones(window, projects):
    _select(projects, 0, "Requested (USD m)", 0, "Minimum ticket (USD m)")
    window.menu_actions.delete.trigger()
    p = window.scenario.projects
    assert p.at[0, "Requested (USD m)"] == default_scenario().projects.at[0, "Requested (USD m)"]
    assert p.at[0, "Minimum ticket (USD m)"] != p.at[0, "Minimum ticket (USD m)"]    # NaN: empty
    assert "Required cells were kept" in window.statusBar().currentMessage()


def test_paste_into_a_sorted_view_goes_to_the_rows_shown(window, projects):
    from PySide6.QtCore import Qt

    col = projects.model.column_index("Strategic score")
    projects.view.sortByColumn(projects.model.column_index("Requested (USD m)"), Qt.SortOrder.AscendingOrder)
    first, second = (projects.model.position(projects.proxy.mapToSource(projects.proxy.index(r, 0)).row())
                     for r in (0, 1))
    tl = projects.proxy.index(0, col)
    projects.view.selectionModel().setCurrentIndex(tl, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert projects.paste("1\n2\n")
    p = window.scenario.projects
    assert (p.at[first, "Strategic score"], p.at[second, "Strategic score"]) == (1.0, 2.0)
    req = p["Requested (USD m)"].to_numpy()
    assert req[first] <= req[second] == sorted(req)[1]


def test_keyboard_shortcuts_copy_and_paste_in_the_table(window, projects, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    window.activateWindow()
    projects.view.setFocus()
    _select(projects, 2, "Strategic score", 3, "Strategic score")
    QGuiApplication.clipboard().clear()
    qtbot.keySequence(projects.view, QKeySequence(QKeySequence.StandardKey.Copy))
    p = window.scenario.projects
    expected = [[f"{p.at[r, 'Strategic score']:.0f}"] for r in (2, 3)]
    assert block_from_text(QGuiApplication.clipboard().text()) == expected
    _select(projects, 0, "Strategic score", 0, "Strategic score")
    qtbot.keySequence(projects.view, QKeySequence(QKeySequence.StandardKey.Paste))
    assert list(window.scenario.projects.loc[0:1, "Strategic score"]) == list(p.loc[2:3, "Strategic score"])
    _select(projects, 0, "Strategic score", 0, "Strategic score")
    qtbot.keyClick(projects.view, Qt.Key.Key_Delete)
    assert window.scenario.projects.at[0, "Strategic score"] != window.scenario.projects.at[0, "Strategic score"]
    assert window.undo_stack.count() == 2
