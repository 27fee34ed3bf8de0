"""Writes titled tables onto a write-only results sheet, remembering where each sits (for charts)."""

from __future__ import annotations

import math
from typing import Any

from workbench.excel.style import CellMaker

Row = list[Any]


class SheetWriter:
    """Appends titled tables to one write-only sheet; remembers where each table sits."""

    def __init__(self, wb, title: str, widths: dict[int, float]):
        self.ws = wb.create_sheet(title)
        self.mk = CellMaker(self.ws)
        self.mk.plan_widths([], fixed=widths)
        self.row = 0                         # rows written so far
        self.tables: dict[str, tuple[int, int, int]] = {}   # name -> (header row, first data row, last row)

    def blank(self) -> None:
        self.ws.append([])
        self.row += 1

    def title(self, text: str) -> None:
        self.ws.append([self.mk.title(text)])
        self.row += 1

    def table(self, name: str, header: list[str], rows: list[Row], formats: list[str | None],
              row_formats: list[list[str | None]] | None = None) -> None:
        """``formats`` per column, or ``row_formats`` per row (a column of values in different units)."""
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


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None
