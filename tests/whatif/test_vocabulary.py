"""Every what-if result is named and defined once in the core's vocabulary, which the results
vocabulary re-exports, and docs/whatif.md defines each under the same name."""

from __future__ import annotations

from pathlib import Path

import workbench.figures as figures
from workbench.whatif.vocabulary import INPUT_UNIT, WHATIF_FIGURES, definition, label

DOC = Path(__file__).resolve().parents[2] / "docs" / "whatif.md"


def test_the_results_vocabulary_carries_the_whatif_definitions():
    assert figures.WHATIF_FIGURES is WHATIF_FIGURES
    assert "WHATIF_FIGURES" in figures.__all__


def test_each_entry_has_a_label_a_unit_and_one_sentence():
    for key, (lab, unit, text) in WHATIF_FIGURES.items():
        assert lab and lab == label(key) and text == definition(key)
        assert unit in (INPUT_UNIT, "USD m", "fraction", "")
        assert text.endswith(".") and len(text.split()) >= 8, key


def test_docs_define_each_result_under_its_name():
    doc = DOC.read_text(encoding="utf-8").lower()
    for key, (lab, _unit, _text) in WHATIF_FIGURES.items():
        assert lab.lower() in doc, f"docs/whatif.md does not name {lab!r} ({key})"
