"""The workbook's ``Sources`` sheet: the assumption register, one entry a row.

Columns (header row anywhere in the first rows, names matched like every other sheet's):
``Sheet``, ``Row``, ``Column``, ``Source``, ``Date``, ``Owner``, ``Grade``, ``Review by``,
``Note``. A workbook without the sheet has an empty register. A problem in the sheet is a
warning naming the cell: the register never stops a workbook from importing.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

from workbench import schema
from workbench.excel import cells
from workbench.excel.headers import HEADER_SEARCH_ROWS, RawValue, norm, table_lookup
from workbench.excel.style import CellMaker
from workbench.excel.tables import Grid
from workbench.issues import WARNING, Issue, did_you_mean
from workbench.sources import GRADES, HEADERS, Source, Sources, date_text

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

    from workbench.scenario import Scenario

SHEET = "Sources"
#: Normalised sheet names read as the register.
NAMES = frozenset({"sources", "source", "assumptionregister", "register", "assumptionsources"})
#: Entries a register may hold, and the rows its sheet may span (titles and header included).
MAX_ENTRIES = 100_000
ROW_LIMIT = MAX_ENTRIES + 21

_SYNONYMS = {
    "Sheet": ("Table", "Tab"),
    "Row": ("Row key", "Key", "Item", "Field"),
    "Column": ("Col", "Input"),
    "Source": ("Reference", "Link", "File", "Where from"),
    "Date": ("Source date", "As of", "Dated"),
    "Owner": ("Responsible", "Who"),
    "Grade": ("Confidence", "Confidence grade", "Quality"),
    "Review by": ("Review", "Review date", "Next review", "Review-by date"),
    "Note": ("Notes", "Comment", "Comments"),
}
_LOOKUP = {norm(s): h for h, syns in _SYNONYMS.items() for s in syns} | {norm(h): h for h in HEADERS}
_ATTR = {"Source": "source", "Date": "date", "Owner": "owner", "Grade": "grade", "Review by": "review_by",
         "Note": "note"}
_SHEETS = {norm(s): s for s in schema.INPUT_SHEETS} | {norm(syn): name for name, t in schema.TABLES.items()
                                                        for syn in t.synonyms}


def is_sources_sheet(name: str) -> bool:
    return norm(name) in NAMES


def _text(v: RawValue) -> str:
    if v is None or isinstance(v, cells.CellError):
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()[:10]
    return str(v).strip()


def _column_name(table: str, text: str) -> str:
    if not text or table in ("Correlations",):
        return text
    spec = schema.SCENARIO_FIELDS if table == "Scenario" else schema.TABLES.get(table)
    if table == "Scenario":
        return "Value" if norm(text) in ("value", "") else text
    if spec is None:
        return text
    return table_lookup(spec).get(norm(text), text)


def read_sources(grid: Grid) -> tuple[Sources, list[Issue]]:
    """The register held by a Sources sheet, and warnings for the rows it could not take."""
    issues: list[Issue] = []
    rows = grid.rows

    def warn(r: int | None, c: int | None, message: str, suggestion: str | None = None) -> None:
        cell = grid.cell(r, c) if r is not None and c is not None else None
        issues.append(Issue(WARNING, message, table=SHEET, suggestion=suggestion, sheet=grid.sheet, cell=cell))

    header_at, cols = None, {}
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {}
        for c, v in enumerate(row):
            h = _LOOKUP.get(norm(_text(v))) if _text(v) else None
            if h and h not in found:
                found[h] = c
        if "Sheet" in found and ("Source" in found or "Row" in found):
            header_at, cols = r, found
            break
    if header_at is None:
        if any(_text(v) for row in rows for v in row):
            warn(None, None, 'The Sources sheet has no header row with "Sheet", "Row", "Column" and "Source"; '
                             "no sources were read from it.",
                 "Put the headers " + ", ".join(HEADERS) + " in its first row.")
        return Sources(), issues
    entries: dict[tuple[str, str, str], Source] = {}
    first_row: dict[tuple[str, str, str], int] = {}
    for r in range(header_at + 1, len(rows)):
        row = rows[r]

        def get(h: str, row: list[RawValue] = row) -> RawValue:
            c = cols.get(h)
            return row[c] if c is not None and c < len(row) else None

        if not any(_text(v) for v in row):
            continue
        if len(entries) >= MAX_ENTRIES:
            warn(r, 0, f"The Sources sheet holds more than {MAX_ENTRIES:,} entries; the rest were not read.")
            break
        sheet_text = _text(get("Sheet"))
        table = _SHEETS.get(norm(sheet_text))
        if table is None:
            hint = did_you_mean(sheet_text, schema.INPUT_SHEETS)
            warn(r, cols["Sheet"], f'"{sheet_text}" is not a sheet of the scenario; this source was not read.'
                 if sheet_text else "This source names no sheet; it was not read.",
                 hint or "Name one of: " + ", ".join(schema.INPUT_SHEETS) + ".")
            continue
        row_key = _text(get("Row"))
        column = _column_name(table, _text(get("Column")))
        if table == "Scenario" and row_key:
            column = "Value"
        values: dict[str, str] = {}
        for h, attr in _ATTR.items():
            raw = get(h)
            if isinstance(raw, cells.CellError):
                warn(r, cols[h], f"{h} holds the error {raw}; it was left empty.")
                raw = None
            if attr in ("date", "review_by"):
                text = date_text(raw if not isinstance(raw, str) else raw.strip())
                if text is None:
                    warn(r, cols[h], f'{h} "{_text(raw)}" is not a date; it was left empty.',
                         "Write dates as 2026-03-31 or as Excel dates.")
                    text = ""
                values[attr] = text
            elif attr == "grade":
                g = _text(raw).upper()
                if g and g not in GRADES:
                    warn(r, cols[h], f'Grade "{_text(raw)}" is not A, B or C; it was left empty.',
                         "A: measured or official, B: informed estimate, C: judgement or placeholder.")
                    g = ""
                values[attr] = g
            else:
                values[attr] = _text(raw)
        key = (table, row_key, column)
        if key in entries:
            warn(r, cols["Sheet"], f"A second source for {table} {row_key} {column}".rstrip() +
                 f" (the first is on row {first_row[key] + grid.top + 1}); the later one is kept.")
        entries[key] = Source(**values)
        first_row.setdefault(key, r)
    return Sources(entries), issues


def write_sources(wb: Workbook, scn: Scenario) -> None:
    """Add the Sources sheet (header only when the register is empty, for colleagues to fill in)."""
    ws = wb.create_sheet(SHEET)
    mk = CellMaker(ws)
    ws.freeze_panes = "A2"
    rows = scn.sources.canonical()
    columns = [[r[j] for r in rows] for j in range(len(HEADERS))]
    mk.plan_widths(list(HEADERS), columns, fixed={3: 60, 8: 50})
    ws.append(mk.header(list(HEADERS)))
    for r in rows:
        ws.append([mk.text(v, f"Sources {r[0]} {r[1]} {r[2]}") if v else None for v in r])
