"""Fixtures shared by every Qt test folder (imported by their conftest.py files).

Kept out of tests/conftest.py so that the core's tests never load Qt.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ui.runner import live_workers


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
