"""Fixtures of the main-window tests: settings in a temporary folder, no worker left running."""

from __future__ import annotations

import pytest

from tests.qt_fixtures import no_dangling_workers, temp_settings_dir  # noqa: F401 (autouse fixtures)
from ui.settings import Settings


@pytest.fixture
def settings(temp_settings_dir) -> Settings:
    return Settings(temp_settings_dir / "settings.ini")


@pytest.fixture
def window(qtbot, settings):
    """The real main window over the default scenario, closed without prompts at the end."""
    from ui.main_window import MainWindow

    win = MainWindow(settings=settings, offer_recovery=False)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.run_controller.shutdown()
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()


@pytest.fixture
def projects(window):
    """The Projects page of the window, brought to the front."""
    return window.set_current_table("Projects")
