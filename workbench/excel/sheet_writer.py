"""Writes titled tables onto a write-only results sheet, remembering where each sits (for charts).

The sheet's first table is its main one: its header row is frozen (it stays in view while
scrolling) and carries the sheet's autofilter. The panes must be set before the first row
of a write-only sheet, so they are set when the first row is written.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from workbench.excel.style import CellMaker

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

Row = list[Any]


class SheetWriter:
    """Appends titled tables to one write-only sheet; remembers where each table sits."""

    def __init__(self, wb: Workbook, title: str, widths: dict[int, float]) -> None:
        self.ws = wb.create_sheet(title)
        self.mk = CellMaker(self.ws)
        self.mk.plan_widths([], fixed=widths)
        self.row = 0                         # rows written so far
        self.tables: dict[str, tuple[int, int, int]] = {}   # name -> (header row, first data row, last row)

    def _start(self, header_row: int) -> None:
        """Before the sheet's first row: freeze the rows down to ``header_row`` (and the first column)."""
        if self.row == 0 and self.ws.freeze_panes is None:
            self.ws.freeze_panes = f"B{header_row + 1}"

    def blank(self) -> None:
        self._start(1)
        self.ws.append([])
        self.row += 1

    def title(self, text: str) -> None:
        self._start(2)   # the title, then the main table's header
        self.ws.append([self.mk.title(text)])
        self.row += 1

    def table(self, name: str, header: list[str], rows: list[Row], formats: list[str | None],
              row_formats: list[list[str | None]] | None = None) -> None:
        """``formats`` per column, or ``row_formats`` per row (a column of values in different units)."""
        self._start(1)
        self.ws.append(self.mk.header(header))
        self.row += 1
        first = self.row + 1
        for i, r in enumerate(rows):
            cells = []
            for v, fmt in zip(r, row_formats[i] if row_formats is not None else formats):
                if isinstance(v, float) and not math.isfinite(v):
                    v = None
                if isinstance(v, str):
                    cells.append(self.mk.text(v, f"{self.ws.title} {name}"))
                elif isinstance(v, bool) or v is None:
                    cells.append(v)
                else:
                    cells.append(self.mk.number(v, fmt))
            self.ws.append(cells)
            self.row += 1
        self.tables[name] = (first - 1, first, self.row)
        if len(self.tables) == 1 and header:
            from openpyxl.utils import get_column_letter

            self.ws.auto_filter.ref = f"A{first - 1}:{get_column_letter(len(header))}{max(self.row, first)}"


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
