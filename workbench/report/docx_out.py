"""A :class:`~workbench.report.content.Briefing` as a Word document (python-docx).

Native Word headings and tables (header rows repeat on each page), plots as 200 dpi
pictures, page numbers in the footer, A4 or Letter; the annex in landscape.
"""

from __future__ import annotations

import io
import os

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Inches, Length, Mm, Pt, RGBColor
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from workbench.report.content import Briefing, Heading, Landscape, Para, Plot, TableBlock
from workbench.report.plots import render_png

PAPER = {"a4": (Mm(210), Mm(297)), "letter": (Inches(8.5), Inches(11))}
MARGIN = Mm(20)
FLAG = RGBColor(0xB0, 0x3A, 0x00)
NOTE = RGBColor(0x44, 0x44, 0x44)


def write_docx(brief: Briefing, path: str | os.PathLike[str], *, paper: str = "a4") -> None:
    doc = Document()
    width, height = PAPER[paper]
    sec = doc.sections[0]
    sec.page_width, sec.page_height = width, height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, MARGIN)
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    props = doc.core_properties
    props.title = brief.title
    props.author = dict(brief.meta).get("Author", "")
    props.comments = brief.footer
    _footer(sec, brief.footer)
    doc.add_heading(brief.title, 0)
    _table(doc, TableBlock(("Item", "Value"), brief.meta, (2.0, 7.0), key="title_block"), sec)
    for block in brief.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, block.level)
        elif isinstance(block, Para):
            _para(doc, block)
        elif isinstance(block, TableBlock):
            _table(doc, block, sec)
        elif isinstance(block, Plot):
            text_w = _text_width(sec) / 914400
            w = min(text_w, 6.7)
            doc.add_picture(io.BytesIO(render_png(block.draw, w, block.aspect)), width=Inches(w))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if block.caption:
                _para(doc, Para(block.caption, "note"))
        elif isinstance(block, Landscape):
            sec = doc.add_section(WD_SECTION.NEW_PAGE)
            sec.orientation = WD_ORIENT.LANDSCAPE
            sec.page_width, sec.page_height = height, width
    doc.save(os.fspath(path))


def _text_width(sec: Section) -> int:
    """EMU between the margins (``write_docx`` sets the page size and margins of every section)."""
    width, left, right = sec.page_width, sec.left_margin, sec.right_margin
    if width is None or left is None or right is None:
        raise ValueError("The page size and margins must be set before content is added.")
    return int(width - left - right)


def _para(doc: DocxDocument, block: Para) -> None:
    p = doc.add_paragraph(style="List Bullet" if block.style == "bullet" else None)
    run = p.add_run(block.text)
    if block.style == "note":
        run.font.size = Pt(8.5)
        run.font.color.rgb = NOTE
    elif block.style == "flag":
        run.bold = True
        run.font.color.rgb = FLAG


def _table(doc: DocxDocument, block: TableBlock, sec: Section) -> None:
    n = len(block.headers)
    table = doc.add_table(rows=1, cols=n)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = Pt(7.5 if block.small else 9)
    total_w = _text_width(sec)
    rel = list(block.widths) if len(block.widths) == n else [1.0] * n
    widths = [Length(int(total_w * r / sum(rel))) for r in rel]
    numeric = list(block.numeric) if len(block.numeric) == n else [False] * n
    hdr = table.rows[0]
    _repeat_header(hdr)
    for j, text in enumerate(block.headers):
        _fill(hdr.cells[j], text, size, bold=True, width=widths[j], right=False, shade=True)
    for row in block.rows:
        cells = table.add_row().cells
        for j, text in enumerate(row):
            _fill(cells[j], text, size, bold=False, width=widths[j], right=numeric[j])
    doc.add_paragraph()


def _fill(cell: _Cell, text: str, size: Length, *, bold: bool, width: Length, right: bool, shade: bool = False) -> None:
    cell.width = width
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = p.add_run(text)
    run.font.size = size
    run.bold = bold
    if shade:
        tc_pr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), "DCE6F1")
        tc_pr.append(shd)


def _repeat_header(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _footer(sec: Section, text: str) -> None:
    p = sec.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(f"{text} · page ")
    run.font.size = Pt(8)
    _field(p, "PAGE")
    tail = p.add_run(" of ")
    tail.font.size = Pt(8)
    _field(p, "NUMPAGES")


def _field(p: Paragraph, code: str) -> None:
    run = p.add_run()
    run.font.size = Pt(8)
    for kind, instr in (("begin", None), (None, code), ("separate", None), ("end", None)):
        if kind is None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
        if kind == "separate":
            t = OxmlElement("w:t")
            t.text = "1"
            run._r.append(t)
