"""Fixtures of the What if dialogs' tests: the real main window with few trials and auto-run off
(tests/ui/conftest.py adds temporary settings and fails a test that leaves a worker thread running)."""

from __future__ import annotations

import pytest

from ui.settings import Settings


@pytest.fixture
def window(qtbot, temp_settings_dir):
    """The real main window over the default scenario, with few trials so the analyses finish quickly."""
    from ui.main_window import MainWindow
    from workbench.commands import SetField

    win = MainWindow(settings=Settings(temp_settings_dir / "settings.ini"), offer_recovery=False)
    win.menu_actions.auto_run.setChecked(False)
    win.push(SetField("Trials", 2000))
    win.show()
    qtbot.waitExposed(win)
    yield win
    for dlg in win.whatif.dialogs.values():
        dlg.shutdown()
        dlg.close()
    win.run_controller.shutdown()
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()
