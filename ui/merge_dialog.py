"""Merge from a colleague's workbook: see every difference, choose which to take.

The dialog lists the differences between the current scenario and a colleague's workbook
(``workbench.diff.diff_scenarios``), grouped by table and row, with your value, theirs
and where theirs sits in their workbook (``Projects!H7``). Each table, row and cell has a
checkbox: *Accept all*, *Accept none*, or pick rows and cells one by one. *Merge* emits
one ``ReplaceScenario`` command (one undo step) built by ``workbench.diff.merge``, which
records where each accepted value came from (shown as tooltips on the table cells).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
)

from ui import formatting
from workbench.commands import ReplaceScenario
from workbench.diff import ADDED, CHANGED, REMOVED, diff_scenarios, merge, source_of
from workbench.text import count

if TYPE_CHECKING:
    from workbench.diff import Change

ID_ROLE = Qt.ItemDataRole.UserRole + 20
TABLES_WITH_COLUMNS = ("Scenario", "Sectors", "Projects", "Financing", "Constraints", "Risk events")
KIND_TEXT = {ADDED: "new row", REMOVED: "row removed", CHANGED: "changed"}


def _count_text(kind: str, n: int) -> str:
    """``1 new row``, ``18 new rows``, ``18 rows removed``, ``3 changed`` (the noun is pluralised, not the verb)."""
    if kind == ADDED:
        return count(n, "new row")
    if kind == REMOVED:
        return count(n, "row", "removed")
    return f"{n:,} changed"


def _show(value: Any, table: str = "", change: Change | None = None) -> str:   # value: a cell of any kind
    """A value as the tables show it (percentages, USD m with separators); ``(empty)`` when empty."""
    if value is None or (isinstance(value, float) and value != value):
        return "(empty)"
    if change is not None and change.kind == CHANGED and table in TABLES_WITH_COLUMNS and not isinstance(value, dict):
        name = "Value" if table == "Scenario" else change.column
        col = formatting.column_for(table, change.row if table == "Scenario" else name)
        return formatting.display(col, value) or "(empty)"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in list(value.items())[:4]) + (" ..." if len(value) > 4 else "")
    if isinstance(value, float):
        return f"{value:,.6g}"
    return str(value)


class MergeDialog(QDialog):
    """Window-modal dialog (shown, not exec'd); :attr:`merged` carries the command to push."""

    merged = Signal(object)

    def __init__(self, current, imported, source: str = "", parent=None):
        """``imported`` is the colleague's ImportResult (or a Scenario, then without cell locations)."""
        super().__init__(parent)
        self.current = current
        self.proposal = getattr(imported, "scenario", imported)
        self.source_name = source or getattr(imported, "file", "") or "their workbook"
        self._source = source_of(imported) if hasattr(imported, "scenario") else None
        self.diff = diff_scenarios(current, self.proposal, where=imported if hasattr(imported, "where") else None)
        self.setWindowTitle(f"Merge from {self.source_name}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        author = getattr(imported, "author", "")
        n = len(self.diff.changes)
        if n == 0:
            text = f"{self.source_name} holds the same scenario as yours: there is nothing to merge."
        else:
            text = (f"{self.source_name}{f' (by {author})' if author else ''} differs from your scenario in {n} "
                    f"place{'s' if n != 1 else ''}. Tick what to take from it, then press Merge. "
                    "Merging is one step you can undo.")
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Change", "Yours", "Theirs", "Where theirs is"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().resizeSection(0, 300)
        self.tree.header().resizeSection(1, 160)
        self.tree.header().resizeSection(2, 160)
        self.tree.setAlternatingRowColors(True)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._fill()
        self.tree.expandAll()

        self.accept_all_button = QPushButton("Accept all")
        self.accept_all_button.clicked.connect(lambda: self.set_all(True))
        self.accept_none_button = QPushButton("Accept none")
        self.accept_none_button.clicked.connect(lambda: self.set_all(False))
        buttons = QDialogButtonBox()
        self.merge_button = buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setToolTip("Apply the ticked changes to your scenario (one undo step).")
        buttons.addButton(self.accept_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.accept_none_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        self.merge_button.setEnabled(n > 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(980, 560)

    # ------------------------------------------------------------------ tree
    def _fill(self) -> None:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
        summary = self.diff.summary()
        for table, changes in self.diff.by_table().items():
            s = summary[table]
            parts = [_count_text(k, s[k]) for k in (ADDED, REMOVED, CHANGED) if s[k]]
            top = QTreeWidgetItem([f"{table}: {', '.join(parts)}"])
            top.setFlags(flags | Qt.ItemFlag.ItemIsAutoTristate)
            top.setCheckState(0, Qt.CheckState.Checked)
            self.tree.addTopLevelItem(top)
            rows: dict[str, QTreeWidgetItem] = {}
            for ch in changes:
                if ch.kind == CHANGED and table != "Scenario":
                    parent = rows.get(ch.row)
                    if parent is None:
                        parent = QTreeWidgetItem([ch.row])
                        parent.setFlags(flags | Qt.ItemFlag.ItemIsAutoTristate)
                        parent.setCheckState(0, Qt.CheckState.Checked)
                        top.addChild(parent)
                        rows[ch.row] = parent
                    label = ch.column or ""
                else:
                    parent = top
                    label = ch.row if ch.kind == CHANGED else f"{KIND_TEXT[ch.kind]}: {ch.row}"
                item = QTreeWidgetItem([label, _show(ch.old, table, ch), _show(ch.new, table, ch), ch.where or ""])
                item.setFlags(flags | Qt.ItemFlag.ItemNeverHasChildren)
                item.setCheckState(0, Qt.CheckState.Checked)
                item.setData(0, ID_ROLE, ch.id)
                item.setToolTip(0, ch.describe())
                mine = self.current.provenance.get((table, ch.row, ch.column or ""))
                item.setToolTip(1, f"Your value came from {mine.describe()}" if mine else "Your current value")
                item.setToolTip(2, f"From {self.source_name}" + (f" {ch.where}" if ch.where else ""))
                parent.addChild(item)
                self._items[ch.id] = item

    def set_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for i in range(self.tree.topLevelItemCount()):
            self.tree.topLevelItem(i).setCheckState(0, state)

    def set_accepted(self, change_id: str, on: bool) -> None:
        self._items[change_id].setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def row_item(self, table: str, row: str) -> QTreeWidgetItem | None:
        it = QTreeWidgetItemIterator(self.tree)
        while it.value():
            item = it.value()
            if item.parent() is not None and item.parent().parent() is None and item.text(0) == row \
                    and item.parent().text(0).startswith(f"{table}:"):
                return item
            it += 1
        return None

    def accepted_ids(self) -> list[str]:
        return [cid for cid, item in self._items.items() if item.checkState(0) == Qt.CheckState.Checked]

    # ----------------------------------------------------------------- apply
    def merged_scenario(self):
        return merge(self.current, self.proposal, self.diff, self.accepted_ids(), source=self._source)

    def apply(self) -> None:
        ids = self.accepted_ids()
        if ids:
            n = len(ids)
            self.merged.emit(ReplaceScenario(self.merged_scenario(),
                                             f"Merge {n} change{'s' if n != 1 else ''} from {self.source_name}"))
        self.accept()
