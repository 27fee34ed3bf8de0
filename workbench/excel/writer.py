"""``write_workbook``: a scenario (and its results) -> a workbook a colleague is glad to get.

Scenario sheets in the format of ``shared/spec/workbook-format.md``, styled, with number
formats and dropdowns; the results sheets when results are given; ``About`` always. The
file is written beside the target and renamed into place (atomic).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import tempfile

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from workbench import schema
from workbench.excel.style import COUNT, DECIMAL, INTEGER, MONEY, PERCENT, CellMaker, ExportError
from workbench.excel.tables import row_keys
from workbench.scenario import Scenario
from workbench.schema import SCENARIO_FIELDS, Column

__all__ = ["ExportError", "write_workbook"]

DROPDOWN_SPARE_ROWS = 500   # dropdowns reach this far below the last row, for rows a colleague adds


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


def write_workbook(path, scn: Scenario, results=None) -> None:
    """Write ``scn`` (and ``results``, a RunResult, when given) to ``path`` atomically.

    Raises :class:`ExportError` when a value cannot be held by a workbook (the message
    says where), and ``OSError`` when the folder is not writable; the target is then
    untouched.
    """
    target = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(target))
    wb = build_workbook(scn, results)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx.tmp", dir=folder)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def build_workbook(scn: Scenario, results=None) -> Workbook:
    wb = Workbook(write_only=True)
    comments = _provenance_by_cell(scn)
    _fields_sheet(wb, scn, comments)
    sectors_n = len(scn.sectors)
    financing_n = len(scn.financing)
    for name in schema.TABLES:
        frame = scn.table(name)
        _table_sheet(wb, name, frame, comments, sectors_n, financing_n)
        if name == "Projects" and scn.correlations is not None:
            pass
    if scn.correlations is not None:
        _correlations_sheet(wb, scn)
    _reorder(wb)
    if results is not None:
        from workbench.excel.results_sheets import write_results
        write_results(wb, scn, results)
    _about_sheet(wb, scn, results)
    return wb


def _reorder(wb: Workbook) -> None:
    order = {s: i for i, s in enumerate(schema.INPUT_SHEETS)}
    wb._sheets.sort(key=lambda ws: order.get(ws.title, 99))


def _provenance_by_cell(scn: Scenario) -> dict[tuple[str, int | str, str], str]:
    """Provenance notes keyed by (table, row position or field, column)."""
    if not scn.provenance:
        return {}
    positions: dict[str, dict[str, int]] = {}
    out = {}
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


def _fields_sheet(wb: Workbook, scn: Scenario, comments: dict) -> None:
    ws = wb.create_sheet("Scenario")
    mk = CellMaker(ws)
    ws.freeze_panes = "A2"
    ws.append(mk.header(["Field", "Value", "About this field"]))
    for r, col in enumerate(SCENARIO_FIELDS.columns, start=2):
        value = scn.fields.get(col.name)
        where = f"Scenario {col.name}"
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
        mk.note_width(0, col.name)
        mk.note_width(1, str(value) if value is not None and not isinstance(value, float) else "0000000000")
        ws.append([col.name, cell, about])
        if col.kind == "choice":
            dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True)
            dv.add(f"B{r}")
            ws.data_validations.append(dv)
    mk.widths[2] = 70
    mk.widths[1] = min(max(mk.widths.get(1, 12), 16), 60)
    mk.apply_widths()


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


def _table_sheet(wb: Workbook, name: str, frame, comments: dict, sectors_n: int, financing_n: int) -> None:
    table = schema.TABLES[name]
    ws = wb.create_sheet(name)
    mk = CellMaker(ws)
    cols = list(frame.columns)
    specs = [table.by_name.get(c, schema.SHOCK_COLUMN) for c in cols]
    ws.freeze_panes = "B2" if name in ("Projects",) else "A2"
    ws.append(mk.header(cols))
    n = len(frame)
    columns = [frame[c].tolist() for c in cols]
    kinds = []
    for j, spec in enumerate(specs):
        if spec is schema.SHOCK_COLUMN:
            kinds.append(("num", PERCENT))
        elif spec.is_numeric:
            kinds.append(("num", number_format(spec)))
        elif spec.kind == "bool":
            kinds.append(("bool", None))
        else:
            kinds.append(("text", None))
        for v in columns[j][:200]:
            if kinds[j][0] == "text" and v is not None:
                mk.note_width(j, str(v))
            elif kinds[j][0] == "num":
                mk.note_width(j, "00,000.0")
    has_notes = any(k[0] == name for k in comments)
    for i in range(n):
        row = []
        for j, (kind, fmt) in enumerate(kinds):
            v = columns[j][i]
            if kind == "num":
                cell = mk.number(v, fmt) if v == v and v is not None else None
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
    mk.apply_widths()


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def _dropdowns(ws, name: str, cols: list[str], n: int, sectors_n: int, financing_n: int) -> None:
    last = n + 1 + DROPDOWN_SPARE_ROWS

    def add(column: str, formula: str, strict: bool = True) -> None:
        if column not in cols:
            return
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict)
        if strict:
            dv.error = f"Pick a {column.lower()} from the list."
            dv.errorTitle = column
        dv.add(f"{_letter(cols.index(column))}2:{_letter(cols.index(column))}{last}")
        ws.data_validations.append(dv)

    if name == "Projects":
        add("Sector", f"=Sectors!$A$2:$A${max(sectors_n, 1) + 1}")
        add("Instrument", '"' + ",".join(schema.INSTRUMENTS) + '"')
        add("Financier", f"=Financing!$A$2:$A${max(financing_n, 1) + 1}", strict=False)
        add("Include", '"yes,no"')
    elif name == "Financing":
        add("Instrument", '"' + ",".join(schema.FINANCING_INSTRUMENTS) + '"')
    elif name == "Constraints":
        add("Group", '"' + ",".join(schema.CONSTRAINT_GROUPS) + '"')


def _correlations_sheet(wb: Workbook, scn: Scenario) -> None:
    corr = scn.correlations
    ws = wb.create_sheet("Correlations")
    mk = CellMaker(ws)
    ws.freeze_panes = "B2"
    cols = [str(c) for c in corr.columns]
    ws.append(mk.header(["Sector", *cols]))
    for a in corr.index:
        row = [mk.text(str(a), "Correlations row label")]
        mk.note_width(0, str(a))
        for b in corr.columns:
            row.append(mk.number(corr.at[a, b], DECIMAL))
        ws.append(row)
    mk.apply_widths()


def _about_sheet(wb: Workbook, scn: Scenario, results) -> None:
    from workbench import __version__

    ws = wb.create_sheet("About")
    mk = CellMaker(ws)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    method = getattr(results, "method", None) or scn.field("Allocation method")
    trials = getattr(results, "trials", None) or scn.field("Trials")
    seed = getattr(results, "seed", None) if results is not None else None
    seed = scn.field("Random seed") if seed is None else seed
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
    mk.widths.update({0: 28, 1: 70})
    mk.apply_widths()
