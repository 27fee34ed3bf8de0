"""Cells for write-only sheets: styled header, number formats, safe text, column widths.

Cells are made from prototypes (one styled cell per format, its style array copied), so
styling 50,000 rows costs little more than dumping the values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeAlias

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from workbench.errors import WorkbenchError
from workbench.schema import cell_float

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: What a write-only sheet's row takes for one cell: a ready (styled) cell, a plain value, or nothing.
SheetValue: TypeAlias = "Cell | str | float | int | bool | None"

MONEY = "#,##0"
PERCENT = "0.0%"
INTEGER = "0"
DECIMAL = "0.00"
COUNT = "#,##0"
MAX_CELL_TEXT = 32_767

_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r]|_(?=x[0-9A-Fa-f]{4}_)")
_UNSTORABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


class ExportError(WorkbenchError, ValueError):
    """A scenario value that a workbook cannot hold; the message says where and why."""


def safe_text(text: str, where: str) -> str:
    """Text as a workbook cell holds it: control characters escaped the OOXML way
    (``_x0001_``, which Excel, LibreOffice and the reader turn back into the character)."""
    bad = _UNSTORABLE.search(text)
    if bad:
        raise ExportError(f"{where}: the text holds the character U+{ord(bad.group(0)):04X}, which is not a "
                          "character at all and which workbooks cannot store. Delete it and export again.")
    if len(text) > MAX_CELL_TEXT:
        raise ExportError(f"{where}: the text is {len(text):,} characters long; a workbook cell holds at most "
                          f"{MAX_CELL_TEXT:,}. Shorten it.")
    if _ESCAPE.search(text):
        text = _ESCAPE.sub(lambda m: "_x005F_" if m.group(0) == "_" else f"_x{ord(m.group(0)):04X}_", text)
    return text


_FORMULA_START = ("=", "+", "-", "@", "#")


class _FormattedCell(Cell):  # type: ignore[misc]  # openpyxl ships no types: Cell is Any to mypy
    """A number cell whose style is one of the sheet's prototypes: its style id is known,
    so writing 50,000 of them costs little more than writing plain numbers."""

    __slots__ = ("_sid",)
    _sid: int
    has_style = True

    @property
    def style_id(self) -> int:
        return self._sid


def _direct_rows(ws: WriteOnlyWorksheet) -> None:
    """Let ``ws.append`` take ready cells without openpyxl's try-assign-then-catch per
    styled cell (its write-only sheets convert values through ``_values_to_row``). Only
    this sheet is affected; without that hook, the usual (slower) path is used."""
    if not hasattr(type(ws), "_values_to_row"):
        return

    def values_to_row(values: Iterable[SheetValue], row_idx: int) -> Iterator[Cell]:
        plain = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                value.column, value.row = col_idx, row_idx
                yield value
                continue
            kind = type(value)
            if kind is float or kind is int:
                plain._value, plain.data_type = value, "n"
            elif type(value) is str and value.isascii() and value.isprintable() and value[:1] not in _FORMULA_START:
                plain._value, plain.data_type = value, "s"
            else:
                plain.value = value  # openpyxl's own checks
            plain.column, plain.row = col_idx, row_idx
            yield plain

    ws._values_to_row = values_to_row


class CellMaker:
    """Makes the cells of one write-only sheet."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self._protos: dict[str, int] = {}
        self.widths: dict[int, float] = {}
        _direct_rows(ws)

    def header(self, names: list[str]) -> list[WriteOnlyCell]:
        out = []
        for name in names:
            c = WriteOnlyCell(self.ws, value=None)
            c._value, c.data_type = safe_text(str(name), "header"), "s"  # a header is text, whatever it starts with
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor="1F4E79")
            c.alignment = Alignment(wrap_text=True, vertical="center")
            c.border = Border(bottom=Side(style="thin", color="000000"))
            out.append(c)
        return out

    def title(self, text: str) -> WriteOnlyCell:
        c = WriteOnlyCell(self.ws, value=safe_text(text, "title"))
        c.font = Font(bold=True, size=13)
        return c

    def number(self, value: object, fmt: str | None) -> SheetValue:
        """A numeric cell with ``fmt`` (``None`` for empty or non-finite values)."""
        if value is None:
            return None
        x = cell_float(value)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if fmt is None:
            return x
        c = _FormattedCell(self.ws, row=1, column=1, value=x)
        c._sid = self._style_id(fmt)
        return c

    def slot(self, fmt: str) -> _FormattedCell:
        """A reusable number cell with ``fmt``: set ``_value`` and append it once per row
        (a write-only sheet writes each row as it is appended)."""
        c = _FormattedCell(self.ws, row=1, column=1, value=0.0)
        c._sid = self._style_id(fmt)
        return c

    def _style_id(self, fmt: str) -> int:
        sid = self._protos.get(fmt)
        if sid is None:
            proto = WriteOnlyCell(self.ws, value=0)
            proto.number_format = fmt
            sid = self._protos[fmt] = proto.style_id
        return sid

    def text(self, value: object, where: str) -> SheetValue:
        """A text cell; text beginning with = + - @ stays text (never a formula)."""
        if value is None:
            return None
        if (type(value) is str and value.isascii() and value.isprintable() and value[:1] not in _FORMULA_START
                and "_x" not in value):
            return value
        t = safe_text(str(value), where)
        if t[:1] in ("=", "+", "-", "@", "#") or t != str(value):
            c = WriteOnlyCell(self.ws, value=None)
            c._value = t
            c.data_type = "s"
            return c
        return t

    def comment(self, cell: SheetValue, text: str) -> Cell:
        if isinstance(cell, _FormattedCell):  # never note a reusable slot
            fresh = _FormattedCell(self.ws, row=1, column=1, value=cell._value)
            fresh._sid = cell._sid
            cell = fresh
        out: Cell
        if cell is None or not isinstance(cell, Cell):
            out = WriteOnlyCell(self.ws, value=None)
            if isinstance(cell, str):
                out._value, out.data_type = cell, "s"
            elif cell is not None:
                out.value = cell
        else:
            out = cell
        out.comment = Comment(safe_text(text, "comment"), "Scenario Workbench")
        return out

    def note_width(self, j: int, text: str, header: bool = False) -> None:
        n = min(len(text), 60)
        w = (n * 0.9 + 3) if header else n + 2
        if w > self.widths.get(j, 8):
            self.widths[j] = min(max(w, 8), 60)

    def plan_widths(self, header: list[str], columns: Sequence[Sequence[SheetValue]] | None = None,
                    fixed: dict[int, float] | None = None) -> None:
        """Column widths from the header and the first values; call before the first row
        (a write-only sheet writes its column widths first)."""
        for j, name in enumerate(header):
            self.note_width(j, str(name), header=True)
        for j, values in enumerate(columns or []):
            for v in values[:200]:
                if isinstance(v, str):
                    self.note_width(j, v)
                elif isinstance(v, float) and v == v:
                    self.note_width(j, "00,000.0")
        self.widths.update(fixed or {})
        self.apply_widths()

    def apply_widths(self) -> None:
        for j, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(j + 1)].width = w
