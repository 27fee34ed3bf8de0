"""The app survives opening each hostile file (the ones that once aborted, hung or blew up
the reader): the window stays, the unsaved edits stay, and the user reads why the file
was refused."""

from __future__ import annotations

import pytest

from tests.excel.hostile_files import ALL
from ui import files
from workbench.commands import SetField


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {name: build(folder) for name, build in ALL.items()}


@pytest.mark.parametrize("case", list(ALL))
def test_opening_a_hostile_file_keeps_the_window_and_the_unsaved_edits(window, hostile, case):
    window.push(SetField("Name", "My unsaved work"))
    before, steps = window.scenario, window.undo_stack.count()
    assert not window.undo_stack.isClean()

    assert not files.open_path(window, hostile[case])

    assert window.isVisible()
    assert window.scenario is before and window.scenario.fields["Name"] == "My unsaved work"
    assert window.undo_stack.count() == steps and not window.undo_stack.isClean()
    dialog = window.import_dialog
    assert dialog.isVisible()
    lines = "\n".join(dialog.lines())
    assert "not opened" in lines or "was not read" in lines or "does not unpack" in lines, lines
    assert "Traceback" not in lines and "Error:" not in lines
    window.undo_stack.undo()           # the edit is still there to undo
    assert window.scenario.fields["Name"] != "My unsaved work"


def test_the_app_starts_the_reading_process_before_the_first_open(window, tmp_path):
    """``main`` calls ``warm_reader`` once the window is shown: the reading server is then running, and the
    first file opened is read in a child of it (the template opens)."""
    import os
    from multiprocessing import forkserver

    from ui.app import warm_reader
    from workbench.default_scenario import default_scenario
    from workbench.excel import write_workbook

    warm_reader()
    pid = forkserver._forkserver._forkserver_pid
    assert pid is not None
    os.kill(pid, 0)                                 # alive
    path = tmp_path / "template.xlsx"
    write_workbook(path, default_scenario())
    assert files.open_path(window, path)
    assert forkserver._forkserver._forkserver_pid == pid   # the same server read it
    assert window.scenario.fields["Name"] == default_scenario().fields["Name"]
