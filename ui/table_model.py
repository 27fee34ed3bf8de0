"""Qt table models over the core's tables: one ``QAbstractTableModel`` per table.

The model reads the current scenario of a :class:`~ui.undo.ScenarioDocument` and never
changes a DataFrame itself: ``setData`` turns an edit into a pure ``SetCell`` command on
the undo stack, and the model follows the document's ``changed`` signal (``dataChanged``
when the shape is the same, ``beginResetModel``/``endResetModel`` when rows or columns
changed). Sorting and filtering go through :class:`TableProxy`.

An edit costs what it touched, not the table's size: when the document says which cells its
last command set (``last_command``), only those rows are read again, only they get
``dataChanged`` (row by row), and the rows' keys (what sources and provenance are filed
under) are kept unless a key column was edited. The answers given to the view are kept per
row until the row changes, so the repaint after an edit recomputes the edited rows only.

Rows of the model are the rows as shown; :meth:`ScenarioTableModel.position` gives the
row's position in the table (what the commands address) and :meth:`row_of` the reverse.
Sorting is done here with one vectorised ``argsort`` (the proxy forwards ``sort``), and
filtering with one vectorised match per column, so a 50,000-row table sorts and filters
in a fraction of a second instead of calling Python once per comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPixmap, QPolygon

from ui import formatting
from workbench import schema
from workbench.commands import InsertRows, Macro, SetCell, SetCells
from workbench.diff import row_keys
from workbench.issues import Issue
from workbench.scenario import Scenario
from workbench.sources import describe_key
from workbench.validation import check_value
from workbench.validation_incremental import touched_by

if TYPE_CHECKING:
    from collections.abc import Iterable

    from workbench.commands import Command
    from workbench.sources import Source, SourceKey

ERROR_BRUSH = QBrush(QColor("#f8d0d0"))
WARNING_BRUSH = QBrush(QColor("#fbeec2"))
#: Empty cells show the value they stand for (their default), greyed and in italics.
IMPLIED_BRUSH = QBrush(QColor("#8a8a8a"))
IMPLIED_FONT = QFont()
IMPLIED_FONT.setItalic(True)
#: Role giving the raw canonical value (numbers as floats, empty as None) for sorting.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: Role giving the schema Column of a cell.
COLUMN_ROLE = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex
_R = Qt.ItemDataRole
#: The roles the table model answers; the view asks for many more per cell, answered at once with None.
ROLES = frozenset({_R.DisplayRole, _R.EditRole, _R.ToolTipRole, _R.BackgroundRole, _R.ForegroundRole, _R.FontRole,
                   _R.TextAlignmentRole, _R.DecorationRole, SORT_ROLE, COLUMN_ROLE})
#: Colours of the small marker on a number that has a source (orange: past its review-by date).
SOURCE_COLOURS = {"ok": "#2E7D32", "overdue": "#E69F00"}
_MARKERS: dict[str, QPixmap] = {}
#: Rows whose answers to the view are kept at most (a screen shows some 40; scrolling far starts afresh).
SHOWN_ROWS_KEPT = 2_000


def source_marker(state: str) -> QPixmap:
    """A small corner triangle, like a spreadsheet's note marker, made once per colour."""
    if state not in _MARKERS:
        pix = QPixmap(8, 8)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(SOURCE_COLOURS[state]))
        painter.drawPolygon(QPolygon([QPoint(0, 0), QPoint(8, 0), QPoint(8, 8)]))
        painter.end()
        _MARKERS[state] = pix
    return _MARKERS[state]


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
        self._set_frame(document.scenario.table(table))
        self._columns: list[str] = list(self._frame.columns)
        self._cols = [formatting.column_for(table, c) for c in self._columns]
        self._issues: dict[tuple[int, str], list[Issue]] = {}
        self._provenance: dict = {}
        self._keys: list[str] | None = None
        self._shown: dict[int, dict[tuple[int, int], Any]] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._order = np.arange(len(self._frame))
        self._rows = self._order
        self._index_issues(document.scenario, document.issues)
        document.changed.connect(self._on_changed)

    def _set_frame(self, frame: pd.DataFrame) -> None:
        """Keep the table and its columns as Python lists (a cell read is then a list lookup, not pandas)."""
        self._frame = frame
        self._n = len(frame)
        self.version = getattr(self, "version", 0) + 1  # changes whenever the rows or their order change
        self._values = [frame.iloc[:, c].tolist() for c in range(frame.shape[1])]

    # ------------------------------------------------------ rows and order
    def position(self, row: int) -> int:
        """The position in the table (what commands address) of the row shown at ``row``."""
        return int(self._order[row])

    def row_of(self, position: int) -> int:
        """The shown row of the table position ``position``."""
        return int(self._rows[position])

    def _set_order(self, order: np.ndarray) -> None:
        self.version = getattr(self, "version", 0) + 1
        self._order = order
        rows = np.empty_like(order)
        rows[order] = np.arange(len(order))
        self._rows = rows

    def _sorted_order(self) -> np.ndarray:
        n = len(self._frame)
        if self._sort is None or not 0 <= self._sort[0] < len(self._columns):
            return np.arange(n)
        column, order = self._sort
        values = self._frame.iloc[:, column]
        if self._cols[column].is_numeric or values.dtype == bool:
            key = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        else:
            key = np.array([str(v).lower() if v is not None else None for v in values], dtype=object)
        missing = pd.isna(key)
        present = np.flatnonzero(~missing)
        ranked = present[np.argsort(key[present], kind="stable")]
        if order == Qt.SortOrder.DescendingOrder:
            ranked = ranked[::-1]
        return np.concatenate([ranked, np.flatnonzero(missing)]).astype(np.int64)  # empty cells always last

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Show the rows sorted by ``column`` (``-1``: in table order); empty cells last."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        positions = [int(self._order[i.row()]) for i in persistent]
        self._sort = None if column < 0 else (column, order)
        self._set_order(self._sorted_order())
        self.changePersistentIndexList(persistent, [self.index(self.row_of(p), i.column())
                                                    for p, i in zip(positions, persistent, strict=True)])
        self.layoutChanged.emit()

    def match_mask(self, text: str) -> np.ndarray:
        """Per shown row: does any cell contain ``text`` (case-insensitive)? Vectorised per column."""
        needle = text.strip().lower()
        if not needle:
            return np.ones(len(self._frame), dtype=bool)
        hit = np.zeros(len(self._frame), dtype=bool)
        digits = any(ch.isdigit() for ch in needle)
        for column, col in enumerate(self._cols):
            if col.is_numeric and not digits:  # a number's text holds digits: skip the costly conversion
                continue
            values = self._frame.iloc[:, column]
            if col.kind == "bool":
                shown = pd.Series(np.where(values.to_numpy(dtype=bool), "yes", "no"))
            elif col.is_numeric:
                shown = values.map(lambda v, c=col: formatting.display(c, v)) if len(values) < 2000 else \
                    values.astype(str)
            else:
                shown = values.astype("string").fillna("")
            hit |= shown.str.lower().str.contains(needle, regex=False).fillna(False).to_numpy(dtype=bool)
        return hit[self._order]

    # ------------------------------------------------------------ structure
    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def column_index(self, name: str) -> int:
        return self._columns.index(name)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._n

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
        if role == Qt.ItemDataRole.DisplayRole and 0 <= section < self._n:
            return str(self.position(section) + 1)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    # ------------------------------------------------------------------ data
    # Cell values are of any kind their column allows (numbers, text, dates) or None: hence Any.
    def raw(self, row: int, column: int) -> Any:
        """The canonical value shown at ``row`` (None when empty)."""
        value = self._values[column][self._order[row]]
        if value != value:  # NaN: empty
            return None
        return value

    def implied(self, row: int, column: int) -> Any:
        """The value an empty cell stands for (its default, its sector's return...), shown greyed; else None."""
        col = self._cols[column]
        if col.name == "Expected return" and self.table == "Projects":
            return self._sector_mu.get(self._values[self._columns.index("Sector")][self._order[row]])
        if col.name == "Start year" and self.table == "Projects":
            return self._start_year
        if col.name == "Project" and self.table == "Projects":
            return self._values[self._columns.index("ID")][self._order[row]]
        return col.default if col.default not in (None, "") and col.is_numeric else None

    def issues_at(self, row: int, column: int) -> list[Issue]:
        return self._issues.get((int(self._order[row]), self._columns[column]), [])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < self._n and 0 <= column < len(self._cols)):
            return None
        # A repaint asks each visible cell for about ten roles; the answers are kept per table position
        # until that row changes, so repainting a screen after an edit recomputes only the edited rows.
        position = int(self._order[row])
        cells = self._shown.get(position)
        if cells is None:
            if len(self._shown) >= SHOWN_ROWS_KEPT:
                self._shown.clear()
            cells = self._shown[position] = {}
        key = (column, role)
        if key in cells:
            return cells[key]
        value = cells[key] = self._answer(row, column, role)
        return value

    def _forget(self, positions: Iterable[int] | None = None) -> None:
        """Drop the kept answers of the rows at ``positions`` (``None``: of every row)."""
        if positions is None:
            self._shown.clear()
            return
        for p in positions:
            self._shown.pop(int(p), None)

    def _answer(self, row: int, column: int, role: int) -> Any:
        col = self._cols[column]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.raw(row, column)
            if value is None:
                implied = self.implied(row, column)
                return formatting.display(col, implied) if implied is not None else ""
            return formatting.display(col, value)
        if role == Qt.ItemDataRole.ForegroundRole:
            return IMPLIED_BRUSH if self.raw(row, column) is None else None
        if role == Qt.ItemDataRole.FontRole:
            return IMPLIED_FONT if self.raw(row, column) is None and self.implied(row, column) is not None else None
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
        if role == Qt.ItemDataRole.DecorationRole:
            hit = self.source_at(row, column) if col.is_numeric and self.raw(row, column) is not None else None
            return None if hit is None else source_marker("overdue" if hit[1].overdue() else "ok")
        return None

    def source_at(self, row: int, column: int) -> tuple[SourceKey, Source] | None:
        """The register entry ``(key, Source)`` with a source that covers the cell at ``row`` (as shown), or None."""
        if not self._sources:
            return None
        hit = self._sources.find(self.table, self._row_keys()[self.position(row)], self._columns[column])
        return hit if hit is not None and hit[1].has_source else None

    def _tooltip(self, row: int, column: int) -> str | None:
        lines = [i.message + (f" {i.suggestion}" if i.suggestion else "") for i in self.issues_at(row, column)]
        prov = None
        if self._provenance:
            prov = self._provenance.get((self.table, self._row_keys()[self.position(row)], self._columns[column]))
        if prov is not None:
            lines.append(f"From {prov.describe()}")
        filled = self.raw(row, column) is not None   # an empty cell explains its default instead
        hit = self.source_at(row, column) if self._cols[column].is_numeric and filled else None
        if hit is not None:
            key, src = hit
            covers = "" if key[1] and key[2] else f" (for {describe_key(key)})"
            overdue = " Past its review-by date." if src.overdue() else ""
            lines.append(f"Source{covers}: {src.describe()}.{overdue}")
        if not lines:
            implied = self.implied(row, column) if self.raw(row, column) is None else None
            if implied is None:
                return None
            source = {"Expected return": "its sector's", "Start year": "the scenario's start year,",
                      "Project": "its ID,"}.get(self._columns[column], "the default") if self.table == "Projects" \
                else "the default"
            return (f"Empty, so {source} {formatting.display(self._cols[column], implied)} applies "
                    "(shown in grey). Type a value to override it.")
        return "\n".join(lines)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        col = self._cols[index.column()]
        try:
            parsed = formatting.parse(col, value, jpy_per_usd=formatting.jpy_per_usd(self._doc.scenario))
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
        self._doc.push(SetCell(self.table, self.position(index.row()), name, parsed, label=f"Edit {self.table} {name}"))
        return True

    # ------------------------------------------------------- block commands
    can_add_rows = True

    def column_schema(self, column: int) -> schema.Column:
        return self._cols[column]

    def paste_command(self, cells: list[tuple[int, int, Any]], new_rows: int = 0) -> Command:
        """One command setting ``(position, column, value)`` cells, adding ``new_rows`` rows at the end first."""
        named = tuple((r, self._columns[c], v) for r, c, v in cells)
        label = f"Paste {len(named)} cell{'s' if len(named) != 1 else ''} into {self.table}"
        setter = SetCells(self.table, named, label)
        if not new_rows:
            return setter
        start = len(self._frame)
        insert = InsertRows(self.table, tuple((start + k, {}) for k in range(new_rows)))
        return Macro((insert, setter), label)

    def clear_command(self, cells: list[tuple[int, int]]) -> tuple[Command | None, list[str]]:
        """A command emptying the shown ``(row, column)`` cells (required ones are kept, and named), or ``None``."""
        kept = sorted({self._columns[c] for _r, c in cells if self._cols[c].required})
        named = tuple((self.position(r), self._columns[c], None) for r, c in cells
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
        self._sources = scn.sources
        self._sector_mu = dict(zip(scn.sectors["Sector"], scn.sectors["Expected return"], strict=False))
        self._start_year = scn.start_year

    def _row_keys(self) -> list[str]:
        """The rows' keys (what sources and provenance are filed under), computed once and kept across edits
        that leave the key columns alone."""
        if self._keys is None:
            self._keys = row_keys(self.table, self._frame)
        return self._keys

    def _edited_cells(self, frame: pd.DataFrame) -> set[tuple[int, str]] | None:
        """The ``(position, column)`` cells of this table the document's last edit set, when it says so exactly.

        ``None`` when the edit is unknown or may have changed the whole table (the model then compares
        the tables); an empty set when the edit left this table as it was."""
        command = getattr(self._doc, "last_command", None)
        if command is None:
            return None
        touched = touched_by(command)
        if not touched.known:
            return None
        if self.table not in touched.cells:
            return set() if frame is self._frame else None
        cells = touched.cells[self.table]
        if cells is None or any(not 0 <= r < len(frame) or c not in self._columns for r, c in cells):
            return None
        return cells

    def _on_changed(self, scn: Scenario) -> None:
        frame = scn.table(self.table)
        same_shape = list(frame.columns) == self._columns and len(frame) == len(self._frame)
        if not same_shape:
            self.beginResetModel()
            self._forget()
            self._set_frame(frame)
            self._keys = None
            self._columns = list(frame.columns)
            self._cols = [formatting.column_for(self.table, c) for c in self._columns]
            self._set_order(self._sorted_order())
            self._index_issues(scn, self._doc.issues)
            self.endResetModel()
            return
        old_issues = self._issues
        old_provenance = self._provenance
        old_implied = (self._sector_mu, self._start_year)
        old_sources = self._sources
        edited = self._edited_cells(frame)
        if edited is None:   # an edit the model cannot describe: compare the tables, rebuild the keys
            positions = _changed_rows(self._frame, frame)
            self._set_frame(frame)
            self._keys = None
            self._forget()
        else:   # only the edited rows are read again; the keys are kept unless a key column was edited
            positions = np.fromiter(sorted({r for r, _c in edited}), dtype=np.int64)
            self._frame = frame
            self.version += 1
            for p in positions.tolist():
                for c in range(frame.shape[1]):
                    value = frame.iat[p, c]
                    self._values[c][p] = value.item() if isinstance(value, np.generic) else value
            if any(c in self._key_columns() for _r, c in edited):
                self._keys = None   # a row renamed: the "#2" of repeated keys, so sources, may move anywhere
                self._forget()
        self._index_issues(scn, self._doc.issues)
        if old_provenance != self._provenance:
            self._forget()   # tooltips say where numbers came from
        if old_sources != self._sources and len(frame) and self._columns:  # markers and tooltips may move anywhere
            self._forget()
            self.dataChanged.emit(self.index(0, 0), self.index(len(frame) - 1, len(self._columns) - 1))
            return
        if self.table == "Projects" and old_implied != (self._sector_mu, self._start_year) and len(frame):
            # a sector's return or the start year changed: the greyed defaults of every row may change
            self._forget()
            self.dataChanged.emit(self.index(0, 0), self.index(len(frame) - 1, len(self._columns) - 1))
            return
        flagged = {p for p, c in old_issues.keys() | self._issues.keys()
                   if old_issues.get((p, c)) != self._issues.get((p, c))}
        if flagged:
            positions = np.union1d(positions, np.fromiter(flagged, dtype=np.int64))
        positions = positions[positions < len(frame)]
        self._forget(positions.tolist())
        if not len(positions) or not self._columns:
            return
        # only the rows that changed (values or flags) are repainted: each row on its own when there are a few
        # (a change at the top and one at the bottom of a 50,000-row table repaint two rows, not all between)
        rows = np.unique(self._rows[positions])
        last = len(self._columns) - 1
        if len(rows) <= 64:
            for r in rows.tolist():
                self.dataChanged.emit(self.index(r, 0), self.index(r, last))
        else:
            self.dataChanged.emit(self.index(int(rows.min()), 0), self.index(int(rows.max()), last))

    def _key_columns(self) -> frozenset[str]:
        """The columns a row's key is made of (an edit of one of them renames the row)."""
        if self.table == "Constraints":
            return frozenset({"Group", "Value"})
        table = schema.TABLES.get(self.table)
        return frozenset(table.key) if table is not None else frozenset(self._columns)


def _changed_rows(old: pd.DataFrame, new: pd.DataFrame) -> np.ndarray:
    """Positions of the rows whose values differ (same shape and columns), vectorised per column."""
    changed = np.zeros(len(new), dtype=bool)
    for c in new.columns:
        a, b = old[c].to_numpy(), new[c].to_numpy()
        if a.dtype.kind == "f" and b.dtype.kind == "f":
            changed |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
        else:
            changed |= np.asarray(a != b, dtype=bool)
    return np.flatnonzero(changed)


def _same(a: Any, b: Any) -> bool:
    if formatting.is_missing(a) and formatting.is_missing(b):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


class TableProxy(QSortFilterProxyModel):
    """Sorting (forwarded to the source model's vectorised sort) and a free-text filter over all columns."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)
        self._text = ""
        self._mask: np.ndarray | None = None
        self._mask_of: int | None = None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if hasattr(source, "match_mask"):
            source.sort(column, order)   # one argsort in the model; the proxy keeps the source's order
        else:
            super().sort(column, order)

    def setFilterFixedString(self, pattern: str) -> None:
        self._text = pattern
        self._mask = None
        super().setFilterFixedString(pattern)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._text:
            return True
        source = self.sourceModel()
        if not hasattr(source, "match_mask"):
            return super().filterAcceptsRow(source_row, source_parent)
        key = source.version
        if self._mask is None or self._mask_of != key:
            self._mask, self._mask_of = source.match_mask(self._text), key
        return bool(self._mask[source_row]) if source_row < len(self._mask) else True
