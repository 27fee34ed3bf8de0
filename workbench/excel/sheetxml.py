"""What cell values alone do not say, read from the sheet XML itself.

For ``.xlsx``/``.xlsm``: which cells are formatted as a percentage, which hold a formula
with no saved value, which hold an Excel error, and the real extent of each sheet (checked
before the values are loaded). For ``.ods`` the same from ``content.xml``. Every XML
parse goes through defusedxml; large sheets are scanned with byte searches and only fall
back to a full (defused) parse when they hold formulas, errors or unusual markup.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from workbench.excel.guards import MAX_CELLS, MAX_TOTAL_CELLS, UnreadableWorkbook, check_extent

Cell = tuple[int, int]  # zero-based (row, column)


@dataclass
class SheetFacts:
    percent: set[Cell] = field(default_factory=set)
    no_value_formula: set[Cell] = field(default_factory=set)
    errors: dict[Cell, str] = field(default_factory=dict)
    #: For large plain sheets the percentage cells are found on demand, per column:
    #: the sheet XML and the style ids that format as a percentage.
    xml: bytes = b""
    percent_styles: tuple[int, ...] = ()
    name: str = ""

    def percent_in(self, columns: set[int]) -> set[Cell]:
        """The cells formatted as a percentage in these (zero-based) columns."""
        if self.xml and self.percent_styles:
            styles = b"|".join(str(k).encode() for k in self.percent_styles)
            found = re.findall(rb'<c r="([A-Za-z]{1,3})(\d+)" s="(?:' + styles + rb')"', self.xml)
            expected = sum(self.xml.count(f' s="{k}"'.encode()) for k in self.percent_styles)
            if len(found) == expected:
                self.percent = {(int(r) - 1, col_index(c.decode().upper())) for c, r in found}
            else:  # attributes in an unusual order: read the sheet properly
                self.percent = _full_scan(self.name, self.xml, set(self.percent_styles))[0].percent
            self.xml = b""
        return {c for c in self.percent if c[1] in columns}


@dataclass
class WorkbookFacts:
    sheets: dict[str, SheetFacts] = field(default_factory=dict)
    creator: str = ""

    def of(self, sheet: str) -> SheetFacts:
        return self.sheets.get(sheet) or SheetFacts()


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def col_letters(index: int) -> str:
    s, n = "", index + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def a1(row: int, col: int) -> str:
    """Zero-based (row, column) -> ``"B7"``."""
    return f"{col_letters(col)}{row + 1}"


_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def parse_ref(ref: str) -> Cell | None:
    m = _REF.match(ref.upper())
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(zf: zipfile.ZipFile, name: str) -> Element | None:
    try:
        root: Element = SafeET.fromstring(zf.read(name), forbid_dtd=True)   # defusedxml ships no types
        return root
    except KeyError:
        return None
    except Exception:
        raise UnreadableWorkbook(f"The file is damaged: its part {name} is not valid XML.") from None


# ---------------------------------------------------------------------- xlsx
def xlsx_facts(path: str, limit_of: Callable[[str], int | None]) -> WorkbookFacts:
    """Facts for the sheets the import reads: ``limit_of(sheet)`` is the most rows that sheet
    may span (``None`` for a sheet that is not read).

    The parts are found exactly as the value reader (calamine) finds them: the workbook
    at ``xl/workbook.xml`` and its relationships at ``xl/_rels/workbook.xml.rels``,
    whatever the package's own relationships say; a sheet's target taken from ``xl/``
    (``/xl/...`` and ``xl/...`` as written, anything else appended to ``xl/``, with no
    other normalisation); part names matched ignoring case. So the extent checks and
    the formula and error facts are about the very bytes whose values are read."""
    out = WorkbookFacts()
    try:
        zf = zipfile.ZipFile(path)
    except Exception:
        raise UnreadableWorkbook("The file is damaged or incomplete.") from None
    with zf:
        parts = PartNames(zf)
        sheets = _sheet_parts(zf, parts)
        percent_styles = _percent_styles(zf, parts.find("xl/styles.xml"))
        out.creator = _creator(zf, parts.find("docProps/core.xml"))
        total = 0
        for name, part in sheets.items():
            limit = limit_of(name)
            if limit is None:
                continue
            member = parts.find(part) if part else None
            if member is None:
                # the value reader may still find it (its own path rules), but then its
                # formulas and extent would go unchecked: refuse rather than guess
                raise UnreadableWorkbook(f"Sheet {name!r} is stored in the file where Excel does not put it"
                                         + (f" ({part[:80]})" if part else "") + ", so the app cannot check it and "
                                         "did not open the workbook. Re-save it in Excel or LibreOffice.")
            try:
                with zf.open(member) as stream:   # sizes and checksums were verified by the guards
                    data = stream.read()
            except Exception:
                raise UnreadableWorkbook(f"The file is damaged: sheet {name!r} cannot be unpacked.") from None
            facts, cells = _sheet_facts(name, data, percent_styles, limit)
            total += cells
            if total > MAX_TOTAL_CELLS:
                raise UnreadableWorkbook(f"The workbook's sheets hold more than {MAX_TOTAL_CELLS:,} cells, "
                                         "too many to open safely.")
            out.sheets[name] = facts
    return out


class PartNames:
    """Zip part names looked up ignoring case (as the value reader does)."""

    def __init__(self, zf: zipfile.ZipFile):
        self.names: dict[str, str] = {}
        for n in zf.namelist():
            self.names.setdefault(n.lower(), n)

    def find(self, name: str) -> str | None:
        return self.names.get(name.lower())


def reader_target(target: str) -> str:
    """Where the value reader looks for a sheet whose relationship target is ``target``."""
    if target.startswith("/xl/"):
        return target[1:]
    if target.startswith("xl/"):
        return target
    return f"xl/{target}"


def _sheet_parts(zf: zipfile.ZipFile, parts: PartNames) -> dict[str, str | None]:
    book, rels = parts.find("xl/workbook.xml"), parts.find("xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    root = _parse(zf, book)
    rels_root = _parse(zf, rels)
    targets: dict[str, str] = {}
    if rels_root is not None:
        for rel in rels_root.iter():
            if _local(rel.tag) == "Relationship" and (rel_id := rel.get("Id")) is not None:
                targets[rel_id] = reader_target(rel.get("Target", ""))
    out: dict[str, str | None] = {}
    if root is None:
        return out
    for el in root.iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if (name := el.get("name")) is not None:
                out[name] = targets.get(rid) if rid is not None else None
    return out


_BUILTIN_PERCENT = {9, 10}


def _percent_styles(zf: zipfile.ZipFile, part: str | None) -> set[int]:
    root = _parse(zf, part) if part else None
    if root is None:
        return set()
    custom: dict[int, str] = {}
    xfs: list[int] = []
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for nf in el:
                try:
                    custom[int(nf.get("numFmtId", "-1"))] = nf.get("formatCode", "")
                except ValueError:
                    continue
        elif tag == "cellXfs":
            for xf in el:
                try:
                    xfs.append(int(xf.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)
    pct = {i for i, code in custom.items() if "%" in re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)}
    return {k for k, fid in enumerate(xfs) if fid in _BUILTIN_PERCENT or fid in pct}


def _creator(zf: zipfile.ZipFile, part: str | None) -> str:
    root = _parse(zf, part) if part else None
    if root is None:
        return ""
    for el in root:
        if _local(el.tag) == "creator" and el.text:
            return el.text.strip()[:200]
    return ""


#: Markup the fast path does not handle: namespace prefixes, formulas (not the
#: ``<formula1>`` of a dropdown), error cells. Each is one scan with a literal prefix.
_UNUSUAL = (re.compile(rb':(?:c|row) '), re.compile(rb'<f[ >/]'))
#: Cells or rows whose first attribute is not their reference.
_NO_REF = (re.compile(rb'<c(?:[>/]| (?!r="))'), re.compile(rb'<row(?:[>/]| (?!r="))'))
_REF_AT = re.compile(rb'<c r="([A-Za-z]{1,3})(\d{1,7})"')
_ROW_AT = re.compile(rb'<row r="(\d{1,7})"')
#: A cell with its reference and whether it is written empty (``<c r="B7" s="3"/>``).
_CELL_TAG = re.compile(rb'<c r="([A-Za-z]{1,3})(\d{1,7})"[^>]*?(/?)>')
_SAMPLE = 1 << 18


def written_cells(data: bytes) -> int:
    """At least how many cell elements a sheet holds (empty ones too): what a reader walks
    through. One byte count; it also counts a few other tags (``<col``), never fewer cells.
    Cells written with a namespace prefix are counted by the full scan."""
    return data.count(b"<c")


def _sheet_facts(name: str, data: bytes, percent_styles: set[int],
                 max_rows: int | None = None) -> tuple[SheetFacts, int]:
    """What the sheet's values do not say, and the cells its values span.

    The declared ``<dimension>`` is ignored (the value reader does not use it either); the
    extent is the box around the cells that hold something, with references read in any
    case. A sheet written the usual way is checked with a few byte scans: its extent is
    guessed from the last row and a sample of cells, and one scan proves that no cell lies
    outside the guess; anything else is measured cell by cell."""
    written = written_cells(data)
    if written > MAX_CELLS:
        raise UnreadableWorkbook(f"Sheet {name!r} holds {written:,} cells (counting empty ones), more than the "
                                 f"{MAX_CELLS:,} a workbook may hold in one sheet, so it was not opened.")
    if b't="e"' in data or any(p.search(data) for p in _UNUSUAL) or any(p.search(data) for p in _NO_REF):
        return _full_scan(name, data, percent_styles, max_rows)
    rows, cols = _guess_extent(data)
    if rows * cols > MAX_CELLS or (max_rows is not None and rows > max_rows) or _outside(data, rows, cols):
        rows, cols = _value_extent(data)
    check_extent(name, rows, cols)
    check_rows(name, rows, max_rows)
    facts = SheetFacts()
    if percent_styles:
        facts.xml, facts.percent_styles, facts.name = data, tuple(sorted(percent_styles)), name
    return facts, rows * cols


def _guess_extent(data: bytes) -> tuple[int, int]:
    """Rows and columns from the last row element and the cells at both ends of the sheet."""
    last = data.rfind(b'<row r="')
    m = _ROW_AT.match(data, last) if last >= 0 else None
    rows = int(m.group(1)) if m else 0
    cols = 0
    for part in (data[:_SAMPLE], data[-_SAMPLE:]):
        for letters, digits in _REF_AT.findall(part):
            cols = max(cols, col_index(letters.decode().upper()) + 1)
            rows = max(rows, int(digits))
    return rows, cols


def _outside(data: bytes, rows: int, cols: int) -> bool:
    """Whether any cell's reference lies beyond ``rows`` x ``cols`` (or is written oddly)."""
    if rows <= 0 or cols <= 0:
        return b"<c " in data
    within = re.compile(rb'<c r="(?!(?:' + _le_letters(col_letters(cols - 1)) + rb')(?:' + _le_number(rows)
                        + rb')")')
    return within.search(data) is not None


def _le_number(n: int) -> bytes:
    """A pattern for the whole numbers 1..n written without leading zeros."""
    digits = str(n)
    alts = [rb"[1-9]\d{0,%d}" % (len(digits) - 2)] if len(digits) > 1 else []
    for i, ch in enumerate(digits):
        d = int(ch)
        lo = 1 if i == 0 else 0
        if d > lo:
            rest = len(digits) - i - 1
            alts.append(digits[:i].encode() + b"[%d-%d]" % (lo, d - 1) + (rb"\d{%d}" % rest if rest else b""))
    alts.append(digits.encode())
    return b"|".join(b"(?:" + a + b")" for a in alts)


def _le_letters(top: str) -> bytes:
    """A pattern for the column letters up to ``top`` (``"Q"``, ``"AD"``), in either case."""
    def cls(lo: str, hi: str) -> bytes:
        return b"[%s-%s%s-%s]" % (lo.encode(), hi.encode(), lo.lower().encode(), hi.lower().encode())

    alts = [cls("A", "Z") + (b"{1,%d}" % (len(top) - 1) if len(top) > 2 else b"")] if len(top) > 1 else []
    for i, ch in enumerate(top):
        if ch > "A":
            rest = len(top) - i - 1
            prefix = b"".join(cls(c, c) for c in top[:i])
            alts.append(prefix + cls("A", chr(ord(ch) - 1)) + (cls("A", "Z") + b"{%d}" % rest if rest else b""))
    alts.append(b"".join(cls(c, c) for c in top))
    return b"|".join(b"(?:" + a + b")" for a in alts)


def _value_extent(data: bytes) -> tuple[int, int]:
    """Rows and columns spanned by the cells that are not written empty, cell by cell."""
    rows = cols = 0
    for letters, digits, empty in _CELL_TAG.findall(data):
        if empty:
            continue
        rows = max(rows, int(digits))
        cols = max(cols, col_index(letters.decode().upper()) + 1)
    return rows, cols


def _full_scan(name: str, data: bytes, percent_styles: set[int],
               max_rows: int | None = None) -> tuple[SheetFacts, int]:
    """A defused streaming parse of the whole sheet (formulas, errors, unusual markup)."""
    import io

    facts = SheetFacts()
    row_max = col_max = written = 0
    cur_row = 0
    cur_col = -1
    try:
        for event, el in SafeET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True):
            tag = _local(el.tag)
            if event == "start":
                if tag == "row":
                    r = el.get("r")
                    cur_row = int(r) - 1 if r and r.isdigit() else cur_row + 1
                    cur_col = -1
                continue
            if tag == "c":
                ref = parse_ref(el.get("r", "")) if el.get("r") else None
                if ref is None:
                    cur_col += 1
                    ref = (cur_row, cur_col)
                else:
                    cur_col = ref[1]
                r, c = ref
                f = v = None
                for child in el:
                    t = _local(child.tag)
                    if t == "f":
                        f = child
                    elif t == "v":
                        v = child
                    elif t == "is":
                        v = child
                has_value = v is not None and (len(v) > 0 or (v.text or "").strip() != "")
                if has_value or f is not None:
                    row_max, col_max = max(row_max, r + 1), max(col_max, c + 1)
                if f is not None and not has_value:
                    facts.no_value_formula.add(ref)
                if el.get("t") == "e" and v is not None:
                    facts.errors[ref] = (v.text or "#VALUE!").strip()
                s = el.get("s")
                if s and s.isdigit() and int(s) in percent_styles and has_value:
                    facts.percent.add(ref)
                el.clear()
                written += 1
                if written > MAX_CELLS:
                    raise UnreadableWorkbook(f"Sheet {name!r} holds more than {MAX_CELLS:,} cells (counting empty "
                                             "ones), more than a workbook may hold in one sheet, so it was not opened.")
                if row_max * col_max > 0:
                    check_extent(name, row_max, col_max)
                    check_rows(name, row_max, max_rows)
            elif tag == "row":
                el.clear()
    except UnreadableWorkbook:
        raise
    except Exception:
        raise UnreadableWorkbook(f"The file is damaged: sheet {name!r} is not valid XML.") from None
    return facts, row_max * col_max


def check_rows(sheet: str, rows: int, limit: int | None) -> None:
    """Refuse a sheet spanning more rows than its table may hold (titles and header included)."""
    if limit is not None and rows > limit:
        raise UnreadableWorkbook(f"Sheet {sheet!r} spans {rows:,} rows; that sheet may span at most {limit:,} "
                                 "(the most a scenario holds, with title and header rows), so the workbook was not "
                                 "opened. Remove the extra rows, or split the workbook.")


# ----------------------------------------------------------------------- ods
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def ods_facts(path: str, limit_of: Callable[[str], int | None] = lambda _sheet: None) -> WorkbookFacts:
    """Facts for every table of an OpenDocument spreadsheet, from a defused parse of
    content.xml; ``limit_of(table)`` is the most rows a table the import reads may span."""
    out = WorkbookFacts()
    try:
        with zipfile.ZipFile(path) as zf:
            data = zf.open("content.xml")
            _ods_scan(data, out, limit_of)
    except UnreadableWorkbook:
        raise
    except KeyError:
        raise UnreadableWorkbook("The file is damaged: it has no spreadsheet content.") from None
    except Exception:
        raise UnreadableWorkbook("The file is damaged: its spreadsheet content is not valid XML.") from None
    return out


def _ods_scan(stream: IO[bytes], out: WorkbookFacts, limit_of: Callable[[str], int | None]) -> None:
    vtype = f"{{{_OFFICE}}}value-type"
    formula = f"{{{_TABLE}}}formula"
    rep_c = f"{{{_TABLE}}}number-columns-repeated"
    rep_r = f"{{{_TABLE}}}number-rows-repeated"
    calc_type = f"{{{_CALCEXT}}}value-type"
    facts = None
    name = ""
    limit = None
    row = col = 0
    row_rep = 1
    row_max = col_max = 0
    total = 0
    for event, el in SafeET.iterparse(stream, events=("start", "end"), forbid_dtd=True):
        tag = el.tag
        if event == "start":
            if tag == f"{{{_TABLE}}}table":
                name = el.get(f"{{{_TABLE}}}name", "")
                facts = out.sheets.setdefault(name, SheetFacts())
                limit = limit_of(name)
                row, row_max, col_max = 0, 0, 0
            elif tag == f"{{{_TABLE}}}table-row":
                col = 0
                row_rep = _int(el.get(rep_r), 1)
            continue
        if tag in (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"):
            reps = _int(el.get(rep_c), 1)
            has_value = el.get(vtype) is not None or len(el) > 0
            if has_value and facts is not None:
                row_max = max(row_max, row + row_rep)
                col_max = max(col_max, col + reps)
                check_extent(name, row_max, col_max)
                check_rows(name, row_max, limit)
                if reps * row_rep <= 1000:
                    cells = [(row + dr, col + dc) for dr in range(row_rep) for dc in range(reps)]
                    if el.get(vtype) == "percentage":
                        facts.percent.update(cells)
                    if el.get(calc_type) == "error":
                        for cell in cells:
                            facts.errors[cell] = "".join(el.itertext()).strip() or "#VALUE!"
            elif el.get(formula) is not None and facts is not None:
                facts.no_value_formula.add((row, col))
            col += reps
            el.clear()
        elif tag == f"{{{_TABLE}}}table-row":
            row += row_rep
            el.clear()
        elif tag == f"{{{_TABLE}}}table":
            total += row_max * col_max
            if total > MAX_TOTAL_CELLS:
                raise UnreadableWorkbook(f"The workbook's sheets hold more than {MAX_TOTAL_CELLS:,} cells, "
                                         "too many to open safely.")


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, int(text)) if text is not None else default
    except ValueError:
        return default
