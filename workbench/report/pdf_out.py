"""A :class:`~workbench.report.content.Briefing` as a PDF (reportlab).

Text and tables are real PDF text in DejaVu Sans, the font matplotlib ships, embedded
(subset) so that the file looks the same everywhere and its text can be searched and
copied; tables split across pages with their header row repeated; plots are 200 dpi
pictures; every page carries the footer and its number; A4 or Letter, the annex in
landscape. Nothing is fetched from anywhere.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from workbench.report.content import Briefing, Heading, Landscape, Para, Plot, TableBlock
from workbench.report.plots import render_png

PAPER = {"a4": A4, "letter": LETTER}
MARGIN = 18 * mm
FONT, BOLD, ITALIC = "WBSans", "WBSans-Bold", "WBSans-Oblique"
HEADER_FILL = colors.HexColor("#DCE6F1")
FLAG = colors.HexColor("#B03A00")


def _fonts() -> None:
    """Register DejaVu Sans from matplotlib's own data folder (embedded in the PDF)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in ((FONT, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf"), (ITALIC, "DejaVuSans-Oblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, bulletFontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=5)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=17, leading=21, spaceAfter=8),
        "h1": ParagraphStyle("h1", parent=base, fontName=BOLD, fontSize=13, leading=16, spaceBefore=10,
                             spaceAfter=5, textColor=colors.HexColor("#1F4E79")),
        "h2": ParagraphStyle("h2", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=7,
                             spaceAfter=4, textColor=colors.HexColor("#1F4E79")),
        "body": base,
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")),
        "flag": ParagraphStyle("flag", parent=base, fontName=BOLD, textColor=FLAG),
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=10, bulletIndent=2),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5, spaceAfter=0),
        "cell_small": ParagraphStyle("cell_small", parent=base, fontSize=7, leading=8.5, spaceAfter=0),
        "footer": ParagraphStyle("footer", parent=base, fontSize=7.5),
    }


def write_pdf(brief: Briefing, path: str | os.PathLike[str], *, paper: str = "a4") -> None:
    _fonts()
    st = _styles()
    size = PAPER[paper]
    wide = landscape(size)
    doc = BaseDocTemplate(os.fspath(path), pagesize=size, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=brief.title,
                          author=dict(brief.meta).get("Author", ""), subject=brief.footer,
                          creator="Scenario Workbench", invariant=1,
                          # the canvas starts in the embedded font: no unembedded standard font on any page
                          initialFontName=FONT, initialFontSize=9.5)

    def footer(canvas: Canvas, d: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        w = canvas._pagesize[0]
        canvas.drawCentredString(w / 2, MARGIN / 2, f"{brief.footer} · page {d.page}")
        canvas.restoreState()

    doc.addPageTemplates([
        PageTemplate("portrait", [Frame(MARGIN, MARGIN + 4 * mm, size[0] - 2 * MARGIN, size[1] - 2 * MARGIN - 4 * mm,
                                        id="p")], onPage=footer, pagesize=size),
        PageTemplate("landscape", [Frame(MARGIN, MARGIN + 4 * mm, wide[0] - 2 * MARGIN, wide[1] - 2 * MARGIN - 4 * mm,
                                         id="l")], onPage=footer, pagesize=wide),
    ])
    width = size[0] - 2 * MARGIN
    story: list[Flowable] = [Paragraph(escape(brief.title), st["title"]),
                   _table(TableBlock(("Item", "Value"), brief.meta, (2.0, 7.0)), width, st), Spacer(1, 4)]
    for block in brief.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(escape(block.text), st["h1" if block.level <= 1 else "h2"]))
        elif isinstance(block, Para):
            story.append(Paragraph(escape(block.text), st.get(block.style, st["body"]),
                                   bulletText="•" if block.style == "bullet" else None))
        elif isinstance(block, TableBlock):
            story += [_table(block, width, st), Spacer(1, 6)]
        elif isinstance(block, Plot):
            w_in = min(width / 72, 6.7)
            png = render_png(block.draw, w_in, block.aspect)
            story.append(Image(io.BytesIO(png), width=w_in * 72, height=w_in * block.aspect * 72))
            if block.caption:
                story.append(Paragraph(escape(block.caption), st["note"]))
        elif isinstance(block, Landscape):
            story += [NextPageTemplate("landscape"), PageBreak()]
            width = wide[0] - 2 * MARGIN
    doc.build(story)


def _table(block: TableBlock, width: float, st: dict[str, ParagraphStyle]) -> Table:
    n = len(block.headers)
    rel = list(block.widths) if len(block.widths) == n else [1.0] * n
    col_w = [width * r / sum(rel) for r in rel]
    style = st["cell_small"] if block.small else st["cell"]
    right = ParagraphStyle("right", parent=style, alignment=2)
    head = ParagraphStyle("head", parent=style, fontName=BOLD)
    numeric = list(block.numeric) if len(block.numeric) == n else [False] * n
    data = [[Paragraph(escape(h), head) for h in block.headers]]
    data += [[Paragraph(escape(str(v)), right if numeric[j] else style) for j, v in enumerate(row)]
             for row in block.rows]
    t = Table(data, colWidths=col_w, repeatRows=1, hAlign="CENTER")
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9AA5B1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return t
