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
