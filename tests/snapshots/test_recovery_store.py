"""Crash-recovery records (core): atomic writes, offered after a crash, not after a clean exit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from workbench import default_scenario
from workbench.commands import SetCell
from workbench.scenario import Provenance
from workbench.snapshots.recovery import RecoveryStore, atomic_write_bytes

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from workbench import default_scenario
from workbench.commands import SetCell
from workbench.snapshots.recovery import RecoveryStore
store = RecoveryStore(sys.argv[1])
scn = SetCell("Projects", 0, "Requested (USD m)", 4321.0).apply(default_scenario())[0]
store.write(scn, meta={"file": "plan.xlsx"})
if sys.argv[2] == "clean":
    store.close()
print(scn.content_hash(), flush=True)
sys.stdin.read()
"""


def _start(folder: Path, mode: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    digest = proc.stdout.readline().strip()
    assert len(digest) == 64, digest
    return proc, digest


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_edits_of_a_killed_session_are_offered_once(tmp_path):
    proc, digest = _start(tmp_path, "dirty")
    try:
        assert RecoveryStore(tmp_path).pending() == []  # the session is alive: not ours to take
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    store = RecoveryStore(tmp_path)
    [record] = store.pending()
    assert record.scenario.content_hash() == digest
    assert record.meta == {"file": "plan.xlsx"} and record.time.tzinfo is not None
    store.discard(record)
    assert RecoveryStore(tmp_path).pending() == []
    assert list(tmp_path.iterdir()) == []


def test_clean_exit_leaves_nothing_to_offer(tmp_path):
    proc, _ = _start(tmp_path, "clean")
    proc.communicate("")
    assert proc.returncode == 0
    assert RecoveryStore(tmp_path).pending() == []


def test_own_record_is_replaced_and_cleared(tmp_path):
    scn = default_scenario()
    store = RecoveryStore(tmp_path)
    store.write(scn)
    changed = SetCell("Projects", 1, "Requested (USD m)", 99.0).apply(scn)[0]
    changed = replace(changed, provenance={("Projects", "DC-02", "ID"): Provenance("f.xlsx", "Projects", "A3")})
    store.write(changed)
    assert store.pending() == []  # a session never offers itself its own edits
    other = RecoveryStore(tmp_path)
    assert other.pending() == []  # ... and the first session is alive (its lock is held)
    store._lock_fd, fd = None, store._lock_fd  # simulate the process dying: its lock goes away
    os.close(fd)
    [record] = other.pending()
    assert record.scenario.content_hash() == changed.content_hash()
    assert record.scenario.provenance == changed.provenance
    store.clear()
    assert other.pending() == []


def test_a_damaged_record_is_skipped(tmp_path):
    (tmp_path / "dead.json").write_text("{not json")
    assert RecoveryStore(tmp_path).pending() == []


def test_atomic_write_replaces_whole_files_only(tmp_path):
    target = tmp_path / "a" / "file.bin"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]  # no temporary file left
