"""Incremental validation gives exactly the issues of a full validation, after any sequence of edits."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import default_scenario, validate
from workbench.commands import (
    DeleteRows,
    InsertRows,
    InvalidEdit,
    Macro,
    SetCell,
    SetCells,
    SetCorrelation,
    SetField,
)
from workbench.schema import SCENARIO_FIELDS, TABLES
from workbench.validation_incremental import IncrementalValidator, touched_by

DEFAULT = default_scenario()


def _with_named_limits(scn):
    """The default scenario plus limits naming values that one or two of the first projects hold, so that an
    edit of those projects can make a limit match nothing (and an edit back make it match again)."""
    extra = pd.DataFrame([{"Group": g, "Value": v, "Max share": 0.5} for g, v in
                          (("Project", "DC-03"), ("State", "VA"), ("Sponsor", "NTT Data"), ("Financier", "NEXI"),
                           ("Year", "2028"), ("Sector", "Data centers"))])
    frame = pd.concat([scn.constraints, extra], ignore_index=True)
    frame = frame.astype(scn.constraints.dtypes.to_dict())
    return scn.with_table("Constraints", frame)


BASE = _with_named_limits(DEFAULT)
#: Values that make rules fire: out of range, empty, fractions as percents, typos, other rows' keys.
ODD_VALUES = [None, "", -1.0, 0.0, 0.5, 1.0, 2.5, 8.0, 1e9, 2024.0, 2030.0, 2045.5, "Semiconductors", "Semicondutors",
              "TX", "Texas", "Texxas", "JBIC", "NEXI", "Nobody Bank", "SC-01", "DC-01", "row 3", "*", "Loan", "Equity",
              "Guarantee", "yes", "no", "Sector", "Financier", "State", "Sponsor", "Project", "Year", "Total"]


def _values(scn, table, column):
    """Values worth trying in a column: the column's own (duplicates), the odd ones, and its neighbours'."""
    own = scn.table(table)[column].tolist()
    return own + ODD_VALUES


@st.composite
def one_edit(draw, scn):
    kind = draw(st.sampled_from(["cell", "cell", "named", "named", "cells", "field", "corr", "insert", "delete"]))
    if kind == "named" and len(scn.projects) > 5:   # a project column a limit, a key or a cross-table rule reads
        column = draw(st.sampled_from(["ID", "State", "Sponsor", "Financier", "Start year", "Sector", "Include"]))
        value = draw(st.sampled_from(_values(scn, "Projects", column)))
        return SetCell("Projects", draw(st.integers(0, 5)), column, value)
    tables = [t for t in TABLES if len(scn.table(t))]
    if kind in ("cell", "cells"):
        table = draw(st.sampled_from(tables))
        frame = scn.table(table)
        cells = []
        for _ in range(1 if kind == "cell" else draw(st.integers(2, 4))):
            row = draw(st.integers(0, len(frame) - 1) | st.integers(0, min(5, len(frame) - 1)))
            column = draw(st.sampled_from(list(frame.columns)))
            cells.append((row, column, draw(st.sampled_from(_values(scn, table, column)))))
        return SetCells(table, tuple(cells))
    if kind == "field":
        col = draw(st.sampled_from(SCENARIO_FIELDS.columns))
        if col.is_numeric:   # the form stores numbers in number fields (text there is refused before it is stored)
            pool = [2024.0, 2026.0, 2031.0, 5.0, 12.0, 0.08, 8.0, 550000.0, -3.0, 50000.0, 2.5]
            if not col.required:
                pool.append(None)
        else:
            pool = [None, "cvar", "Name", *col.choices]
        return SetField(col.name, draw(st.sampled_from(pool)))
    if kind == "corr" and scn.correlations is not None:
        labels = list(scn.correlations.index)
        a, b = draw(st.sampled_from(labels)), draw(st.sampled_from(labels))
        return SetCorrelation(a, b, draw(st.sampled_from([0.0, 0.3, 0.95, -0.99, 1.0, 1.5, None])))
    if kind == "insert":
        table = draw(st.sampled_from(list(TABLES)))
        frame = scn.table(table)
        pos = draw(st.integers(0, len(frame)))
        row = frame.iloc[pos - 1].to_dict() if len(frame) and pos else {}
        return InsertRows(table, ((pos, row),))
    table = draw(st.sampled_from(tables))
    return DeleteRows(table, (draw(st.integers(0, len(scn.table(table)) - 1)),))


def _apply(scn, cmd):
    try:
        return cmd.apply(scn)
    except (InvalidEdit, ValueError, KeyError, IndexError, TypeError):
        return None


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(st.data())
def test_incremental_issues_equal_full_validation_over_random_edits(data):
    validator = IncrementalValidator()
    scn = BASE
    assert validator.issues(scn) == validate(scn) == []
    history = []
    for _ in range(data.draw(st.integers(1, 5))):
        cmd = data.draw(one_edit(scn))
        if data.draw(st.booleans()) and isinstance(cmd, SetCells):
            cmd = Macro((cmd, data.draw(one_edit(scn))), "two edits")
        done = _apply(scn, cmd)
        if done is None:
            continue
        scn, inverse = done
        history.append(inverse)
        assert validator.update(scn, cmd) == validate(scn), cmd
    while history:   # undo every edit, each validated the same way as the app does
        inverse = history.pop()
        scn, _redo = inverse.apply(scn)
        assert validator.update(scn, inverse) == validate(scn), inverse


def test_a_cell_edit_is_answered_incrementally_and_finds_the_new_problem():
    validator = IncrementalValidator()
    validator.issues(BASE)
    row = BASE.projects["ID"].tolist().index("SC-01")
    cmd = SetCell("Projects", row, "Sector", "Semicondutors")
    scn, inverse = cmd.apply(BASE)
    issues = validator.update(scn, cmd)
    assert validator.last_mode == "incremental"
    assert [(i.table, i.row, i.column, i.row_index) for i in issues if i.is_error] == [
        ("Projects", "SC-01", "Sector", row)]
    assert 'Did you mean "Semiconductors"' in issues[0].text() or "Semiconductors" in (issues[0].suggestion or "")
    back, _ = inverse.apply(scn)
    assert validator.update(back, inverse) == validate(BASE) == []


def test_duplicate_id_made_by_an_edit_and_removed_by_another():
    validator = IncrementalValidator()
    validator.issues(BASE)
    ids = BASE.projects["ID"].tolist()
    cmd = SetCell("Projects", 3, "ID", ids[0])
    scn, inverse = cmd.apply(BASE)
    issues = validator.update(scn, cmd)
    assert any("appears twice" in i.message for i in issues)
    assert issues == validate(scn)
    back, _ = inverse.apply(scn)
    assert validator.update(back, inverse) == []


def test_a_key_emptied_names_the_row_by_its_number_in_the_whole_table():
    validator = IncrementalValidator()
    validator.issues(BASE)
    cmd = SetCell("Projects", 7, "ID", None)
    scn, _ = cmd.apply(BASE)
    issues = validator.update(scn, cmd)
    assert issues == validate(scn)
    assert {i.row for i in issues if i.table == "Projects"} == {"row 8"}


def test_edits_it_cannot_describe_are_validated_in_full():
    validator = IncrementalValidator()
    validator.issues(BASE)
    cmd = DeleteRows("Projects", (0,))
    scn, _ = cmd.apply(BASE)
    assert validator.update(scn, cmd) == validate(scn)
    assert validator.last_mode == "full"
    assert not touched_by(cmd).known
    assert validator.update(BASE, None) == validate(BASE)
    assert validator.last_mode == "full"


def test_a_scenario_that_is_not_the_edit_of_the_last_one_is_validated_in_full():
    """A wrong hint (the scenario was changed elsewhere too) is noticed, never trusted."""
    validator = IncrementalValidator()
    validator.issues(BASE)
    frame = BASE.sectors.copy()
    frame.loc[0, "Volatility"] = -1.0
    elsewhere = BASE.with_table("Sectors", frame)
    cmd = SetCell("Projects", 0, "Requested (USD m)", 5.0)
    scn, _ = cmd.apply(elsewhere)
    assert validator.update(scn, cmd) == validate(scn)
    assert validator.last_mode == "full"


@pytest.mark.parametrize("rows", [2_000])
def test_large_table_cell_edits_match_full_validation(rows):
    """A generated Projects table with problems in many rows: edits that add, move and remove problems."""
    base = BASE.projects
    reps = -(-rows // len(base))
    frame = pd.concat([base] * reps, ignore_index=True).iloc[:rows].copy()
    frame["ID"] = [f"P-{i:05d}" for i in range(rows)]
    frame["Requested (USD m)"] = [float(10 + (i * 7919) % 5000) for i in range(rows)]
    scn = BASE.with_table("Projects", frame.reset_index(drop=True))
    validator = IncrementalValidator()
    assert validator.issues(scn) == validate(scn)
    edits = [SetCell("Projects", 5, "Minimum ticket (USD m)", 1.0), SetCell("Projects", 1500, "ID", "P-00004"),
             SetCell("Projects", 1999, "State", "Texxas"), SetCell("Projects", 0, "Requested (USD m)", math.nan),
             SetCell("Projects", 42, "Financier", "Nobody Bank"), SetCell("Projects", 1500, "ID", "P-01500")]
    for cmd in edits:
        scn, _ = cmd.apply(scn)
        assert validator.update(scn, cmd) == validate(scn), cmd
        assert validator.last_mode == "incremental"


def test_group_values_follow_edits_of_the_only_project_naming_them():
    """A limit names the sponsor of one project, and a financier of Financing is used by no project: moving that
    project to another sponsor and to that financier makes the limit match nothing and the financier used; the
    edit undone brings both back. Every step is answered incrementally (the groups' values are kept as counts)
    and equals a full validation."""
    validator = IncrementalValidator()
    financing = pd.concat([BASE.financing, BASE.financing.iloc[[0]].assign(Financier="DBJ")], ignore_index=True)
    base = BASE.with_table("Financing", financing)
    unused = 'No project uses financier "DBJ"'
    assert [i.message[:len(unused)] for i in validator.issues(base)] == [unused]
    row = base.projects["Sponsor"].tolist().index("NTT Data")
    assert base.projects["Sponsor"].tolist().count("NTT Data") == 1
    away = Macro((SetCell("Projects", row, "Sponsor", "SoftBank"), SetCell("Projects", row, "Financier", "DBJ")),
                 "two edits")
    scn, inverse = away.apply(base)
    issues = validator.update(scn, away)
    assert validator.last_mode == "incremental" and issues == validate(scn)
    texts = [i.message for i in issues]
    assert any('Sponsor "NTT Data" matches no project' in t for t in texts), texts
    assert not any(t.startswith(unused) for t in texts), texts
    back, _ = inverse.apply(scn)
    assert validator.update(back, inverse) == validate(base)
    assert validator.last_mode == "incremental" and [i.message[:len(unused)] for i in validate(base)] == [unused]
