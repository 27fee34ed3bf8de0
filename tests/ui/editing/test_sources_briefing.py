"""The register in the app (cell markers, tooltips, the Sources view) and File > Write briefing."""

from __future__ import annotations

import contextlib
import datetime as dt
import io

import docx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from ui.sources_view import FILTERS, SourcesModel, SourcesView
from ui.table_model import ScenarioTableModel
from workbench.cli import main
from workbench.commands import Macro, SetField
from workbench.sources import SetSource, Source

DECO, TIP = Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.ToolTipRole


def _cell(model: ScenarioTableModel, row_id: str, column: str):
    row = next(r for r in range(model.rowCount()) if model.raw(r, model.column_index("ID")) == row_id)
    return model.index(row, model.column_index(column))


def test_numbers_with_a_source_show_a_marker_and_the_source_in_their_tooltip(window):
    model = ScenarioTableModel(window.document, "Projects")
    req = _cell(model, "DC-01", "Requested (USD m)")
    assert isinstance(model.data(req, DECO), QPixmap)
    assert "Seed note" in model.data(req, TIP) and "Projects DC-01 (whole row)" in model.data(req, TIP)
    assert model.data(_cell(model, "DC-01", "Project"), DECO) is None        # text is not an assumption number
    other = _cell(model, "SC-01", "Requested (USD m)")
    assert "docs/assumptions.md, Projects" in model.data(other, TIP)
    window.push(SetSource(("Projects", "", ""), None))
    assert model.data(other, DECO) is None and model.data(other, TIP) is None
    assert isinstance(model.data(req, DECO), QPixmap)                        # its own row entry remains
    window.undo_stack.undo()
    assert isinstance(model.data(other, DECO), QPixmap)


def test_sources_model_passes_the_model_tester(window, qtmodeltester):
    qtmodeltester.check(SourcesModel(window.document))


def test_sources_view_lists_filters_and_edits_as_undoable_commands(window, qtbot):
    view = SourcesView(window.document, window.notify, today=dt.date(2027, 7, 1))
    qtbot.addWidget(view)
    view.show()
    model = view.model
    n = len(window.scenario.sources)
    assert model.rowCount() == n                          # every entry, no gaps in the default scenario
    view.set_filter(FILTERS.index("Past their review-by date"))
    assert view.proxy.rowCount() == n                     # the default's review-by date 2027-06-30 has passed
    view.set_filter(FILTERS.index("Without a source"))
    assert view.proxy.rowCount() == 0
    window.push(SetSource(("Financing", "", ""), None))
    assert view.proxy.rowCount() == 4                     # the four Financing rows have no source now
    gap = view.proxy.mapToSource(view.proxy.index(0, 1))
    assert model.key(gap.row()) == ("Financing", "JBIC / Equity", "")
    assert model.setData(gap, "JBIC annual report 2025")
    assert window.scenario.sources[("Financing", "JBIC / Equity", "")].source == "JBIC annual report 2025"
    assert view.proxy.rowCount() == 3
    assert window.undo_stack.undoText() == "Edit source of Financing JBIC / Equity (whole row)"
    window.undo_stack.undo()
    assert ("Financing", "JBIC / Equity", "") not in window.scenario.sources
    view.set_filter(0)
    row = next(r for r in range(model.rowCount()) if model.key(r) == ("Sectors", "", "Volatility"))
    notes: list[str] = []
    model.edit_rejected.connect(notes.append)
    assert not model.setData(model.index(row, 5), "next spring")
    assert not model.setData(model.index(row, 4), "D")
    assert "not a date" in notes[0] and "not A, B or C" in notes[1]
    assert model.setData(model.index(row, 4), "b")
    assert window.scenario.sources[("Sectors", "", "Volatility")].grade == "B"
    view.table.selectRow(view.proxy.mapFromSource(model.index(row, 0)).row())
    assert view.remove_selected()
    assert ("Sectors", "", "Volatility") not in window.scenario.sources
    window.undo_stack.undo()
    assert window.scenario.sources[("Sectors", "", "Volatility")].grade == "B"


def test_sources_dock_is_in_the_window(window):
    assert window.sources_view.model.rowCount() == len(window.scenario.sources)
    names = [a.text() for a in window.menu_actions.view_menu.actions()]
    assert "Sources" in names


@pytest.mark.slow
def test_file_menu_writes_the_same_briefing_as_the_command_line(window, qtbot, tmp_path):
    from ui import briefing

    file_menu = window.menuBar().actions()[0].menu()
    assert window.briefing_action in file_menu.actions()
    window.push(Macro((SetField("Trials", 1000), SetField("Random seed", 17)), "fewer trials"))
    window.push(SetSource(("Projects", "SC-01", "Coupon or fee"),
                          Source("Bank term sheet", review_by="2020-01-01")))
    out = tmp_path / "app.docx"
    thread = briefing.write_briefing(window, str(out))
    with qtbot.waitSignal(thread.written, timeout=600_000):
        pass
    thread.wait()
    assert window.last_briefing == str(out)
    cli_out = tmp_path / "cli.docx"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["report", "--out", str(cli_out), "--trials", "1000", "--seed", "17"]) == 0

    def key_figures(path):
        t = next(t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == "Figure")
        return [[c.text for c in r.cells] for r in t.rows]

    assert key_figures(out) == key_figures(cli_out)
    paras = [p.text for p in docx.Document(str(out)).paragraphs]
    assert any(p.startswith("Overdue for review") and "Projects SC-01, Coupon or fee" in p for p in paras)


def test_merge_dialog_offers_a_colleagues_sources_and_keeps_them(window, qtbot, tmp_path):
    from dataclasses import replace

    from ui.merge_dialog import MergeDialog
    from workbench.excel import read_workbook, write_workbook

    mine = window.scenario
    theirs = replace(mine, sources=mine.sources.with_entry(("Projects", "BT-01", "Recovery rate"),
                                                            Source("Lender's recovery study", grade="B")))
    path = tmp_path / "kenji.xlsx"
    write_workbook(path, theirs)
    dialog = MergeDialog(mine, read_workbook(path), parent=window)
    qtbot.addWidget(dialog)
    top = dialog.tree.topLevelItem(0)
    assert top.text(0) == "Sources: 1 new row"
    assert "Lender's recovery study" in top.child(0).text(2)
    merged = dialog.merged_scenario()
    assert merged.sources == theirs.sources
    assert merged.provenance[("Sources", "Projects BT-01, Recovery rate", "Source")].file == "kenji.xlsx"
