"""No value is replaced in silence: a cell holding something the import does not use is
an issue at its sheet!cell, and an error when a value would otherwise take a default."""

from __future__ import annotations

import zipfile

import pytest

from tests.excel.books import PROJECTS, basic, patch_member, sheet_member, write_book
from workbench.excel import read_workbook

WITH_COUPON = [[*r, x] for r, x in zip(PROJECTS, ["Coupon or fee", 0.06, 0.05, 0.04])]


def errors_at(result) -> dict[str, str]:
    return {i.cell: i.message for i in result.errors if i.cell}


@pytest.mark.parametrize("header", [None, "   ", "=1+1", "#REF!"])
def test_values_under_a_header_that_names_nothing_are_an_error_at_their_cell(tmp_path, header):
    rows = [r[:] for r in WITH_COUPON]
    rows[0][-1] = header
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert not r.ok
    message = errors_at(r)["H2"]
    assert "Column H has values but its header H1" in message and "default values" in message
    assert "Two columns mean" not in " ".join(i.message for i in r.issues)


def test_an_error_header_in_a_format_storing_errors_as_text_is_not_taken_for_the_id(tmp_path):
    from tests.excel.books import write_ods

    rows = [r[:] for r in WITH_COUPON]
    rows[0][-1] = "#REF!"
    r = read_workbook(write_ods(tmp_path / "b.ods", basic(Projects=rows)))
    messages = " ".join(i.message for i in r.issues)
    assert "Two columns mean ID" not in messages
    assert "holds the error #REF!" in errors_at(r)["H2"]


def test_the_same_column_with_its_header_reads_its_values(tmp_path):
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=WITH_COUPON)))
    assert r.ok, r.issues
    assert list(r.scenario.projects["Coupon or fee"]) == [0.06, 0.05, 0.04]


def test_a_headerless_column_beside_a_complete_table_is_a_warning(tmp_path):
    from workbench import schema

    names = schema.PROJECTS.column_names
    full = [[*names, None], ["P1", "Fab", "Semiconductors", *([None] * (len(names) - 3)), "a note"]]
    full[1][names.index("Requested (USD m)")] = 100
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=full)))
    col = chr(ord("A") + len(names))
    warning = next(i for i in r.warnings if i.cell == f"{col}2")
    assert "so it is ignored" in warning.message


def test_a_misspelt_header_of_a_missing_column_with_values_is_an_error(tmp_path):
    rows = [r[:] for r in WITH_COUPON]
    rows[0][-1] = "Coupon or fea"
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(Projects=rows)))
    assert "Coupon or fee would take its default" in errors_at(r)["H1"]


def test_a_shock_column_without_a_header_is_an_error(tmp_path):
    events = [["Event", "Annual probability", "Semiconductors", None], ["Shock", 0.1, -0.2, -0.3]]
    r = read_workbook(write_book(tmp_path / "b.xlsx", basic(**{"Risk events": events})))
    assert not r.ok
    assert "Data centers" in errors_at(r)["D2"]


def test_nan_stored_as_a_number_is_an_error_not_an_empty_cell(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"<v>100</v>", b"<v>nan</v>")   # an optional column
    r = read_workbook(p)
    assert "NaN (not a number)" in errors_at(r)["G2"]


@pytest.mark.parametrize("target", ["../xl/worksheets/{f}", "worksheets/../worksheets/{f}", "/XL/worksheets/{f}",
                                    "./worksheets/{f}"])
def test_a_sheet_reached_by_an_unusual_path_is_never_read_unchecked(tmp_path, target):
    """Its formulas without saved values would otherwise be read as empty cells."""
    rows = [*WITH_COUPON[:2], ["P2", "Campus", "Data centers", "VA", "Loan", 2000, 0, "=0.05*1"]]
    p = write_book(tmp_path / "b.xlsx", basic(Projects=rows))
    member = sheet_member(p, "Projects")
    with zipfile.ZipFile(p) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels")
    name = member.rsplit("/", 1)[1]
    old = next(t for t in rels.split(b'"') if t.endswith(name.encode()))
    patch_member(p, "xl/_rels/workbook.xml.rels", b'"' + old + b'"', b'"' + target.format(f=name).encode() + b'"')
    r = read_workbook(p)
    assert not r.ok
    assert r.fatal or "formula with no saved value" in errors_at(r).get("H3", "")
