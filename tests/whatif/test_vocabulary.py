"""Every what-if result is named and defined once in the core's vocabulary, which the results
vocabulary re-exports, and docs/whatif.md defines each under the same name."""

from __future__ import annotations

from pathlib import Path

import workbench.figures as figures
from workbench.whatif.vocabulary import GENERIC_NPV, INPUT_UNIT, WHATIF_FIGURES, definition, label

DOC = Path(__file__).resolve().parents[2] / "docs" / "whatif.md"


def test_the_results_vocabulary_carries_the_whatif_definitions():
    assert figures.WHATIF_FIGURES is WHATIF_FIGURES
    assert "WHATIF_FIGURES" in figures.__all__


def test_each_entry_has_a_label_a_unit_and_one_sentence():
    for key, (lab, unit, text) in WHATIF_FIGURES.items():
        assert lab and lab.format(npv=GENERIC_NPV) == label(key) and text.format(npv=GENERIC_NPV) == definition(key)
        assert unit in (INPUT_UNIT, "USD m", "fraction", "")
        assert text.endswith(".") and len(text.split()) >= 8, key


def test_each_label_and_definition_names_the_measure_with_its_rate():
    """Where a what-if result is an amount of NPV, its label and definition say at which discount rate,
    in the results vocabulary's words; none speaks of a bare "P&L"."""
    npv = figures.npv_label(0.05)
    assert npv == "NPV at 5 %"
    for key, (_lab, unit, _text) in WHATIF_FIGURES.items():
        shown = label(key, npv) + " " + definition(key, npv)
        assert "P&L" not in shown and "{" not in shown, key
        if unit == "USD m":
            assert npv in label(key, npv) or key == "stress_cvar", key
            assert npv in definition(key, npv), key
    assert label("max_regret", npv) == "Largest regret of expected NPV at 5 %"
    assert "P(NPV at 5 % below zero) at or below 10 %" in definition("goal_seek_answer", npv)


def test_docs_define_each_result_under_its_name():
    doc = DOC.read_text(encoding="utf-8").lower()
    for key in WHATIF_FIGURES:
        lab = label(key)
        assert lab.lower() in doc, f"docs/whatif.md does not name {lab!r} ({key})"
