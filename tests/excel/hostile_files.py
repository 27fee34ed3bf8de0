"""The hostile files of the attack on the importer, rebuilt: each is a small workbook (or a
zip that is small on disk) that once aborted the process, hung it or blew up its memory.

``ABORTS`` ended the process ("memory allocation of N bytes failed"); ``BLOW_UPS`` took
tens of seconds or gigabytes. Each builder writes its file into a folder and returns the
path; ``ALL`` maps a short name to the builder.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from tests.excel.books import SECTORS, basic, patch_member, sheet_member, write_book

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def unique_count(folder: Path) -> Path:
    """A shared-strings part declaring 4,294,967,295 strings (it holds one)."""
    p = write_book(folder / "unique_count.xlsx", basic())
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}" count="1" uniqueCount="4294967295">'
                    "<si><t>x</t></si></sst>")
    return p


def lower_case_reference(folder: Path) -> Path:
    """One cell written ``r="xfd190000"``: 190,000 rows by 16,384 columns once allocated."""
    p = write_book(folder / "lower_case_reference.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                 b'<row r="190000"><c r="xfd190000" t="n"><v>1</v></c></row></sheetData>')
    return p


def missing_workbook_part(folder: Path) -> Path:
    """The package points at a workbook part that is not there; the sheets are still read."""
    p = write_book(folder / "missing_workbook_part.xlsx", basic())
    patch_member(p, "_rels/.rels", b'Target="xl/workbook.xml"', b'Target="xl/missing.xml"')
    patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                 b'<row r="190000"><c r="XFD190000" t="n"><v>1</v></c></row></sheetData>')
    return p


def many_sectors(folder: Path, n: int = 5_000) -> Path:
    """A Sectors sheet of ``n`` rows (validation once decomposed an n x n matrix)."""
    rows = [SECTORS[0]] + [[f"Sector {k}", 0.05, 0.2, 1, 1] for k in range(n)]
    return write_book(folder / "many_sectors.xlsx", basic(Sectors=rows))


def ods_million_rows(folder: Path) -> Path:
    """A 4 KB OpenDocument file whose tables repeat one row a million times."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name in ("Scenario", "Sectors", "Projects"):
        t = Table(name=name)
        tr = TableRow(numberrowsrepeated=1_000_000)
        tc = TableCell(valuetype="string")
        tc.addElement(P(text="x"))
        tr.addElement(tc)
        t.addElement(tr)
        doc.spreadsheet.addElement(t)
    path = folder / "million_rows.ods"
    doc.save(str(path))
    return path


def lying_zip(folder: Path, real: int = 2**30, declared: int = 30_000) -> Path:
    """A part that declares ``declared`` bytes and inflates to ``real`` (1 GB of zeros, about
    1 MB on disk)."""
    p = write_book(folder / "lying_zip.xlsx", basic())
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\0" * (1 << 22)
    # after a full flush the compressor starts afresh, so every chunk compresses to the same bytes
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    body = block * (real // len(chunk) - 1) + deflate.compress(chunk) + deflate.flush()
    assert len(zlib.decompressobj(-15).decompress(body[:1 << 16], 1 << 20)) == 1 << 20
    crc = 0
    data = bytearray(p.read_bytes())
    cd_at = data.find(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", data[cd_at + 12: cd_at + 20])
    entries = int.from_bytes(data[cd_at + 10: cd_at + 12], "little")
    name = b"xl/media/liar.bin"
    local = (b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0, crc, len(body), declared, len(name), 0)
             + name)
    central = (b"PK\x01\x02" + struct.pack("<HHHHHHIIIHHHHHII", 20, 20, 0, 8, 0, 0, crc, len(body), declared,
                                           len(name), 0, 0, 0, 0, 0, cd_offset) + name)
    directory = bytes(data[cd_offset: cd_offset + cd_size]) + central
    new_offset = cd_offset + len(local) + len(body)
    end = (b"PK\x05\x06" + struct.pack("<HHHHII", 0, 0, entries + 1, entries + 1, len(directory), new_offset)
           + b"\0\0")
    p.write_bytes(bytes(data[:cd_offset]) + local + body + directory + end)
    return p


def big_shared_string(folder: Path, size: int = 200 * 2**20) -> Path:
    """One shared string of 200 MB (a cell holds at most 32,767 characters)."""
    p = write_book(folder / "big_shared_string.xlsx", basic())
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/sharedStrings.xml", "w") as fh:
        fh.write(f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>'.encode())
        block = b"x" * (1 << 22)
        for _ in range(size // len(block)):
            fh.write(block)
        fh.write(b"</t></si></sst>")
    return p


def empty_cells(folder: Path, n: int = 12_000_000) -> Path:
    """12 million empty cells in one row of the Projects sheet."""
    p = write_book(folder / "empty_cells.xlsx", basic())
    member = sheet_member(p, "Projects")
    with zipfile.ZipFile(p) as zf:
        parts = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts:
            if name != member:
                out.writestr(name, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with out.open(name, "w") as fh:
                fh.write(head + b'<row r="5">')
                block = b"<c/>" * 1_000_000
                for _ in range(n // 1_000_000):
                    fh.write(block)
                fh.write(b"</row></sheetData>" + tail)
    return p


ABORTS = {"unique_count": unique_count, "lower_case_reference": lower_case_reference,
          "missing_workbook_part": missing_workbook_part}
BLOW_UPS = {"many_sectors": many_sectors, "ods_million_rows": ods_million_rows, "lying_zip": lying_zip,
            "big_shared_string": big_shared_string, "empty_cells": empty_cells}
ALL = {**ABORTS, **BLOW_UPS}
