"""Copy and paste rectangular ranges as tab-separated text, the way Excel does.

Copy puts the selected block on the clipboard as TSV (every digit, no thousands
separators, 8.5 % as ``8.5%``: Excel and this app both read those as numbers). Pasted
text is read like typed text, in the units the cell shows (:func:`ui.formatting.parse`).
Paste checks every cell against its column (``workbench.validation.check_value``) and
turns the whole block into one pure command, so a paste is one undo step. A block with
any bad value is refused with a message naming every bad cell, and nothing changes. A
block taller than the rows below the target adds rows at the end; a single value pasted
over a selection fills it.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractItemView

from ui import formatting
from ui.table_model import COLUMN_ROLE
from workbench.validation import check_value

if TYPE_CHECKING:
    from ui.correlation_view import CorrelationModel
    from ui.table_model import ScenarioTableModel
    from workbench.commands import Command

MAX_PROBLEMS_SHOWN = 8


class PasteError(ValueError):
    """A paste that was refused; ``problems`` lists every bad cell."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or []
        lines = [message, *self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more.")
        super().__init__("\n".join(lines))


def block_from_text(text: str) -> list[list[str]]:
    """Rows of cells from tab-separated text (Excel quotes cells holding tabs or newlines)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"'))
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def text_from_block(block: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quotechar='"', lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(block)
    return out.getvalue()


def selection_bounds(view: QAbstractItemView) -> tuple[int, int, int, int] | None:
    """``(top, left, bottom, right)`` of the selection in view rows/columns, else the current cell."""
    indexes = view.selectionModel().selectedIndexes() if view.selectionModel() else []
    if not indexes:
        cur = view.currentIndex()
        if not cur.isValid():
            return None
        return cur.row(), cur.column(), cur.row(), cur.column()
    rows = [i.row() for i in indexes]
    cols = [i.column() for i in indexes]
    return min(rows), min(cols), max(rows), max(cols)


def copy_text(view: QAbstractItemView) -> str:
    """The selected block as TSV (unselected cells inside the bounding box are blank)."""
    bounds = selection_bounds(view)
    if bounds is None:
        return ""
    top, left, bottom, right = bounds
    model = view.model()
    selected = {(i.row(), i.column()) for i in view.selectionModel().selectedIndexes()} or {(top, left)}
    block = []
    for r in range(top, bottom + 1):
        row = []
        for c in range(left, right + 1):
            if (r, c) not in selected:
                row.append("")
                continue
            index = model.index(r, c)
            col = index.data(COLUMN_ROLE)
            value = index.data(Qt.ItemDataRole.EditRole)
            row.append(formatting.edit_text(col, value) if col is not None else str(value or ""))
        block.append(row)
    return text_from_block(block)


def copy_selection(view: QAbstractItemView) -> str:
    """Put the view's selected block on the system clipboard as tab-separated text; return it."""
    text = copy_text(view)
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


def text_to_paste(text: str | None) -> str:
    """``text``, or the system clipboard's text when it is None."""
    return QGuiApplication.clipboard().text() if text is None else text


def _source_row(view: QAbstractItemView, row: int) -> int | None:
    """The source model row under view row ``row`` (``None`` past the end)."""
    model = view.model()
    if row >= model.rowCount():
        return None
    index = model.index(row, 0)
    mapper = getattr(model, "mapToSource", None)
    return mapper(index).row() if mapper else index.row()


def paste_command(view: QAbstractItemView, source: ScenarioTableModel | CorrelationModel, text: str) -> Command:
    """The one pure command that pastes ``text`` at the view's selection, or :class:`PasteError`."""
    block = block_from_text(text)
    if not block:
        raise PasteError("The clipboard is empty: copy some cells first.")
    bounds = selection_bounds(view)
    if bounds is None:
        raise PasteError("Click the cell where the pasted block should start, then paste again.")
    top, left, bottom, right = bounds
    if len(block) == 1 and len(block[0]) == 1 and (bottom > top or right > left):
        block = [[block[0][0]] * (right - left + 1) for _ in range(bottom - top + 1)]
    height, width = len(block), len(block[0])
    ncols = source.columnCount()
    if left + width > ncols:
        raise PasteError(f"The copied block is {width} columns wide, but only {ncols - left} columns are there "
                         "from the selected cell to the right edge. Select a cell further left.")
    can_grow = getattr(source, "can_add_rows", False)
    new_rows = 0
    cells: list[tuple[int, int, Any]] = []
    problems: list[str] = []
    doc = getattr(source, "_doc", None)
    rate = formatting.jpy_per_usd(doc.scenario) if doc is not None else 150.0
    for dr, values in enumerate(block):
        shown = _source_row(view, top + dr)
        src_row = None if shown is None else source.position(shown)
        if src_row is None:
            if not can_grow:
                raise PasteError(f"The copied block is {height} rows tall, but only {view.model().rowCount() - top} "
                                 "rows are there from the selected cell down.")
            src_row = source.rowCount() + new_rows
            new_rows += 1
        for dc, text_value in enumerate(values):
            column = left + dc
            col = source.column_schema(column)
            header = str(source.headerData(column, Qt.Orientation.Horizontal)).replace("\n", " ")
            where = f"{source.table} row {src_row + 1}, {header}"
            try:
                value = formatting.parse(col, text_value, jpy_per_usd=rate)
            except formatting.ParseError as exc:
                problems.append(f"{where}: {exc}")
                continue
            problem = check_value(col, value)
            if problem is not None and not (value is None and src_row >= source.rowCount()):
                problems.append(f"{where}: {problem[0]}" + (f" {problem[1]}" if problem[1] else ""))
                continue
            cells.append((src_row, column, value))
    if problems:
        raise PasteError("Nothing was pasted: some values cannot go into these cells.", problems)
    return source.paste_command(cells, new_rows)
