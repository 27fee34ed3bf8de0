"""Exported plots a briefing can use: landscape at the chosen size, a footnote naming the scenario, method,
trials, seed and content hash, safe default file names; legends off the data on screen and in the file."""

from __future__ import annotations

import re
import struct

import pytest

from ui.plots import figures
from ui.plots.canvas import EXPORT_SIZE, PlotCanvas, run_footnote, safe_file_stem


@pytest.fixture
def canvas(qtbot, run):
    c = PlotCanvas(figures.plot_distribution, title="Distribution of NPV")
    qtbot.addWidget(c)
    c.resize(700, 500)
    c.show()
    qtbot.waitExposed(c)
    c.show_run(run)
    return c


def _png_size(path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    return struct.unpack(">II", head[16:24])


def test_png_is_landscape_at_the_chosen_size(canvas, tmp_path):
    out = canvas.export(tmp_path / "a.png")
    w, h = _png_size(out)
    assert w > h
    assert w / h == pytest.approx(EXPORT_SIZE[0] / EXPORT_SIZE[1], rel=0.02)
    out = canvas.export(tmp_path / "b.png", size=(6.0, 4.0))
    w2, h2 = _png_size(out)
    assert w2 / h2 == pytest.approx(1.5, rel=0.02) and w2 < w
    with pytest.raises(ValueError, match="inches"):
        canvas.export(tmp_path / "c.png", size=(0.1, 4.0))


def test_svg_and_pdf_carry_the_footnote(canvas, run, tmp_path):
    note = run_footnote(run)
    assert f"{run.trials:,} trials" in note and f"seed {run.seed}" in note and run.method in note
    assert (run.input_hash or run.scenario_hash)[:12] in note
    svg = canvas.export(tmp_path / "plot.svg").read_text(encoding="utf-8")
    assert f"seed {run.seed}" in svg and "content hash" in svg
    width, height = (float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
    assert width > height
    pdf = canvas.export(tmp_path / "plot.pdf")
    from pypdf import PdfReader

    page = PdfReader(str(pdf)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)
    assert f"seed {run.seed}" in page.extract_text()


def test_the_canvas_keeps_no_footnote_after_an_export(canvas, tmp_path):
    before = len(canvas.figure.texts)
    canvas.export(tmp_path / "plot.png")
    assert len(canvas.figure.texts) == before


@pytest.mark.parametrize(("text", "stem"), [("Distribution of NPV", "distribution-of-npv"),
                                            ('a/b\\c:d*e?"f<g>|h', "a-b-c-d-e-f-g-h"),
                                            ("CON", "plot-con"), ("   ", "plot"), ("Projets été", "projets-t")])
def test_safe_file_stems(text, stem):
    assert safe_file_stem(text) == stem


def test_default_file_name_names_scenario_and_view(canvas, run):
    name = canvas.default_file_name()
    assert name.endswith("-distribution-of-npv.png")
    assert re.fullmatch(r"[a-z0-9_-]+\.png", name)
