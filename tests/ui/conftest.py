"""Fixtures of every Qt test (tests/ui/ and its folders: editing, layout, results, snapshots,
whatif): settings in a temporary folder, no worker thread left running, the real main window.

Kept out of tests/conftest.py so that the core's tests never load Qt.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ui.runner import live_workers
from ui.settings import Settings


@pytest.fixture(autouse=True)
def temp_settings_dir(tmp_path, monkeypatch, qapp):
    """QSettings (ours and Qt's defaults) point into the test's temporary folder."""
    folder = tmp_path / "settings"
    monkeypatch.setenv("WORKBENCH_SETTINGS_DIR", str(folder))
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def no_dangling_workers(qapp):
    """Fail any test that leaves a worker QThread running (stopping it first, so the next test is clean)."""
    yield
    left = live_workers()
    if left:
        for thread in left:
            thread.cancel_event.set()
        for thread in left:
            thread.wait(60_000)
        pytest.fail(f"{len(left)} worker thread(s) still running at the end of the test: wait for "
                    "finished/failed/cancelled or call RunController.shutdown() before returning.")


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
