"""``read_workbook``: a scenario workbook -> :class:`ImportResult` (a scenario, or located issues).

Values are read with python-calamine (fast, never runs formulas or macros); what values
alone do not say (percentage formats, formulas without saved values, error cells, the
real extent) comes from :mod:`workbench.excel.sheetxml`. Any error means no scenario.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, cast

import python_calamine as pc

from workbench import limits, schema
from workbench.excel import cells, guards, sheetxml, sources_sheet
from workbench.excel.headers import Merge, RawRows, norm, sheet_lookup
from workbench.excel.layout import Layout
from workbench.excel.matrix import read_correlations, read_fields
from workbench.excel.tables import Grid, read_table, sector_names
from workbench.issues import ERROR, WARNING, Issue, did_you_mean
from workbench.scenario import Scenario, coerce_table, empty_table
from workbench.schema import CellValue
from workbench.validation import validate

if TYPE_CHECKING:
    import pandas as pd

_SHEETS = sheet_lookup({"Scenario": schema.SCENARIO_FIELDS.synonyms,
                        **{t.name: t.synonyms for t in schema.TABLES.values()},
                        "Correlations": ("Correlation", "Correlation matrix", "Correlations matrix")})
_RESULTS = {norm(s) for s in schema.RESULT_SHEETS}


@dataclass(frozen=True)
class ImportResult:
    """What reading a workbook gave: the scenario (``None`` when there is any error) and
    every problem, located by sheet and cell."""

    scenario: Scenario | None
    issues: list[Issue]
    author: str = ""
    file: str = ""
    imported_at: str = ""
    #: True when the file could not be read at all (not a workbook, encrypted, damaged...)
    fatal: bool = False
    layout: Layout = field(default_factory=Layout, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return self.scenario is not None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    def where(self, table: str, row_index: int | str | None, column: str | None) -> str | None:
        """``"Projects!H7"``: where a value of the imported scenario sits in the workbook."""
        return self.layout.where(table, row_index, column)


def read_workbook(path: str | os.PathLike[str], *, jpy_per_usd: float | None = None) -> ImportResult:
    """Read a scenario workbook (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``). Never raises for a
    bad file: every problem is an issue, and a file that cannot be read at all gives one
    error issue with ``fatal=True``."""
    name = os.path.basename(os.fspath(path))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    try:
        return _read(os.fspath(path), name, now, jpy_per_usd)
    except guards.UnreadableWorkbook as exc:
        return ImportResult(None, [Issue(ERROR, str(exc))], file=name, imported_at=now, fatal=True)
    except MemoryError:
        return ImportResult(None, [Issue(ERROR, str(guards.too_large("memory ran out")))], file=name,
                            imported_at=now, fatal=True)
    except RecursionError:
        return ImportResult(None, [Issue(ERROR, "The file is damaged or crafted: it is nested too deeply to read.")],
                            file=name, imported_at=now, fatal=True)
    except Exception:  # a file we did not foresee: one clear message, never a traceback or an internal name
        return ImportResult(None, [Issue(ERROR, "The file could not be read as a workbook: its contents are damaged "
                                            "or arranged in a way the app does not know. Re-save it in Excel or "
                                            "LibreOffice as .xlsx.")],
                            file=name, imported_at=now, fatal=True)


def _row_limit(sheet: str) -> int | None:
    """The most rows an input sheet may span; ``None`` for a sheet the import does not read."""
    if sources_sheet.is_sources_sheet(sheet):
        return sources_sheet.ROW_LIMIT
    table = _SHEETS.get(norm(sheet))
    return None if table is None else limits.sheet_rows(table)


def _open(path: str, kind: str) -> pc.CalamineWorkbook:
    try:
        return pc.CalamineWorkbook.from_path(path)
    except pc.PasswordError:
        raise guards.UnreadableWorkbook("The file is password-protected (encrypted). Remove the password in "
                                        "Excel (File > Info > Protect Workbook) and try again.") from None
    except Exception:
        raise guards.UnreadableWorkbook(f"The file is damaged and cannot be read as a {kind} workbook. "
                                        "Re-save it in Excel or LibreOffice.") from None


def _read(path: str, name: str, now: str, jpy_per_usd: float | None) -> ImportResult:
    kind = guards.inspect(path)
    # what the values do not say, and the extent guards, before any sheet is loaded
    if kind.kind == "xlsx":
        facts = sheetxml.xlsx_facts(path, _row_limit)
    elif kind.kind == "ods":
        facts = sheetxml.ods_facts(path, _row_limit)
    else:
        facts = sheetxml.WorkbookFacts()
    book = _open(path, kind.kind)
    issues: list[Issue] = []
    mapping: dict[str, str] = {}      # table -> sheet name in the workbook
    register_sheet = None             # the assumption register's sheet, when there is one
    for meta in book.sheets_metadata:
        sheet = meta.name
        key = norm(sheet)
        if sources_sheet.is_sources_sheet(sheet) and register_sheet is None:
            register_sheet = sheet
            continue
        table = _SHEETS.get(key)
        if table is None:
            if key not in _RESULTS:
                issues.append(Issue(WARNING, f'Sheet "{sheet}" is not a sheet the app knows and is ignored.',
                                    suggestion=did_you_mean(sheet, schema.INPUT_SHEETS), sheet=sheet))
            continue
        if table in mapping:
            issues.append(Issue(ERROR, f'Sheets "{mapping[table]}" and "{sheet}" both look like the {table} sheet.',
                                suggestion="Delete or rename one of them.", sheet=sheet))
            continue
        mapping[table] = sheet
    for required in ("Scenario", "Sectors", "Projects"):
        if required not in mapping:
            names = [m.name for m in book.sheets_metadata]
            hint = did_you_mean(required, names)
            hint = f'{hint[:-1]} (rename it to "{required}")?' if hint else f'Add a sheet named "{required}".'
            issues.append(Issue(ERROR, f"The workbook has no {required} sheet.", suggestion=hint, table=required))
    grids = {table: _grid(book, sheet, facts, text_errors=kind.kind != "xlsx", formats_unknown=kind.kind == "xls")
             for table, sheet in mapping.items()}
    layout = Layout()
    fields: dict[str, CellValue] = {c.name: None for c in schema.SCENARIO_FIELDS.columns}
    rate = jpy_per_usd if jpy_per_usd else 150.0
    if "Scenario" in grids:
        fields, found, rate = read_fields(grids["Scenario"], jpy_per_usd, layout)
        issues.extend(found)
    tables: dict[str, pd.DataFrame | None] = {}
    sectors: list[str] = []
    for tname in schema.TABLES:
        if tname not in grids:
            tables[tname] = None
            continue
        got = read_table(schema.TABLES[tname], grids[tname], rate, sectors)
        issues.extend(got.issues)
        if tname == "Projects" and got.frame is not None and sectors:
            _canonical_sectors(got.frame, sectors)
        tables[tname] = got.frame
        if got.layout is not None:
            layout.tables[tname] = got.layout
        if tname == "Sectors":
            sectors = sector_names(got.frame)
    corr = None
    if "Correlations" in grids:
        corr, found = read_correlations(grids["Correlations"], sectors, layout)
        issues.extend(found)
    author = str(fields.get("Author") or facts.creator or "")
    register = None
    if register_sheet is not None:
        register, found = sources_sheet.read_sources(
            _grid(book, register_sheet, facts, text_errors=kind.kind != "xlsx", formats_unknown=kind.kind == "xls"))
        issues.extend(found)
    sectors_frame, projects_frame = tables["Sectors"], tables["Projects"]
    if sectors_frame is None or projects_frame is None:
        return ImportResult(None, _sorted(issues), author, name, now, layout=layout)
    scn = Scenario(
        fields=fields, sectors=sectors_frame, projects=projects_frame,
        financing=f if (f := tables["Financing"]) is not None else empty_table(schema.FINANCING),
        constraints=c if (c := tables["Constraints"]) is not None else empty_table(schema.CONSTRAINTS),
        risk_events=(e if (e := tables["Risk events"]) is not None
                     else coerce_table("Risk events", empty_table(schema.RISK_EVENTS))),
        correlations=corr,
    )
    if register:
        scn = replace(scn, sources=register)
    unread = {t for t in ("Financing", "Constraints", "Risk events") if t in grids and tables[t] is None}
    seen = {(i.sheet, i.cell) for i in issues if i.cell}
    for found_issue in validate(scn):
        if found_issue.table in unread:
            continue
        located = layout.locate_issue(found_issue)
        if located.cell and (located.sheet, located.cell) in seen:
            continue
        issues.append(located)
    if any(i.is_error for i in issues):
        return ImportResult(None, _sorted(issues), author, name, now, layout=layout)
    return ImportResult(scn, _sorted(issues), author, name, now, layout=layout)


def _canonical_sectors(frame: pd.DataFrame, sectors: list[str]) -> None:
    """A project's sector written in another case (``data centers``) names the sector."""
    if set(frame["Sector"].tolist()) <= set(sectors):
        return
    lookup = {s.lower(): s for s in sectors}
    frame["Sector"] = [lookup.get(v.lower(), v) if isinstance(v, str) else v for v in frame["Sector"]]


def _grid(book: pc.CalamineWorkbook, sheet: str, facts: sheetxml.WorkbookFacts, *, text_errors: bool,
          formats_unknown: bool) -> Grid:
    """A sheet's values. ``text_errors``: the format stores error values as their text
    (.xls, .ods), so a cell reading ``#REF!`` is an error; in .xlsx errors are marked."""
    try:
        ws = book.get_sheet_by_name(sheet)
        guards.check_extent(sheet, ws.height, ws.width)
        sheetxml.check_rows(sheet, ws.height, _row_limit(sheet))
        rows = cast(RawRows, ws.to_python())   # the same lists, read as the reader's wider cell type
    except guards.UnreadableWorkbook:
        raise
    except Exception:
        raise guards.UnreadableWorkbook(f"Sheet {sheet!r} cannot be read: the part of the file holding it is missing "
                                        "or damaged. Re-save the workbook in Excel or LibreOffice.") from None
    if text_errors:
        for row in rows:
            for j, v in enumerate(row):
                if isinstance(v, str) and v[:1] in ("#", "E") and cells.looks_like_error(v):
                    row[j] = cells.CellError(v.strip())
    top, left = (ws.start or (0, 0)) if rows else (0, 0)
    merged: list[Merge] = []
    try:
        for (r0, c0), (r1, c1) in ws.merged_cell_ranges or []:
            merged.append(((r0 - top, c0 - left), (r1 - top, c1 - left)))
    except Exception:
        merged = []
    return Grid(sheet, rows, top, left, merged, facts.of(sheet), formats_known=not formats_unknown)


_SHEET_ORDER = {s: i for i, s in enumerate(schema.INPUT_SHEETS)}


def _sorted(issues: list[Issue]) -> list[Issue]:
    """Errors first, then by sheet (workbook order) and row, as a reader scans them."""
    def key(i: Issue) -> tuple[bool, int, int, int, str]:
        import re
        m = re.match(r"([A-Z]+)(\d+)$", i.cell or "")
        return (not i.is_error, _SHEET_ORDER.get(i.table or "", 99), int(m.group(2)) if m else 0,
                len(m.group(1)) if m else 0, m.group(1) if m else "")
    return sorted(issues, key=key)
