"""Copy from a results table gives Excel numbers: a header row, raw numbers as tab-separated text, and the
formatted table as HTML in a second clipboard format; read back from the real clipboard."""

from __future__ import annotations

import csv
import io

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent

from ui.results_table import RowsView

HEADERS = ("Project", "Allocated (USD m)", "Expected return (%)")
ROWS = [("Data center campus", 12_500.25, 8.5), ("Battery plant", -1354.0, -2.25), ("Fab", float("nan"), 12.0)]


@pytest.fixture
def view(qtbot):
    v = RowsView()
    qtbot.addWidget(v)
    v.set_rows(HEADERS, ROWS, decimals=(0, 0, 1))
    v.show()
    return v


def _clipboard_block() -> list[list[str]]:
    return list(csv.reader(io.StringIO(QGuiApplication.clipboard().text()), delimiter="\t"))


def test_ctrl_c_with_nothing_selected_copies_the_table_with_headers_and_raw_numbers(view):
    assert view.model().index(1, 1).data() == "\u22121,354"          # shown with a true minus and separators
    view.clearSelection()
    view.keyPressEvent(QKeyEvent(QKeyEvent.Type.KeyPress, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier))
    block = _clipboard_block()
    assert block[0] == list(HEADERS)
    assert block[1] == ["Data center campus", "12500.25", "8.5"]
    assert block[2] == ["Battery plant", "-1354", "-2.25"]
    assert block[3] == ["Fab", "", "12"]
    for row in block[1:]:
        for cell in row[1:]:
            assert cell == "" or float(cell) == float(cell)   # every number cell parses as a plain number
            assert "\u2212" not in cell and "," not in cell


def test_html_is_a_second_format_with_the_formatted_table(view):
    view.clearSelection()
    view.copy()
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.hasText() and mime.hasHtml()
    html = mime.html()
    assert html.count("<th>") == 3 and "Allocated (USD m)" in html
    assert "12,500" in html and "\u22121,354" in html and "n/a" in html
    assert html.count("<tr>") == 1 + len(ROWS)


def test_a_selection_copies_its_columns_under_their_headers_in_the_shown_order(view):
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)        # the view is sorted: copy follows what is seen
    sel = view.selectionModel()
    for r in (1, 2):   # the missing amount sorts first
        sel.select(view.model().index(r, 1), QItemSelectionModel.SelectionFlag.Select)
    text = view.copy()
    assert text.splitlines() == ["Allocated (USD m)", "-1354", "12500.25"]
    assert _clipboard_block() == [["Allocated (USD m)"], ["-1354"], ["12500.25"]]
