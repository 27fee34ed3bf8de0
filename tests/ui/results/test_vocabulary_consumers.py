"""Every consumer shows the same key figures: the app's key-figures table, the results
workbook written by ``workbench run --out``, the CLI text and ``workbench run --json``.

One run of the default scenario in process (shown in the real results panel, offscreen)
and the same run through the command line (same trials and seed, so the same numbers).
Each consumer is read back as a user gets it (the table widget's cells and tooltips, the
workbook's cells through openpyxl, stdout), and every key figure must be in every one
with the same label, value and definition; no consumer may show a figure the others do
not. The docs' list of key figures is checked against the code too.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt

from ui.results_panel import ResultsPanel
from workbench import figures as kf
from workbench.cli import main
from workbench.default_scenario import default_scenario
from workbench.pipeline import run_scenario
from workbench.risk.report import DEFINITIONS_HEADING

TRIALS, SEED = 1000, 7
#: Rows of the app's key-figures table that state how the run went, not a figure of it.
RUN_FACTS = {"Method", "Trials", "Seed"}
DOC = Path(__file__).resolve().parents[3] / "docs" / "results-guide.md"


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "--trials", str(TRIALS), "--seed", str(SEED), *args])
    assert code == 0, err.getvalue()
    return code, out.getvalue()


@pytest.fixture(scope="module")
def run():
    return run_scenario(default_scenario(), trials=TRIALS, seed=SEED)


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """(JSON object, workbook path, text) from the command line."""
    book = tmp_path_factory.mktemp("vocab") / "results.xlsx"
    _, out = _cli("--json", "--out", str(book))
    _, text = _cli()
    return json.loads(out), book, text


def _app_rows(qtbot, run) -> dict[str, tuple[str, str]]:
    """label -> (value text, tooltip) as the key-figures table widget shows them."""
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_result(run, default_scenario())
    model = panel.table("summary").model()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["Key figure", "Value"]
    rows = {}
    for r in range(model.rowCount()):
        label = model.index(r, 0).data()
        rows[label] = (model.index(r, 1).data(), model.index(r, 0).data(Qt.ItemDataRole.ToolTipRole))
    panel.set_result(None)
    return rows


def _workbook_rows(path: Path) -> tuple[dict[str, tuple], str]:
    """key -> (label, value, unit, band low, band high, definition) of the Key figures sheet; the 'why' note."""
    ws = openpyxl.load_workbook(path, read_only=True)["Key figures"]
    cells = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(cells) if r and r[0] == "Key")
    assert cells[head][:7] == ["Key", "Key figure", "Value", "Unit", "95 % band, low", "95 % band, high",
                               "Definition"]
    rows = {}
    for r in cells[head + 1:]:
        if not r or r[0] is None:
            break
        rows[r[0]] = tuple(r[1:7])
    why = next((cells[i + 1][0] for i, r in enumerate(cells) if r and r[0] == "Why not the whole programme"), "")
    return rows, why


def _text_sections(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(label -> value text) of the 'Key figures:' block and (label -> definition) of the definitions block."""
    lines = text.splitlines()
    start = lines.index("Key figures:") + 1
    values = {}
    for line in lines[start:]:
        if not line.strip():
            break
        m = re.fullmatch(r"  (\S.*?)\s{2,}(\S.*)", line)
        assert m, line
        values[m[1]] = m[2]
    at = lines.index(DEFINITIONS_HEADING) + 1
    defs: dict[str, str] = {}
    label = None
    for line in lines[at:]:
        if line.startswith("      "):
            defs[label] = line.strip()
        elif line.startswith("  ") and not line.startswith("   "):
            label = line.strip()
        else:
            break
    return values, defs


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    return a == pytest.approx(b, rel=1e-12, abs=1e-9)


def test_every_consumer_shows_the_same_key_figures(qtbot, run, cli):
    figs = kf.key_figures(run)
    by_key = {f.key: f for f in figs}
    labels = {f.label: f for f in figs}
    assert len(labels) == len(figs)                 # no two figures share a label
    obj, book, text = cli

    # The app: every figure once, as the core formats it, its definition as the tooltip; nothing else.
    app = _app_rows(qtbot, run)
    assert set(app) - RUN_FACTS == set(labels)
    for label, (value, tip) in app.items():
        if label in RUN_FACTS:
            continue
        assert value == labels[label].text(), label
        assert tip == labels[label].definition, label

    # --json: the same keys, labels, values and definitions (the CLI ran the same trials and seed).
    js = {d["key"]: d for d in obj["key_figures"]}
    assert list(js) == list(by_key)
    for key, d in js.items():
        f = by_key[key]
        assert (d["label"], d["unit"], d["definition"]) == (f.label, f.unit, f.definition), key
        assert _same(d["value"], f.value), key
        if f.band is None:
            assert d["band"] is None, key
        else:
            assert _same(d["band"][0], f.band[0]) and _same(d["band"][1], f.band[1]), key

    # The results workbook written by the same command.
    wb, why = _workbook_rows(book)
    assert list(wb) == list(by_key)
    for key, (label, value, _unit, lo, hi, definition) in wb.items():
        f = by_key[key]
        assert (label, definition) == (f.label, f.definition), key
        assert _same(value, f.value), key
        assert (lo is None) == (f.band is None or not math.isfinite(f.band[0])), key
        if lo is not None:
            assert _same(lo, f.band[0]) and _same(hi, f.band[1]), key

    # The CLI text: each figure's value as the app shows it, then its definition.
    values, defs = _text_sections(text)
    assert list(values) == [f.label for f in figs]
    assert list(defs) == [f.label for f in figs]
    for label, f in labels.items():
        assert values[label] == app[label][0] == f.text(), label
        assert defs[label] == f.definition, label

    # Why less than the programme is allocated: the same sentences in the app, the workbook, the text and JSON.
    explanation = kf.allocation_explanation(run)
    assert explanation and "not allocated" in explanation
    assert obj["allocation_explanation"] == explanation == why
    assert f"  {explanation}" in text.splitlines()
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_result(run, default_scenario())
    assert panel.views["allocation"].note == explanation
    assert explanation in panel.views["allocation"].table_label.toolTip()
    # The tornado's baseline is labelled with the trials it ran on, in the app and the text.
    note = kf.tornado_note(run)
    assert f"same {TRIALS:,} trials as the key figures" in note
    assert panel.views["tornado"].note == note and f"  ({note})" in text.splitlines()
    panel.set_result(None)


def test_tornado_and_stress_columns_read_the_same_everywhere(qtbot, run, cli):
    """The results workbook writes the core's tables as they are; the app shows their columns."""
    _, book, _ = cli
    wb = openpyxl.load_workbook(book, read_only=True)
    cells = [list(r) for r in wb["Stress tests"].iter_rows(values_only=True)]
    tornado = kf.tornado_table(run)
    assert "Expected NPV at 5 % with the input at its low value (USD m)" in tornado.headers
    assert "Expected NPV at 5 % with the input at its high value (USD m)" in tornado.headers
    head = [r for r in cells if r and r[0] == "Input"]
    assert len(head) == 1 and tuple(v for v in head[0] if v is not None) == tornado.headers
    stress = kf.stress_table(run)
    assert any(r and tuple(v for v in r if v is not None) == stress.headers for r in cells)
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_result(run, default_scenario())
    for view, table in (("tornado", tornado), ("stress", stress)):
        model = panel.table(view).model()
        shown = [model.headerData(c, Qt.Orientation.Horizontal).replace("\n", " ") for c in range(model.columnCount())]
        assert set(shown) <= {h for c in table.columns for h in (c.header, f"{c.header} (%)")}, view
    panel.set_result(None)


def test_results_guide_lists_every_key_figure_with_its_definition(run):
    """docs/results-guide.md carries the core's list (regenerate it with ``kf.definitions_markdown``)."""
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- key-figures:start -->\n", "\n<!-- key-figures:end -->"
    assert "## Key figures" in doc and start in doc and end in doc
    listed = doc[doc.index(start) + len(start):doc.index(end)]
    assert listed == kf.definitions_markdown(run), (
        "docs/results-guide.md's key figures differ from workbench/figures.py; put this between the markers:\n"
        + kf.definitions_markdown(run))


def test_results_tables_name_npv_at_the_rate_not_pnl(run):
    """Every results table's headers and column definitions name the measure as the key figures do."""
    for key, make in kf.TABLES.items():
        for col in make(run, scenario=default_scenario()).columns:
            assert "P&L" not in col.header + col.definition, (key, col.header)
    assert "mean NPV at 5 % over the worst trials" in kf.contributions_table(run, "sector").columns[1].definition
