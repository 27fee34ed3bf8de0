"""Reading a workbook in a child process: same result as in process, and a child that runs
out of memory or time, or dies, gives one clear refusal while the caller carries on."""

from __future__ import annotations

import os
import signal

import pytest

from tests.excel.books import PROJECTS, basic, patch_member, sheet_member, write_book
from workbench.excel import read_workbook
from workbench.excel.untrusted import _died, read_untrusted


def refusal(result) -> str:
    assert result.fatal and result.scenario is None
    (issue,) = result.issues
    assert issue.is_error
    return issue.message


def test_a_good_workbook_reads_the_same_in_a_child(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    inside, outside = read_workbook(p), read_untrusted(p)
    assert outside.ok and inside.ok
    assert outside.scenario.content_hash() == inside.scenario.content_hash()
    assert outside.where("Projects", 1, "Requested (USD m)") == inside.where("Projects", 1, "Requested (USD m)")


def test_a_workbook_with_errors_gives_the_same_located_issues(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    patch_member(p, sheet_member(p, "Projects"), b"<v>1000</v>", b"<v>-5</v>")
    inside, outside = read_workbook(p), read_untrusted(p)
    assert not outside.ok
    assert [(i.message, i.sheet, i.cell) for i in outside.issues] == [(i.message, i.sheet, i.cell)
                                                                     for i in inside.issues]


@pytest.fixture(scope="module")
def many_projects(tmp_path_factory):
    """80,000 projects: a genuine workbook whose read takes tens of MB and over a second."""
    rows = [PROJECTS[0]] + [[f"P{k}", f"Project {k}", "Semiconductors", "TX", "Loan", 10.0 + k, 1.0]
                            for k in range(80_000)]
    return write_book(tmp_path_factory.mktemp("big") / "b.xlsx", basic(Projects=rows))


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the memory limit is set with setrlimit (POSIX)")
def test_a_read_beyond_the_memory_budget_is_refused(many_projects):
    assert read_untrusted(many_projects).ok
    message = refusal(read_untrusted(many_projects, memory=2**20))
    assert "memory" in message
    assert "Error" not in message and "Traceback" not in message


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the processor-time limit is set with setrlimit (POSIX)")
def test_a_read_beyond_its_processor_time_is_stopped_whatever_the_wall_clock_allows(many_projects):
    message = refusal(read_untrusted(many_projects, timeout=1, wall=600))
    assert "took longer than 1 seconds, so it was stopped" in message


def test_a_read_beyond_the_time_limit_is_stopped(tmp_path):
    p = write_book(tmp_path / "b.xlsx", basic())
    message = refusal(read_untrusted(p, timeout=0.001))
    assert "took longer than 0.001 seconds, so it was stopped" in message



@pytest.mark.parametrize("case", ["unique_count", "lower_case_reference", "missing_workbook_part"])
def test_the_files_that_aborted_the_process_are_refused_in_the_child(tmp_path, case):
    p = write_book(tmp_path / "b.xlsx", basic())
    if case == "unique_count":
        import zipfile

        with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                        'main" count="1" uniqueCount="4294967295"><si><t>x</t></si></sst>')
    elif case == "lower_case_reference":
        patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                     b'<row r="190000"><c r="xfd190000" t="n"><v>1</v></c></row></sheetData>')
    else:
        patch_member(p, "_rels/.rels", b'Target="xl/workbook.xml"', b'Target="xl/missing.xml"')
        patch_member(p, sheet_member(p, "Projects"), b"</sheetData>",
                     b'<row r="190000"><c r="XFD190000" t="n"><v>1</v></c></row></sheetData>')
    message = refusal(read_untrusted(p))
    assert "not opened" in message or "spans" in message


def test_a_child_killed_by_an_abort_is_reported_as_out_of_memory():
    class Dead:
        exitcode = -signal.SIGABRT

        def join(self, timeout=None):
            return None

    assert "more than 1.0 GB of memory" in refusal(_died("b.xlsx", Dead(), 2**30))
