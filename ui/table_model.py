"""Qt table models over the core's tables: one ``QAbstractTableModel`` per table.

The model reads the current scenario of a :class:`~ui.undo.ScenarioDocument` and never
changes a DataFrame itself: ``setData`` turns an edit into a pure ``SetCell`` command on
the undo stack, and the model follows the document's ``changed`` signal (``dataChanged``
when the shape is the same, ``beginResetModel``/``endResetModel`` when rows or columns
changed). Sorting and filtering go through :class:`TableProxy`.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from ui import formatting
from workbench import schema
from workbench.commands import InsertRows, Macro, SetCell, SetCells
from workbench.diff import row_keys
from workbench.issues import Issue
from workbench.scenario import Scenario
from workbench.validation import check_value

ERROR_BRUSH = QBrush(QColor("#f8d0d0"))
WARNING_BRUSH = QBrush(QColor("#fbeec2"))
EDITED_BY_MERGE = QBrush(QColor("#dcecff"))
#: Role giving the raw canonical value (numbers as floats, empty as None) for sorting.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role giving the schema Column of a cell.
COLUMN_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


def column_tooltip(col: schema.Column) -> str:
    parts = [col.name]
    if col.help:
        parts.append(col.help)
    if col.kind == "fraction":
        parts.append("Entered as a percentage (8.5 % is 0.085).")
    if col.is_numeric and (col.minimum is not None or col.maximum is not None):
        parts.append(f"Allowed: {formatting.range_text(col)}.")
    if col.choices:
        parts.append("One of: " + ", ".join(col.choices) + ".")
    if col.required:
        parts.append("Required.")
    elif col.default not in (None, ""):
        parts.append(f"Empty means {formatting.display(col, col.default)}.")
    return "\n".join(parts)


class ScenarioTableModel(QAbstractTableModel):
    """One of the scenario's tables (Sectors, Projects, Financing, Constraints, Risk events)."""

    #: An edit was refused, with the sentence to show the user.
    edit_rejected = Signal(str)

    def __init__(self, document, table: str, parent=None):
        super().__init__(parent)
        self._doc = document
        self.table = table
        self._frame = document.scenario.table(table)
        self._columns: list[str] = list(self._frame.columns)
        self._cols = [formatting.column_for(table, c) for c in self._columns]
        self._issues: dict[tuple[int, str], list[Issue]] = {}
        self._provenance: dict = {}
        self._index_issues(document.scenario, document.issues)
        document.changed.connect(self._on_changed)

    # ------------------------------------------------------------ structure
    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def column_index(self, name: str) -> int:
        return self._columns.index(name)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                if self.table == "Risk events" and section >= len(schema.RISK_EVENTS.columns):
                    return (f"{self._columns[section]}: added to the sector's annual log return while the event "
                            "lasts (-0.20 cuts the year's growth factor by about 18 %). Empty = 0.")
                return column_tooltip(self._cols[section])
            return None
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._frame):
            return str(section + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    # ------------------------------------------------------------------ data
    def raw(self, row: int, column: int) -> Any:
        value = self._frame.iat[row, column]
        if isinstance(value, float) and math.isnan(value):
            return None
        if hasattr(value, "item"):
            value = value.item()
        return value

    def issues_at(self, row: int, column: int) -> list[Issue]:
        return self._issues.get((row, self._columns[column]), [])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._frame) and 0 <= index.column() < len(self._cols)):
            return None
        row, column = index.row(), index.column()
        col = self._cols[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return formatting.display(col, self.raw(row, column))
        if role == Qt.ItemDataRole.EditRole:
            return self.raw(row, column)
        if role == SORT_ROLE:
            return self.raw(row, column)
        if role == COLUMN_ROLE:
            return col
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col.is_numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            issues = self.issues_at(row, column)
            if any(i.is_error for i in issues):
                return ERROR_BRUSH
            if issues:
                return WARNING_BRUSH
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        return None

    def _tooltip(self, row: int, column: int) -> str | None:
        lines = [i.message + (f" {i.suggestion}" if i.suggestion else "") for i in self.issues_at(row, column)]
        prov = None
        if self._provenance:
            if self._keys is None:
                self._keys = row_keys(self.table, self._frame)
            prov = self._provenance.get((self.table, self._keys[row], self._columns[column]))
        if prov is not None:
            lines.append(f"From {prov.describe()}")
        if not lines:
            default = self._cols[column].default
            if self.raw(row, column) is None and default not in (None, ""):
                return f"Empty: the default {formatting.display(self._cols[column], default)} applies."
            return None
        return "\n".join(lines)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        col = self._cols[index.column()]
        try:
            parsed = formatting.parse(col, value)
        except formatting.ParseError as exc:
            self.edit_rejected.emit(str(exc))
            return False
        problem = check_value(col, parsed)
        if problem:
            message, hint = problem
            self.edit_rejected.emit(f"{message} {hint}" if hint else message)
            return False
        old = self.raw(index.row(), index.column())
        if _same(old, parsed):
            return False
        name = self._columns[index.column()]
        self._doc.push(SetCell(self.table, index.row(), name, parsed, label=f"Edit {self.table} {name}"))
        return True

    # ------------------------------------------------------- block commands
    can_add_rows = True

    def column_schema(self, column: int) -> schema.Column:
        return self._cols[column]

    def paste_command(self, cells: list[tuple[int, int, Any]], new_rows: int = 0) -> Any:
        """One command setting ``(row, column, value)`` cells, adding ``new_rows`` rows at the end first."""
        named = tuple((r, self._columns[c], v) for r, c, v in cells)
        label = f"Paste {len(named)} cell{'s' if len(named) != 1 else ''} into {self.table}"
        setter = SetCells(self.table, named, label)
        if not new_rows:
            return setter
        start = len(self._frame)
        insert = InsertRows(self.table, tuple((start + k, {}) for k in range(new_rows)))
        return Macro((insert, setter), label)

    def clear_command(self, cells: list[tuple[int, int]]) -> tuple[Any | None, list[str]]:
        """A command emptying the cells (required ones are kept, and named), or ``None``."""
        kept = sorted({self._columns[c] for _r, c in cells if self._cols[c].required})
        named = tuple((r, self._columns[c], None) for r, c in cells
                      if not self._cols[c].required and self.raw(r, c) is not None)
        if not named:
            return None, kept
        return SetCells(self.table, named, f"Clear {len(named)} cell{'s' if len(named) != 1 else ''} in "
                                           f"{self.table}"), kept

    # --------------------------------------------------------------- updates
    def _index_issues(self, scn: Scenario, issues: list[Issue]) -> None:
        out: dict[tuple[int, str], list[Issue]] = {}
        for issue in issues:
            if issue.table == self.table and issue.row_index is not None and issue.column:
                out.setdefault((issue.row_index, issue.column), []).append(issue)
        self._issues = out
        self._provenance = scn.provenance
        self._keys: list[str] | None = None

    def _on_changed(self, scn: Scenario) -> None:
        frame = scn.table(self.table)
        same_shape = list(frame.columns) == self._columns and len(frame) == len(self._frame)
        if not same_shape:
            self.beginResetModel()
            self._frame = frame
            self._columns = list(frame.columns)
            self._cols = [formatting.column_for(self.table, c) for c in self._columns]
            self._index_issues(scn, self._doc.issues)
            self.endResetModel()
            return
        self._frame = frame
        self._index_issues(scn, self._doc.issues)
        if len(frame) and self._columns:
            self.dataChanged.emit(self.index(0, 0), self.index(len(frame) - 1, len(self._columns) - 1))


def _same(a: Any, b: Any) -> bool:
    if formatting.is_missing(a) and formatting.is_missing(b):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


class TableProxy(QSortFilterProxyModel):
    """Sorting on the raw values (numbers as numbers, empties last) and a free-text filter."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if formatting.is_missing(a) or formatting.is_missing(b):
            return formatting.is_missing(b) and not formatting.is_missing(a)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return a < b
        return str(a).lower() < str(b).lower()
