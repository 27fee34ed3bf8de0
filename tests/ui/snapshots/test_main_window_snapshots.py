"""In the app: save -> edit -> compare -> restore through the real main window and its undo stack."""

from __future__ import annotations

import pytest

from workbench.commands import SetCell


@pytest.fixture
def window(qtbot, tmp_path):
    from ui.main_window import MainWindow
    from ui.settings import Settings

    win = MainWindow(settings=Settings(tmp_path / "settings.ini"), library=str(tmp_path / "lib.sqlite"),
                     offer_recovery=False, restore_layout=False)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.run_controller.shutdown()
    win.snapshots_panel.shutdown()
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()


def test_save_edit_compare_restore_in_the_app(window):
    panel = window.snapshots_panel
    original = window.scenario
    first = panel.save_snapshot("as opened")
    assert window.push(SetCell("Projects", 2, "Requested (USD m)", 30000.0))
    edited = window.scenario
    second = panel.save_snapshot("bigger DC-03")
    assert panel.library.get(second).parent == first
    panel.select_ids([first, second])
    cmp = panel.compare_selected()
    assert [(c.row, c.column, c.old, c.new) for c in cmp.diff.changes] == [
        ("DC-03", "Requested (USD m)", 25000.0, 30000.0)]
    assert panel.comparison.inputs.rowCount() == 1
    steps_before = window.undo_stack.count()
    panel.select_ids([first])
    panel.restore_selected()
    assert window.scenario.content_hash() == original.content_hash()
    assert window.undo_stack.count() == steps_before + 1  # one undo step
    window.undo_stack.undo()
    assert window.scenario.content_hash() == edited.content_hash()


def test_the_app_opens_with_a_damaged_library(qtbot, tmp_path):
    from ui.main_window import MainWindow
    from ui.settings import Settings

    damaged = tmp_path / "lib.sqlite"
    damaged.write_bytes(b"\x00garbage" * 1000)
    win = MainWindow(settings=Settings(tmp_path / "settings.ini"), library=str(damaged), offer_recovery=False,
                     restore_layout=False)
    win.show()
    qtbot.waitExposed(win)
    panel = win.snapshots_panel
    assert panel.library is None and "not a readable snapshot library" in panel.status.text()
    assert not panel.salvage_button.isHidden() and not panel.save_button.isEnabled()
    assert win.push(SetCell("Projects", 2, "Requested (USD m)", 30000.0))  # editing works as ever
    assert panel.salvage_to(tmp_path / "rescued.sqlite") and panel.save_snapshot("after salvage") == 1
    assert damaged.read_bytes() == b"\x00garbage" * 1000
    win.run_controller.shutdown()
    panel.shutdown()
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()
