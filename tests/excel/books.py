"""Real workbook files for the tests, written the way colleagues' tools write them."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl

SECTORS = [["Sector", "Expected return", "Volatility", "Jobs per USD m", "Value added per USD"],
           ["Semiconductors", 0.09, 0.3, 3.5, 1.1],
           ["Data centers", 0.08, 0.2, 2, 0.9]]
PROJECTS = [["ID", "Project", "Sector", "State", "Instrument", "Requested (USD m)", "Minimum ticket (USD m)"],
            ["P1", "Fab", "Semiconductors", "TX", "Equity", 1000, 100],
            ["P2", "Campus", "Data centers", "VA", "Loan", 2000, 0],
            ["P3", "Packaging", "Semiconductors", "Ohio", "Guarantee", 500, None]]
FIELDS = [["Field", "Value"], ["Name", "Test scenario"], ["Programme size (USD bn)", 10], ["Start year", 2026],
          ["Horizon (years)", 10], ["JPY per USD", 150]]


def write_book(path: Path, sheets: dict[str, list[list]], *, formats: dict[tuple[str, str], str] | None = None,
               merges: dict[str, list[str]] | None = None) -> Path:
    """An .xlsx with the given sheets (rows of values; a str starting with = is a formula)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    for (sheet, cell), fmt in (formats or {}).items():
        wb[sheet][cell].number_format = fmt
    wb.save(path)
    return path


def basic(**replace: list[list]) -> dict[str, list[list]]:
    """The sheets of a small valid workbook, some replaced."""
    sheets = {"Scenario": FIELDS, "Sectors": SECTORS, "Projects": PROJECTS}
    sheets.update(replace)
    return {k: v for k, v in sheets.items() if v is not None}


def patch_member(path: Path, member: str, old: bytes, new: bytes) -> None:
    """Rewrite one part of a zip file, replacing ``old`` by ``new`` (which must occur)."""
    with zipfile.ZipFile(path) as zf:
        parts = [(i, zf.read(i.filename)) for i in zf.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            if info.filename == member:
                assert old in data, f"{old!r} not in {member}"
                data = data.replace(old, new)
            out.writestr(info.filename, data)
    path.write_bytes(buf.getvalue())


def sheet_member(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def cfb_file(path: Path, streams: dict[str, bytes]) -> Path:
    """A minimal compound file (OLE2) with the given streams, each padded to 4,096 bytes or
    more so that no mini stream is needed: the container of an encrypted Office file."""
    sector = 512
    data_sectors: list[bytes] = []
    starts = {}
    for name, payload in streams.items():
        payload = payload.ljust(max(4096, len(payload)), b"\0")
        payload = payload.ljust(-(-len(payload) // sector) * sector, b"\0")
        starts[name] = (len(data_sectors), len(payload))
        data_sectors += [payload[i:i + sector] for i in range(0, len(payload), sector)]
    n_data = len(data_sectors)
    dir_sector = n_data
    fat_sector = n_data + 1
    fat = []
    for _name, (start, size) in starts.items():
        count = size // sector
        fat += [start + k + 1 for k in range(count - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFE, 0xFFFFFFFD]  # directory chain end, FAT sector itself
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF):
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", 0xFFFFFFFF, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IIxxxx", start, size))

    names = list(streams)
    entries = [entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)]
    for k, name in enumerate(names):
        start, size = starts[name]
        entries.append(entry(name, 2, start, size, right=k + 2 if k + 1 < len(names) else 0xFFFFFFFF))
    directory = b"".join(entries).ljust(sector, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIII", 0, 1, dir_sector, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE)
              + struct.pack("<I", 0) + struct.pack("<I", fat_sector) + struct.pack("<I", 0xFFFFFFFF) * 108)
    header = header[:76] + struct.pack("<I", fat_sector) + struct.pack("<I", 0xFFFFFFFF) * 108
    body = b"".join(data_sectors) + directory + struct.pack("<128I", *fat)
    path.write_bytes(header.ljust(sector, b"\0") + body)
    return path


def write_xls(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An old-format .xls, as Excel 97-2003 writes it (xlwt)."""
    import xlwt

    wb = xlwt.Workbook()
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is not None:
                    ws.write(r, c, v)
    wb.save(str(path))
    return path


def write_ods(path: Path, sheets: dict[str, list[list]], *, percent: set[tuple[str, int, int]] = frozenset(),
              formulas: dict[tuple[str, int, int], str] | None = None) -> Path:
    """An OpenDocument spreadsheet as LibreOffice stores one (odfpy); ``percent`` cells are
    percentage-typed, ``formulas`` cells hold a formula with no saved value."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for r, row in enumerate(rows):
            tr = TableRow()
            for c, v in enumerate(row):
                key = (name, r, c)
                if formulas and key in formulas:
                    tc = TableCell(formula=formulas[key])
                elif v is None:
                    tc = TableCell()
                elif isinstance(v, bool):
                    tc = TableCell(valuetype="boolean", booleanvalue="true" if v else "false")
                    tc.addElement(P(text=str(v).upper()))
                elif isinstance(v, (int, float)):
                    kind = "percentage" if key in percent else "float"
                    tc = TableCell(valuetype=kind, value=v)
                    tc.addElement(P(text=str(v)))
                else:
                    tc = TableCell(valuetype="string")
                    tc.addElement(P(text=str(v)))
                tr.addElement(tc)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path
