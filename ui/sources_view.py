"""The Sources view: the assumption register as a table to read, filter and edit.

Each row is a register entry (what it covers, its source, date, owner, grade, review-by
date, note and a status), followed by the rows whose numbers no entry with a source
covers. The filter shows everything, the entries past their review-by date, or what has
no source. Editing a cell is an undoable command on the scenario (:class:`SetSource`);
typing a source on an unsourced row creates an entry for that row. *Remove* deletes the
selected entries as one undo step. Core logic is :mod:`workbench.sources`; this module
only adapts it to Qt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.commands import Macro
from workbench.sources import GRADE_MEANING, GRADES, SetSource, Source, date_text, describe_key, orphans, unsourced

if TYPE_CHECKING:
    from workbench.scenario import Scenario

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Covers", "Source", "Date", "Owner", "Grade", "Review by", "Note", "Status")
ATTRS = (None, "source", "date", "owner", "grade", "review_by", "note", None)
FILTERS = ("All entries and gaps", "Past their review-by date", "Without a source")
OVERDUE, NO_SOURCE, NOT_FOUND = "overdue", "no source", "row or column not found"
FLAG_BRUSH = QBrush(QColor("#FCE4D6"))
GAP_BRUSH = QBrush(QColor("#FFF2CC"))


class SourcesModel(QAbstractTableModel):
    """The register of the document's scenario, plus one row per row of unsourced numbers."""

    edit_rejected = Signal(str)

    def __init__(self, document, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self._doc = document
        self.today = today
        self._rows: list[tuple[tuple[str, str, str], Source | None, str, str]] = []
        self._seen: tuple = ()
        self.refresh(document.scenario)

    # ------------------------------------------------------------- content
    def refresh(self, scn: Scenario | None = None) -> None:
        scn = scn if scn is not None else self._doc.scenario
        seen = (scn.sources, scn.correlations is None, *(id(scn.table(t)) for t in scn.TABLE_ATTRS),
                id(scn.correlations), len(scn.provenance), tuple(sorted(scn.fields.items(), key=str)))
        if seen == self._seen:
            return
        self._seen = seen
        today = self.today or dt.date.today()
        lost = set(orphans(scn))
        rows = []
        for key, src in scn.sources.items():
            status = "; ".join(w for w, on in ((OVERDUE, src.overdue(today)), (NO_SOURCE, not src.has_source),
                                               (NOT_FOUND, key in lost)) if on)
            prov = scn.provenance.get(("Sources", describe_key(key), "Source"))
            rows.append((key, src, status, f"From {prov.describe()}" if prov else ""))
        for gap in unsourced(scn):
            column = "Value" if gap.table == "Scenario" else ""
            rows.append(((gap.table, gap.row, column), None, NO_SOURCE,
                         "Numbers without a source: " + ", ".join(gap.columns)))
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def key(self, row: int) -> tuple[str, str, str]:
        return self._rows[row][0]

    def entry(self, row: int) -> Source | None:
        return self._rows[row][1]

    def status(self, row: int) -> str:
        return self._rows[row][2]

    # ---------------------------------------------------------- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section] == "Grade":
                return "\n".join(GRADE_MEANING.values())
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if ATTRS[index.column()] else base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        key, src, status, tip = self._rows[index.row()]
        attr = ATTRS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if index.column() == 0:
                return describe_key(key)
            if attr:
                return getattr(src, attr) if src is not None else ""
            return status
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 0 and tip:
                return tip
            if attr == "grade":
                return "\n".join(GRADE_MEANING.values())
            if src is not None and attr:
                return src.describe()
            return "Type a source to record where these numbers come from." if src is None else None
        if role == Qt.ItemDataRole.BackgroundRole and status:
            return GAP_BRUSH if src is None else FLAG_BRUSH
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        attr = ATTRS[index.column()]
        if not attr:
            return False
        key, src, _status, _tip = self._rows[index.row()]
        text = "" if value is None else str(value).strip()
        if attr in ("date", "review_by"):
            iso = date_text(text)
            if iso is None:
                self.edit_rejected.emit(f'"{text}" is not a date: type it as 2026-03-31.')
                return False
            text = iso
        elif attr == "grade":
            text = text.upper()
            if text and text not in GRADES:
                self.edit_rejected.emit(f'Grade "{value}" is not A, B or C. ' + "; ".join(GRADE_MEANING.values()))
                return False
        old = src or Source()
        if getattr(old, attr) == text:
            return False
        new = replace(old, **{attr: text})
        label = f"Edit {Source.LABELS[attr].lower()} of {describe_key(key)}"
        self._doc.push(SetSource(key, None if new.is_empty else new, label))
        return True


class _StatusFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.mode = 0

    def set_mode(self, mode: int) -> None:
        self.beginFilterChange()
        self.mode = mode
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.mode == 0:
            return True
        status = self.sourceModel().status(source_row)
        return (OVERDUE in status) if self.mode == 1 else (NO_SOURCE in status)


class SourcesView(QWidget):
    """The register table with its filter, a summary line and a Remove button."""

    def __init__(self, document, notify=None, parent=None, today: dt.date | None = None):
        super().__init__(parent)
        self._doc = document
        self.model = SourcesModel(document, self, today=today)
        if notify is not None:
            self.model.edit_rejected.connect(notify)
        self.proxy = _StatusFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((240, 260, 90, 140, 50, 90, 220, 120)):
            self.table.setColumnWidth(col, width)
        self.filter = QComboBox()
        self.filter.addItems(FILTERS)
        self.filter.currentIndexChanged.connect(self.set_filter)
        self.summary = QLabel()
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Remove the selected register entries (one undo step).")
        self.remove.clicked.connect(self.remove_selected)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:"))
        bar.addWidget(self.filter)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.model.modelReset.connect(self._update_summary)
        self._update_summary()
        self._stale = False
        document.changed.connect(self._on_changed)

    def _on_changed(self, scn: Scenario) -> None:
        """Follow the scenario while shown; when hidden, catch up on the next show (large tables stay quick)."""
        if self.isVisible():
            self.model.refresh(scn)
        else:
            self._stale = True

    def showEvent(self, event) -> None:
        if self._stale:
            self._stale = False
            self.model.refresh(self._doc.scenario)
        super().showEvent(event)

    def set_filter(self, mode: int) -> None:
        self.filter.setCurrentIndex(mode)
        self.proxy.set_mode(mode)

    def _update_summary(self) -> None:
        m = self.model
        entries = sum(1 for r in range(m.rowCount()) if m.entry(r) is not None)
        late = sum(1 for r in range(m.rowCount()) if OVERDUE in m.status(r))
        gaps = sum(1 for r in range(m.rowCount()) if m.entry(r) is None)
        self.summary.setText(f"{entries} entries; {late} past their review-by date; "
                             f"{gaps} rows with numbers without a source")

    def remove_selected(self) -> bool:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()})
        keys = [self.model.key(r) for r in rows if self.model.entry(r) is not None]
        if not keys:
            return False
        cmds = tuple(SetSource(k, None) for k in keys)
        self._doc.push(cmds[0] if len(cmds) == 1 else Macro(cmds, f"Remove {len(cmds)} sources"))
        return True


def add_sources_dock(window) -> QDockWidget:
    """The Sources view as a dock beside the Issues panel, listed in View."""
    view = SourcesView(window.document, window.notify)
    dock = QDockWidget("Sources", window)
    dock.setObjectName("SourcesDock")
    dock.setWidget(view)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.tabifyDockWidget(window.issues_dock, dock)
    window.issues_dock.raise_()
    window.menu_actions.view_menu.addAction(dock.toggleViewAction())
    window.sources_view = view
    return dock
