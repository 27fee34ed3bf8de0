"""``write_workbook``: a scenario (and its results) -> a workbook a colleague is glad to get.

Scenario sheets in the format of ``docs/contracts/workbook.md``, styled, with number
formats and dropdowns; the results sheets when results are given; ``About`` always. The
file is written beside the target and renamed into place (atomic).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from workbench import schema
from workbench.excel import atomic
from workbench.excel.style import (
    COUNT,
    DECIMAL,
    INTEGER,
    MONEY,
    PERCENT,
    CellMaker,
    ExportError,
    SheetValue,
    safe_text,
)
from workbench.scenario import Scenario, row_keys
from workbench.schema import SCENARIO_FIELDS, Column
from workbench.text import with_article

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from workbench.results import RunResult

__all__ = ["ExportError", "write_workbook"]

#: Notes for cells, keyed by (table, row position or Scenario field, column).
Comments = dict[tuple[str, int | str, str], str]



def number_format(col: Column) -> str | None:
    if col.kind == "fraction":
        return PERCENT
    if col.unit in ("USD m", "USD bn"):
        return MONEY
    if col.kind == "integer":
        return COUNT if col.name in ("Trials",) else INTEGER
    if col.name in ("Strategic score",):
        return "0.0"
    if col.kind == "number":
        return DECIMAL if col.name != "JPY per USD" else "0.00"
    return None


def _exact_numbers() -> None:
    """Make openpyxl write floats exactly (shortest round-trip form, as Excel stores 17
    digits) instead of its ``%.16g``, which loses the last digit of computed amounts and
    would break export -> import giving the same content hash. Installed once; only ever
    adds precision, so other users of openpyxl in the process are unaffected otherwise."""
    from openpyxl.cell import _writer

    if getattr(_writer.safe_string, "_exact", False):
        return
    original = _writer.safe_string

    def safe_string(value: object) -> str:
        if type(value) is float and math.isfinite(value):
            return repr(value)
        text: str = original(value)
        return text

    safe_string.__dict__["_exact"] = True   # the marker read above (a function attribute)
    _writer.safe_string = safe_string


def write_workbook(path: str | os.PathLike[str], scn: Scenario, results: RunResult | None = None) -> None:
    """Write ``scn`` (and ``results``, a RunResult, when given) to ``path`` atomically.

    Raises :class:`ExportError` when a value cannot be held by a workbook (the message
    says where), and ``OSError`` when the folder is not writable; the target is then
    untouched.
    """
    check_exportable(scn)
    _exact_numbers()
    wb = Workbook(write_only=True)

    def write(tmp: str) -> None:
        with atomic.disk_errors():
            build_workbook(scn, results, wb)
            atomic.save_workbook(wb, tmp)

    try:  # fsynced, renamed into place, with the replaced file's permissions (or the umask's)
        atomic.replace_file(path, write, suffix=".xlsx")
    except BaseException:
        _discard(wb)
        raise


def _discard(wb: Workbook) -> None:
    """Close the streams of a half-built write-only workbook."""
    for ws in wb._sheets:
        with contextlib.suppress(Exception):
            if not ws.closed:
                ws.close()
        # generators left mid-write (a full disk) are closed here, where their errors
        # are expected, rather than by the garbage collector, which would print them
        for gen in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            with contextlib.suppress(Exception):
                if gen is not None:
                    gen.close()
        with contextlib.suppress(Exception):
            os.remove(ws._writer.out)


def check_exportable(scn: Scenario) -> None:
    """Raise ExportError (saying where) for text that no workbook cell can hold."""
    for name, value in scn.fields.items():
        if isinstance(value, str):
            safe_text(value, f"Scenario {name}")
    for name in schema.TABLES:
        frame = scn.table(name)
        for c in frame.columns:
            safe_text(str(c), f"{name} column header")
            if frame[c].dtype != object:
                continue
            for i, v in enumerate(frame[c].tolist()):
                if isinstance(v, str) and (len(v) > 1000 or not v.isascii()):
                    safe_text(v, f"{name} row {i + 1}, {c}")
    if scn.correlations is not None:
        for label in [*scn.correlations.index, *scn.correlations.columns]:
            safe_text(str(label), "Correlations label")


def build_workbook(scn: Scenario, results: RunResult | None = None, wb: Workbook | None = None) -> Workbook:
    """The export of ``scn`` in ``wb`` (a new write-only workbook when not given)."""
    wb = Workbook(write_only=True) if wb is None else wb
    comments = _provenance_by_cell(scn)
    _fields_sheet(wb, scn, comments)
    sectors_n = len(scn.sectors)
    financing_n = len(scn.financing)
    for name in schema.TABLES:
        frame = scn.table(name)
        _table_sheet(wb, name, frame, comments, sectors_n, financing_n)
    if scn.correlations is not None:
        _correlations_sheet(wb, scn.correlations)
    from workbench.excel.sources_sheet import write_sources
    write_sources(wb, scn)
    _reorder(wb)
    if results is not None:
        from workbench.excel.results_sheets import write_results
        write_results(wb, scn, results)
    _about_sheet(wb, scn, results)
    _list_names(wb)
    _properties(wb, scn, results)
    return wb


def _reorder(wb: Workbook) -> None:
    order = {s: i for i, s in enumerate(schema.INPUT_SHEETS)}
    wb._sheets.sort(key=lambda ws: order.get(ws.title, 99))


def _provenance_by_cell(scn: Scenario) -> Comments:
    """Provenance notes keyed by (table, row position or field, column)."""
    if not scn.provenance:
        return {}
    positions: dict[str, dict[str, int]] = {}
    out: Comments = {}
    for (table, key, column), prov in scn.provenance.items():
        if table == "Scenario":
            out[("Scenario", key, column)] = f"From {prov.describe()}"
            continue
        if table == "Correlations":
            out[("Correlations", key, column)] = f"From {prov.describe()}"
            continue
        if table not in schema.TABLES:
            continue
        if table not in positions:
            positions[table] = {k: i for i, k in enumerate(row_keys(schema.TABLES[table], scn.table(table)))}
        i = positions[table].get(key)
        if i is not None:
            out[(table, i, column)] = f"From {prov.describe()}"
    return out


def _fields_sheet(wb: Workbook, scn: Scenario, comments: Comments) -> None:
    ws = wb.create_sheet("Scenario")
    mk = CellMaker(ws)
    ws.freeze_panes = "A2"
    names = [c.name for c in SCENARIO_FIELDS.columns]
    values = [v if isinstance(v := scn.fields.get(c.name), str) else "00,000,000" for c in SCENARIO_FIELDS.columns]
    mk.plan_widths(["Field", "Value", "About this field"], [names, values],
                   fixed={1: min(max(max(len(str(v)) for v in values) + 2, 16), 60), 2: 70})
    ws.append(mk.header(["Field", "Value", "About this field"]))
    for r, col in enumerate(SCENARIO_FIELDS.columns, start=2):
        value = scn.fields.get(col.name)
        where = f"Scenario {col.name}"
        cell: SheetValue
        if value is None or (isinstance(value, float) and math.isnan(value)):
            cell = None
        elif col.is_numeric:
            try:
                cell = mk.number(float(value), number_format(col))
            except (TypeError, ValueError):
                cell = mk.text(value, where)
        else:
            cell = mk.text(value, where)
        note = comments.get(("Scenario", col.name, "Value"))
        if note:
            cell = mk.comment(cell, note)
        about = _field_help(col)
        ws.append([col.name, cell, about])
        if col.kind == "choice":
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True)
            dv.add(f"B{r}")
            ws.data_validations.append(dv)


def _field_help(col: Column) -> str:
    parts = [col.help] if col.help else []
    if col.is_numeric:
        unit = " (a fraction: 0.05 is 5 %)" if col.kind == "fraction" else ""
        parts.append(f"{'Whole number' if col.kind == 'integer' else 'Number'} {col.range_text()}{unit}.")
    elif col.kind == "choice":
        parts.append("One of: " + ", ".join(col.choices) + ".")
    if col.required:
        parts.append("Required.")
    elif col.default not in (None, ""):
        parts.append(f"Empty means {col.default}.")
    return " ".join(parts)


def _table_sheet(wb: Workbook, name: str, frame: pd.DataFrame, comments: Comments, sectors_n: int,
                 financing_n: int) -> None:
    table = schema.TABLES[name]
    ws = wb.create_sheet(name)
    mk = CellMaker(ws)
    cols = list(frame.columns)
    specs = [table.by_name.get(c, schema.SHOCK_COLUMN) for c in cols]
    ws.freeze_panes = "B2" if name in ("Projects",) else "A2"
    n = len(frame)
    columns = [frame[c].tolist() for c in cols]
    mk.plan_widths(cols, columns)
    ws.append(mk.header(cols))
    kinds: list[tuple[str, str | None]] = []
    for spec in specs:
        if spec is schema.SHOCK_COLUMN:
            kinds.append(("num", PERCENT))
        elif spec.is_numeric:
            kinds.append(("num", number_format(spec)))
        elif spec.kind == "bool":
            kinds.append(("bool", None))
        else:
            kinds.append(("text", None))
    has_notes = any(k[0] == name for k in comments)
    slots = [mk.slot(fmt) if kind == "num" and fmt else None for kind, fmt in kinds]
    for i in range(n):
        row: list[SheetValue] = []
        for j, (kind, fmt) in enumerate(kinds):
            v = columns[j][i]
            cell: SheetValue
            if kind == "num":
                if v != v or v is None:
                    cell = None
                elif (slot := slots[j]) is not None and type(v) is float and math.isfinite(v):
                    cell = slot
                    slot._value = v
                else:
                    cell = mk.number(v, fmt)
            elif kind == "bool":
                cell = "yes" if bool(v) else "no"
            else:
                cell = mk.text(v, f"{name} row {i + 1}, {cols[j]}") if v is not None else None
            if has_notes:
                note = comments.get((name, i, cols[j]))
                if note:
                    cell = mk.comment(cell, note)
            row.append(cell)
        ws.append(row)
    _dropdowns(ws, name, cols, n, sectors_n, financing_n)


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    letter: str = get_column_letter(j + 1)
    return letter


#: Defined names of the dropdown lists: the filled cells of a whole column below its header, so that a
#: sector or financier a colleague adds at the end of its sheet appears in the dropdowns.
LIST_NAMES = {"SectorList": ("Sectors", "A"), "FinancierList": ("Financing", "A")}
#: The last row of a sheet: dropdowns cover the whole column below the header.
LAST_ROW = 1_048_576


def _list_names(wb: Workbook) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    for name, (sheet, col) in LIST_NAMES.items():
        ref = f"OFFSET('{sheet}'!${col}$2,0,0,MAX(1,COUNTA('{sheet}'!${col}:${col})-1),1)"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _dropdowns(ws: WriteOnlyWorksheet, name: str, cols: list[str], n: int, sectors_n: int, financing_n: int) -> None:
    def add(column: str, formula: str, strict: bool = True) -> None:
        if column not in cols:
            return
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict)
        if strict:
            dv.error = f"Pick {with_article(column.lower())} from the list."
            dv.errorTitle = column
        else:
            dv.prompt = f"Pick {with_article(column.lower())} from the list or type one."
        letter = _letter(cols.index(column))
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.data_validations.append(dv)

    if name == "Projects":
        add("Sector", "SectorList")
        add("Instrument", '"' + ",".join(schema.INSTRUMENTS) + '"')
        add("Financier", "FinancierList", strict=False)
        add("State", '"' + ",".join(schema.US_STATES) + '"', strict=False)   # full names are accepted too
        add("Include", '"yes,no"')
    elif name == "Financing":
        add("Instrument", '"' + ",".join(schema.FINANCING_INSTRUMENTS) + '"')
    elif name == "Constraints":
        add("Group", '"' + ",".join(schema.CONSTRAINT_GROUPS) + '"')


def _properties(wb: Workbook, scn: Scenario, results: RunResult | None) -> None:
    """Title, subject and creator of the file (File > Info in Excel)."""
    from workbench import __version__

    props = wb.properties
    name = "".join(ch for ch in str(scn.name) if ch.isprintable())   # properties hold no control characters
    props.title = f"{name[:200]}: {'scenario and results' if results is not None else 'scenario'}"
    props.subject = ("Investment programme scenario" + (" with allocation and risk results" if results is not None
                                                        else ""))
    props.creator = f"Scenario Workbench {__version__}"
    props.lastModifiedBy = props.creator
    props.keywords = "Scenario Workbench"
    props.description = f"Written by Scenario Workbench {__version__}; read it back with File > Open."


def _correlations_sheet(wb: Workbook, corr: pd.DataFrame) -> None:
    ws = wb.create_sheet("Correlations")
    mk = CellMaker(ws)
    ws.freeze_panes = "B2"
    cols = [str(c) for c in corr.columns]
    mk.plan_widths(["Sector", *cols], [[str(a) for a in corr.index]])
    ws.append(mk.header(["Sector", *cols]))
    for a in corr.index:
        row = [mk.text(str(a), "Correlations row label")]
        for b in corr.columns:
            row.append(mk.number(corr.at[a, b], DECIMAL))
        ws.append(row)


def _about_sheet(wb: Workbook, scn: Scenario, results: RunResult | None) -> None:
    from workbench import __version__

    ws = wb.create_sheet("About")
    mk = CellMaker(ws)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    method = getattr(results, "method", None) or scn.field("Allocation method")
    trials = getattr(results, "trials", None) or scn.field("Trials")
    seed = getattr(results, "seed", None) if results is not None else None
    seed = scn.field("Random seed") if seed is None else seed
    mk.plan_widths(["Item", "Value"], fixed={0: 28, 1: 70})
    ws.append(mk.header(["Item", "Value"]))
    rows = [
        ("App", "Scenario Workbench"),
        ("App version", __version__),
        ("Format version", schema.FORMAT_VERSION),
        ("Written (UTC)", now),
        ("Scenario", scn.name),
        ("Content hash", scn.content_hash()),
        ("Method", method),
        ("Trials", trials),
        ("Seed", seed),
        ("Results", "included" if results is not None else "none (scenario only)"),
    ]
    for k, v in rows:
        ws.append([k, mk.text(v, "About") if isinstance(v, str) else v])
    if scn.provenance:
        ws.append([])
        ws.append(mk.header(["Where values came from", "Source"]))
        for (table, key, column), prov in sorted(scn.provenance.items()):
            ws.append([mk.text(f"{table} / {key} / {column}", "About"), mk.text(prov.describe(), "About")])
