"""Key columns that stay in view while a wide table scrolls sideways (Qt's *Frozen Column* example).

A second :class:`QTableView` over the same model and selection model lies on top of the main
view's left edge and shows only the first ``count`` columns; it follows the main view's
vertical scrolling, row heights, column widths and sort order. The main view keeps every
column (editing, copy and paste are unchanged); the overlay is a window onto them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

#: The columns kept in view, by table: its key and its name.
FROZEN = {"Projects": ("ID", "Project"), "Sectors": ("Sector",), "Financing": ("Financier", "Instrument"),
          "Risk events": ("Event",)}


class FrozenColumns(QObject):
    """Keeps the first ``count`` columns of ``view`` in view; the overlay is :attr:`frozen`."""

    def __init__(self, view: QTableView, count: int) -> None:
        super().__init__(view)
        self.view = view
        self.count = count
        frozen = QTableView(view)
        self.frozen = frozen
        frozen.setModel(view.model())
        frozen.setSelectionModel(view.selectionModel())
        frozen.setItemDelegate(view.itemDelegate())
        frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        frozen.verticalHeader().hide()
        frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollMode(view.verticalScrollMode())
        frozen.setSelectionMode(view.selectionMode())
        frozen.setEditTriggers(view.editTriggers())
        frozen.setAlternatingRowColors(view.alternatingRowColors())
        frozen.setWordWrap(view.wordWrap())
        frozen.setSortingEnabled(False)
        frozen.horizontalHeader().setSectionsClickable(True)
        frozen.horizontalHeader().sectionClicked.connect(self._sort)
        frozen.setStyleSheet("QTableView { border: none; border-right: 2px solid palette(mid); }")
        frozen.verticalHeader().setDefaultSectionSize(view.verticalHeader().defaultSectionSize())
        self._columns()
        view.horizontalHeader().sectionResized.connect(self._width_changed)
        view.verticalHeader().sectionResized.connect(lambda i, _o, size: frozen.setRowHeight(i, size))
        frozen.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        view.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        model = view.model()
        for signal in (model.modelReset, model.layoutChanged, model.columnsInserted, model.columnsRemoved):
            signal.connect(self._columns)
        view.viewport().stackUnder(frozen)
        view.installEventFilter(self)
        self._geometry()
        frozen.show()

    def _columns(self, *_: object) -> None:   # a slot for several signals
        total = self.view.model().columnCount()
        for c in range(total):
            self.frozen.setColumnHidden(c, c >= self.count)
            if c < self.count:
                self.frozen.setColumnWidth(c, self.view.columnWidth(c))
        self._geometry()

    def _sort(self, column: int) -> None:
        header = self.view.horizontalHeader()
        order = Qt.SortOrder.DescendingOrder if (header.sortIndicatorSection() == column and header.sortIndicatorOrder()
                                                 == Qt.SortOrder.AscendingOrder) else Qt.SortOrder.AscendingOrder
        self.view.sortByColumn(column, order)

    def _width_changed(self, index: int, _old: int, size: int) -> None:
        if index < self.count:
            self.frozen.setColumnWidth(index, size)
            self._geometry()

    def width(self) -> int:
        return sum(self.view.columnWidth(c) for c in range(min(self.count, self.view.model().columnCount())))

    def _geometry(self) -> None:
        v = self.view
        self.frozen.setGeometry(v.verticalHeader().width() + v.frameWidth(), v.frameWidth(), self.width(),
                                v.viewport().height() + v.horizontalHeader().height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() in (event.Type.Resize, event.Type.Show, event.Type.LayoutRequest):
            self._geometry()
        return False


def freeze_key_columns(view: QTableView, table: str, columns: list[str]) -> FrozenColumns | None:
    """Freeze the table's key columns when they are its first columns; the helper, or None."""
    keys = FROZEN.get(table, ())
    n = 0
    while n < len(keys) and n < len(columns) and columns[n] == keys[n]:
        n += 1
    if n == 0:
        return None
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return FrozenColumns(view, n)
