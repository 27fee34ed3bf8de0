"""The same workbook as .xlsx, .xlsm, .xls and .ods gives the same scenario."""

from __future__ import annotations

import pytest

from tests.excel.books import PROJECTS, basic, write_book, write_ods, write_xls
from workbench.excel import read_workbook


def test_xls_and_ods_and_xlsm_give_the_same_scenario(tmp_path):
    sheets = basic()
    ref = read_workbook(write_book(tmp_path / "b.xlsx", sheets))
    assert ref.ok
    for path in (write_xls(tmp_path / "b.xls", sheets), write_ods(tmp_path / "b.ods", sheets),
                 write_book(tmp_path / "b.xlsm", sheets)):
        got = read_workbook(path)
        assert got.ok, (path.name, [i.text() for i in got.issues])
        assert got.scenario.content_hash() == ref.scenario.content_hash(), path.name


def test_xls_problems_are_located(tmp_path):
    rows = [PROJECTS[0], ["P1", "P", "Semiconductr", "TX", "Equity", "1,000", None]]
    r = read_workbook(write_xls(tmp_path / "b.xls", basic(Projects=rows)))
    (e,) = r.errors
    assert (e.sheet, e.cell) == ("Projects", "C2") and 'did you mean "Semiconductors"?' in e.text()


def test_ods_percentage_cells_are_taken_at_face_value(tmp_path):
    rows = [["ID", "Sector", "Requested", "Expected return (%)"], ["P1", "Semiconductors", 10, 0.08],
            ["P2", "Semiconductors", 10, 9]]
    r = read_workbook(write_ods(tmp_path / "b.ods", basic(Projects=rows), percent={("Projects", 1, 3)}))
    assert r.ok, [i.text() for i in r.issues]
    assert list(r.scenario.projects["Expected return"]) == pytest.approx([0.08, 0.09])


def test_ods_formula_without_saved_value_is_an_error(tmp_path):
    rows = [["ID", "Sector", "Requested"], ["P1", "Semiconductors", None]]
    r = read_workbook(write_ods(tmp_path / "b.ods", basic(Projects=rows),
                                formulas={("Projects", 1, 2): "of:=5*2"}))
    (e,) = r.errors
    assert (e.sheet, e.cell) == ("Projects", "C2") and "formula" in e.message


def test_ods_error_text_is_an_error(tmp_path):
    rows = [["ID", "Sector", "Requested"], ["P1", "Semiconductors", "#DIV/0!"]]
    r = read_workbook(write_ods(tmp_path / "b.ods", basic(Projects=rows)))
    (e,) = r.errors
    assert e.cell == "C2" and "#DIV/0!" in e.message


def test_xls_percent_header_refuses_values_it_cannot_read_safely(tmp_path):
    """.xls cell formats are not read, so 0.08 under (%) could be 8 % or 0.08 %: an error, not a guess."""
    rows = [["ID", "Sector", "Requested", "Expected return (%)"], ["P1", "Semiconductors", 10, 8],
            ["P2", "Semiconductors", 10, 0.08]]
    r = read_workbook(write_xls(tmp_path / "b.xls", basic(Projects=rows)))
    (e,) = r.errors
    assert e.cell == "D3" and "save the file as .xlsx" in e.text()
    rows.pop()
    r = read_workbook(write_xls(tmp_path / "c.xls", basic(Projects=rows)))
    assert r.ok and list(r.scenario.projects["Expected return"]) == pytest.approx([0.08])
