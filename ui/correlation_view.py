"""The sector correlation matrix as an editable heat map.

Rows and columns are the sectors of the Sectors table. Cells are coloured from blue
(-1) through white (0) to red (+1); the diagonal is 1 and not editable. Editing one cell
sets its mirror too (``SetCorrelation``), so the matrix stays symmetric.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from ui import formatting
from ui.delegates import CellDelegate
from ui.table_model import COLUMN_ROLE, SORT_ROLE
from workbench.commands import Macro, SetCorrelation
from workbench.issues import Issue
from workbench.schema import Column
from workbench.validation import check_value

if TYPE_CHECKING:
    from workbench.commands import Command

CORRELATION = Column("Correlation", "number", "", -1, 1, default=0.0,
                     help="Correlation of the two sectors' annual returns, from -1 to 1.")

Index = QModelIndex | QPersistentModelIndex


def heat_colour(value: float) -> QColor:
    """Blue for -1, white for 0, red for +1."""
    x = max(-1.0, min(1.0, value))
    if x >= 0:
        return QColor(255, int(255 - 150 * x), int(255 - 170 * x))
    return QColor(int(255 + 170 * x), int(255 + 110 * x), 255)


def two_lines(text: str) -> str:
    """``text`` broken at the space that best balances two lines."""
    words = text.split(" ")
    if len(words) < 2:
        return text
    k = min(range(1, len(words)), key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))))
    return " ".join(words[:k]) + "\n" + " ".join(words[k:])


class CorrelationModel(QAbstractTableModel):
    """Sector x sector correlations of the current scenario."""

    edit_rejected = Signal(str)
    table = "Correlations"
    can_add_rows = False

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self._doc = document
        self._load(document.scenario)
        document.changed.connect(self._on_changed)

    def _load(self, scn) -> None:
        self._names = scn.sector_names
        self._matrix = scn.correlations
        self._issues: dict[tuple[str, str], list[Issue]] = {}
        for issue in self._doc.issues:
            if issue.table == "Correlations" and issue.row and issue.column:
                self._issues.setdefault((issue.row, issue.column), []).append(issue)

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and 0 <= section < len(self._names):
            name = self._names[section]
            if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
                return two_lines(name)  # column headers on two lines, so the names fit
            return name
        return None

    def value(self, row: int, column: int) -> float | None:
        a, b = self._names[row], self._names[column]
        if a == b:
            return 1.0
        m = self._matrix
        if m is None or a not in m.index or b not in m.columns:
            return None
        v = m.at[a, b]
        return None if formatting.is_missing(v) else float(v)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base if index.row() == index.column() else base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._names) and 0 <= index.column() < len(self._names)):
            return None
        v = self.value(index.row(), index.column())
        a, b = self._names[index.row()], self._names[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "0" if v is None else f"{v:.2f}"
        if role in (Qt.ItemDataRole.EditRole, SORT_ROLE):
            return v
        if role == COLUMN_ROLE:
            return CORRELATION
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if self._issues.get((a, b)) or self._issues.get((b, a)):
                return QBrush(QColor("#f8d0d0"))
            return QBrush(heat_colour(v or 0.0))
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [i.message for i in self._issues.get((a, b), []) + self._issues.get((b, a), [])]
            if not lines:
                lines = [f"{a} / {b}: {'not given, so 0' if v is None else f'{v:.3g}'}"
                         + (" (always 1)" if a == b else "")]
            return "\n".join(lines)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.row() == index.column():
            return False
        try:
            x = formatting.parse(CORRELATION, value)
        except formatting.ParseError as exc:
            self.edit_rejected.emit(str(exc))
            return False
        x = 0.0 if x is None else float(x)
        problem = check_value(CORRELATION, x)
        if problem:
            self.edit_rejected.emit(problem[0])
            return False
        if self.value(index.row(), index.column()) == x:
            return False
        a, b = self._names[index.row()], self._names[index.column()]
        self._doc.push(SetCorrelation(a, b, x, label=f"Edit Correlations {a} / {b}"))
        return True

    # block commands used by copy/paste and Delete
    def position(self, row: int) -> int:
        return row

    def row_of(self, position: int) -> int:
        return position

    def column_schema(self, column: int) -> Column:
        return CORRELATION

    def paste_command(self, cells: list[tuple[int, int, Any]], new_rows: int = 0) -> Command:
        from ui.clipboard import PasteError

        cmds = []
        for r, c, v in cells:
            x = 0.0 if v is None else float(v)
            if r == c:
                if abs(x - 1.0) > 1e-12:
                    raise PasteError(f"Nothing was pasted: the diagonal ({self._names[r]} with itself) must be 1.")
                continue
            cmds.append(SetCorrelation(self._names[r], self._names[c], x))
        return Macro(tuple(cmds), f"Paste {len(cells)} cells into Correlations")

    def clear_command(self, cells: list[tuple[int, int]]) -> tuple[Command | None, list[str]]:
        cmds = tuple(SetCorrelation(self._names[r], self._names[c], 0.0) for r, c in cells if r != c)
        return (Macro(cmds, f"Clear {len(cmds)} correlations") if cmds else None), []

    def _on_changed(self, scn) -> None:
        if scn.sector_names != self._names:
            self.beginResetModel()
            self._load(scn)
            self.endResetModel()
            return
        self._load(scn)
        if self._names:
            n = len(self._names)
            self.dataChanged.emit(self.index(0, 0), self.index(n - 1, n - 1))


class CorrelationView(QWidget):
    """The heat map with a short explanation above it; copy, paste and clear like the other tables."""

    table = "Correlations"

    def __init__(self, document, notify=None, parent=None):
        super().__init__(parent)
        self._doc = document
        self._notify = notify or (lambda _text: None)
        self.model = CorrelationModel(document, self)
        self.model.edit_rejected.connect(self._notify)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(CellDelegate("Correlations", parent=self.view))
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(40)
        note = QLabel("Correlation of sector returns: red = move together, blue = move apart. "
                      "Edit a cell to set the pair (its mirror follows). The diagonal is always 1.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(note)
        layout.addWidget(self.view)

    def select_cell(self, a: str | None, b: str | None = None) -> bool:
        names = self.model.names
        if a not in names:
            return False
        r = names.index(a)
        c = names.index(b) if b in names else r
        self.view.setCurrentIndex(self.model.index(r, c))
        self.view.setFocus()
        return True

    def copy(self) -> str:
        from ui import clipboard

        return clipboard.copy_selection(self.view)

    def paste(self, text: str | None = None) -> bool:
        from ui import clipboard

        try:
            command = clipboard.paste_command(self.view, self.model, clipboard.text_to_paste(text))
            self._doc.push(command)
        except (clipboard.PasteError, ValueError) as exc:
            self._notify(str(exc))
            return False
        return True

    def clear_cells(self) -> bool:
        cells = sorted({(i.row(), i.column()) for i in self.view.selectionModel().selectedIndexes()})
        command, _kept = self.model.clear_command(cells)
        if command is None:
            return False
        self._doc.push(command)
        return True
