"""Crash recovery in the app: debounced records, a prompt after a crash, none after a clean exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.recovery import RecoveryManager, recovery_prompt
from workbench import default_scenario
from workbench.commands import SetCell
from workbench.snapshots.recovery import RecoveryStore

ROOT = Path(__file__).resolve().parents[3]
posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

MANAGER_CHILD = """
import sys
from PySide6.QtWidgets import QApplication
from workbench import default_scenario
from workbench.commands import SetCell
from workbench.snapshots.recovery import RecoveryStore
from ui.recovery import RecoveryManager
app = QApplication([])
scn = SetCell("Projects", 0, "Requested (USD m)", 4321.0).apply(default_scenario())[0]
m = RecoveryManager(get_scenario=lambda: scn, is_dirty=lambda: True, store=RecoveryStore(sys.argv[1]), delay_ms=10)
def written(path):
    if sys.argv[2] == "clean":
        m.close()
    print(scn.content_hash(), flush=True)
    sys.stdin.read()
    app.quit()
m.written.connect(written)
for _ in range(5):
    m.schedule()
app.exec()
"""

WINDOW_CHILD = """
import sys
from PySide6.QtWidgets import QApplication
from workbench.commands import SetCell
from ui.main_window import MainWindow
from ui.settings import Settings
app = QApplication([])
win = MainWindow(settings=Settings(sys.argv[1]), offer_recovery=False, restore_layout=False)
def written(path):
    print(win.scenario.content_hash(), flush=True)
    sys.stdin.read()
win.recovery.written.connect(written)
win.show()
win.push(SetCell("Projects", 0, "Requested (USD m)", 4321.0))
app.exec()
"""


def _child(code: str, *args: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)
    digest = proc.stdout.readline().strip()
    assert len(digest) == 64, f"child said {digest!r}"
    return proc, digest


def _click_later(label: str) -> list[str]:
    """Click ``label`` on the next modal message box; returns the texts of the boxes seen (never hangs)."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if len(seen) < 200:  # not shown yet: look again on the next turn of the event loop
                seen.append("")
                QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        buttons = [b for b in box.buttons() if b.text() == label]
        if buttons:
            buttons[0].click()
        else:  # an unexpected box: close it so the test fails instead of hanging
            box.reject()

    QTimer.singleShot(0, click)
    return seen


def test_a_burst_of_changes_writes_one_record_and_a_save_clears_it(qtbot, tmp_path):
    scn = {"now": default_scenario()}
    dirty = {"now": True}
    store = RecoveryStore(tmp_path)
    m = RecoveryManager(get_scenario=lambda: scn["now"], is_dirty=lambda: dirty["now"], store=store, delay_ms=20)
    writes = []
    m.written.connect(writes.append)
    for k in range(5):
        scn["now"] = SetCell("Projects", 0, "Requested (USD m)", 1000.0 + k).apply(default_scenario())[0]
        m.schedule()
    with qtbot.waitSignal(m.written, timeout=10_000):
        pass
    assert len(writes) == 1 and not m.is_scheduled()
    assert store.has_record()
    dirty["now"] = False  # the user saved: nothing unsaved any more
    with qtbot.waitSignal(m.cleared, timeout=10_000):
        m.schedule()
    assert not store.has_record()
    m.close()
    assert list(tmp_path.iterdir()) == []


@posix_only
def test_after_a_crash_the_prompt_offers_the_edits_once(qtbot, tmp_path):
    proc, digest = _child(MANAGER_CHILD, str(tmp_path), "dirty")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    m = RecoveryManager(get_scenario=default_scenario, is_dirty=lambda: False, store=RecoveryStore(tmp_path))
    assert m.pending_recovery().content_hash() == digest
    got = []
    m.restored.connect(got.append)
    _click_later("Restore")
    scn = m.offer()
    assert scn.content_hash() == digest and got == [scn]
    again = RecoveryManager(get_scenario=default_scenario, is_dirty=lambda: False, store=RecoveryStore(tmp_path))
    assert again.pending_recovery() is None and again.offer() is None  # asked once
    m.close()


def test_after_a_clean_exit_there_is_no_prompt(tmp_path):
    proc, _ = _child(MANAGER_CHILD, str(tmp_path), "clean")
    proc.communicate("")
    assert proc.returncode == 0
    m = RecoveryManager(get_scenario=default_scenario, is_dirty=lambda: False, store=RecoveryStore(tmp_path))
    assert m.pending_recovery() is None and m.offer() is None
    m.close()


def test_discard_drops_the_edits(qtbot, tmp_path):
    crashed = RecoveryStore(tmp_path)
    crashed.write(SetCell("Projects", 0, "Requested (USD m)", 5.0).apply(default_scenario())[0])
    os.close(crashed._lock_fd)  # the crashed process's lock is gone with it
    crashed._lock_fd = None
    m = RecoveryManager(get_scenario=default_scenario, is_dirty=lambda: False, store=RecoveryStore(tmp_path))
    _click_later("Discard")
    assert m.offer() is None
    assert m.pending_recovery() is None and RecoveryStore(tmp_path).pending() == []


def test_prompt_names_the_time_and_the_scenario(qtbot, tmp_path):
    store = RecoveryStore(tmp_path)
    store.write(default_scenario(), meta={"file": "plan.xlsx"})
    [record] = RecoveryStore(tmp_path, session="x").pending() or [None]
    assert record is None  # still locked by the live store
    os.close(store._lock_fd)
    store._lock_fd = None
    [record] = RecoveryStore(tmp_path).pending()
    box, restore = recovery_prompt(None, record)
    assert box.text() == f"Restore unsaved edits from {record.time.astimezone():%Y-%m-%d %H:%M}?"
    assert "plan.xlsx" in box.informativeText() and default_scenario().name in box.informativeText()
    assert box.defaultButton() is restore
    box.deleteLater()


@posix_only
def test_killing_the_app_with_unsaved_edits_offers_them_at_the_next_start(qtbot, tmp_path):
    from ui.main_window import MainWindow
    from ui.settings import Settings

    proc, digest = _child(WINDOW_CHILD, str(tmp_path / "settings.ini"))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    seen = _click_later("Restore")
    win = MainWindow(settings=Settings(tmp_path / "settings.ini"), offer_recovery=True, restore_layout=False)
    try:
        assert [t for t in seen if t][:1] == [t for t in seen if t.startswith("Restore unsaved edits from")][:1]
        assert win.scenario.content_hash() == digest
    except AssertionError:
        win.undo_stack.setClean()
        win.close()
        raise
    assert win.undo_stack.count() == 1  # one undo step
    win.undo_stack.undo()
    assert win.scenario.content_hash() == default_scenario().content_hash()
    win.undo_stack.setClean()
    win.run_controller.shutdown()
    if getattr(win, "snapshots_panel", None) is not None:
        win.snapshots_panel.shutdown()
    win.close()
    win.deleteLater()
    # closed cleanly: the next start has nothing to offer
    assert RecoveryStore().pending() == []


def test_closing_the_window_writes_pending_edits_before_any_prompt(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    edited = SetCell("Projects", 0, "Requested (USD m)", 777.0).apply(default_scenario())[0]
    store = RecoveryStore(tmp_path)
    m = RecoveryManager(window, get_scenario=lambda: edited, is_dirty=lambda: True, store=store, delay_ms=60_000)
    m.schedule()
    with qtbot.waitSignal(m.written, timeout=5_000):
        window.close()  # the close event flushes at once instead of waiting a minute
    assert store.has_record() and not m.is_scheduled()
    m.close()
