"""The briefing: `workbench report` writes Word and PDF whose numbers are those of `workbench run --json`."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import re
from dataclasses import replace

import docx
import pypdf
import pytest

from workbench import default_scenario
from workbench.cli import main
from workbench.excel import write_workbook
from workbench.figures import FRACTION, MULTIPLE, RATE, USD_M, KeyFigure
from workbench.snapshots import Library
from workbench.sources import Source

TRIALS, SEED = "2000", "11"

pytestmark = pytest.mark.slow


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """`run --json`, `report --out .docx` and `report --out .pdf` on the default scenario, same trials and seed."""
    folder = tmp_path_factory.mktemp("brief")
    code, out, err = cli("run", "--json", "--trials", TRIALS, "--seed", SEED)
    assert code == 0, err
    summary = json.loads(out)
    paths = {}
    for ext in ("docx", "pdf"):
        paths[ext] = folder / f"brief.{ext}"
        code, out, err = cli("report", "--out", str(paths[ext]), "--trials", TRIALS, "--seed", SEED)
        assert code == 0, err
        assert "Wrote the briefing" in out
    return summary, paths


def _figure(js: dict) -> KeyFigure:
    nan = float("nan")
    band = js["band"]
    return KeyFigure(js["key"], js["label"], nan if js["value"] is None else js["value"], js["unit"],
                     js["definition"], None if band is None else tuple(nan if b is None else b for b in band))


def _first_number(text: str, unit: str) -> float:
    """The value a cell shows, read back independently of the formatter (bn -> USD m, % -> fraction)."""
    m = re.search(r"(\u2212|-)?([\d,]+(?:\.\d+)?)", text)
    x = float(m.group(2).replace(",", "")) * (-1 if m.group(1) else 1)
    if unit == USD_M and " bn" in text.split("(")[0]:
        x *= 1000
    if unit in (FRACTION, RATE) and "%" in text.split("(")[0]:
        x /= 100
    return x


def _tolerance(text: str, unit: str) -> float:
    head = text.split("(")[0]
    decimals = len(m.group(1)) if (m := re.search(r"\.(\d+)", head)) else 0
    step = 10 ** -decimals
    if unit == USD_M and " bn" in head:
        step *= 1000
    if unit in (FRACTION, RATE) and "%" in head:
        step /= 100
    return step / 2 + 1e-9


def _docx_tables(path) -> list[list[list[str]]]:
    d = docx.Document(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]


def _key_table(tables) -> dict[str, str]:
    t = next(t for t in tables if t[0] == ["Figure", "Value", "Definition"])
    return {row[0]: row[1] for row in t[1:]}


def test_docx_key_figures_equal_run_json(written):
    summary, paths = written
    shown = _key_table(_docx_tables(paths["docx"]))
    figs = summary["key_figures"]
    assert len(shown) == len(figs) >= 15
    for js in figs:
        f = _figure(js)
        assert shown[f.label] == f.text(), f.key
        if js["value"] is not None and f.unit in (USD_M, FRACTION, RATE, MULTIPLE):
            assert math.isclose(_first_number(shown[f.label], f.unit), js["value"],
                                abs_tol=_tolerance(shown[f.label], f.unit)), f.key
    d = docx.Document(str(paths["docx"]))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    for h in ("The answer", "Key figures", "Allocation", "Risk", "Stress tests", "Sensitivity",
              "Assumptions and their sources", "Annex: the input tables"):
        assert h in headings
    meta = dict(tuple(r) for r in _docx_tables(paths["docx"])[0][1:])
    assert meta["Seed"] == SEED and meta["Trials"] == f"{int(TRIALS):,}"
    assert meta["Content hash"] == default_scenario().content_hash()
    assert len(d.inline_shapes) >= 5                          # the plots
    assert round(d.sections[0].page_width.mm) == 210          # A4 by default
    assert d.sections[-1].page_width > d.sections[-1].page_height   # the annex in landscape


def test_pdf_key_figures_equal_run_json(written):
    summary, paths = written
    reader = pypdf.PdfReader(str(paths["pdf"]))
    text = "".join("".join(p.extract_text().split()) for p in reader.pages)
    for js in summary["key_figures"]:
        f = _figure(js)
        assert "".join((f.label + f.text()).split()) in text, f.key
    assert len(reader.pages) >= 4
    assert all(p.mediabox.width in (595.2756, 841.8898) or round(float(p.mediabox.width)) in (595, 842)
               for p in reader.pages)
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            desc = font.get_object().get("/FontDescriptor")
            fonts.add(bool(desc and desc.get_object().get("/FontFile2")))
    assert fonts == {True}                                    # every font embedded
    assert "page1" in "".join(reader.pages[0].extract_text().split())


def test_answer_and_tables_name_the_runs_numbers(written):
    summary, paths = written
    d = docx.Document(str(paths["docx"]))
    paras = [p.text for p in d.paragraphs]
    answer = paras[paras.index("The answer") + 1: paras.index("The answer") + 4]
    figs = {js["key"]: _figure(js) for js in summary["key_figures"]}
    assert figs["total_committed"].text() in answer[0]
    assert figs["expected_npv"].text() in answer[1] and figs["cvar"].text() in answer[1]
    assert figs["prob_npv_below_zero"].text() in answer[1]
    assert "largest" in answer[2]
    tables = _docx_tables(paths["docx"])
    stress = next(t for t in tables if t[0][0] == "Stress test")
    assert [r[0] for r in stress[1:]] == list(summary["stress"])


def test_register_in_the_briefing_flags_unsourced_and_overdue(tmp_path):
    scn = default_scenario()
    reg = scn.sources.with_entry(("Projects", "", ""), None).with_entry(
        ("Sectors", "", "Volatility"), Source("Analyst estimate", grade="C", review_by="2020-06-30"))
    path = tmp_path / "colleague.xlsx"
    write_workbook(path, replace(scn, sources=reg))
    out = tmp_path / "brief.docx"
    code, _, err = cli("report", str(path), "--out", str(out), "--trials", "1000", "--seed", "3")
    assert code == 0, err
    d = docx.Document(str(out))
    paras = [p.text for p in d.paragraphs]
    overdue = next(p for p in paras if p.startswith("Overdue for review"))
    assert "Sectors, Volatility (every row)" in overdue
    assert any(p.startswith("Unsourced (") for p in paras)
    tables = _docx_tables(out)
    gaps = next(t for t in tables if t[0] == ["Sheet", "Row", "Numbers without a source"])
    rows = {(r[0], r[1]): r[2] for r in gaps[1:]}
    assert "Requested (USD m)" in rows[("Projects", "SC-01")]
    assert ("Projects", "DC-01") not in rows                 # its own row entry still covers it
    register = next(t for t in tables if t[0][0] == "Covers")
    flagged = {r[0]: r[-1] for r in register[1:]}
    assert flagged["Sectors, Volatility (every row)"] == "overdue"


def test_same_snapshot_gives_the_same_tables(tmp_path):
    lib_path = tmp_path / "lib.sqlite"
    with Library(lib_path) as lib:
        sid = lib.save(default_scenario().with_fields(Trials=1000, **{"Random seed": 5}), note="for the minister")
    tables = []
    for name in ("a.docx", "b.docx"):
        code, _, err = cli("report", "--snapshot", str(sid), "--library", str(lib_path), "--out",
                           str(tmp_path / name), "--paper", "letter")
        assert code == 0, err
        tables.append(_docx_tables(tmp_path / name))
    assert tables[0] == tables[1]
    meta = dict(tuple(r) for r in tables[0][0][1:])
    assert meta["Snapshot"].startswith(f"#{sid} ") and meta["Snapshot"].endswith("for the minister")
    assert meta["Date"] == dt.date.today().isoformat()
    assert round(docx.Document(str(tmp_path / "a.docx")).sections[0].page_width.inches, 2) == 8.5


def test_bad_requests_exit_with_a_message(tmp_path):
    code, _, err = cli("report", "--out", str(tmp_path / "brief.txt"))
    assert code == 1 and ".docx (Word) or .pdf" in err
    code, _, err = cli("report", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "b.pdf"))
    assert code == 2 and "There is no file" in err
    code, _, err = cli("report", "--snapshot", "99", "--library", str(tmp_path / "lib.sqlite"), "--out",
                       str(tmp_path / "b.pdf"))
    assert code == 1 and "no snapshot 99" in err
    code, _, err = cli("report", "--out", str(tmp_path / "no" / "such" / "folder" / "b.pdf"), "--trials", "1000")
    assert code == 2 and "could not write" in err
    assert not list(tmp_path.glob("**/*.pdf"))
