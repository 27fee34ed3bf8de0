"""Export: the workbook a colleague receives, and its round trip."""

from __future__ import annotations

import os
from dataclasses import replace

import openpyxl
import pytest

from workbench import default_scenario
from workbench.excel import ExportError, read_workbook, write_workbook
from workbench.scenario import Provenance


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    path = tmp_path_factory.mktemp("x") / "scenario.xlsx"
    write_workbook(path, default_scenario())
    return path


def test_default_scenario_round_trips(exported):
    r = read_workbook(exported)
    assert r.ok and not r.errors
    assert r.scenario.content_hash() == default_scenario().content_hash()


def test_sheets_header_style_panes_and_formats(exported):
    wb = openpyxl.load_workbook(exported)
    assert wb.sheetnames == ["Scenario", "Sectors", "Projects", "Financing", "Constraints", "Correlations",
                             "Risk events", "Sources", "About"]
    ws = wb["Projects"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["ID", "Project", "Sector"]
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("1F4E79")
    assert ws.freeze_panes == "B2"
    req = header.index("Requested (USD m)") + 1
    ret = header.index("Expected return") + 1
    assert ws.cell(2, req).number_format == "#,##0"
    assert ws.cell(2, ret).number_format == "0.0%" or ws.cell(2, ret).value is None
    assert ws.column_dimensions["B"].width > 20
    assert wb["Scenario"]["B5"].number_format == "#,##0"  # Programme size (USD bn)


def test_dropdowns_for_sector_instrument_financier_include(exported):
    ws = openpyxl.load_workbook(exported)["Projects"]
    header = [c.value for c in ws[1]]
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            found[header[rng.min_col - 1]] = dv.formula1
    assert found["Sector"] == "SectorList"          # a defined name over the Sectors sheet's whole column
    assert found["Instrument"] == '"Equity,Loan,Guarantee"'
    assert found["Financier"] == "FinancierList"
    assert found["Include"] == '"yes,no"'


def test_about_sheet(exported):
    ws = openpyxl.load_workbook(exported)["About"]
    about = {row[0].value: row[1].value for row in ws.iter_rows(min_row=2) if row[0].value}
    assert about["Format version"] == 1
    assert about["Content hash"] == default_scenario().content_hash()
    assert about["Method"] == "mean-variance" and about["Trials"] == 50_000 and about["Seed"] == 20261124
    assert about["App version"] and about["Written (UTC)"].endswith("Z")


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    scn = default_scenario()
    p = scn.projects.copy()
    texts = ["=SUM(A1:A9)", "+1", "-cmd", "@import", "=HYPERLINK(\"http://x\")"]
    p.loc[: len(texts) - 1, "Project"] = texts
    scn = replace(scn, projects=p)
    path = tmp_path / "f.xlsx"
    write_workbook(path, scn)
    ws = openpyxl.load_workbook(path)["Projects"]
    cells = [ws.cell(r, 2) for r in range(2, 2 + len(texts))]
    assert [c.value for c in cells] == texts
    assert all(c.data_type == "s" for c in cells)
    r = read_workbook(path)
    assert r.ok and r.scenario.content_hash() == scn.content_hash()


def test_control_characters_are_escaped_and_come_back(tmp_path):
    scn = default_scenario().with_fields(Description="bell\x07 tab\t cr\r nul\x00 and _x0041_ literal")
    path = tmp_path / "c.xlsx"
    write_workbook(path, scn)
    r = read_workbook(path)
    assert r.ok and r.scenario.fields["Description"] == scn.fields["Description"]


def test_export_is_atomic_and_refuses_text_a_cell_cannot_hold(tmp_path):
    path = tmp_path / "keep.xlsx"
    write_workbook(path, default_scenario())
    before = path.read_bytes()
    too_long = default_scenario().with_fields(Description="x" * 40_000)
    with pytest.raises(ExportError, match="32,767"):
        write_workbook(path, too_long)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.xlsx"]  # no temporary file left behind


def test_export_into_a_missing_folder_leaves_nothing(tmp_path):
    with pytest.raises(OSError):
        write_workbook(tmp_path / "no" / "such" / "x.xlsx", default_scenario())


def test_provenance_is_shown_as_comments_and_in_about(tmp_path):
    scn = default_scenario()
    prov = Provenance("from_kenji.xlsx", "Projects", "H3", "Kenji", "2026-11-20T10:00:00Z")
    scn = replace(scn, provenance={("Projects", "DC-02", "Requested (USD m)"): prov})
    path = tmp_path / "p.xlsx"
    write_workbook(path, scn)
    wb = openpyxl.load_workbook(path)
    header = [c.value for c in wb["Projects"][1]]
    row = [c.value for c in wb["Projects"]["A"]].index("DC-02") + 1
    cell = wb["Projects"].cell(row, header.index("Requested (USD m)") + 1)
    assert cell.comment is not None and "from_kenji.xlsx Projects!H3 by Kenji" in cell.comment.text
    about = [r[1].value for r in wb["About"].iter_rows() if r[1].value]
    assert any("from_kenji.xlsx" in str(v) for v in about)
    assert read_workbook(path).scenario.content_hash() == default_scenario().content_hash()


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\ud800"])
def test_characters_no_workbook_can_store_are_refused_with_where(tmp_path, bad):
    scn = default_scenario()
    p = scn.projects.copy()
    p.loc[2, "Sponsor"] = f"x{bad}y"
    with pytest.raises(ExportError, match=r"Projects row 3, Sponsor: .*U\+"):
        write_workbook(tmp_path / "x.xlsx", replace(scn, projects=p))
    assert list(tmp_path.iterdir()) == []


def test_results_workbook(tmp_path):
    from workbench.pipeline import run_scenario, with_run_options

    scn = default_scenario()
    run = run_scenario(scn, trials=1000, seed=7)
    path = tmp_path / "results.xlsx"
    write_workbook(path, with_run_options(scn, trials=1000, seed=7), results=run)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[7:] == ["Sources", "Key figures", "Allocation", "Risk summary", "Distribution", "Stress tests",
                                 "Impact", "Charts", "About"]
    assert len(wb["Charts"]._charts) == 4
    alloc = wb["Allocation"]
    header = [c.value for c in alloc[1]]
    first = list(alloc.iter_rows(min_row=2, max_row=1 + len(run.allocation.amounts)))
    ids = [r[0].value for r in first]
    amounts = [r[header.index("Allocated (USD m)")].value for r in first]
    assert dict(zip(ids, amounts)) == pytest.approx(run.allocation.amounts)
    figures = {r[0].value: r[2].value for r in wb["Key figures"].iter_rows(min_row=3) if r[0].value}
    assert figures["expected_npv"] == pytest.approx(run.risk.expected_pnl)
    assert figures["cvar"] == pytest.approx(run.risk.cvar)
    stress = [r[0].value for r in wb["Stress tests"].iter_rows(min_row=2, max_row=1 + len(run.stress))]
    assert stress == [s.name for s in run.stress]
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2) if r[0].value}
    assert (about["Method"], about["Trials"], about["Seed"]) == (run.method, 1000, 7)
    assert about["Content hash"] == run.scenario_hash
    back = read_workbook(path)
    assert back.ok and not back.warnings and back.scenario.content_hash() == run.scenario_hash


def test_formula_like_names_in_headers_and_labels_stay_text(tmp_path):
    scn = default_scenario()
    old = scn.sector_names[0]

    def rename(frame, column):
        frame = frame.copy()
        frame.loc[frame[column] == old, column] = "=Chips"
        return frame

    scn = replace(scn, sectors=rename(scn.sectors, "Sector"), projects=rename(scn.projects, "Sector"),
                  constraints=rename(scn.constraints, "Value"),
                  risk_events=scn.risk_events.rename(columns={old: "=Chips"}),
                  correlations=scn.correlations.rename(index={old: "=Chips"}, columns={old: "=Chips"}))
    path = tmp_path / "f.xlsx"
    write_workbook(path, scn)
    wb = openpyxl.load_workbook(path)
    assert wb["Correlations"]["B1"].value == "=Chips" and wb["Correlations"]["B1"].data_type == "s"
    back = read_workbook(path)
    assert back.ok, [i.text() for i in back.errors]
    assert back.scenario.content_hash() == scn.content_hash()


def test_a_large_generated_scenario_round_trips(tmp_path):
    from benchmarks.excel_io import big_scenario

    scn = big_scenario(3_000, seed=11)
    path = tmp_path / "big.xlsx"
    write_workbook(path, scn)
    back = read_workbook(path)
    assert back.ok, [i.text() for i in back.errors][:3]
    assert back.scenario.content_hash() == scn.content_hash()
    assert back.where("Projects", 2_999, "Requested (USD m)") == "Projects!H3001"


def test_openpyxl_parses_through_defusedxml():
    """The app never reads a colleague's file with openpyxl, but anything that does is defused."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML
