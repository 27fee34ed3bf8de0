"""Reading the two sheets that are not plain tables: ``Scenario`` (Field, Value) and
``Correlations`` (a labelled square matrix)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd

from workbench.excel import cells
from workbench.excel.cells import Problem
from workbench.excel.headers import RawValue, find_header_row, is_blank, norm, norm_plain, table_lookup
from workbench.excel.layout import Layout
from workbench.excel.tables import TRIMMED, Grid, issue
from workbench.excel.units import split_header
from workbench.issues import ERROR, WARNING, Issue, did_you_mean
from workbench.schema import SCENARIO_FIELDS, CellValue, Column, cell_float

_FIELD_HEADERS = {"field": "Field", "fields": "Field", "parameter": "Field", "setting": "Field", "item": "Field",
                  "value": "Value", "values": "Value"}  # not "name": Name is a field
_FIELD_LOOKUP = table_lookup(SCENARIO_FIELDS)


def read_fields(grid: Grid, jpy_per_usd: float | None, layout: Layout
                ) -> tuple[dict[str, CellValue], list[Issue], float]:
    """The Scenario fields, their problems, and the JPY per USD rate to use for the rest."""
    issues: list[Issue] = []
    found = find_header_row(grid.rows, _FIELD_HEADERS)
    fcol, vcol, start = 0, 1, 0
    if found is not None:
        hr, header = found
        cols = {_FIELD_HEADERS.get(norm(v)): j for j, v in enumerate(header) if isinstance(v, str)}
        if "Field" in cols:
            fcol = cols["Field"]
            vcol = cols.get("Value", fcol + 1)
            start = hr + 1
    rows: dict[str, tuple[int, str]] = {}
    for r in range(start, len(grid.rows)):
        row = grid.rows[r]
        label = row[fcol] if fcol < len(row) else None
        label_held = "holds " + ("a formula with no saved value" if (grid.top + r, grid.left + fcol)
                                 in grid.facts.no_value_formula else "an error") if (
            _special(grid, r, fcol) or isinstance(label, cells.CellError)) else ""
        if is_blank(label) or label_held:
            value = row[vcol] if vcol < len(row) else None
            if not is_blank(value) or _special(grid, r, vcol):
                issues.append(issue(grid, r, fcol, f"This row has a value in {grid.cell(r, vcol)} but its field name "
                                    f"{label_held or 'is blank'}, so the app cannot tell which field it sets.",
                                    "Type the field's name (such as Start year) in this cell, or delete the row.",
                                    table="Scenario", row=f"row {r + 1}", column="Field"))
            elif label_held:
                issues.append(issue(grid, r, fcol, f"This cell {label_held} and is ignored.",
                                    "Type a field's name or clear the cell.", severity=WARNING, table="Scenario",
                                    row=f"row {r + 1}", column="Field"))
            continue
        text = str(row[fcol]).strip()
        canon = _FIELD_LOOKUP.get(norm(text))
        if canon is None:
            if found is None and r < 20 and all(is_blank(v) for v in row[fcol + 1:]):
                continue  # a title above the fields
            issues.append(issue(grid, r, fcol, f'"{text[:60]}" is not a Scenario field and is ignored.',
                                did_you_mean(text, SCENARIO_FIELDS.column_names), severity=WARNING,
                                table="Scenario", row=text, column="Field"))
            continue
        if canon in rows:
            issues.append(issue(grid, r, fcol, f"{canon} is given twice (also in {grid.cell(rows[canon][0], fcol)}).",
                                "Delete one of the two rows.", table="Scenario", row=canon, column="Value"))
            continue
        rows[canon] = (r, text)
    layout.scenario_sheet = grid.sheet
    layout.fields = {name: (grid.top + r, grid.left + vcol) for name, (r, _t) in rows.items()}
    fields: dict[str, CellValue] = {}
    order = ["JPY per USD"] + [c.name for c in SCENARIO_FIELDS.columns if c.name != "JPY per USD"]
    rate = jpy_per_usd
    for name in order:
        col = SCENARIO_FIELDS.by_name[name]
        if name not in rows:
            fields[name] = None
            if col.required:
                issues.append(Issue(ERROR, f"The Scenario sheet has no {name} field.",
                                    table="Scenario", row=name, column="Value",
                                    suggestion=f"Add a row with {name} in column A and its value in column B.",
                                    sheet=grid.sheet))
            continue
        r, text = rows[name]
        raw = grid.rows[r][vcol] if vcol < len(grid.rows[r]) else ""
        special = _special(grid, r, vcol)
        if special:
            fields[name] = None
            issues.append(issue(grid, r, vcol, *special, table="Scenario", row=name, column="Value"))
            continue
        value, problems = _field_value(col, raw, text, grid, r, vcol, rate or 150.0)
        for _k, msg, hint in problems:
            issues.append(issue(grid, r, vcol, msg, hint, table="Scenario", row=name, column="Value"))
        fields[name] = value
        if name == "JPY per USD" and rate is None and not problems and value is not None:
            rate = float(value)
    return {c.name: fields.get(c.name) for c in SCENARIO_FIELDS.columns}, issues, rate or 150.0


def _outside_matrix(grid: Grid, best: int, rows: dict[str, int], cols: dict[str, int],
                    sectors: list[str]) -> list[Issue]:
    """Cells of the matrix's rows under no sector label: never ignored in silence (an error
    when a sector has no column, as its correlations would then be taken as 0)."""
    used = set(cols.values())
    missing = [s for s in sectors if s not in cols]
    out = []
    for r in rows.values():
        row = grid.rows[r]
        width = max(len(row), *(c - grid.left + 1 for rr, c in (*grid.facts.no_value_formula, *grid.facts.errors)
                                if rr == grid.top + r), 0)
        for j in range(1, width):
            if j in used:
                continue
            v = row[j] if j < len(row) else None
            if is_blank(v) and not _special(grid, r, j):
                continue
            head = grid.cell(best, j)
            if missing:
                out.append(issue(grid, r, j, f"This cell is in no sector's column (its label {head} is blank or not "
                                 f"a sector), and {', '.join(missing[:3])} has no column, so its correlations would "
                                 "be taken as 0.", "Write the sector's name above the column, or delete the cell.",
                                 table="Correlations"))
            else:
                out.append(issue(grid, r, j, f"This cell is in no sector's column (its label {head} is blank or not "
                                 "a sector) and is ignored.", "Delete the cell, or label its column.",
                                 severity=WARNING, table="Correlations"))
    return out


def _special(grid: Grid, r: int, c: int) -> tuple[str, str] | None:
    pos = (grid.top + r, grid.left + c)
    if pos in grid.facts.no_value_formula:
        return ("This is a formula with no saved value (the file was written by a program that does not calculate).",
                "Open and save the file in Excel or LibreOffice, or type the value.")
    err = grid.facts.errors.get(pos)
    if err:
        return f"The cell shows the Excel error {err}.", "Fix the formula or type the value."
    return None


def _field_value(col: Column, raw: RawValue, label: str, grid: Grid, r: int, c: int, rate: float
                 ) -> tuple[CellValue, list[Problem]]:
    _name, unit, _s = split_header(label)
    if col.is_numeric:
        pct = ({0} if (grid.top + r, grid.left + c) in grid.facts.percent_in({grid.left + c}) else set()
               ) if grid.formats_known else cells.FORMATS_UNKNOWN
        numbers, problems = cells.read_numbers(col, [raw], unit, pct, rate)
        x = float(numbers[0])
        if math.isnan(x):
            return None, problems
        if col.kind == "integer" and x.is_integer():
            return int(x), problems
        return x, problems
    if col.kind == "choice":
        choices, problems = cells.read_choices(col, [raw])
        return choices[0], problems
    texts, problems = cells.read_text(col, [raw], strip=col.name in TRIMMED)
    return texts[0], problems


# ------------------------------------------------------------- correlations
def read_correlations(grid: Grid, sectors: list[str], layout: Layout) -> tuple[pd.DataFrame | None, list[Issue]]:
    issues: list[Issue] = []
    lookup = {norm_plain(s): s for s in sectors}
    best, best_score = None, 0
    for r in range(min(20, len(grid.rows))):
        score = sum(1 for v in grid.rows[r][1:] if isinstance(v, str) and norm_plain(v) in lookup)
        if score > best_score:
            best, best_score = r, score
    if best is None:  # no sector in any header: take the first non-blank row
        best = next((r for r, row in enumerate(grid.rows) if any(not is_blank(v) for v in row[1:])), None)
        if best is None:
            return None, [issue(grid, None, None, "The Correlations sheet is empty.",
                                "Delete the sheet (sectors are then independent) or fill in the matrix.",
                                severity=WARNING, table="Correlations")]
    header = grid.rows[best]
    cols: dict[str, int] = {}
    width = max(len(header), *(c - grid.left + 1 for r, c in (*grid.facts.no_value_formula, *grid.facts.errors)
                               if r == grid.top + best), 0)
    for j in range(1, width):
        v = header[j] if j < len(header) else None
        held = _special(grid, best, j)
        if held or isinstance(v, cells.CellError):
            issues.append(issue(grid, best, j, "This label cell holds an error or a formula with no saved value, so "
                                "it names no sector.", "Type the sector's name, or clear the cell.",
                                table="Correlations"))
            continue
        if is_blank(v):
            continue
        label = lookup.get(norm_plain(v), str(v).strip())
        if label in cols:
            issues.append(issue(grid, best, j, f'Sector "{label}" heads two columns.', "Delete one of them.",
                                table="Correlations", column=label))
            continue
        cols[label] = j
    rows: dict[str, int] = {}
    for r in range(best + 1, len(grid.rows)):
        row = grid.rows[r]
        if is_blank(row[0]):
            if any(not is_blank(v) for v in row[1:]):
                issues.append(issue(grid, r, 0, "This row of the matrix has no sector label.",
                                    "Write the sector's name in the first column.", table="Correlations"))
            continue
        label = lookup.get(norm_plain(row[0]), str(row[0]).strip())
        if label in rows:
            issues.append(issue(grid, r, 0, f'Sector "{label}" labels two rows.', "Delete one of them.",
                                table="Correlations", row=label))
            continue
        rows[label] = r
    issues.extend(_outside_matrix(grid, best, rows, cols, sectors))
    layout.corr_sheet = grid.sheet
    layout.corr_rows = {k: grid.top + r for k, r in rows.items()}
    layout.corr_cols = {k: grid.left + j for k, j in cols.items()}
    layout.corr_header = (grid.top + best, grid.left)
    matrix = np.full((len(rows), len(cols)), math.nan)
    row_pos = {a: i for i, a in enumerate(rows)}
    col_pos = {b: j for j, b in enumerate(cols)}
    corr_col = replace(Column("Correlation", "number", "", -1, 1), name="Correlation")
    for a, r in rows.items():
        for b, j in cols.items():
            v = grid.rows[r][j] if j < len(grid.rows[r]) else ""
            special = _special(grid, r, j)
            if special:
                issues.append(issue(grid, r, j, *special, table="Correlations", row=a, column=b))
                continue
            if type(v) is float:
                matrix[row_pos[a], col_pos[b]] = v
                continue
            values, problems = cells.read_numbers(replace(corr_col, kind="fraction", minimum=None, maximum=None),
                                                  [v], None, set(), 150.0)
            for _k, msg, hint in problems:
                issues.append(issue(grid, r, j, msg.replace("Correlation", f"The correlation of {a} and {b}"), hint,
                                    table="Correlations", row=a, column=b))
            matrix[row_pos[a], col_pos[b]] = values[0]
    frame = pd.DataFrame(matrix, index=list(rows), columns=list(cols), dtype="float64")
    # one triangle given: the pair is not missing, its mirror is the same number
    for a in frame.index:
        for b in frame.columns:
            if a != b and math.isnan(cell_float(frame.at[a, b])) and b in frame.index and a in frame.columns:
                mirror = cell_float(frame.at[b, a])
                if not math.isnan(mirror):
                    frame.at[a, b] = mirror
    return frame, issues
