"""The table model after an edit: only the edited rows are read again and repainted, and what it shows
is exactly what a model built afresh on the same scenario shows (keys, source markers, flags, tooltips)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from ui.table_model import ROLES, ScenarioTableModel
from ui.undo import ScenarioDocument
from workbench.commands import SetCell, SetCells
from workbench.default_scenario import default_scenario

SHOWN_ROLES = sorted(int(r) for r in ROLES)


def many_projects(rows: int):
    """The default scenario with its 25 projects repeated to ``rows`` (unique IDs, so a clean table)."""
    scn = default_scenario()
    frame = pd.concat([scn.projects] * -(-rows // len(scn.projects)), ignore_index=True).iloc[:rows].copy()
    frame.loc[len(scn.projects):, "ID"] = [f"P-{i:05d}" for i in range(len(scn.projects), rows)]
    return scn.with_table("Projects", frame.reset_index(drop=True))


def shown(model: ScenarioTableModel, rows) -> list:
    """Every answer the view can ask for, of the given shown rows."""
    out = []
    for r in rows:
        for c in range(model.columnCount()):
            index = model.index(r, c)
            for role in SHOWN_ROLES:
                value = model.data(index, role)
                out.append((r, c, role, value.cacheKey() if hasattr(value, "cacheKey") else
                            value.color().name() if hasattr(value, "color") else
                            value.italic() if hasattr(value, "italic") else value))
    return out


def same_as_fresh(doc: ScenarioDocument, model: ScenarioTableModel, rows) -> None:
    fresh = ScenarioTableModel(doc, model.table)
    if model._sort is not None:
        fresh.sort(*model._sort)
    assert shown(model, rows) == shown(fresh, rows)


def test_random_edits_show_what_a_fresh_model_shows(qapp):
    doc = ScenarioDocument(many_projects(300))
    model = ScenarioTableModel(doc, "Projects")
    rng = np.random.default_rng(np.random.SeedSequence(20261204))
    columns = ["Requested (USD m)", "Specific risk", "Sponsor", "ID", "Minimum ticket (USD m)", "Expected return"]
    looked = list(range(0, 40))
    shown(model, looked)                         # the first screen's answers are kept
    for step in range(40):
        column = columns[int(rng.integers(len(columns)))]
        row = int(rng.integers(40))
        value = {"Requested (USD m)": float(rng.uniform(-10, 40_000)),   # negative: an error flag appears
                 "Specific risk": float(np.round(rng.uniform(0.05, 0.35), 4)),
                 "Sponsor": f"Sponsor {int(rng.integers(5))}",
                 "ID": ["DC-01", "DC-02", f"X-{step}"][int(rng.integers(3))],   # renames, repeats, source moves
                 "Minimum ticket (USD m)": None,
                 "Expected return": None}[column]
        doc.push(SetCell("Projects", row, column, value))
        if step % 7 == 3:
            doc.undo_stack.undo()
        if step == 20:
            model.sort(model.column_index("Requested (USD m)"), Qt.SortOrder.DescendingOrder)
        same_as_fresh(doc, model, looked)
    doc.undo_stack.undo()
    same_as_fresh(doc, model, looked)


def test_a_renamed_row_takes_or_loses_its_source(qapp):
    doc = ScenarioDocument(many_projects(100))
    model = ScenarioTableModel(doc, "Projects")
    requested = model.column_index("Requested (USD m)")

    def source_of(row: int) -> str:
        return model.data(model.index(row, requested), Qt.ItemDataRole.ToolTipRole)

    assert doc.scenario.sources.find("Projects", "DC-01", "Requested (USD m)")[0] == ("Projects", "DC-01", "")
    assert "DC-01 (whole row)" in source_of(0) and "(whole sheet)" in source_of(50)
    doc.push(SetCell("Projects", 0, "ID", "DC-99"))           # the row's own source no longer applies
    assert "(whole sheet)" in source_of(0)
    doc.push(SetCell("Projects", 50, "ID", "DC-01"))          # another row takes the key, and its source
    assert "DC-01 (whole row)" in source_of(50)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert "DC-01 (whole row)" in source_of(0) and "(whole sheet)" in source_of(50)


def test_a_cell_edit_repaints_its_row_only(qapp):
    doc = ScenarioDocument(many_projects(2_000))
    model = ScenarioTableModel(doc, "Projects")
    ranges: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=(): ranges.append((a.row(), a.column(), b.row(), b.column())))
    last = model.columnCount() - 1
    doc.push(SetCell("Projects", 7, "Specific risk", 0.21))
    assert ranges == [(7, 0, 7, last)]
    ranges.clear()
    doc.push(SetCells("Projects", ((3, "Sponsor", "A"), (1_900, "Sponsor", "B"))))
    assert ranges == [(3, 0, 3, last), (1_900, 0, 1_900, last)]      # two rows, not the 1,898 between
    ranges.clear()
    doc.push(SetCell("Projects", 12, "Requested (USD m)", -5.0))         # a value and its error flag
    assert ranges == [(12, 0, 12, last)]
    assert model.data(model.index(12, model.column_index("Requested (USD m)")),
                      Qt.ItemDataRole.BackgroundRole) is not None
    ranges.clear()
    doc.push(SetCell("Sectors", 0, "Expected return", 0.09))            # every greyed default may move
    assert ranges == [(0, 0, 1_999, last)]
