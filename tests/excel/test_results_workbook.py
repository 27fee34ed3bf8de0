"""The results workbook a colleague receives: every results sheet filters and keeps its header in view,
dropdowns follow the Sectors and Financing sheets as they grow, a State dropdown, document properties.
Checked by opening the written file with openpyxl."""

from __future__ import annotations

import openpyxl
import pytest

from workbench import __version__, schema
from workbench.default_scenario import default_scenario
from workbench.excel import read_workbook, write_workbook
from workbench.pipeline import run_scenario


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    scn = default_scenario()
    run = run_scenario(scn, trials=1_000, frontier_points=3)
    path = tmp_path_factory.mktemp("results") / "results.xlsx"
    write_workbook(path, scn, run)
    return path, scn


def _validations(ws) -> dict[str, object]:
    """Data validations by the column letter they start in."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}


def test_every_results_sheet_has_an_autofilter_and_a_frozen_header(book):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    results = [s for s in schema.RESULT_SHEETS if s in wb.sheetnames and s != "About"]
    assert {"Key figures", "Allocation", "Risk summary", "Distribution", "Stress tests", "Charts"} <= set(results)
    for name in results:
        ws = wb[name]
        ref = ws.auto_filter.ref
        assert ref, f"{name} has no autofilter"
        top = int(ref.split(":")[0][1:])
        header = [c.value for c in ws[top]]
        assert header[0], f"{name}: the autofilter does not start on a header row ({ref})"
        assert ws.freeze_panes is not None, f"{name} has no frozen header"
        frozen_rows = int(ws.freeze_panes.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - 1
        assert frozen_rows == top, f"{name}: frozen to row {frozen_rows}, header at {top}"
        bottom = int(ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        assert bottom > top and ws.cell(bottom, 1).value is not None   # the filter covers the table's rows


def test_dropdown_lists_are_names_that_grow_with_their_sheets(book):
    path, _ = book
    wb = openpyxl.load_workbook(path)
    names = wb.defined_names
    for name, sheet in (("SectorList", "Sectors"), ("FinancierList", "Financing")):
        text = names[name].attr_text
        assert f"COUNTA('{sheet}'!$A:$A)" in text and f"'{sheet}'!$A$2" in text, text   # the whole column
    dvs = _validations(wb["Projects"])
    header = [c.value for c in wb["Projects"][1]]
    letter = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(header)}
    assert dvs[letter["Sector"]].formula1 == "SectorList"
    assert dvs[letter["Financier"]].formula1 == "FinancierList"
    assert str(dvs[letter["Sector"]].sqref).endswith("1048576")   # rows added anywhere below have it too
    assert "$A$2:$A$" not in "".join(str(dv.formula1) for dv in dvs.values())
    assert dvs[letter["Sector"]].error == "Pick a sector from the list."
    assert dvs[letter["Instrument"]].error == "Pick an instrument from the list."


def test_a_state_dropdown_lists_every_state_code(book):
    path, _ = book
    ws = openpyxl.load_workbook(path)["Projects"]
    header = [c.value for c in ws[1]]
    dv = _validations(ws)[openpyxl.utils.get_column_letter(header.index("State") + 1)]
    codes = dv.formula1.strip('"').split(",")
    assert set(codes) == set(schema.US_STATES) and "TX" in codes
    assert not dv.showErrorMessage   # full names ("Texas") are accepted by the app too


def test_document_properties_name_the_scenario_and_the_app(book):
    path, scn = book
    props = openpyxl.load_workbook(path).properties
    assert props.creator == f"Scenario Workbench {__version__}"
    assert scn.name in props.title and "results" in props.title
    assert "results" in props.subject


def test_the_workbook_still_reads_back_to_the_same_scenario(book):
    path, scn = book
    back = read_workbook(path)
    assert not [i for i in back.issues if i.is_error]
    assert back.scenario.same_content(scn)


def test_the_charts_sheet_names_npv_at_the_scenarios_rate(book):
    """The Charts sheet's data tables and chart titles name the measure as the key figures do."""
    path, _ = book
    ws = openpyxl.load_workbook(path)["Charts"]
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "NPV at 5 % bin (USD bn)" in cells and "Change in expected NPV at 5 % (USD m)" in cells
    assert not any("P&L" in c for c in cells)
    titles = []
    for chart in ws._charts:
        rich = chart.title.tx.rich if chart.title is not None and chart.title.tx is not None else None
        titles += ["".join(r.t for p in rich.p for r in (p.r or [])) if rich is not None else ""]
    assert "Distribution of the programme's NPV at 5 %" in titles
    assert not any("P&L" in t for t in titles)
