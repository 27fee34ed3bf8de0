"""Edits are pure commands that return their inverse: do -> undo gives back the same content."""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from workbench import default_scenario
from workbench.commands import (
    ApplyAllocation,
    DeleteRows,
    DuplicateRows,
    InsertRows,
    InvalidEdit,
    Macro,
    ReplaceScenario,
    ReplaceTable,
    SetCell,
    SetCells,
    SetCorrelation,
    SetField,
)
from workbench.schema import TABLES

BASE = default_scenario()
BASE_HASH = BASE.content_hash()
TABLE_NAMES = list(TABLES)

values = st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64),
                   st.text(max_size=20), st.integers(-10**6, 10**6), st.booleans())


@st.composite
def commands(draw):
    kind = draw(st.sampled_from(["cell", "cells", "insert", "delete", "duplicate", "field", "corr", "alloc",
                                 "replace"]))
    table = draw(st.sampled_from(TABLE_NAMES))
    frame = BASE.table(table)
    n = len(frame)
    cols = list(frame.columns)
    if kind == "cell":
        return SetCell(table, draw(st.integers(0, n - 1)), draw(st.sampled_from(cols)), draw(values))
    if kind == "cells":
        cells = draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from(cols), values), min_size=1, max_size=6))
        return SetCells(table, tuple(cells))
    if kind == "insert":
        row = {c: draw(values) for c in draw(st.lists(st.sampled_from(cols), max_size=4))}
        return InsertRows(table, ((draw(st.integers(0, n)), row),))
    if kind == "delete":
        return DeleteRows(table, tuple(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4, unique=True))))
    if kind == "duplicate":
        return DuplicateRows(BASE, table, tuple(draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3,
                                                                 unique=True))))
    if kind == "field":
        return SetField(draw(st.sampled_from(list(BASE.fields))), draw(values))
    if kind == "corr":
        names = BASE.sector_names
        return SetCorrelation(draw(st.sampled_from(names)), draw(st.sampled_from(names)),
                              draw(st.floats(-1, 1)))
    if kind == "alloc":
        ids = list(BASE.projects["ID"])
        chosen = draw(st.lists(st.sampled_from(ids), max_size=5, unique=True))
        return ApplyAllocation({i: draw(st.floats(0, 1e6)) for i in chosen})
    return ReplaceTable(table, frame.iloc[::-1].reset_index(drop=True))


def _same_frames(a, b):
    for name in TABLE_NAMES:
        fa, fb = a.table(name), b.table(name)
        assert list(fa.columns) == list(fb.columns)
        assert fa.shape == fb.shape
        for col in fa.columns:
            for x, y in zip(fa[col].tolist(), fb[col].tolist(), strict=True):
                assert x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)), (name, col, x, y)


@settings(max_examples=150, deadline=None)
@given(st.lists(commands(), min_size=1, max_size=4))
def test_do_then_undo_restores_everything(cmds):
    scn = BASE
    inverses = []
    for cmd in cmds:
        try:
            scn, inv = cmd.apply(scn)
        except InvalidEdit:
            continue  # refused edits change nothing (tested below)
        inverses.append(inv)
    for inv in reversed(inverses):
        scn, _ = inv.apply(scn)
    assert scn.content_hash() == BASE_HASH
    assert scn.fields == BASE.fields
    _same_frames(scn, BASE)


@settings(max_examples=100, deadline=None)
@given(commands())
def test_undo_then_redo_gives_the_edited_scenario(cmd):
    try:
        edited, inverse = cmd.apply(BASE)
    except InvalidEdit:
        assume(False)
    restored, redo = inverse.apply(edited)
    again, _ = redo.apply(restored)
    assert again.content_hash() == edited.content_hash()
    assert restored.content_hash() == BASE_HASH


def test_commands_never_mutate_their_input():
    before = BASE.projects.copy()
    SetCell("Projects", 0, "Requested (USD m)", 1).apply(BASE)
    DeleteRows("Projects", (0, 1)).apply(BASE)
    ApplyAllocation({"DC-01": 5.0}).apply(BASE)
    assert BASE.projects.equals(before)


def test_labels_describe_the_user_action():
    assert SetCell("Projects", 0, "Requested (USD m)", 1).apply(BASE)[1].label == "Edit Projects Requested (USD m)"
    macro = Macro((SetCell("Projects", 0, "Sponsor", "X"), SetField("Name", "Y")), "Paste")
    scn, inv = macro.apply(BASE)
    assert inv.label == "Paste" and scn.name == "Y"
    _, inv = ApplyAllocation({"DC-01": 10.0}).apply(BASE)
    assert inv.label == "Apply allocation"


def test_apply_allocation_writes_every_project_and_duplicate_gets_fresh_ids():
    scn, _ = ApplyAllocation({"DC-01": 10.0}).apply(BASE)
    alloc = dict(zip(scn.projects["ID"], scn.projects["Allocated (USD m)"], strict=True))
    assert alloc["DC-01"] == 10.0 and alloc["SC-01"] == 0.0
    scn, _ = DuplicateRows(BASE, "Projects", (0, 0)).apply(BASE)
    assert scn.projects["ID"].tolist()[:3] == ["DC-01", "DC-01 (copy)", "DC-02"]


def test_replace_scenario_inverse():
    other, _ = SetField("Name", "Other").apply(BASE)
    scn, inv = ReplaceScenario(other, "Restore snapshot").apply(BASE)
    assert scn.name == "Other"
    back, _ = inv.apply(scn)
    assert back.content_hash() == BASE_HASH


def test_text_in_a_number_column_is_refused_with_a_clear_message():
    import pytest

    with pytest.raises(InvalidEdit, match='Projects Requested \\(USD m\\) must be a number, not "abc"'):
        SetCell("Projects", 0, "Requested (USD m)", "abc").apply(BASE)
    scn, _ = SetCell("Projects", 0, "Requested (USD m)", "1,200").apply(BASE)
    assert scn.projects.loc[0, "Requested (USD m)"] == 1200.0
    assert BASE.content_hash() == BASE_HASH
