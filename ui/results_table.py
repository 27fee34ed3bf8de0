"""A read-only table of result rows (key figures, allocation by project...), sortable.

:class:`RowsModel` is a small :class:`QAbstractTableModel` over a list of rows of plain
values. Numbers are shown with thousands separators (decimals per column) and sort as
numbers; the whole table is replaced with ``beginResetModel()``/``endResetModel()``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from ui.plots.style import fmt_number

if TYPE_CHECKING:
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QContextMenuEvent, QKeyEvent

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """Rows of values under headers; ``decimals[c]`` digits for numbers in column ``c``."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[Sequence[Any]] = []   # cells of mixed kinds: text, numbers, None
        self._decimals: list[int] = []
        self._tooltips: list[str] = []

    def set_rows(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], decimals: Sequence[int] | None = None,
                 tooltips: Sequence[str] | None = None) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._rows = [list(r) for r in rows]
        self._decimals = list(decimals) if decimals is not None else [0] * len(self._headers)
        self._tooltips = list(tooltips) if tooltips is not None else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def value(self, row: int, col: int) -> Any:
        return self._rows[row][col]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if role == Qt.ItemDataRole.DisplayRole:
            if numeric:
                return fmt_number(value, self._decimals[index.column()] if index.column() < len(self._decimals) else 0)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.UserRole:   # the sort key
            if numeric:
                return float(value) if math.isfinite(float(value)) else -math.inf
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and index.row() < len(self._tooltips):
            return self._tooltips[index.row()] or None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return str(section + 1)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class RowsView(QTableView):
    """A sortable read-only view of a :class:`RowsModel`. Ctrl+C (or the context menu) copies the selection,
    or the whole table when nothing is selected, with its header row: raw numbers as tab-separated text for
    Excel and the formatted table as HTML for Word."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = RowsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.rows)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.setModel(self.proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)

    def set_rows(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], decimals: Sequence[int] | None = None,
                 tooltips: Sequence[str] | None = None) -> None:
        self.rows.set_rows(headers, rows, decimals, tooltips)
        if len(rows) <= 2000:
            self.resizeColumnsToContents()

    def _block(self) -> tuple[list[int], list[int]]:
        """The view rows and columns to copy: the selection's, or the whole table when nothing is selected."""
        indexes = self.selectedIndexes()
        if not indexes:
            return list(range(self.proxy.rowCount())), list(range(self.proxy.columnCount()))
        return sorted({i.row() for i in indexes}), sorted({i.column() for i in indexes})

    def _selected(self) -> set[tuple[int, int]] | None:
        indexes = self.selectedIndexes()
        return {(i.row(), i.column()) for i in indexes} if indexes else None

    def selection_text(self) -> str:
        """The selected cells (all when none) under their headers as tab-separated text, numbers raw: every
        digit, a plain minus and no thousands separators, so that Excel reads them as numbers."""
        rows, cols = self._block()
        if not cols:
            return ""
        chosen = self._selected()
        lines = ["\t".join(_tsv(self.proxy.headerData(c, Qt.Orientation.Horizontal)) for c in cols)]
        for r in rows:
            cells = []
            for c in cols:
                if chosen is not None and (r, c) not in chosen:
                    cells.append("")
                    continue
                source = self.proxy.mapToSource(self.proxy.index(r, c))
                cells.append(_raw(self.rows.value(source.row(), source.column())))
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

    def selection_html(self) -> str:
        """The same cells as an HTML table, formatted as shown (for Word and e-mail)."""
        rows, cols = self._block()
        chosen = self._selected()
        head = "".join(f"<th>{html.escape(str(self.proxy.headerData(c, Qt.Orientation.Horizontal) or ''))}</th>"
                       for c in cols)
        body = []
        for r in rows:
            cells = []
            for c in cols:
                index = self.proxy.index(r, c)
                text = "" if chosen is not None and (r, c) not in chosen else str(index.data() or "")
                align = index.data(Qt.ItemDataRole.TextAlignmentRole)
                right = align is not None and bool(int(align) & int(Qt.AlignmentFlag.AlignRight))
                style = ' style="text-align:right"' if right else ""
                cells.append(f"<td{style}>{html.escape(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        return ('<table border="1" cellspacing="0" cellpadding="3" style="border-collapse:collapse">'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")

    def copy(self) -> str:
        """Put the selection (the whole table when none) on the clipboard: raw tab-separated text and
        formatted HTML; returns the text."""
        from PySide6.QtCore import QMimeData
        from PySide6.QtGui import QGuiApplication

        text = self.selection_text()
        if not text:
            return ""
        mime = QMimeData()
        mime.setText(text)
        mime.setHtml(self.selection_html())
        QGuiApplication.clipboard().setMimeData(mime)
        return text

    def keyPressEvent(self, event: QKeyEvent) -> None:
        from PySide6.QtGui import QKeySequence

        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        menu.addAction("Copy" if self.selectedIndexes() else "Copy table", self.copy)
        menu.addAction("Copy table", lambda: (self.clearSelection(), self.copy()))
        menu.exec(event.globalPos())


def _tsv(value: object) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


def _raw(value: object) -> str:
    """A value as Excel should read it: numbers with every digit and a plain minus, missing as empty."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, (int, float)):
        x = float(value)
        if not math.isfinite(x):
            return ""
        return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)
    return _tsv(value)


def plot_and_table(canvas: QWidget, heading: QLabel, table: QWidget,
                   parent: QWidget | None = None) -> tuple[QSplitter, QWidget]:
    """The plot on the left and its headed table on the right, in a splitter (not yet placed in a layout).

    Returns the splitter and the side widget holding the heading and the table."""
    side = QWidget()
    side.setMinimumWidth(280)
    side_layout = QVBoxLayout(side)
    side_layout.setContentsMargins(4, 4, 4, 4)
    side_layout.addWidget(heading)
    side_layout.addWidget(table, 1)
    splitter = QSplitter(Qt.Orientation.Horizontal, parent)
    splitter.addWidget(canvas)
    splitter.addWidget(side)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 1)
    return splitter, side


def plot_beside_table(owner: QWidget, canvas: QWidget, heading: QLabel, table: QWidget) -> tuple[QSplitter, QWidget]:
    """Lay ``owner`` out as the plot on the left and its headed table on the right, in a splitter
    (:func:`plot_and_table`). Returns the splitter and the side widget holding the heading and the table."""
    splitter, side = plot_and_table(canvas, heading, table, owner)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(splitter)
    return splitter, side
