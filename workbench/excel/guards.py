"""Checks on an untrusted file before any parser sees it.

What kind of file it is (by its bytes, not its name), whether it is password-protected,
and whether it could exhaust memory: zip member sizes and compression ratios, the total,
XML document type declarations (entity expansion), and declared sheet dimensions. A
problem raises :class:`UnreadableWorkbook` with a sentence for the user.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass

#: Limits; a genuine scenario workbook (50,000 projects) is far inside all of them.
MAX_FILE_BYTES = 256 * 2**20
MAX_XLS_BYTES = 64 * 2**20
MAX_MEMBERS = 5_000
MAX_MEMBER_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20
MAX_RATIO = 250            # uncompressed / compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 2 * 2**20
MAX_CELLS = 5_000_000      # rows x columns of one sheet's used range
MAX_TOTAL_CELLS = 10_000_000

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


class UnreadableWorkbook(Exception):
    """The file cannot be read at all; the message is for the user."""


@dataclass(frozen=True)
class FileKind:
    kind: str                 # "xlsx", "xls" or "ods"
    size: int


def too_large(what: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        f"The file is too large or crafted to exhaust memory ({what}), so it was not opened. "
        "A scenario workbook is normally a few megabytes; save a copy with only the scenario sheets.")


def inspect(path: str | os.PathLike) -> FileKind:
    """The kind of workbook at ``path``, after the container checks; raises UnreadableWorkbook."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
        with open(name, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise UnreadableWorkbook(f"There is no file {os.path.basename(name)!r}; check the name and folder.") from None
    except IsADirectoryError:
        raise UnreadableWorkbook(f"{os.path.basename(name)!r} is a folder, not a workbook.") from None
    except OSError as exc:
        raise UnreadableWorkbook(f"The file could not be opened: {exc.strerror or exc}.") from None
    if size == 0:
        raise UnreadableWorkbook("The file is empty (0 bytes); it is not a workbook.")
    if size > MAX_FILE_BYTES:
        raise too_large(f"{size / 2**20:,.0f} MB")
    if head.startswith(ZIP_MAGICS):
        return FileKind(_inspect_zip(name), size)
    if head == CFB_MAGIC:
        return FileKind(_inspect_cfb(name, size), size)
    raise UnreadableWorkbook(_not_a_workbook(name))


def _not_a_workbook(name: str) -> str:
    with open(name, "rb") as fh:
        sample = fh.read(512)
    low = sample.lower()
    if low.lstrip().startswith((b"<html", b"<!doctype html", b"<table")):
        what = "It is a web page (HTML), perhaps saved with an .xls name"
    elif low.startswith(b"%pdf"):
        what = "It is a PDF document"
    elif sample and all(32 <= c < 127 or c in (9, 10, 13) for c in sample.rstrip(b"\x00")):
        what = "It is plain text (perhaps CSV)"
    else:
        what = "Its contents are not a spreadsheet"
    return (f"{what}, not a workbook. Open it in Excel or LibreOffice and save it as an .xlsx workbook.")


def _inspect_zip(name: str) -> str:
    try:
        zf = zipfile.ZipFile(name)
    except zipfile.BadZipFile:
        raise UnreadableWorkbook("The file is damaged or incomplete (perhaps cut short while copying); "
                                 "ask for the file again or re-save it in Excel.") from None
    except Exception:
        raise UnreadableWorkbook("The file is damaged: its contents cannot be read as a workbook.") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise too_large(f"{len(infos):,} parts")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnreadableWorkbook("The file is password-protected (encrypted). "
                                         "Remove the password in Excel (File > Info > Protect Workbook) and try again.")
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES:
                raise too_large(f"one part unpacks to {info.file_size / 2**20:,.0f} MB")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise too_large(f"one part is compressed {info.file_size / max(info.compress_size, 1):,.0f} to 1")
        if total > MAX_TOTAL_BYTES:
            raise too_large(f"its parts unpack to {total / 2**20:,.0f} MB")
        names = {i.filename for i in infos}
        for info in infos:
            if info.filename.endswith((".xml", ".rels")) or info.filename == "mimetype":
                _check_prolog(zf, info)
        if "mimetype" in names:
            mime = zf.read("mimetype")[:100]
            if b"opendocument.spreadsheet" in mime:
                return "ods"
            raise UnreadableWorkbook("The file is an OpenDocument file but not a spreadsheet "
                                     "(perhaps a text document); it is not a workbook.")
        if any(n.startswith("xl/") and n.endswith((".xml", ".bin")) and "workbook" in n for n in names):
            if any(n.endswith("workbook.bin") for n in names):
                raise UnreadableWorkbook("The file is a binary Excel workbook (.xlsb), which is not supported. "
                                         "Save it as .xlsx in Excel and try again.")
            return "xlsx"
        if "word/document.xml" in names:
            raise UnreadableWorkbook("The file is a Word document, not a workbook.")
        if "ppt/presentation.xml" in names:
            raise UnreadableWorkbook("The file is a PowerPoint presentation, not a workbook.")
        raise UnreadableWorkbook("The file is a zip archive, not a workbook.")


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse XML with a document type declaration: entity tricks (billion laughs, external
    entities) need one, and no spreadsheet writer emits one."""
    try:
        with zf.open(info) as fh:
            head = fh.read(4096)
    except Exception:
        raise UnreadableWorkbook("The file is damaged: one of its parts cannot be unpacked.") from None
    if _DTD.search(head):
        raise UnreadableWorkbook("The file contains an XML document type declaration, which spreadsheets never "
                                 "need and which can be used to attack a reader; it was not opened.")


def _inspect_cfb(name: str, size: int) -> str:
    with open(name, "rb") as fh:
        data = fh.read()
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        raise UnreadableWorkbook("The file is password-protected (encrypted). "
                                 "Remove the password in Excel (File > Info > Protect Workbook) and try again.")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        if size > MAX_XLS_BYTES:
            raise too_large(f"{size / 2**20:,.0f} MB in the old .xls format")
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        raise UnreadableWorkbook("The file is a Word document, not a workbook.")
    raise UnreadableWorkbook("The file is an Office file of another kind, not a workbook.")


def check_extent(sheet: str, rows: int, cols: int) -> None:
    if rows * cols > MAX_CELLS:
        raise too_large(f"sheet {sheet!r} spans {rows:,} rows by {cols:,} columns")
