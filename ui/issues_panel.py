"""The Issues panel: every validation problem of the scenario; clicking one selects its cell."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.issues import Issue

ISSUE_ROLE = Qt.ItemDataRole.UserRole + 10
#: The list shows at most this many issues (thousands of rows would only slow every edit down).
MAX_SHOWN = 1000


def summary(issues: list[Issue]) -> str:
    """``2 errors, 1 warning`` or ``No problems found``."""
    errors = sum(1 for i in issues if i.is_error)
    warnings = len(issues) - errors
    if not issues:
        return "No problems found"
    parts = []
    if errors:
        parts.append(f"{errors:,} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings:,} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)


class _WrapDelegate(QStyledItemDelegate):
    """Rows as tall as their wrapped problem text needs at the column's current width."""

    def __init__(self, tree: QTreeWidget, column: int) -> None:
        super().__init__(tree)
        self.tree = tree
        self.column = column

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.column() != self.column:
            return size
        width = max(self.tree.columnWidth(self.column) - 8, 40)
        text = str(index.data() or "")
        rect = option.fontMetrics.boundingRect(QRect(0, 0, width, 1_000_000),
                                               int(Qt.TextFlag.TextWordWrap), text)
        return QSize(size.width(), max(size.height(), rect.height() + 4))


def wrap_column(tree: QTreeWidget, column: int = 2) -> None:
    """Let ``column`` of ``tree`` show long texts whole, on as many lines as they need, never ending in "..."."""
    tree.setWordWrap(True)
    tree.setTextElideMode(Qt.TextElideMode.ElideNone)
    tree.setUniformRowHeights(False)
    tree.setItemDelegate(_WrapDelegate(tree, column))

    def rewrap(index: int, _old: int, _new: int) -> None:   # the column got narrower or wider: lay out again
        if index == column:
            tree.scheduleDelayedItemsLayout()

    tree.header().sectionResized.connect(rewrap)


class IssuesPanel(QWidget):
    """A list of issues (severity, where, message); activating one emits :attr:`issue_activated`."""

    issue_activated = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.header = QLabel("No problems found")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Severity", "Where", "Problem"])
        self.tree.setRootIsDecorated(False)
        wrap_column(self.tree, 2)                  # a long problem goes on as many lines as it needs, never "..."
        self.tree.setAlternatingRowColors(True)
        self.tree.setToolTip("Click a problem to go to its cell.")
        head = self.tree.header()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        head.resizeSection(1, 260)
        head.setStretchLastSection(True)
        self.tree.itemClicked.connect(self._activated)
        self.tree.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.tree)
        self._issues: list[Issue] = []

    @property
    def issues(self) -> list[Issue]:
        return list(self._issues)

    def set_issues(self, issues: list[Issue]) -> None:
        self._issues = list(issues)
        self.header.setText(summary(self._issues))
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        items = []
        for issue in self._issues[:MAX_SHOWN]:
            item = QTreeWidgetItem(["Error" if issue.is_error else "Warning", issue.location() or "Scenario",
                                    issue.message + (f" {issue.suggestion}" if issue.suggestion else "")])
            item.setData(0, ISSUE_ROLE, issue)
            item.setForeground(0, QBrush(QColor("#b00020" if issue.is_error else "#8a6d00")))
            item.setToolTip(2, issue.text())
            items.append(item)
        if len(self._issues) > MAX_SHOWN:
            more = QTreeWidgetItem(["", "", f"... and {len(self._issues) - MAX_SHOWN:,} more: fix these first, "
                                                "or sort and filter the tables to find the rest."])
            more.setFlags(Qt.ItemFlag.NoItemFlags)
            items.append(more)
        self.tree.addTopLevelItems(items)
        self.tree.setUpdatesEnabled(True)

    def activate_row(self, row: int) -> None:
        """Act as if the user clicked the ``row``-th issue."""
        self._activated(self.tree.topLevelItem(row))

    def _activated(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        issue = item.data(0, ISSUE_ROLE) if item is not None else None
        if issue is not None:
            self.issue_activated.emit(issue)
