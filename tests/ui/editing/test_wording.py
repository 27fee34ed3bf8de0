"""Counts and articles in the app's own sentences come from workbench.text: no "18 row removeds", no
"Choose a instrument"."""

from __future__ import annotations

from PySide6.QtWidgets import QStyleOptionViewItem

from tests.ui.editing.test_editing import _cell
from ui.delegates import CellDelegate
from ui.merge_dialog import _count_text
from workbench.diff import ADDED, CHANGED, REMOVED


def test_merge_summary_counts():
    assert _count_text(REMOVED, 18) == "18 rows removed"
    assert _count_text(REMOVED, 1) == "1 row removed"
    assert _count_text(ADDED, 2) == "2 new rows"
    assert _count_text(CHANGED, 1200) == "1,200 changed"


def test_dropdown_tooltips_take_the_right_article(window, projects):
    delegate = CellDelegate("Projects")
    editor = delegate.createEditor(projects.view, QStyleOptionViewItem(), _cell(projects, 0, "Instrument"))
    assert editor.toolTip() == "Choose an instrument."


def test_percentile_rows_are_ordinals():
    import dataclasses

    from ui.plots.tables import percentiles
    from workbench.default_scenario import default_scenario
    from workbench.pipeline import run_scenario

    run = run_scenario(default_scenario(), trials=1_000, frontier_points=3)
    risk = dataclasses.replace(run.risk, percentiles={1: -5.0, 2: -3.0, 3: -1.0, 11: 0.0, 22: 1.0, 50: 2.0})
    rows = percentiles(dataclasses.replace(run, risk=risk))
    assert [r[0] for r in rows.rows] == ["1st", "2nd", "3rd", "11th", "22nd", "50th"]
