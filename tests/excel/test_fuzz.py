"""Fuzzing: mutated workbooks never raise; each gives a scenario or located issues."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from workbench import default_scenario
from workbench.excel import read_workbook, write_workbook

FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_TEMPLATE: list[bytes] = []


def template_bytes() -> bytes:
    """The app's own workbook of the default scenario (written once per test process)."""
    if not _TEMPLATE:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "t.xlsx"
            write_workbook(path, default_scenario())
            _TEMPLATE.append(path.read_bytes())
    return _TEMPLATE[0]


def check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzzed.xlsx"
        path.write_bytes(data)
        result = read_workbook(path)  # must not raise
    errors = [i for i in result.issues if i.is_error]
    assert (result.scenario is None) == bool(errors)
    for i in result.issues:
        assert i.message and isinstance(i.message, str)
    if result.fatal:
        assert len(result.issues) == 1
    else:
        for i in result.issues:
            assert i.sheet or i.table, i  # located: at least its sheet or table


values = st.one_of(
    st.none(), st.text(max_size=20), st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**12, 10**12),
    st.booleans(), st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from(["#REF!", "#DIV/0!", "=1/0", "=A1", "=SUM(B2:B9)", "n/a", "-", "12%", "$1.2bn", "¥180bn",
                     "(150)", "yes", "maybe", "Semiconductor", "Loan", "TX", "", "  "]))
sheet_names = st.sampled_from(["Scenario", "Sectors", "Projects", "Financing", "Constraints", "Correlations",
                               "Risk events"])


def mutate(template: bytes, edits) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    for sheet, row, col, value in edits:
        ws = wb[sheet]
        if isinstance(value, str) and value.startswith("="):
            ws.cell(row, col).value = value
        else:
            try:
                ws.cell(row, col).value = value
            except (ValueError, TypeError, IllegalCharacterError):
                ws.cell(row, col).value = repr(value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@FUZZ
@given(st.lists(st.tuples(sheet_names, st.integers(1, 30), st.integers(1, 20), values), min_size=1, max_size=8))
def test_random_cell_values_and_types(edits):
    check(mutate(template_bytes(), edits))


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["delete", "rename", "header", "clear_row", "insert_rows"]), sheet_names,
                          st.text(min_size=1, max_size=12), st.integers(1, 20)), min_size=1, max_size=4))
def test_deleted_and_renamed_sheets_and_headers(ops):
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    for op, sheet, text, n in ops:
        if sheet not in wb.sheetnames:
            continue
        ws = wb[sheet]
        if op == "delete" and len(wb.sheetnames) > 1:
            wb.remove(ws)
        elif op == "rename":
            # a sheet name holds no control character (Excel refuses them, and openpyxl cannot write them
            # when lxml, which python-docx brings, is installed)
            title = "".join(c for c in text if c not in "[]:*?/\\" and c.isprintable())[:31].strip("'") or "X"
            if title not in wb.sheetnames:
                ws.title = title
        elif op == "header":
            try:
                ws.cell(1, n).value = text
            except IllegalCharacterError:  # openpyxl refuses the character; no colleague could send it
                ws.cell(1, n).value = repr(text)
        elif op == "clear_row":
            for c in range(1, 20):
                ws.cell(n, c).value = None
        else:
            ws.insert_rows(1, amount=n % 4 + 1)
    out = io.BytesIO()
    wb.save(out)
    check(out.getvalue())


@FUZZ
@given(st.floats(0, 1), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6))
def test_truncated_and_corrupted_bytes(keep, flips):
    template = template_bytes()
    data = bytearray(template[: max(1, int(len(template) * keep))])
    for where, byte in flips:
        data[min(int(where * len(data)), len(data) - 1)] = byte
    check(bytes(data))


# ------------------------------------------- mutants read under a time and memory limit
@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_three_hundred_mutants_never_crash_hang_blow_up_or_drop_a_value(tmp_path):
    """Cell, structure and byte mutants of the template and two colleague workbooks (fixed
    seed), each read in a child limited to 10 s and 1 GB (benchmarks/fuzz.py runs 5,000)."""
    from benchmarks.fuzz import fuzz, report

    tally = fuzz(300, 20261204, tmp_path)
    assert sum(tally.outcomes.values()) == 300
    assert tally.outcomes["crash"] == tally.outcomes["hang"] == tally.outcomes["blow-up"] == 0, tally.bad
    assert tally.silent == [], report(tally, 300)
    assert tally.outcomes["accepted"] > 0 and tally.outcomes["errors"] > 0 and tally.outcomes["refused"] > 0
