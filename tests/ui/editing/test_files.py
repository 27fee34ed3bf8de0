"""Files: open/import (menu path and drag-and-drop), broken workbooks, save, export, merge."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent

from ui import files
from workbench.commands import InsertRows, SetCell, SetField
from workbench.default_scenario import default_scenario
from workbench.excel import read_workbook, write_workbook


def _colleague(tmp_path: Path, name: str = "colleague.xlsx") -> tuple[Path, object]:
    """A colleague's workbook: the default scenario with a new name, one changed request and one new project."""
    scn = default_scenario()
    scn, _ = SetField("Name", "Colleague's version").apply(scn)
    scn, _ = SetCell("Projects", 0, "Requested (USD m)", 90_000.0).apply(scn)
    row = scn.projects.iloc[1].to_dict() | {"ID": "DC-99", "Project": "New campus"}
    scn, _ = InsertRows("Projects", ((len(scn.projects), row),)).apply(scn)
    path = tmp_path / name
    write_workbook(path, scn)
    return path, scn


def _cell_of(path: Path, sheet: str, header: str, row_id: str) -> str:
    """The A1 address of a project's cell, found by reading the sheet with openpyxl."""
    ws = openpyxl.load_workbook(path)[sheet]
    for head in ws.iter_rows():
        names = [c.value for c in head]
        if header in names and "ID" in names:
            col, id_col = names.index(header), names.index("ID")
            for r in ws.iter_rows(min_row=head[0].row + 1):
                if r[id_col].value == row_id:
                    return r[col].coordinate
    raise AssertionError(f"{header} of {row_id} not found")


def test_broken_workbook_shows_located_errors_and_changes_nothing(window, tmp_path):
    path = tmp_path / "broken.xlsx"
    write_workbook(path, default_scenario())
    bad_amount = _cell_of(path, "Projects", "Requested (USD m)", "SC-02")
    bad_risk = _cell_of(path, "Projects", "Specific risk", "BT-01")
    wb = openpyxl.load_workbook(path)
    wb["Projects"][bad_amount] = "lots"
    wb["Projects"][bad_risk] = 15
    wb.save(path)
    window.push(SetField("Author", "me"))
    before, steps = window.scenario, window.undo_stack.count()

    assert not files.open_path(window, path)
    assert window.scenario is before
    assert window.undo_stack.count() == steps
    dialog = window.import_dialog
    assert dialog.isVisible()
    assert "Nothing was imported from broken.xlsx" in dialog.label.text()
    lines = "\n".join(dialog.lines())
    assert f"Projects!{bad_amount}" in lines and f"Projects!{bad_risk}" in lines
    assert "Nothing was imported" in window.statusBar().currentMessage()


def test_not_a_workbook_is_refused_clearly(window, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a workbook")
    before = window.scenario
    assert not files.open_path(window, path)
    assert window.scenario is before
    assert window.import_dialog.isVisible() and window.import_dialog.lines()


def test_open_starts_a_new_document_and_is_remembered(window, tmp_path, settings):
    path, theirs = _colleague(tmp_path)
    assert files.open_path(window, path)
    assert window.scenario.same_content(theirs)
    assert window.undo_stack.count() == 0             # a new undo history: Undo cannot go into another file
    assert window.current_path == path
    assert settings.recent_files()[0] == str(path.resolve())
    assert "colleague.xlsx" in window.windowTitle()
    assert window.pages["Projects"].model.rowCount() == len(theirs.projects)
    window.undo_stack.undo()
    assert window.scenario.same_content(theirs)


def _drop(window, path: Path) -> tuple[bool, bool]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    window.dragEnterEvent(enter)
    drop = QDropEvent(QPoint(50, 50).toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    return enter.isAccepted(), drop.isAccepted()


def test_drag_and_drop_a_workbook_opens_it(window, tmp_path):
    path, theirs = _colleague(tmp_path)
    text = tmp_path / "notes.txt"
    text.write_text("x")
    assert _drop(window, text) == (False, False)
    assert window.undo_stack.count() == 0
    assert _drop(window, path) == (True, True)
    assert window.scenario.same_content(theirs)


def test_save_writes_a_workbook_that_reads_back(window, tmp_path):
    window.push(SetCell("Sectors", 1, "Volatility", 0.31))
    assert window.isWindowModified()
    target = tmp_path / "mine"
    assert files.save_to(window, target)
    saved = tmp_path / "mine.xlsx"
    assert window.current_path == saved and not window.isWindowModified()
    back = read_workbook(saved)
    assert back.scenario is not None and back.scenario.same_content(window.scenario)
    window.push(SetCell("Sectors", 1, "Volatility", 0.32))
    assert files.save(window)                       # Save goes back to the same file, no dialog
    assert read_workbook(saved).scenario.sectors.at[1, "Volatility"] == 0.32


def test_export_needs_current_results_then_writes_result_sheets(window, qtbot, tmp_path):
    out = tmp_path / "results.xlsx"
    assert not files.export_to(window, out)
    assert "Run" in window.messages[-1].text()
    window.run_controller.options.update(trials=2000, stress=False, tornado=False)
    with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
        assert window.run_now()
    assert window.last_result is not None
    assert files.export_to(window, out)
    sheets = openpyxl.load_workbook(out, read_only=True).sheetnames
    assert "Allocation" in sheets and "Projects" in sheets
    window.push(SetCell("Sectors", 0, "Volatility", 0.3))
    assert "earlier version" in window.status.stale.text()
    assert not files.export_to(window, tmp_path / "stale.xlsx")
    assert not (tmp_path / "stale.xlsx").exists()


def test_merge_dialog_per_cell_choices_and_provenance(window, tmp_path):
    path, _theirs = _colleague(tmp_path)
    dialog = files.merge_dialog(window, path)
    assert dialog.isVisible()
    ids = set(dialog.diff.by_id)
    assert "Projects|DC-01|Requested (USD m)" in ids
    assert dialog.row_item("Projects", "DC-01") is not None
    where = dialog.diff.by_id["Projects|DC-01|Requested (USD m)"].where
    assert where == "Projects!" + _cell_of(path, "Projects", "Requested (USD m)", "DC-01")
    name_change = next(i for i in ids if i.startswith("Scenario|Name"))
    dialog.set_accepted(name_change, False)                  # keep my name, take the rest
    dialog.apply()
    scn = window.scenario
    assert scn.name == default_scenario().name
    assert scn.projects.at[0, "Requested (USD m)"] == 90_000.0
    assert "DC-99" in set(scn.projects["ID"])
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText().startswith("Merge ")
    page = window.pages["Projects"]
    tip = page.model.index(0, page.model.column_index("Requested (USD m)")).data(Qt.ItemDataRole.ToolTipRole)
    assert f"colleague.xlsx {where}" in tip
    window.undo_stack.undo()
    assert window.scenario.same_content(default_scenario())


def test_merge_accept_none_changes_nothing(window, tmp_path):
    path, _ = _colleague(tmp_path)
    dialog = files.merge_dialog(window, path)
    dialog.set_all(False)
    assert dialog.accepted_ids() == []
    dialog.apply()
    assert window.undo_stack.count() == 0
