"""Every Tolerance rule of the workbook format, each from a real file written here."""

from __future__ import annotations

import math

import pytest

from tests.excel.books import FIELDS, PROJECTS, SECTORS, basic, patch_member, sheet_member, write_book
from workbench.excel import read_workbook


def project(result, pid: str) -> dict:
    p = result.scenario.projects
    return p[p["ID"] == pid].iloc[0].to_dict()


def errors(result) -> list:
    return [i for i in result.issues if i.is_error]


def test_a_plain_workbook_imports(tmp_path):
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic()))
    assert r.ok, [i.text() for i in r.issues]
    assert list(r.scenario.projects["ID"]) == ["P1", "P2", "P3"]
    assert project(r, "P1")["Requested (USD m)"] == 1000
    assert math.isnan(project(r, "P3")["Minimum ticket (USD m)"])  # empty stays empty; the default applies later
    assert r.scenario.fields["Programme size (USD bn)"] == 10


def test_header_below_title_rows_and_blank_rows(tmp_path):
    rows = [["Pipeline of candidate projects"], [], ["as of November"], *PROJECTS[:2], [], [], *PROJECTS[2:]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert r.ok, [i.text() for i in r.issues]
    assert list(r.scenario.projects["ID"]) == ["P1", "P2", "P3"]
    assert r.where("Projects", 2, "Requested (USD m)") == "Projects!F9"  # header on row 4, two blank rows


def test_synonyms_any_order_case_and_punctuation(tmp_path):
    rows = [["amount", "project-id", "SECTOR", "Type"],
            [1000, "P1", "Semiconductors", "equity"], [2000, "P2", "data centers", "LOAN"]]
    sheets = {"scenario": FIELDS, "SECTORS ": SECTORS, "Pipeline": rows}
    r = read_workbook(write_book(tmp_path / "b.xlsx", sheets))
    assert r.ok, [i.text() for i in r.issues]
    assert project(r, "P2")["Requested (USD m)"] == 2000
    assert project(r, "P2")["Instrument"] == "Loan"
    assert project(r, "P1")["Instrument"] == "Equity"


def test_unknown_column_and_sheet_are_reported_as_ignored(tmp_path):
    rows = [[*row, f"note {i}"] for i, row in enumerate(PROJECTS)]
    rows[0][-1] = "Comments"
    sheets = basic(Projects=rows)
    sheets["My notes"] = [["anything"]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", sheets))
    assert r.ok
    texts = [i.text() for i in r.warnings]
    assert any("Projects!H1" in t and "Comments" in t and "ignored" in t for t in texts), texts
    assert any("My notes" in t and "ignored" in t for t in texts), texts


def test_results_sheets_are_ignored_silently(tmp_path):
    sheets = basic()
    sheets["Allocation"] = [["ID", "Allocated"], ["P1", 5]]
    sheets["About"] = [["Item", "Value"]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", sheets))
    assert r.ok and not [w for w in r.warnings if w.sheet in ("Allocation", "About")]


@pytest.mark.parametrize(("header", "cell", "expected"), [
    ("Requested (USD bn)", 1.5, 1500.0),
    ("Requested ($bn)", 2, 2000.0),
    ("Requested ($m)", 2, 2.0),
    ("Requested (USD mn)", 3, 3.0),
    ("Requested (JPY bn)", 300, 300e9 / 120 / 1e6),       # the scenario's own rate, 120 yen
    ("Requested (¥bn)", 240, 240e9 / 120 / 1e6),
    ("Requested (JPY m)", 1200, 1200e6 / 120 / 1e6),
])
def test_unit_suffix_in_header_converts_the_column(tmp_path, header, cell, expected):
    fields = [row if row[0] != "JPY per USD" else ["JPY per USD", 120] for row in FIELDS]
    rows = [["ID", "Sector", header], ["P1", "Semiconductors", cell]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Scenario=fields, Projects=rows)))
    assert r.ok, [i.text() for i in r.issues]
    assert project(r, "P1")["Requested (USD m)"] == pytest.approx(expected, rel=1e-12)


def test_rate_given_by_the_caller_wins(tmp_path):
    rows = [["ID", "Sector", "Requested (JPY bn)"], ["P1", "Semiconductors", 300]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)), jpy_per_usd=100.0)
    assert project(r, "P1")["Requested (USD m)"] == pytest.approx(3000.0)


@pytest.mark.parametrize(("text", "expected"), [
    ("1,200", 1200.0), (" 1,200 ", 1200.0), ("$1.2bn", 1200.0), ("¥180bn", 1200.0), ("USD 750m", 750.0),
    ("$500m", 500.0), ("1,234.5", 1234.5), ("2.5 bn", 2500.0),
])
def test_numbers_written_as_text(tmp_path, text, expected):
    rows = [["ID", "Sector", "Requested (USD m)"], ["P1", "Semiconductors", text]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert r.ok, [i.text() for i in r.issues]
    assert project(r, "P1")["Requested (USD m)"] == pytest.approx(expected)


def test_percent_text_parentheses_and_missing_words(tmp_path):
    rows = [["ID", "Sector", "Requested", "Expected return", "Specific risk", "Minimum ticket"],
            ["P1", "Semiconductors", 10, "12%", "n/a", "-"],
            ["P2", "Semiconductors", 10, " 7.5 % ", "", "(0)"]]
    events = [["Event", "Annual probability", "Semiconductors"], ["Shock", "10%", "(0.2)"]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows, **{"Risk events": events})))
    assert r.ok, [i.text() for i in r.issues]
    assert project(r, "P1")["Expected return"] == pytest.approx(0.12)
    assert project(r, "P2")["Expected return"] == pytest.approx(0.075)
    assert math.isnan(project(r, "P1")["Specific risk"]) and math.isnan(project(r, "P1")["Minimum ticket (USD m)"])
    ev = r.scenario.risk_events.iloc[0]
    assert ev["Semiconductors"] == pytest.approx(-0.2) and ev["Annual probability"] == pytest.approx(0.1)


def test_a_number_above_one_in_a_fraction_column_is_an_error_naming_the_cell(tmp_path):
    rows = [["ID", "Sector", "Requested", "Expected return"], ["P1", "Semiconductors", 10, 8]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert r.scenario is None
    (e,) = errors(r)
    assert (e.sheet, e.cell) == ("Projects", "D2")
    assert "0.08" in e.text()  # the suggestion says how to write 8 %


def test_percent_formatted_cells_are_taken_at_face_value(tmp_path):
    rows = [["ID", "Sector", "Requested", "Expected return (%)", "Specific risk (%)"],
            ["P1", "Semiconductors", 10, 0.08, 12],
            ["P2", "Semiconductors", 10, 9, 0.2]]
    formats = {("Projects", "D2"): "0%", ("Projects", "E3"): "0.0%"}
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows), formats=formats))
    assert r.ok, [i.text() for i in r.issues]
    assert project(r, "P1")["Expected return"] == pytest.approx(0.08)   # formatted: face value
    assert project(r, "P2")["Expected return"] == pytest.approx(0.09)   # plain under (%): divided by 100
    assert project(r, "P1")["Specific risk"] == pytest.approx(0.12)
    assert project(r, "P2")["Specific risk"] == pytest.approx(0.2)


def test_a_percent_formatted_cell_above_100_percent_is_an_error(tmp_path):
    rows = [["ID", "Sector", "Requested", "Recovery rate"], ["P1", "Semiconductors", 10, 1.5]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows), formats={("Projects", "D2"): "0%"}))
    (e,) = errors(r)
    assert e.cell == "D2" and "150" in e.text()


def test_unit_in_the_cell_wins_over_the_header(tmp_path):
    rows = [["ID", "Sector", "Requested (USD bn)", "Expected return (%)"],
            ["P1", "Semiconductors", "$500m", "7%"], ["P2", "Semiconductors", "¥150bn", 7]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert r.ok, [i.text() for i in r.issues]
    assert project(r, "P1")["Requested (USD m)"] == pytest.approx(500)
    assert project(r, "P2")["Requested (USD m)"] == pytest.approx(1000)
    assert project(r, "P1")["Expected return"] == pytest.approx(0.07)
    assert project(r, "P2")["Expected return"] == pytest.approx(0.07)


def test_unreadable_or_contradictory_numbers_are_errors_at_their_cells(tmp_path):
    rows = [["ID", "Sector", "Requested", "Expected return", "Strategic score"],
            ["P1", "Semiconductors", "about ten", 0.1, 5], ["P2", "Semiconductors", "5%", "$3m", "$2"],
            ["P3", "Semiconductors", "¥1,200", 0.1, 5]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert r.scenario is None
    assert {e.cell for e in errors(r)} == {"C2", "C3", "D3", "E3", "C4"}


def test_merged_header_cells_count_as_their_top_left_value(tmp_path):
    rows = [["Projects"], ["ID", "Sector", "Requested (USD m)", "Amounts"], [None, None, None, "Minimum ticket"],
            ["P1", "Semiconductors", 1000, 5]]
    merges = {"Projects": ["A1:D1", "A2:A3", "B2:B3", "C2:C3"]}
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows), merges=merges))
    assert r.ok, [i.text() for i in r.issues]
    assert project(r, "P1")["Requested (USD m)"] == 1000


def test_merged_title_across_the_header_columns(tmp_path):
    rows = [["Sectors of the programme", None, None], SECTORS[0], *SECTORS[1:]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Sectors=rows), merges={"Sectors": ["A1:E1"]}))
    assert r.ok and r.scenario.sector_names == ["Semiconductors", "Data centers"]


def test_formula_is_read_through_its_saved_value(tmp_path):
    path = write_book(tmp_path / "b.xlsx", basic())
    member = sheet_member(path, "Projects")
    patch_member(path, member, b'<c r="F2" t="n"><v>1000</v></c>', b'<c r="F2"><f>500*2</f><v>1000</v></c>')
    r = read_workbook(path)
    assert r.ok and project(r, "P1")["Requested (USD m)"] == 1000


def test_formula_without_saved_value_is_an_error_naming_the_cell(tmp_path):
    rows = [PROJECTS[0], ["P1", "P", "Semiconductors", "TX", "Equity", "=500*2", 0]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert r.scenario is None
    (e,) = errors(r)
    assert (e.sheet, e.cell) == ("Projects", "F2") and "formula" in e.message, [i.text() for i in r.errors]


@pytest.mark.parametrize("err", ["#REF!", "#DIV/0!", "#N/A", "#VALUE!"])
def test_excel_error_values_are_errors_naming_the_cell(tmp_path, err):
    rows = [PROJECTS[0], ["P1", "P", "Semiconductors", "TX", "Equity", err, 0]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    (e,) = errors(r)
    assert (e.sheet, e.cell) == ("Projects", "F2") and err in e.message


def test_error_values_in_text_columns_and_fields(tmp_path):
    fields = [*FIELDS, ["Discount rate", "#DIV/0!"]]
    rows = [PROJECTS[0], ["P1", "#NAME?", "Semiconductors", "TX", "Equity", 10, 0]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Scenario=fields, Projects=rows)))
    assert {(e.sheet, e.cell) for e in errors(r)} == {("Scenario", "B7"), ("Projects", "B2")}


def test_unknown_names_get_a_did_you_mean(tmp_path):
    rows = [PROJECTS[0], ["P1", "P", "Semiconductor", "TX", "Equityy", 10, 0]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    by_cell = {e.cell: e.text() for e in errors(r)}
    assert by_cell["C2"].startswith('Projects!C2: Sector "Semiconductor" is not in')
    assert 'did you mean "Semiconductors"?' in by_cell["C2"]
    assert 'did you mean "Equity"?' in by_cell["E2"]


def test_a_missing_required_sheet_suggests_the_near_name(tmp_path):
    sheets = {"Scenario": FIELDS, "Sectors": SECTORS, "Projets": PROJECTS}
    r = read_workbook(write_book(tmp_path / "b.xlsx", sheets))
    assert r.scenario is None
    assert any("no Projects sheet" in e.message and "Projets" in (e.suggestion or "") for e in errors(r))


def test_duplicate_ids_are_errors(tmp_path):
    rows = [*PROJECTS, ["p1", "Again", "Semiconductors", "TX", "Equity", 10, 0]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    (e,) = errors(r)
    assert e.cell == "A5" and "twice" in e.message


def test_out_of_range_values_are_errors_at_their_cells(tmp_path):
    rows = [PROJECTS[0], ["P1", "P", "Semiconductors", "TX", "Equity", -5, None],
            ["P2", "P", "Semiconductors", "TX", "Equity", 10, 20]]
    fields = [*FIELDS, ["Trials", 10]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows, Scenario=fields)))
    assert {(e.sheet, e.cell) for e in errors(r)} == {("Projects", "F2"), ("Projects", "G3"), ("Scenario", "B7")}


def test_non_psd_correlations_are_repaired_with_a_warning(tmp_path):
    sectors = [SECTORS[0], *SECTORS[1:], ["Batteries", 0.07, 0.2, 1, 1]]
    corr = [["", "Semiconductors", "Data centers", "Batteries"],
            ["Semiconductors", 1, 0.9, 0.9], ["Data centers", 0.9, 1, -0.9], ["Batteries", 0.9, -0.9, 1]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Sectors=sectors, Correlations=corr)))
    assert r.ok, [i.text() for i in r.issues]
    (w,) = [i for i in r.warnings if "positive semi-definite" in i.message]
    assert "changes one entry by up to" in w.message and w.sheet == "Correlations"


def test_correlations_in_any_order_one_triangle_and_case(tmp_path):
    corr = [["", "data centers", "SEMICONDUCTORS"], ["Semiconductors", 0.4, None], ["Data centers", 1, None]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Correlations=corr)))
    assert r.ok, [i.text() for i in r.issues]
    m = r.scenario.correlation_matrix()
    assert m[0, 1] == m[1, 0] == pytest.approx(0.4)


def test_correlation_label_that_is_not_a_sector(tmp_path):
    corr = [["", "Semiconductors", "Data center"], ["Semiconductors", 1, 0.3], ["Data center", 0.3, 1]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Correlations=corr)))
    assert r.scenario is None
    assert any('did you mean "Data centers"?' in e.text() and e.sheet == "Correlations" for e in errors(r))


def test_absent_correlations_warns_that_sectors_are_independent(tmp_path):
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic()))
    assert r.ok and r.scenario.correlations is None
    assert any("independent" in w.message for w in r.warnings)


def test_all_problems_are_collected_not_just_the_first(tmp_path):
    rows = [PROJECTS[0], ["P1", "P", "Semiconductor", "TX", "Equity", -1, None],
            ["P1", "P", "Semiconductors", "Texass", "Equity", 10, 0]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert {e.cell for e in errors(r)} == {"C2", "F2", "A3", "D3"}
    assert all(e.sheet == "Projects" for e in errors(r))


def test_include_column_accepts_yes_no_words(tmp_path):
    rows = [["ID", "Sector", "Requested", "Include"], ["P1", "Semiconductors", 1, "Y"], ["P2", "Semiconductors", 1, 0],
            ["P3", "Semiconductors", 1, False], ["P4", "Semiconductors", 1, "maybe"]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    (e,) = errors(r)
    assert e.cell == "D5"
    rows.pop()
    r = read_workbook(write_book(tmp_path / "c.xlsx", basic(Projects=rows)))
    assert list(r.scenario.projects["Include"]) == [True, False, False]


def test_a_date_in_a_number_column_is_an_error(tmp_path):
    import datetime as dt

    rows = [["ID", "Sector", "Requested", "Start year"], ["P1", "Semiconductors", 1, dt.date(2027, 1, 1)]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    (e,) = errors(r)
    assert e.cell == "D2" and "date" in e.message


def test_numbers_as_ids_become_text(tmp_path):
    rows = [["ID", "Sector", "Requested"], [101, "Semiconductors", 1]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert list(r.scenario.projects["ID"]) == ["101"]


def test_fields_with_units_in_their_names(tmp_path):
    fields = [["Field", "Value"], ["Name", "x"], ["Programme size (JPY bn)", 30_000], ["Discount rate (%)", 4],
              ["JPY per USD", 150], ["Method", "Min CVaR"]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Scenario=fields)))
    assert r.ok, [i.text() for i in r.issues]
    assert r.scenario.fields["Programme size (USD bn)"] == pytest.approx(200.0)
    assert r.scenario.fields["Discount rate"] == pytest.approx(0.04)
    assert r.scenario.fields["Allocation method"] == "min-cvar"


def test_any_error_leaves_no_scenario_but_warnings_keep_it(tmp_path):
    bad = read_workbook(write_book(tmp_path / "b.xlsx", basic(Scenario=[["Field", "Value"], ["Name", None]])))
    assert bad.scenario is None and bad.errors
    good = read_workbook(write_book(tmp_path / "c.xlsx", basic()))
    assert good.scenario is not None and good.warnings and not good.errors


def test_negative_in_parentheses_and_field_amounts(tmp_path):
    fields = [*FIELDS, ["Target expected P&L (USD bn)", "(1.5)"], ["Risk aversion", " 3 "]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Scenario=fields)))
    assert r.ok, [i.text() for i in r.issues]
    assert r.scenario.fields["Target expected P&L (USD m)"] == pytest.approx(-1500)
    assert r.scenario.fields["Risk aversion"] == 3


def test_asymmetric_correlations_and_bad_diagonal_are_errors(tmp_path):
    corr = [["", "Semiconductors", "Data centers"], ["Semiconductors", 0.9, 0.3], ["Data centers", 0.4, 1]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Correlations=corr)))
    assert r.scenario is None
    cells = {e.cell for e in r.errors}
    assert "B2" in cells  # the diagonal must be 1
    assert cells & {"C2", "B3"}  # symmetric pair differs


def test_optional_sheets_from_a_colleague(tmp_path):
    financing = [["Lender", "instrument", "Limit ($bn)"], ["JBIC", "equity", 100], ["JBIC", "Loan", "$50bn"]]
    constraints = [["Dimension", "Item", "Max share (%)", "Min ($bn)"], ["Sector", "Semiconductors", 35, None],
                   ["Total", "*", None, 5]]
    events = [["Risks"], ["Event", "Probability", "Years", "semiconductors", "DATA CENTERS"],
              ["Tariff ruling", "25%", 2, "-8%", -0.04]]
    projects = [[*PROJECTS[0], "Financier"], *[[*row, "JBIC"] for row in PROJECTS[1:]]]
    sheets = basic(Projects=projects, Financing=financing, Constraints=constraints, **{"Risk-Events": events})
    r = read_workbook(write_book(tmp_path / "b.xlsx", sheets))
    assert r.ok, [i.text() for i in r.issues]
    f = r.scenario.financing
    assert list(f["Instrument"]) == ["Equity", "Loan"] and list(f["Capacity (USD m)"]) == [100_000, 50_000]
    c = r.scenario.constraints
    assert c["Max share"].iloc[0] == pytest.approx(0.35) and c["Min (USD m)"].iloc[1] == 5000
    e = r.scenario.risk_events.iloc[0]
    assert e["Semiconductors"] == pytest.approx(-0.08) and e["Data centers"] == pytest.approx(-0.04)
    assert e["Duration (years)"] == 2 and e["Annual probability"] == pytest.approx(0.25)


def test_a_misspelled_sector_column_in_risk_events_is_an_error(tmp_path):
    events = [["Event", "Annual probability", "Semiconductor", "Notes"], ["Shock", 0.1, -0.2, "from the memo"]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(**{"Risk events": events})))
    (e,) = r.errors
    assert e.cell == "C1" and 'did you mean "Semiconductors"?' in e.text()
    assert any(w.cell == "D1" and "ignored" in w.message for w in r.warnings)


def test_scenario_sheet_without_a_header_row_or_below_a_title(tmp_path):
    bare = [row for row in FIELDS[1:]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Scenario=bare)))
    assert r.ok, [i.text() for i in r.issues]
    assert r.scenario.fields["Name"] == "Test scenario" and r.where("Scenario", None, "Start year") == "Scenario!B3"
    titled = [["Settings of the November draft"], [], *FIELDS]
    r = read_workbook(write_book(tmp_path / "c.xlsx", basic(Scenario=titled)))
    assert r.ok and r.where("Scenario", None, "Name") == "Scenario!B4"
