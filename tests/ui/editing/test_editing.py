"""Editing in the main window: one undo step per action, labelled, rejected values change nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemDelegate, QComboBox, QDoubleSpinBox

from workbench.default_scenario import default_scenario


def _cell(page, row: int, column: str):
    return page.proxy.mapFromSource(page.model.index(row, page.model.column_index(column)))


def test_edit_undo_redo_with_labelled_steps(window, projects):
    before = window.scenario
    old = before.projects.at[2, "Requested (USD m)"]
    index = _cell(projects, 2, "Requested (USD m)")
    assert projects.proxy.setData(index, old + 500.0)
    edited = window.scenario
    assert edited.projects.at[2, "Requested (USD m)"] == old + 500.0
    assert window.undo_stack.count() == 1
    assert window.menu_actions.undo.text() == "&Undo Edit Projects Requested (USD m)"
    assert window.isWindowModified()

    window.menu_actions.undo.trigger()
    assert window.scenario.same_content(before)
    assert index.data(Qt.ItemDataRole.EditRole) == old
    assert window.menu_actions.redo.text() == "&Redo Edit Projects Requested (USD m)"
    assert not window.isWindowModified()

    window.menu_actions.redo.trigger()
    assert window.scenario.same_content(edited)
    assert index.data(Qt.ItemDataRole.EditRole) == old + 500.0


def test_editing_through_the_delegates(window, projects, qtbot):
    """Open the real editors: a percent spin box and a Sector dropdown; commit like a user."""
    view = projects.view
    risk = _cell(projects, 0, "Specific risk")
    view.setCurrentIndex(risk)
    view.edit(risk)
    editor = view.indexWidget(risk) or view.focusWidget()
    assert isinstance(editor, QDoubleSpinBox)
    assert editor.suffix() == " %"
    assert editor.maximum() == 100.0          # the spec's range 0..1, shown in percent
    editor.setValue(12.5)
    view.commitData(editor)
    view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
    assert window.scenario.projects.at[0, "Specific risk"] == 0.125

    sector = _cell(projects, 0, "Sector")
    view.setCurrentIndex(sector)
    view.edit(sector)
    combo = view.focusWidget()
    assert isinstance(combo, QComboBox)
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == window.scenario.sector_names
    combo.setCurrentText("Biotech & pharma")
    view.commitData(combo)
    view.closeEditor(combo, QAbstractItemDelegate.EndEditHint.NoHint)
    assert window.scenario.projects.at[0, "Sector"] == "Biotech & pharma"
    assert window.undo_stack.count() == 2


def test_invalid_value_is_refused_with_a_message(window, projects):
    before = window.scenario
    index = _cell(projects, 0, "Recovery rate")
    assert not projects.proxy.setData(index, "150")         # a percent cell reads 150 as 150 %, as Excel does
    assert window.scenario is before
    assert window.undo_stack.count() == 0
    message = window.statusBar().currentMessage()
    assert "Recovery rate" in message and "150 %" in message   # the message speaks the cell's unit
    assert not projects.proxy.setData(_cell(projects, 0, "Requested (USD m)"), "lots")
    assert "must be a number" in window.statusBar().currentMessage()
    assert projects.proxy.setData(index, "45")              # 45 in a percent cell is 45 %
    assert window.scenario.projects.at[0, "Recovery rate"] == 0.45
    assert projects.proxy.setData(index, "50%")             # with a % sign too
    assert window.scenario.projects.at[0, "Recovery rate"] == 0.5


def test_cross_table_problem_is_coloured_with_tooltip(window, projects):
    index = _cell(projects, 3, "Sector")
    assert projects.proxy.setData(index, "Semiconductor")
    assert index.data(Qt.ItemDataRole.BackgroundRole) is not None
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Semiconductor" in tip and 'did you mean "Semiconductors"' in tip
    assert "1 error" in window.status.validation.text()


def test_add_duplicate_delete_rows_are_single_undo_steps(window, projects):
    n = len(window.scenario.projects)
    projects.select_cell(4)
    projects.add_row()
    assert len(window.scenario.projects) == n + 1
    assert window.scenario.projects.at[5, "ID"] == "NEW 1"
    projects.select_cell(0)
    projects.duplicate_rows()
    assert window.scenario.projects.at[1, "ID"] == f"{window.scenario.projects.at[0, 'ID']} (copy)"
    projects.select_cell(1)
    projects.delete_rows()
    assert len(window.scenario.projects) == n + 1
    assert window.undo_stack.count() == 3
    for _ in range(3):
        window.undo_stack.undo()
    assert window.scenario.same_content(default_scenario())


def test_scenario_form_edit_is_one_labelled_step(window, qtbot):
    form = window.form
    window.set_current_table("Scenario")
    box = form.editors["Trials"]
    box.setText("20,000")
    box.editingFinished.emit()
    assert window.scenario.fields["Trials"] == 20_000
    assert window.undo_stack.undoText() == "Edit Scenario Trials"
    box.setText("12")                                   # below the spec's 1,000
    box.editingFinished.emit()
    assert window.scenario.fields["Trials"] == 20_000
    assert "Trials" in window.statusBar().currentMessage()
    window.undo_stack.undo()
    assert window.scenario.fields["Trials"] == 50_000
    assert box.text() == "50,000"


def test_correlation_edit_keeps_symmetry_and_undoes(window):
    page = window.set_current_table("Correlations")
    model = page.model
    assert model.setData(model.index(0, 1), "-0.3")
    corr = window.scenario.correlations
    a, b = model.names[0], model.names[1]
    assert corr.at[a, b] == corr.at[b, a] == -0.3
    assert window.undo_stack.undoText() == f"Edit Correlations {a} / {b}"
    assert not model.setData(model.index(0, 1), "1.5")
    assert "between" in window.statusBar().currentMessage() or "from -1" in window.statusBar().currentMessage()
    window.undo_stack.undo()
    assert window.scenario.same_content(default_scenario())


def test_empty_cells_show_what_they_stand_for_in_grey(window, projects, qtbot):
    from ui.table_model import IMPLIED_BRUSH
    from workbench.commands import SetCell

    p = window.scenario.projects
    sector = window.scenario.sectors.at[0, "Sector"]
    row = int((p["Expected return"].isna() & (p["Sector"] == sector)).to_numpy().argmax())
    assert p.at[row, "Sector"] == sector and p["Expected return"].isna()[row]
    mu = float(window.scenario.sectors.at[0, "Expected return"])
    index = _cell(projects, row, "Expected return")
    assert index.data(Qt.ItemDataRole.EditRole) is None                  # still empty: copy gives ""
    assert index.data() == f"{mu * 100:g} %"
    assert index.data(Qt.ItemDataRole.ForegroundRole) == IMPLIED_BRUSH
    assert "its sector's" in index.data(Qt.ItemDataRole.ToolTipRole)
    with qtbot.waitSignal(projects.model.dataChanged):                 # repainted when the sector changes
        window.push(SetCell("Sectors", 0, "Expected return", 0.5))
    assert index.data() == "50 %"


def test_a_row_added_while_filtering_is_shown_and_selected(window, projects):
    projects.filter.setText("semiconductors")
    shown = projects.proxy.rowCount()
    assert 0 < shown < projects.model.rowCount()
    projects.select_cell(projects.selected_source_rows()[0] if projects.selected_source_rows() else 5)
    projects.add_row()
    assert projects.filter.text() == ""
    assert [window.scenario.projects.at[p, "ID"] for p in projects.selected_source_rows()] == ["NEW 1"]


def test_dropdowns_for_include_instrument_and_financing(window, projects):
    view = projects.view

    def pick(page, row, column, text):
        index = page.proxy.mapFromSource(page.model.index(page.model.row_of(row), page.model.column_index(column)))
        page.view.setCurrentIndex(index)
        page.view.edit(index)
        combo = page.view.focusWidget()
        assert isinstance(combo, QComboBox)
        items = [combo.itemText(i) for i in range(combo.count())]
        combo.setCurrentText(text)
        page.view.commitData(combo)
        page.view.closeEditor(combo, QAbstractItemDelegate.EndEditHint.NoHint)
        return items

    assert pick(projects, 2, "Include", "no") == ["yes", "no"]
    assert not bool(window.scenario.projects.at[2, "Include"])
    # "" empties the cell, so its default (Equity) applies
    assert pick(projects, 2, "Instrument", "Guarantee") == ["", "Equity", "Loan", "Guarantee"]
    assert window.scenario.projects.at[2, "Instrument"] == "Guarantee"
    financing = window.set_current_table("Financing")
    assert pick(financing, 0, "Instrument", "Any") == ["", "Equity", "Loan", "Guarantee", "Any"]
    assert window.scenario.financing.at[0, "Instrument"] == "Any"
    assert view is projects.view and window.undo_stack.count() == 3
