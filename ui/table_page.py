"""One table of the scenario as a page: a filter box, row buttons and the sortable table.

Every change goes through the document's undo stack as one pure command: typing in a
cell, adding, duplicating or deleting rows, pasting a block and clearing cells.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui import clipboard
from ui.delegates import CellDelegate, ChoicesFn
from ui.frozen_columns import freeze_key_columns
from ui.table_model import ScenarioTableModel, TableProxy
from workbench import schema
from workbench.commands import DeleteRows, DuplicateRows, InsertRows

if TYPE_CHECKING:
    from workbench.commands import Command

#: The scenario's tables, in the order of the window's tabs and of View > Tables.
TABLE_TABS = ("Scenario", "Sectors", "Projects", "Financing", "Constraints", "Correlations", "Risk events")

INTROS = {
    "Sectors": "One row per sector. Returns and volatility are per year (8.5 % is 0.085).",
    "Projects": "Candidate projects. Money in USD m. Grey italic values are what empty cells stand for "
                "(defaults, the sector's return); type to override.",
    "Financing": "How much each financier can provide, per instrument (Any = all instruments), in USD m.",
    "Constraints": "Limits on groups of projects, as a share of the programme or in USD m. Value * means every "
                   "value of the group.",
    "Risk events": "Discrete shocks: yearly probability, duration, and the change to each sector's yearly log "
                   "return while the event lasts.",
}

NEW_KEY = {"Sectors": "New sector", "Projects": "NEW", "Risk events": "New event"}

Notify = Callable[[str], None]


class TablePage(QWidget):
    """A table view over :class:`ScenarioTableModel` through :class:`TableProxy`."""

    def __init__(self, document, table: str, notify: Notify, choices: ChoicesFn | None = None, parent=None):
        super().__init__(parent)
        self._doc = document
        self.table = table
        self._notify = notify
        self.model = ScenarioTableModel(document, table, self)
        self.model.edit_rejected.connect(notify)
        self.proxy = TableProxy(self)
        self.proxy.setSourceModel(self.model)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setItemDelegate(CellDelegate(table, choices, self.view))
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(200)  # widths from the first rows: fast for 50,000 rows
        self.view.resizeColumnsToContents()
        # the key columns (ID and Project in Projects) stay in view while the table scrolls sideways
        self.frozen = freeze_key_columns(self.view, table, list(self.model.columns))

        self.filter = QLineEdit()
        self.filter.setPlaceholderText(f"Filter {table.lower()} (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setToolTip("Show only rows containing this text, in any column.")
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.count = QLabel()
        self.add_button = QPushButton("Add row")
        self.add_button.setToolTip("Add a row below the current one (Ctrl+I).")
        self.add_button.clicked.connect(self.add_row)
        self.duplicate_button = QPushButton("Duplicate")
        self.duplicate_button.setToolTip("Copy the selected rows, each below its original (Ctrl+D).")
        self.duplicate_button.clicked.connect(self.duplicate_rows)
        self.delete_button = QPushButton("Delete rows")
        self.delete_button.setToolTip("Delete the selected rows (Ctrl+-). Undo brings them back.")
        self.delete_button.clicked.connect(self.delete_rows)

        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.count)
        bar.addWidget(self.add_button)
        bar.addWidget(self.duplicate_button)
        bar.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        intro = QLabel(INTROS.get(table, ""))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        for signal in (self.proxy.rowsInserted, self.proxy.rowsRemoved, self.proxy.modelReset,
                       self.proxy.layoutChanged):
            signal.connect(self._update_count)
        self._update_count()

    # ------------------------------------------------------------ selection
    def selected_source_rows(self) -> list[int]:
        """Positions in the table of the selected rows (the current row when nothing is selected)."""
        rows = {self.proxy.mapToSource(i).row() for i in self.view.selectionModel().selectedIndexes()}
        if not rows and self.view.currentIndex().isValid():
            rows = {self.proxy.mapToSource(self.view.currentIndex()).row()}
        return sorted(self.model.position(r) for r in rows)

    def selected_source_cells(self) -> list[tuple[int, int]]:
        """The selected cells as (model row, column)."""
        indexes = self.view.selectionModel().selectedIndexes() or (
            [self.view.currentIndex()] if self.view.currentIndex().isValid() else [])
        return sorted({(self.proxy.mapToSource(i).row(), i.column()) for i in indexes})

    def select_cell(self, row: int, column: str | None = None) -> bool:
        """Select and show the cell at table position ``row`` and ``column`` (the row when no column)."""
        if not 0 <= row < self.model.rowCount():
            return False
        col = self.model.column_index(column) if column in self.model.columns else 0
        source = self.model.index(self.model.row_of(row), col)
        index = self.proxy.mapFromSource(source)
        if not index.isValid():  # hidden by the filter: clear it
            self.filter.clear()
            index = self.proxy.mapFromSource(source)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        if column is None:
            flags |= QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        self.view.setFocus()
        return True

    def _select_rows(self, rows: list[int]) -> None:
        sel = self.view.selectionModel()
        sel.clearSelection()
        for k, r in enumerate(rows):
            if 0 <= r < self.model.rowCount():
                index = self.proxy.mapFromSource(self.model.index(self.model.row_of(r), 0))
                if not index.isValid():  # hidden by the filter (a new, empty row): show everything
                    self.filter.clear()
                    index = self.proxy.mapFromSource(self.model.index(self.model.row_of(r), 0))
                flag = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                if k == 0:
                    sel.setCurrentIndex(index, flag)
                else:
                    sel.select(index, flag)
        self.view.setFocus()

    # ------------------------------------------------------------- row edits
    def _push(self, command: Command) -> bool:
        try:
            self._doc.push(command)
        except (ValueError, KeyError, IndexError) as exc:
            self._notify(f"Nothing changed: {exc}")
            return False
        return True

    def new_row(self) -> dict[str, Any]:
        frame = self._doc.scenario.table(self.table)
        row: dict[str, Any] = {}
        base = NEW_KEY.get(self.table)
        if base:
            key = schema.TABLES[self.table].key[0]
            taken = {str(v) for v in frame[key]}
            n = 1
            while f"{base} {n}" in taken:
                n += 1
            row[key] = f"{base} {n}"
        if self.table == "Projects" and self._doc.scenario.sector_names:
            row["Sector"] = self._doc.scenario.sector_names[0]
        if self.table == "Constraints":
            row["Group"], row["Value"] = "Sector", "*"
        return row

    def add_row(self) -> None:
        rows = self.selected_source_rows()
        pos = rows[-1] + 1 if rows else self.model.rowCount()
        if self._push(InsertRows(self.table, ((pos, self.new_row()),), f"Add 1 row to {self.table}")):
            self._select_rows([pos])
            self._notify(f"Added a row to {self.table}: fill in the cells marked red.")

    def duplicate_rows(self) -> None:
        rows = self.selected_source_rows()
        if not rows:
            self._notify("Select the rows to duplicate first.")
            return
        cmd = DuplicateRows(self._doc.scenario, self.table, tuple(rows))
        if self._push(cmd):
            self._select_rows([p for p, _ in cmd.rows])

    def delete_rows(self) -> None:
        rows = self.selected_source_rows()
        if not rows:
            self._notify("Select the rows to delete first.")
            return
        if self._push(DeleteRows(self.table, tuple(rows))):
            self._notify(f"Deleted {len(rows)} row{'s' if len(rows) != 1 else ''} from {self.table} "
                         "(Undo brings them back).")

    # --------------------------------------------------------- cell blocks
    def copy(self) -> str:
        return clipboard.copy_selection(self.view)

    def paste(self, text: str | None = None) -> bool:
        """Paste ``text`` (the clipboard's text when None) at the selection, as one undo step."""
        try:
            command = clipboard.paste_command(self.view, self.model, clipboard.text_to_paste(text))
        except clipboard.PasteError as exc:
            self._notify(str(exc))
            return False
        return self._push(command)

    def clear_cells(self) -> bool:
        command, kept = self.model.clear_command(self.selected_source_cells())
        if kept:
            self._notify(f"Required cells were kept ({', '.join(kept)}): use Delete rows to remove a row.")
        return command is not None and self._push(command)

    def _update_count(self, *args: object) -> None:   # a slot for several signals
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{total:,} rows" if shown == total else f"{shown:,} of {total:,} rows")
