"""Where each value of an imported scenario sits in its workbook (sheet and A1 cell).

Kept compact (row and column positions per table, not one string per cell), so that
locating is cheap for 50,000 projects and the reader stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.excel.sheetxml import a1
from workbench.issues import Issue


@dataclass
class TableLayout:
    sheet: str
    header_row: int                                     # zero-based absolute row of the header
    columns: dict[str, int] = field(default_factory=dict)  # canonical column -> absolute column
    rows: list[int] = field(default_factory=list)       # table row position -> absolute row
    first_col: int = 0

    def cell(self, row_index: int | None, column: str | None) -> str | None:
        col = self.columns.get(column, self.first_col) if column is not None else self.first_col
        if row_index is None:
            return a1(self.header_row, col)
        if 0 <= row_index < len(self.rows):
            return a1(self.rows[row_index], col)
        return None


@dataclass
class Layout:
    """Locations for a whole workbook: tables by their workbook name, the Scenario fields
    (field -> (row, column) of its value) and the Correlations labels."""

    tables: dict[str, TableLayout] = field(default_factory=dict)
    scenario_sheet: str = ""
    fields: dict[str, tuple[int, int]] = field(default_factory=dict)
    corr_sheet: str = ""
    corr_rows: dict[str, int] = field(default_factory=dict)
    corr_cols: dict[str, int] = field(default_factory=dict)
    corr_header: tuple[int, int] = (0, 0)

    def where(self, table: str, row_index: int | str | None, column: str | None) -> str | None:
        """``"Projects!H7"`` for a table cell; for ``Scenario`` pass the field as ``column``;
        for ``Correlations`` pass the two sectors as ``(row label, column label)``."""
        sheet_cell = self.locate(table, row_index, column)
        return f"{sheet_cell[0]}!{sheet_cell[1]}" if sheet_cell else None

    def locate(self, table: str, row_index: int | str | None, column: str | None) -> tuple[str, str] | None:
        """``(sheet, A1 cell)``; ``row_index`` is a row position, or for ``Correlations`` the row's sector."""
        if table == "Scenario":
            pos = self.fields.get(column or "")
            return (self.scenario_sheet, a1(*pos)) if pos else None
        if table == "Correlations":
            a, b = row_index, column
            if a in self.corr_rows and b in self.corr_cols:
                return self.corr_sheet, a1(self.corr_rows[a], self.corr_cols[b])
            if b in self.corr_rows and a in self.corr_cols:
                return self.corr_sheet, a1(self.corr_rows[b], self.corr_cols[a])
            if a in self.corr_rows:
                return self.corr_sheet, a1(self.corr_rows[a], self.corr_header[1])
            if b in self.corr_cols:
                return self.corr_sheet, a1(self.corr_header[0], self.corr_cols[b])
            return None
        t = self.tables.get(table)
        if t is None:
            return None
        cell = t.cell(row_index, column) if not isinstance(row_index, str) else None   # a label locates no row here
        return (t.sheet, cell) if cell else None

    def locate_issue(self, issue: Issue) -> Issue:
        """The issue with its sheet and cell filled in, where known."""
        if issue.sheet and issue.cell:
            return issue
        table = issue.table
        if table == "Scenario":
            pos = self.fields.get(issue.row or "")
            if pos:
                return issue.located(self.scenario_sheet, a1(*pos))
            return issue.located(self.scenario_sheet or "Scenario", None)
        if table == "Correlations":
            found = self.locate("Correlations", issue.row, issue.column)
            return issue.located(*found) if found else issue.located(self.corr_sheet or None, None)
        t = self.tables.get(table or "")
        if t is None:
            return issue
        if issue.row == "(header)":
            col = t.columns.get(issue.column or "")
            return issue.located(t.sheet, a1(t.header_row, col) if col is not None else a1(t.header_row, t.first_col))
        if issue.row_index is not None:
            return issue.located(t.sheet, t.cell(issue.row_index, issue.column))
        return issue.located(t.sheet, None)
