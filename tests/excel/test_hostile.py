"""Untrusted files: each gets one clear message (never a traceback), and nothing is loaded."""

from __future__ import annotations

import zipfile

import pytest

from tests.excel.books import basic, cfb_file, patch_member, sheet_member, write_book
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


def test_huge_declared_dimension_is_refused(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b'<dimension ref="A1:G4" />', b'<dimension ref="A1:XFD1048576" />')
    assert "too large or crafted" in fatal(p)


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
