"""Untrusted files: each gets one clear message (never a traceback), and nothing is loaded."""

from __future__ import annotations

import zipfile

import pytest

from tests.excel.books import PROJECTS, SECTORS, basic, cfb_file, patch_member, sheet_member, write_book
from workbench.excel import read_workbook


def fatal(path) -> str:
    r = read_workbook(path)
    assert r.fatal and r.scenario is None
    (issue,) = r.issues
    assert issue.is_error
    return issue.message


def test_text_file_with_a_workbook_name(tmp_path):
    p = tmp_path / "data.xlsx"
    p.write_text("ID,Sector,Requested\nP1,Semiconductors,100\n")
    assert "not a workbook" in fatal(p) and "CSV" in fatal(p)


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert "empty" in fatal(tmp_path / "e.xlsx")
    assert "no file" in fatal(tmp_path / "missing.xlsx")
    assert "folder" in fatal(tmp_path)


def test_html_saved_as_xls(tmp_path):
    p = tmp_path / "report.xls"
    p.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    assert "HTML" in fatal(p)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_truncated_workbook(tmp_path, fraction):
    good = write_book(tmp_path / "b.xlsx", basic()).read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good[: int(len(good) * fraction)])
    msg = fatal(p)
    assert "damaged" in msg or "incomplete" in msg


def test_password_protected_workbook(tmp_path):
    p = cfb_file(tmp_path / "secret.xlsx", {"EncryptionInfo": b"\x04\x00\x04\x00" + b"\x40" * 100,
                                            "EncryptedPackage": b"\x10\x00" * 3000})
    assert "password-protected" in fatal(p)


def test_other_office_files(tmp_path):
    p = cfb_file(tmp_path / "letter.xls", {"WordDocument": b"\x00" * 5000})
    assert "Word" in fatal(p)
    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    assert "Word document" in fatal(docx)
    z = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "hello")
    assert "zip archive" in fatal(z)


def test_decompression_bomb_is_refused_before_unpacking(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/image1.bin", b"\0" * (24 * 2**20))
    assert "too large or crafted" in fatal(p)


def test_huge_declared_dimension_is_ignored_like_the_value_reader_does(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b'<dimension ref="A1:G4"', b'<dimension ref="a1:xfd1048576"')
    r = read_workbook(p)
    assert r.ok and len(r.scenario.projects) == 3


def test_huge_real_extent_is_refused_before_loading(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                 b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>')
    assert "too large or crafted" in fatal(p)


def test_huge_extent_written_without_cell_references(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    row = b'<row r="900000">' + b"<c/>" * 9000 + b'<c t="n"><v>1</v></c></row>'
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>", row + b"</sheetData>")
    assert "too large or crafted" in fatal(p)


def test_entity_expansion_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    lol = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
           b'<worksheet')
    patch_member(p, sheet_member(p, "Projects"), b"<worksheet", lol)
    assert "document type declaration" in fatal(p)


def test_ods_with_repeated_rows_bomb(tmp_path):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name in ("Scenario", "Sectors", "Projects"):
        t = Table(name=name)
        tr = TableRow(numberrowsrepeated=1_000_000)
        tc = TableCell(valuetype="float", value=1, numbercolumnsrepeated=1000)
        tc.addElement(P(text="1"))
        tr.addElement(tc)
        t.addElement(tr)
        doc.spreadsheet.addElement(t)
    doc.save(str(tmp_path / "bomb.ods"))
    assert "too large or crafted" in fatal(tmp_path / "bomb.ods")


def test_garbage_inside_a_valid_zip(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"<sheetData>", b"<sheetData><row r='1'><c r='A1'")
    r = read_workbook(p)
    assert r.scenario is None and r.errors
    assert all("Traceback" not in i.message for i in r.issues)


def test_a_part_declaring_a_huge_size_is_refused_before_unpacking(tmp_path):
    import struct

    p = write_book(tmp_path / "b.xlsx", basic())
    with zipfile.ZipFile(p, "a", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/media/big.bin", b"x" * 100)
    data = bytearray(p.read_bytes())
    at = data.rfind(b"PK\x01\x02")          # central directory entry of the last part added
    assert data[at + 46: at + 46 + 16] == b"xl/media/big.bin"
    data[at + 24: at + 28] = struct.pack("<I", 3_000_000_000)   # declared uncompressed size
    p.write_bytes(bytes(data))
    assert "too large or crafted" in fatal(p)


# ------------------------------------------------- the guards check what the reader reads
def _member_with_shared_strings(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return next(n for n in zf.namelist() if n.lower().endswith("sharedstrings.xml"))


def _excel_like(tmp_path):
    """A workbook with shared strings, as Excel writes them (openpyxl does)."""
    return write_book(tmp_path / "b.xlsx", basic())


def test_a_declared_shared_string_count_beyond_what_the_part_holds_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    'count="1" uniqueCount="4294967295"><si><t>x</t></si></sst>')
    assert "shared strings declare 4,294,967,295 strings but hold 1" in fatal(p)


def test_a_lower_case_cell_reference_far_away_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                 b'<row r="190000"><c r="xfd190000" t="n"><v>1</v></c></row></sheetData>')
    assert "too large or crafted" in fatal(p) or "spans" in fatal(p)


def test_the_sheets_the_value_reader_reads_are_checked_whatever_the_package_relationships_say(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, "_rels/.rels", b'Target="xl/workbook.xml"', b'Target="xl/missing.xml"')
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                 b'<row r="190000"><c r="XFD190000" t="n"><v>1</v></c></row></sheetData>')
    assert "too large or crafted" in fatal(p) or "spans" in fatal(p)


def _rename_member(path, old: str, new: str) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts:
            out.writestr(new if name == old else name, data)


def test_a_sheet_stored_under_another_case_is_checked_like_the_others(tmp_path):
    """The value reader finds parts ignoring case; the formula facts must come from the same part."""
    p = write_book(tmp_path / "b.xlsx", basic(Projects=[*PROJECTS[:2], ["P2", "Campus", "Data centers", "VA", "Loan",
                                                                        "=1000*2", 0]]))
    member = sheet_member(p, "Projects")
    _rename_member(p, member, member.replace("worksheets/sheet", "Worksheets/Sheet"))
    r = read_workbook(p)
    assert r.scenario is None
    assert any(i.cell == "F3" and "formula with no saved value" in i.message for i in r.errors), r.issues


def test_a_sheet_the_value_reader_cannot_find_is_reported_without_internal_names(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    member = sheet_member(p, "Projects")
    patch_member(p, "xl/_rels/workbook.xml.rels", f'Target="/{member}"'.encode(), b'Target="../nowhere.xml"')
    msg = fatal(p)
    assert "Projects" in msg and "NotFound" not in msg and "Error" not in msg


def _deflate_liar(tmp_path, real: bytes, declared: int):
    """A workbook with one extra part whose central directory and local header declare
    ``declared`` bytes while it inflates to ``real``."""
    import struct

    p = write_book(tmp_path / "b.xlsx", basic())
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/liar.bin", real)
    data = bytearray(p.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    assert data[cd + 46: cd + 46 + 17] == b"xl/media/liar.bin"
    local = struct.unpack("<I", data[cd + 42: cd + 46])[0]
    data[cd + 24: cd + 28] = struct.pack("<I", declared)
    data[local + 22: local + 26] = struct.pack("<I", declared)
    p.write_bytes(bytes(data))
    return p


def test_a_part_that_inflates_beyond_its_declared_size_is_refused_as_it_unpacks(tmp_path):
    p = _deflate_liar(tmp_path, b"\0" * (64 * 2**20), 30_000)
    assert "does not unpack to what the file says" in fatal(p)


def test_a_text_longer_than_any_cell_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"<t>Campus</t>", b"<t>" + b"x" * 1_200_000 + b"</t>")
    assert "a cell holds at most 32,767" in fatal(p)


def test_millions_of_empty_cells_are_refused_before_they_are_walked(tmp_path):
    from workbench.excel import sheetxml
    from workbench.excel.guards import UnreadableWorkbook

    data = (b'<worksheet><sheetData><row r="5">' + b'<c r="H5" s="0"/>' * 5_100_000
            + b"</row></sheetData></worksheet>")
    with pytest.raises(UnreadableWorkbook, match="counting empty ones"):
        sheetxml._sheet_facts("Projects", data, set())
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>", data[22:-24] + b"</sheetData>")
    assert "too large or crafted" in fatal(p) or "counting empty ones" in fatal(p)


def test_a_sheet_longer_than_its_table_may_be_is_refused_before_loading(tmp_path):
    rows = [SECTORS[0]] + [[f"Sector {k}", 0.05, 0.2, 1, 1] for k in range(5000)]
    p = write_book(tmp_path / "b.xlsx", basic(Sectors=rows))
    msg = fatal(p)
    assert "Sheet 'Sectors' spans 5,001 rows" in msg and "at most 121" in msg


def test_an_ods_table_repeating_a_row_a_million_times_is_refused(tmp_path):
    from tests.excel.hostile_files import ods_million_rows

    assert "spans 1,000,000 rows" in fatal(ods_million_rows(tmp_path))


# ------------------------------------------------------------------- the DTD guard
def test_a_dtd_after_a_long_prolog_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    padding = b"<!--" + b" " * 10_000 + b"-->" + b"\n" * 5000
    lol = b'<!DOCTYPE lolz [<!ENTITY lol "lol">]>'
    patch_member(p, sheet_member(p, "Projects"), b"<worksheet", padding + lol + b"<worksheet")
    assert "document type declaration" in fatal(p)


def test_a_dtd_in_a_utf16_part_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    member = sheet_member(p, "Projects")
    with zipfile.ZipFile(p) as zf:
        text = zf.read(member).decode("utf-8")
    body = text[text.index("<worksheet"):]
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "b">]>' + body).encode("utf-16")
    patch_member(p, member, text.encode("utf-8"), utf16)
    assert "document type declaration" in fatal(p)


def test_a_dtd_written_in_lower_case_deep_inside_a_sheet_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>", b"</sheetData>" + b" " * 9000
                 + b"<!doctype x>")
    assert "document type declaration" in fatal(p)


# -------------------------------------------------------------- no false refusals
def test_an_empty_formatted_cell_on_the_last_row_does_not_refuse_the_workbook(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                 b'<row r="1048576"><c r="Q1048576" s="0"/></row></sheetData>')
    r = read_workbook(p)
    assert r.ok, r.issues
    assert len(r.scenario.projects) == 3


def test_a_long_projects_sheet_with_few_columns_is_read(tmp_path):
    """200,001 rows by 3 columns: the extent is what the cells span, not 26 columns assumed."""
    p = write_book(tmp_path / "b.xlsx", basic())
    member = sheet_member(p, "Projects")
    rows = [b'<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c><c r="B1" t="inlineStr"><is><t>Sector</t>'
            b'</is></c><c r="C1" t="inlineStr"><is><t>Requested (USD m)</t></is></c></row>']
    for r in range(2, 200_002):
        rows.append(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>P%d</t></is></c><c r="B%d" t="inlineStr"><is><t>'
                    b'Semiconductors</t></is></c><c r="C%d"><v>10</v></c></row>' % (r, r, r, r, r))
    with zipfile.ZipFile(p) as zf:
        text = zf.read(member)
    start, end = text.index(b"<sheetData>"), text.index(b"</sheetData>")
    patch_member(p, member, text[start:end], b"<sheetData>" + b"".join(rows))
    r = read_workbook(p)
    assert r.ok, r.issues[:3]
    assert len(r.scenario.projects) == 200_000
