"""Checks on an untrusted file before any parser sees it.

What kind of file it is (by its bytes, not its name), whether it is password-protected,
and whether it could exhaust memory. Every zip part is unpacked once as a stream and
counted as it unpacks (the sizes a file declares are only claims), with a running cap
per part and in all; XML parts with a document type declaration (entity expansion) are
refused whatever their encoding; declared counts (shared strings) are bounded by what
the part holds. The sheets' extent is checked in :mod:`workbench.excel.sheetxml`, on
the same parts the reader reads. A problem raises :class:`UnreadableWorkbook` with a
sentence for the user.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

from workbench.errors import WorkbenchError

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


class UnreadableWorkbook(WorkbenchError):
    """The file cannot be read at all; the message is for the user."""


@dataclass(frozen=True)
class FileKind:
    kind: str                 # "xlsx", "xls" or "ods"
    size: int


def too_large(what: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        f"The file is too large or crafted to exhaust memory ({what}), so it was not opened. "
        "A scenario workbook is normally a few megabytes; save a copy with only the scenario sheets.")


def inspect(path: str | os.PathLike[str]) -> FileKind:
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
        seen: set[str] = set()
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise UnreadableWorkbook("The file is password-protected (encrypted). "
                                         "Remove the password in Excel (File > Info > Protect Workbook) and try again.")
            key = info.filename.lower()
            if key in seen:  # readers disagree on which of two same-named parts they use
                raise UnreadableWorkbook(f"The file is damaged or crafted: it holds the part {info.filename} twice. "
                                         "Re-save it in Excel or LibreOffice.")
            seen.add(key)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnreadableWorkbook(f"The file packs its part {info.filename} in an unusual way "
                                         "(not as Excel or LibreOffice do), so it was not opened. Re-save it in Excel.")
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES:
                raise too_large(f"one part unpacks to {info.file_size / 2**20:,.0f} MB")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise too_large(f"one part is compressed {info.file_size / max(info.compress_size, 1):,.0f} to 1")
        if total > MAX_TOTAL_BYTES:
            raise too_large(f"its parts unpack to {total / 2**20:,.0f} MB")
        # The declared sizes are only claims: every part is unpacked once as a stream,
        # counting what it really gives, and stopped at the first limit it passes.
        with open(name, "rb") as raw:
            unpacked = 0
            for info in infos:
                unpacked += _verify_member(raw, info, MAX_TOTAL_BYTES - unpacked)
        lower = {i.filename.lower(): i.filename for i in infos}
        if "mimetype" in lower:
            mime = zf.read(lower["mimetype"])[:100]
            if b"opendocument.spreadsheet" in mime:
                return "ods"
            raise UnreadableWorkbook("The file is an OpenDocument file but not a spreadsheet "
                                     "(perhaps a text document); it is not a workbook.")
        if "xl/workbook.bin" in lower:
            raise UnreadableWorkbook("The file is a binary Excel workbook (.xlsb), which is not supported. "
                                     "Save it as .xlsx in Excel and try again.")
        if "xl/workbook.xml" in lower:
            return "xlsx"
        if any(n.startswith("xl/") and "workbook" in n for n in lower):
            # the reader looks for the workbook where Excel puts it, whatever the package's
            # relationships say; a workbook elsewhere would be read as empty
            raise UnreadableWorkbook("The file is a workbook whose main part is not where Excel puts it "
                                     "(xl/workbook.xml), so it cannot be read. Open it in Excel or LibreOffice "
                                     "and save it again as .xlsx.")
        if "word/document.xml" in lower:
            raise UnreadableWorkbook("The file is a Word document, not a workbook.")
        if "ppt/presentation.xml" in lower:
            raise UnreadableWorkbook("The file is a PowerPoint presentation, not a workbook.")
        raise UnreadableWorkbook("The file is a zip archive, not a workbook.")


# --------------------------------------------------------------- one zip part
CHUNK = 1 << 20
#: The longest text between two tags in a sheet or the shared strings: a cell holds at
#: most 32,767 characters (at most 4 bytes each in UTF-8, more when escaped).
MAX_TEXT_RUN = 1 << 20
#: A shared-strings part may declare more strings than it holds (some writers miscount),
#: but never more than twice as many, beyond this floor.
MIN_DECLARED_STRINGS = 100_000
_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?si[\s/>]")
_DTD_WORDS = ("<!doctype", "<!entity")
_CARRY = 64


_MARKS = tuple(("<!".encode(enc), len("<!".encode(enc)), enc) for enc in ("ascii", "utf-16-le", "utf-16-be"))
_WORDS = {enc: tuple(w.encode(enc) for w in _DTD_WORDS) for enc in ("ascii", "utf-16-le", "utf-16-be")}


def has_dtd(data: bytes) -> bool:
    """Whether ``data`` holds ``<!DOCTYPE`` or ``<!ENTITY`` (any case) in an ASCII-compatible
    encoding or in UTF-16 (either byte order). Searches for ``<!`` first, which sheets
    almost never contain, so it runs at the speed of a byte search."""
    for mark, _n, enc in _MARKS:
        at = data.find(mark)
        while at >= 0:
            tail = data[at:at + 20 * (2 if enc != "ascii" else 1)].lower()
            if enc != "ascii":  # lower() only touches ASCII bytes, which is what these words are
                tail = data[at:at + 40]
                tail = bytes(b | 0x20 if 65 <= b <= 90 else b for b in tail)
            if tail.startswith(_WORDS[enc]):
                return True
            at = data.find(mark, at + 1)
    return False


class _FirstElement(Exception):
    pass


class _Doctype(Exception):
    pass


def refuse_dtd(part: str = "") -> UnreadableWorkbook:
    return UnreadableWorkbook("The file contains an XML document type declaration"
                              + (f" (in its part {part})" if part else "")
                              + ", which spreadsheets never need and which can be used to attack a reader; "
                              "it was not opened.")


def _is_text_part(lname: str) -> bool:
    """Parts whose text becomes cell values: sheets, shared strings, OpenDocument content."""
    return (("worksheets/" in lname and lname.endswith(".xml")) or lname.endswith("sharedstrings.xml")
            or lname == "content.xml")


def _verify_member(raw: BinaryIO, info: zipfile.ZipInfo, budget: int) -> int:
    """Unpack one part as a stream and return the bytes it really gives (not the size it
    declares), refusing at the first limit passed. XML parts are checked for a document
    type declaration in any encoding (a parser that forbids them reads up to the first
    element, and every chunk is searched in the encodings a reader accepts), sheets for
    text longer than a cell holds, the shared strings for a declared count beyond what
    they hold."""
    lname = info.filename.lower()
    xml_part = lname.endswith((".xml", ".rels"))
    text_part = _is_text_part(lname)
    strings_part = lname.endswith("sharedstrings.xml")
    damaged = UnreadableWorkbook(f"The file is damaged: its part {info.filename} cannot be unpacked. "
                                 "Ask for the file again or re-save it in Excel.")
    try:
        raw.seek(info.header_offset)
        head = raw.read(30)
        if len(head) < 30 or head[:4] != b"PK\x03\x04":
            raise damaged
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        raw.seek(info.header_offset + 30 + name_len + extra_len)
    except (OSError, ValueError):
        raise damaged from None
    lying = UnreadableWorkbook(f"The file is damaged or crafted: its part {info.filename} does not unpack to "
                               "what the file says it holds. Ask for the file again or re-save it in Excel.")
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    limit = min(MAX_MEMBER_BYTES, budget)
    state = _Stream()
    prolog = _Prolog(info.filename) if xml_part else None

    def take(piece: bytes) -> None:
        if not piece:
            return
        state.size += len(piece)
        if state.size > info.file_size:  # more than it declares: stop here, whatever it would give
            raise lying
        if state.size > limit:
            raise too_large(f"its part {info.filename} unpacks to more than {MAX_MEMBER_BYTES / 2**20:,.0f} MB"
                            if limit == MAX_MEMBER_BYTES
                            else f"its parts unpack to more than {MAX_TOTAL_BYTES / 2**20:,.0f} MB")
        state.crc = zlib.crc32(piece, state.crc)
        if xml_part:
            carry = state.carry
            window = carry + piece
            if has_dtd(window):
                raise refuse_dtd(info.filename)
            if prolog is not None and not prolog.done:
                prolog.feed(piece)
            if strings_part:
                if b"si" in window:
                    state.strings += sum(1 for m in _SI.finditer(window) if m.end() > len(carry))
            state.carry = window[-_CARRY:]
        if text_part:
            state.run = _text_run(piece, state.run)

    left = info.compress_size
    try:
        while left > 0:
            data = raw.read(min(CHUNK, left))
            if not data:
                raise damaged
            left -= len(data)
            if inflater is None:
                take(data)
                continue
            take(inflater.decompress(data, CHUNK))
            while inflater.unconsumed_tail:
                take(inflater.decompress(inflater.unconsumed_tail, CHUNK))
            if inflater.eof:
                break
        if inflater is not None:
            take(inflater.flush())
            if not inflater.eof and info.compress_size:
                raise damaged
    except (zlib.error, OSError):
        raise damaged from None
    size = state.size
    if size != info.file_size or (state.crc & 0xFFFFFFFF) != info.CRC:
        raise lying
    if prolog is not None:
        prolog.close(size)
        if strings_part:
            _check_string_counts(prolog.attrs, state.strings)
    return size


@dataclass
class _Stream:
    """What :func:`_verify_member` has seen of one part so far."""

    size: int = 0
    crc: int = 0
    carry: bytes = b""
    run: int = 0
    strings: int = 0


def _check_string_counts(attrs: dict[str, str], strings: int) -> None:
    for attr in ("count", "uniqueCount"):
        declared = attrs.get(attr)
        if declared is None:
            continue
        try:
            n = int(declared.strip())
        except ValueError:
            raise UnreadableWorkbook(f"The file is damaged: its shared strings declare {attr}="
                                     f"{declared[:20]!r}, which is not a count.") from None
        if n < 0 or n > max(2 * strings, MIN_DECLARED_STRINGS):
            raise UnreadableWorkbook(f"The file is damaged or crafted: its shared strings declare {n:,} strings "
                                     f"but hold {strings:,}, so it was not opened. Re-save it in Excel or LibreOffice.")


def _text_run(piece: bytes, run: int) -> int:
    """The length of text since the last ``<`` after ``piece``; refuses a run no cell can hold.

    Looked at in blocks of 256 KB: a run inside one block is shorter than any limit, and a
    longer one crosses a block's edge, where it is measured exactly."""
    step = 1 << 18
    for start in range(0, len(piece), step):
        block = piece[start:start + step]
        first = block.find(b"<")
        if first < 0:
            run += len(block)
        else:
            run += first
            if run > MAX_TEXT_RUN:
                break
            run = len(block) - 1 - block.rfind(b"<")
        if run > MAX_TEXT_RUN:
            break
    if run > MAX_TEXT_RUN:
        raise too_large("a text of more than a million characters, where a cell holds at most 32,767")
    return run


class _Prolog:
    """An expat parser fed up to the first element: refuses a document type declaration
    in whatever encoding the part declares, and keeps the first element's attributes."""

    def __init__(self, part: str):
        self.part = part
        self.done = False
        self.attrs: dict[str, str] = {}
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._first

    def _doctype(self, *args: object) -> None:
        raise _Doctype

    def _first(self, name: str, attrs: dict[str, str]) -> None:
        self.attrs = {k.rsplit(":", 1)[-1]: v for k, v in attrs.items()}
        raise _FirstElement

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except _FirstElement:
            self.done = True
        except _Doctype:
            raise refuse_dtd(self.part) from None
        except (expat.ExpatError, ValueError, UnicodeError, LookupError):
            self.done = True
            raise UnreadableWorkbook(f"The file is damaged: its part {self.part} is not valid XML.") from None

    def close(self, size: int) -> None:
        if self.done or size == 0:
            return
        self.feed(b"", True)
        if not self.done:
            raise UnreadableWorkbook(f"The file is damaged: its part {self.part} is not valid XML.")


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
