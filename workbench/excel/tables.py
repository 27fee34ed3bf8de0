"""Reading one sheet into one canonical table: header row, columns, cells, problems."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench import schema
from workbench.excel import cells
from workbench.excel.cells import ColumnValues, Problem
from workbench.excel.headers import Merge, RawRows, RawValue, find_header_row, match_columns, norm, table_lookup
from workbench.excel.layout import TableLayout
from workbench.excel.sheetxml import SheetFacts, a1, col_letters
from workbench.excel.units import Unit
from workbench.issues import ERROR, WARNING, Issue, did_you_mean
from workbench.scenario import row_keys
from workbench.schema import Column, Table

#: Columns whose text is trimmed: keys and references (free text is kept as written).
TRIMMED = {"ID", "Sector", "Financier", "State", "Event", "Value", "Field"}


@dataclass
class Grid:
    """A sheet's values as the reader returned them, with where they start."""

    sheet: str
    rows: RawRows
    top: int = 0
    left: int = 0
    merged: list[Merge] = field(default_factory=list)   # ((r0, c0), (r1, c1)) in grid coordinates
    facts: SheetFacts = field(default_factory=SheetFacts)
    #: False for .xls, whose cell formats are not read: percentages cannot be told apart
    formats_known: bool = True

    def cell(self, r: int, c: int) -> str:
        return a1(self.top + r, self.left + c)


@dataclass
class TableRead:
    frame: pd.DataFrame | None
    issues: list[Issue]
    layout: TableLayout | None


def issue(grid: Grid, r: int | None, c: int | None, message: str, suggestion: str | None = None,
          severity: str = ERROR, table: str | None = None, row: str | None = None, column: str | None = None,
          row_index: int | None = None) -> Issue:
    cell = grid.cell(r, c) if r is not None and c is not None else None
    return Issue(severity, message, table=table, row=row, column=column, suggestion=suggestion,
                 row_index=row_index, sheet=grid.sheet, cell=cell)


def special_cells(grid: Grid, r: int, c: int) -> str | None:
    """A problem that the value alone does not show: a formula with no saved value, an error."""
    pos = (grid.top + r, grid.left + c)
    if pos in grid.facts.no_value_formula:
        return "formula"
    err = grid.facts.errors.get(pos)
    return err


def read_table(table: Table, grid: Grid, jpy_per_usd: float, sectors: list[str] | None = None) -> TableRead:
    lookup = table_lookup(table)
    extra = {norm(s): s for s in sectors or []} if table.extra_columns == "sectors" else {}
    found = find_header_row(grid.rows, lookup, extra, grid.merged)
    required = [c.name for c in table.columns if c.required]
    if found is None:
        return TableRead(None, [issue(grid, None, None,
                                      f"Sheet {grid.sheet} has no header row naming its columns "
                                      f"(such as {', '.join(required)}) in its first 20 rows.",
                                      f"Add a header row with the column names: {', '.join(table.column_names)}.",
                                      table=table.name)], None)
    hr, header = found
    header, unreadable = _readable_header(grid, hr, header)
    matched, unknown = match_columns(header, {**extra, **lookup}, table.by_name)
    issues: list[Issue] = []
    by_col: dict[str, int] = {}
    units: dict[str, Unit | None] = {}
    for h in matched:
        if h.column in by_col:
            issues.append(issue(grid, hr, h.position,
                                f'Two columns mean {h.column}: "{header[by_col[h.column]]}" in '
                                f"{grid.cell(hr, by_col[h.column])} and \"{h.text}\".",
                                "Delete or rename one of them.", table=table.name, row="(header)", column=h.column))
            continue
        by_col[h.column] = h.position
        units[h.column] = h.unit
    for j, text in unknown:
        close = did_you_mean(text, list(extra.values())) if extra else None
        if close:
            issues.append(issue(grid, hr, j, f'Column "{text}" is not a sector of the Sectors table, so its shocks '
                                "would be lost.", close, table=table.name, row="(header)", column=text))
        else:
            hint = did_you_mean(text, table.column_names)
            # a near miss of a column the table lacks: its values would be replaced by defaults
            meant = next((c for c in table.column_names if hint and f'"{c}"' in hint and c not in by_col), None)
            if meant is not None and _has_values(grid, hr, j):
                issues.append(issue(grid, hr, j, f'Column "{text}" is not a {table.name} column, so its values '
                                    f"would be ignored and {meant} would take its default.", hint,
                                    table=table.name, row="(header)", column=text))
            else:
                issues.append(issue(grid, hr, j, f'Column "{text}" is not a {table.name} column and is ignored.',
                                    hint, severity=WARNING, table=table.name, row="(header)", column=text))
    issues.extend(_headerless_columns(table, grid, hr, header, unreadable, by_col, sectors))
    for name in required:
        if name not in by_col:
            issues.append(issue(grid, hr, 0 if not matched else matched[0].position,
                                f"Sheet {grid.sheet} has no {name} column.", f"Add a column headed {name}.",
                                table=table.name, row="(header)", column=name))
    if any(i.is_error and i.row == "(header)" and i.column in required for i in issues):
        return TableRead(None, issues, None)
    # data rows: below the header, not blank in the columns we read
    positions = sorted(by_col.values())
    formulas = grid.facts.no_value_formula
    rows, p0 = grid.rows, positions[0]
    data_rows = [r for r in range(hr + 1, len(rows))
                 if ((v := rows[r][p0]) is not None and v != "" and (type(v) is not str or not v.isspace()))
                 or _filled(rows[r], positions)
                 or (formulas and any((grid.top + r, grid.left + j) in formulas for j in positions))]
    layout = TableLayout(grid.sheet, grid.top + hr, {c: grid.left + j for c, j in by_col.items()},
                         [grid.top + r for r in data_rows], grid.left + (positions[0] if positions else 0))
    columns: dict[str, ColumnValues] = {}
    problems: list[tuple[int, str, str, str | None]] = []   # (table row, column, message, suggestion)
    picked = [grid.rows[r] for r in data_rows] if len(data_rows) < len(grid.rows) - hr - 1 else grid.rows[hr + 1:]
    transposed = list(zip(*picked)) if picked else []
    for name, j in by_col.items():
        col = table.by_name.get(name) or replace(schema.SHOCK_COLUMN, name=name, kind="fraction")
        raw: Sequence[RawValue] = transposed[j] if j < len(transposed) else ("",) * len(data_rows)
        facts = grid.facts
        flagged: set[int] = set()
        if facts.no_value_formula or facts.errors:
            raw = fixed = list(raw)
            for k, r in enumerate(data_rows):
                special = special_cells(grid, r, j)
                if special == "formula":
                    problems.append((k, name, f"{name} is a formula with no saved value (the file was written by "
                                     "a program that does not calculate).",
                                     "Open and save the file in Excel or LibreOffice, or type the value."))
                    fixed[k] = ""
                    flagged.add(k)
                elif special:
                    fixed[k] = cells.CellError(special)
        values, found_problems = _read_column(col, raw, units.get(name), grid, data_rows, j, jpy_per_usd)
        # "nan" stored as a number is not an empty cell: never read as one
        maybe = np.flatnonzero(np.isnan(values)).tolist() if isinstance(values, np.ndarray) else range(len(raw))
        for k in maybe:
            v = raw[k]
            if type(v) is float and v != v and k not in flagged:
                problems.append((k, name, f"{name} holds NaN (not a number) as its value, which the app cannot "
                                 "use.", "Type the value, or clear the cell."))
                flagged.add(k)
        columns[name] = values
        problems.extend((k, name, msg, hint) for k, msg, hint in found_problems if k not in flagged)
    frame = _frame(table, columns, len(data_rows), sectors)
    keys = row_keys(table, frame) if problems else []
    for k, name, msg, hint in problems:
        issues.append(issue(grid, data_rows[k], by_col[name], msg, hint, table=table.name, row=keys[k],
                            column=name, row_index=k))
    return TableRead(frame, issues, layout)


def _readable_header(grid: Grid, hr: int, header: Sequence[RawValue]) -> tuple[list[RawValue], dict[int, str]]:
    """The header row with the cells that name nothing blanked: an error value (``#REF!``
    would otherwise read as the synonym "Ref") or a formula with no saved value. Returns
    the row and, by position, what each blanked cell held."""
    out = list(header)
    beyond = [c - grid.left for r, c in (*grid.facts.no_value_formula, *grid.facts.errors) if r == grid.top + hr]
    out += [None] * (max(beyond, default=-1) + 1 - len(out))   # formulas past the last value read
    unreadable: dict[int, str] = {}
    for j, v in enumerate(out):
        special = special_cells(grid, hr, j)
        if special == "formula":
            unreadable[j] = "a formula with no saved value"
        elif special or isinstance(v, cells.CellError) or (isinstance(v, str) and v[:1] == "#"
                                                            and cells.looks_like_error(v)):
            unreadable[j] = f"the error {special or str(v).strip()}"
        else:
            continue
        out[j] = None
    return out, unreadable


def _has_values(grid: Grid, hr: int, j: int) -> int | None:
    """The first row below the header with something in column ``j``, else ``None``."""
    facts = grid.facts
    for r in range(hr + 1, len(grid.rows)):
        row = grid.rows[r]
        v = row[j] if j < len(row) else None
        if not (v is None or v == "" or (type(v) is str and v.isspace())):
            return r
        pos = (grid.top + r, grid.left + j)
        if pos in facts.no_value_formula or pos in facts.errors:
            return r
    below = [r - grid.top for r, c in (*facts.no_value_formula, *facts.errors)
             if c == grid.left + j and r - grid.top > hr]
    return min(below) if below else None


def _headerless_columns(table: Table, grid: Grid, hr: int, header: Sequence[RawValue], unreadable: dict[int, str],
                        by_col: dict[str, int], sectors: list[str] | None) -> list[Issue]:
    """Values under a header cell that names nothing (blank, spaces, an error, a formula with
    no saved value): never dropped in silence. An error when the table lacks a column, so
    that these values may be that column's and it would take its defaults; else a warning."""
    width = max(max((len(r) for r in grid.rows[hr + 1:]), default=0), len(header))
    for r, c in (*grid.facts.no_value_formula, *grid.facts.errors):  # formulas beyond the values read
        if r > grid.top + hr:
            width = max(width, c - grid.left + 1)
    missing = [c for c in table.column_names if c not in by_col]
    if table.extra_columns == "sectors":
        missing += [s for s in sectors or [] if s not in by_col]
    out: list[Issue] = []
    for j in range(width):
        if j < len(header) and (h := header[j]) is not None and not (isinstance(h, str) and not h.strip()):
            continue
        first = _has_values(grid, hr, j)
        held = unreadable.get(j)
        if first is None:
            if held:
                out.append(issue(grid, hr, j, f"This header cell holds {held}, so it names no column; the column "
                                 "below it is empty and is ignored.", "Type a column name, or clear the cell.",
                                 severity=WARNING, table=table.name, row="(header)"))
            continue
        head = (f"its header {grid.cell(hr, j)} holds {held}" if held else f"its header {grid.cell(hr, j)} is blank")
        if missing:
            shown = ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")
            out.append(issue(grid, first, j, f"Column {sheetxml_col(grid, j)} has values but {head}, so the app cannot "
                             f"tell which column they are; the table has no {shown} column, which would take "
                             "default values.", "Type the column's name in its header cell, or delete the column.",
                             table=table.name, row="(header)"))
        else:
            out.append(issue(grid, first, j, f"Column {sheetxml_col(grid, j)} has values but {head}, so it is ignored.",
                             "Type a header for it, or delete the column.", severity=WARNING, table=table.name,
                             row="(header)"))
    return out


def sheetxml_col(grid: Grid, j: int) -> str:
    """The letters of grid column ``j`` as Excel shows them."""
    return col_letters(grid.left + j)


class _PercentRows:
    """The table rows whose cell in one column is formatted as a percentage, found only
    when asked (most columns never need it)."""

    def __init__(self, grid: Grid, data_rows: list[int], j: int):
        self.grid, self.data_rows, self.j = grid, data_rows, j
        self._rows: set[int] | None = None

    def _get(self) -> set[int]:
        if self._rows is None:
            col = self.grid.left + self.j
            cells_ = self.grid.facts.percent_in({col})
            top = self.grid.top
            self._rows = {k for k, r in enumerate(self.data_rows) if (top + r, col) in cells_} if cells_ else set()
        return self._rows

    def __contains__(self, k: object) -> bool:
        return k in self._get()

    def __iter__(self) -> Iterator[int]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


def _read_column(col: Column, raw: Sequence[RawValue], unit: Unit | None, grid: Grid, data_rows: list[int], j: int,
                 rate: float) -> tuple[ColumnValues, list[Problem]]:
    if col.is_numeric:
        pct = _PercentRows(grid, data_rows, j) if grid.formats_known else cells.FORMATS_UNKNOWN
        return cells.read_numbers(col, raw, unit, pct, rate)
    if unit is not None and unit != Unit():
        pass  # a unit on a text column means nothing; the column is read as text
    if col.kind == "choice":
        return cells.read_choices(col, raw)
    if col.kind == "bool":
        return cells.read_bools(col, raw)
    return cells.read_text(col, raw, strip=col.name in TRIMMED)


def _frame(table: Table, columns: dict[str, ColumnValues], n: int, sectors: list[str] | None) -> pd.DataFrame:
    names = table.column_names + [c for c in columns if c not in table.by_name]
    data: dict[str, pd.Series] = {}
    for name in names:
        col = table.by_name.get(name, schema.SHOCK_COLUMN)
        values = columns.get(name)
        # the canonical dtypes of coerce_table, built directly: float64 (NaN empty),
        # bool, and object holding str or None
        if col.is_numeric:
            data[name] = pd.Series(np.full(n, math.nan) if values is None else values, dtype="float64")
        elif col.kind == "bool":
            data[name] = pd.Series([True] * n if values is None else values, dtype="bool")
        else:
            data[name] = pd.Series([None] * n if values is None else values, dtype="object")
    return pd.DataFrame(data, columns=names)


def _filled(row: Sequence[RawValue], positions: list[int]) -> bool:
    """Whether a row has anything in the columns we read (blank rows are skipped)."""
    for j in positions:
        v = row[j]
        if v == "" or v is None:
            continue
        if type(v) is str and not v.strip():
            continue
        return True
    return False


def sector_names(frame: pd.DataFrame | None) -> list[str]:
    if frame is None:
        return []
    return [str(s) for s in frame["Sector"] if s is not None]
