"""What cell values alone do not say, read from the sheet XML itself.

For ``.xlsx``/``.xlsm``: which cells are formatted as a percentage, which hold a formula
with no saved value, which hold an Excel error, and the real extent of each sheet (checked
before the values are loaded). For ``.ods`` the same from ``content.xml``. Every XML
parse goes through defusedxml; large sheets are scanned with byte searches and only fall
back to a full (defused) parse when they hold formulas, errors or unusual markup.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

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
            found = re.findall(rb'<c r="([A-Z]{1,3})(\d+)" s="(?:' + styles + rb')"', self.xml)
            expected = sum(self.xml.count(f' s="{k}"'.encode()) for k in self.percent_styles)
            if len(found) == expected:
                self.percent = {(int(r) - 1, col_index(c.decode())) for c, r in found}
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


def _parse(zf: zipfile.ZipFile, name: str):
    try:
        return SafeET.fromstring(zf.read(name), forbid_dtd=True)
    except KeyError:
        return None
    except Exception:
        raise UnreadableWorkbook(f"The file is damaged: its part {name} is not valid XML.") from None


# ---------------------------------------------------------------------- xlsx
def xlsx_facts(path: str, wanted: Callable[[str], bool]) -> WorkbookFacts:
    """Facts for the sheets whose names ``wanted`` accepts (the input sheets)."""
    out = WorkbookFacts()
    try:
        zf = zipfile.ZipFile(path)
    except Exception:
        raise UnreadableWorkbook("The file is damaged or incomplete.") from None
    with zf:
        book = _workbook_part(zf)
        sheets = _sheet_parts(zf, book)
        percent_styles = _percent_styles(zf, posixpath.join(posixpath.dirname(book), "styles.xml"))
        out.creator = _creator(zf)
        total = 0
        for name, part in sheets.items():
            if not wanted(name):
                continue
            try:
                with zf.open(part) as stream:   # unpacks at most the declared size
                    stream._expected_crc = None  # the CRC is checked again when the values are read
                    data = stream.read()
            except KeyError:
                continue
            except Exception:
                raise UnreadableWorkbook(f"The file is damaged: sheet {name!r} cannot be unpacked.") from None
            facts, cells = _sheet_facts(name, data, percent_styles)
            total += cells
            if total > MAX_TOTAL_CELLS:
                raise UnreadableWorkbook(f"The workbook's sheets hold more than {MAX_TOTAL_CELLS:,} cells, "
                                         "too many to open safely.")
            out.sheets[name] = facts
    return out


def _workbook_part(zf: zipfile.ZipFile) -> str:
    root = _parse(zf, "_rels/.rels")
    if root is not None:
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "xl/workbook.xml").lstrip("/")
    return "xl/workbook.xml"


def _sheet_parts(zf: zipfile.ZipFile, book: str) -> dict[str, str]:
    root = _parse(zf, book)
    base = posixpath.dirname(book)
    rels_root = _parse(zf, posixpath.join(base, "_rels", posixpath.basename(book) + ".rels"))
    targets = {}
    if rels_root is not None:
        for rel in rels_root:
            target = rel.get("Target", "")
            targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(base, target))
    out = {}
    if root is None:
        return out
    for el in root.iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if rid in targets and el.get("name") is not None:
                out[el.get("name")] = targets[rid]
    return out


_BUILTIN_PERCENT = {9, 10}


def _percent_styles(zf: zipfile.ZipFile, part: str) -> set[int]:
    root = _parse(zf, part)
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


def _creator(zf: zipfile.ZipFile) -> str:
    root = _parse(zf, "docProps/core.xml")
    if root is None:
        return ""
    for el in root:
        if _local(el.tag) == "creator" and el.text:
            return el.text.strip()[:200]
    return ""


_DIM = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_WIDE = re.compile(rb'<c r="([A-Z]{2,3})\d')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d+)"')
_ROW_R = re.compile(rb'<row r="(\d+)"')
#: Markup the fast path does not handle: namespace prefixes, formulas (not the
#: ``<formula1>`` of a dropdown), error cells. Each is one scan with a literal prefix.
_UNUSUAL = (re.compile(rb':(?:c|row) '), re.compile(rb'<f[ >/]'))
#: Cells or rows whose first attribute is not their reference.
_NO_REF = (re.compile(rb'<c(?:[>/]| (?!r="))'), re.compile(rb'<row(?:[>/]| (?!r="))'))


def _sheet_facts(name: str, data: bytes, percent_styles: set[int]) -> tuple[SheetFacts, int]:
    m = _DIM.search(data, 0, 4096)
    if m and m.group(3):
        rows = int(m.group(4)) - int(m.group(2)) + 1
        cols = col_index(m.group(3).decode()) - col_index(m.group(1).decode()) + 1
        check_extent(name, rows, cols)
    if b't="e"' in data or any(p.search(data) for p in _UNUSUAL):
        return _full_scan(name, data, percent_styles)
    # The usual sheet: every cell is written <c r="B123" with one column letter and no more
    # digits than the last row has (a cell's position is its reference, whatever its row
    # element says). One scan checks that; the rows are then bounded by that many digits.
    # Anything else is looked at closely.
    last = data.rfind(b'<row r="')
    digits = len(_ROW_R.match(data, last).group(1)) if last >= 0 else 1
    odd_cell = re.compile(rb'<c(?! r="[A-Z]\d{1,%d}")[ >/]' % digits)
    row_max, col_max = 10**digits - 1, 26
    if odd_cell.search(data) or row_max * col_max > MAX_CELLS:
        if any(p.search(data) for p in _NO_REF):
            return _full_scan(name, data, percent_styles)
        col_max = max((col_index(w.decode()) + 1 for w in _WIDE.findall(data)), default=26)
        row_max = max(max((int(x) for x in _ROW_R.findall(data)), default=0),
                      max((int(x) for x in _CELL_ROW.findall(data)), default=0))
    check_extent(name, row_max, col_max)
    facts = SheetFacts()
    if percent_styles:
        facts.xml, facts.percent_styles, facts.name = data, tuple(sorted(percent_styles)), name
    return facts, row_max * col_max


def _full_scan(name: str, data: bytes, percent_styles: set[int]) -> tuple[SheetFacts, int]:
    """A defused streaming parse of the whole sheet (formulas, errors, unusual markup)."""
    import io

    facts = SheetFacts()
    row_max = col_max = 0
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
                if row_max * col_max > 0:
                    check_extent(name, row_max, col_max)
            elif tag == "row":
                el.clear()
    except UnreadableWorkbook:
        raise
    except Exception:
        raise UnreadableWorkbook(f"The file is damaged: sheet {name!r} is not valid XML.") from None
    return facts, row_max * col_max


# ----------------------------------------------------------------------- ods
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"


def ods_facts(path: str) -> WorkbookFacts:
    """Facts for every table of an OpenDocument spreadsheet, from a defused parse of content.xml."""
    out = WorkbookFacts()
    try:
        with zipfile.ZipFile(path) as zf:
            data = zf.open("content.xml")
            _ods_scan(data, out)
    except UnreadableWorkbook:
        raise
    except KeyError:
        raise UnreadableWorkbook("The file is damaged: it has no spreadsheet content.") from None
    except Exception:
        raise UnreadableWorkbook("The file is damaged: its spreadsheet content is not valid XML.") from None
    return out


def _ods_scan(stream, out: WorkbookFacts) -> None:
    vtype = f"{{{_OFFICE}}}value-type"
    formula = f"{{{_TABLE}}}formula"
    rep_c = f"{{{_TABLE}}}number-columns-repeated"
    rep_r = f"{{{_TABLE}}}number-rows-repeated"
    calc_type = f"{{{_CALCEXT}}}value-type"
    facts = None
    name = ""
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
