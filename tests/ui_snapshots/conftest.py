"""Fixtures of the snapshot UI tests: settings in a temporary folder, no worker left running."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ui.runner import live_workers


@pytest.fixture(autouse=True)
def temp_settings_dir(tmp_path, monkeypatch, qapp):
    folder = tmp_path / "settings"
    monkeypatch.setenv("WORKBENCH_SETTINGS_DIR", str(folder))
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def no_dangling_workers(qapp):
    """Fail a test that leaves a waterfall thread running."""
    yield
    left = live_workers()
    if left:
        for thread in left:
            thread.cancel_event.set()
        for thread in left:
            thread.wait(60_000)
        pytest.fail(f"{len(left)} worker thread(s) still running at the end of the test")
