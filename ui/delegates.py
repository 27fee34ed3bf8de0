"""Cell editors: dropdowns for the choice columns, spin boxes with the spec's ranges.

Fractions are edited as percentages (a spin box with a ``%`` suffix), money in USD m
with thousands separators, years and durations as whole numbers. The editor checks the
value as it is typed (``workbench.validation.check_value``): an invalid value turns the
editor red with the reason as its tooltip, and the model refuses to store it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui import formatting
from ui.table_model import COLUMN_ROLE
from workbench import schema
from workbench.schema import Column
from workbench.text import with_article
from workbench.validation import check_value

INVALID_STYLE = "background-color: #f8d0d0;"
BIG = 1e15

#: Gives the dropdown entries of a column, or ``None`` for a free editor.
ChoicesFn = Callable[[str, Column], "tuple[list[str], bool] | None"]

Index = QModelIndex | QPersistentModelIndex


def mark(editor: QWidget, col: Column, value: Any) -> str | None:   # value: a cell of any kind
    """Colour an editor by whether ``value`` is valid for ``col``; returns the problem."""
    problem = check_value(col, value)
    if problem:
        text = problem[0] + (f" {problem[1]}" if problem[1] else "")
        editor.setStyleSheet(INVALID_STYLE)
        editor.setToolTip(text)
        return text
    editor.setStyleSheet("")
    editor.setToolTip(formatting.range_text(col) if col.is_numeric else "")
    return None


def spin_box_for(col: Column, parent: QWidget | None = None) -> QAbstractSpinBox:
    """A spin box with the column's range, in the units the table shows."""
    lo = -BIG if col.minimum is None else float(col.minimum)
    hi = BIG if col.maximum is None else float(col.maximum)
    if col.kind == "integer" and max(abs(lo), abs(hi)) < 2**31:
        box: QAbstractSpinBox = QSpinBox(parent)
        box.setRange(int(lo), int(hi))
        box.setGroupSeparatorShown(col.unit != "year")
        return box
    dbox = QDoubleSpinBox(parent)
    dbox.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    if col.kind == "fraction":
        dbox.setRange(lo * 100, hi * 100)
        dbox.setDecimals(3)
        dbox.setSuffix(" %")
        dbox.setSingleStep(0.5)
    else:
        dbox.setRange(lo, hi)
        dbox.setDecimals(0 if col.kind == "integer" else 4 if col.unit != "USD m" else 2)
        dbox.setGroupSeparatorShown(True)
        dbox.setSingleStep(100.0 if col.unit == "USD m" else 0.05 if col is schema.SHOCK_COLUMN else 1.0)
    return dbox


def spin_value(col: Column, box: QAbstractSpinBox) -> float:
    """The canonical value of a spin box made by :func:`spin_box_for`."""
    value = float(box.value())
    return value / 100.0 if col.kind == "fraction" else value


def set_spin_value(col: Column, box: QAbstractSpinBox, value: Any) -> None:
    if formatting.is_missing(value):
        value = col.default if isinstance(col.default, (int, float)) else (col.minimum or 0.0)
        if col.min_open and col.minimum is not None and value == col.minimum:
            value = col.minimum + (1 if col.unit == "USD m" else 0.01)
    x = float(value) * (100.0 if col.kind == "fraction" else 1.0)
    box.setValue(round(x) if isinstance(box, QSpinBox) else x)


class CellDelegate(QStyledItemDelegate):
    """Picks the editor from the cell's schema column; ``choices`` gives dropdown entries."""

    def __init__(self, table: str, choices: ChoicesFn | None = None, parent=None):
        super().__init__(parent)
        self.table = table
        self._choices = choices

    def _column(self, index: Index) -> Column:
        col = index.data(COLUMN_ROLE)
        return col if isinstance(col, Column) else schema.SHOCK_COLUMN

    def _options(self, col: Column) -> tuple[list[str], bool] | None:
        if self._choices is not None:
            got = self._choices(self.table, col)
            if got is not None:
                return got
        if col.kind == "bool":
            return ["yes", "no"], False
        if col.kind == "choice":
            return list(col.choices), False
        return None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        col = self._column(index)
        options = self._options(col)
        if options is not None:
            items, editable = options
            combo = QComboBox(parent)
            combo.setEditable(editable)
            if not col.required and col.kind != "bool":
                combo.addItem("")
            combo.addItems(items)
            combo.setToolTip(f"Choose {with_article(col.name.lower())}" + (" or type a new one." if editable else "."))
            return combo
        if col.is_numeric:
            box = spin_box_for(col, parent)
            box.setAccelerated(True)
            box.valueChanged.connect(lambda _v, b=box, c=col: mark(b, c, spin_value(c, b)))
            return box
        line = QLineEdit(parent)
        line.textChanged.connect(lambda text, w=line, c=col: mark(w, c, text))
        return line

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        col = self._column(index)
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            text = formatting.edit_text(col, value)
            pos = editor.findText(text, Qt.MatchFlag.MatchFixedString)
            if pos >= 0:
                editor.setCurrentIndex(pos)
            elif editor.isEditable():
                editor.setEditText(text)
            elif text:
                editor.addItem(text)
                editor.setCurrentIndex(editor.count() - 1)
        elif isinstance(editor, QAbstractSpinBox):
            set_spin_value(col, editor, value)
            mark(editor, col, spin_value(col, editor))
        elif isinstance(editor, QLineEdit):
            editor.setText(formatting.edit_text(col, value))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        col = self._column(index)
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QAbstractSpinBox):
            editor.interpretText()
            model.setData(index, spin_value(col, editor), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
