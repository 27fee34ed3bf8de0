"""The newcomer's first session, end to end, through the window's own actions."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt

from tests.ui.editing.test_files import _colleague, _drop
from ui import files
from workbench.default_scenario import default_scenario


def test_run_edit_undo_import_export(window, qtbot, tmp_path):
    window.run_controller.options.update(trials=2000, stress=False, tornado=False)
    # 1. the default scenario is there; run it
    assert window.scenario.same_content(default_scenario())
    with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
        window.menu_actions.run.trigger()
    assert window.results_panel.run is window.last_result
    # 2. edit a number, read what Undo will do, undo it
    page = window.set_current_table("Projects")
    index = page.proxy.mapFromSource(page.model.index(0, page.model.column_index("Requested (USD m)")))
    assert page.proxy.setData(index, "95,000")
    assert window.menu_actions.undo.text() == "&Undo Edit Projects Requested (USD m)"
    assert "earlier version" in window.status.stale.text()
    window.menu_actions.undo.trigger()
    assert index.data(Qt.ItemDataRole.EditRole) == default_scenario().projects.at[0, "Requested (USD m)"]
    assert window.status.stale.text() == ""
    # 3. import a colleague's workbook by dropping it on the window
    path, theirs = _colleague(tmp_path)
    assert _drop(window, path) == (True, True)
    assert window.scenario.same_content(theirs)
    # 4. run it and export the results workbook
    with qtbot.waitSignal(window.run_controller.finished, timeout=180_000):
        window.menu_actions.run.trigger()
    out = tmp_path / "for the minister.xlsx"
    assert files.export_to(window, out)
    book = openpyxl.load_workbook(out, read_only=True)
    assert {"Scenario", "Projects", "Allocation"} <= set(book.sheetnames)
