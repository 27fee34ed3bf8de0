"""Exports behave like Office: the replaced file's permissions (or the umask's), no
temporary file left by a killed export, no traceback when the disk fills up."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from workbench import default_scenario
from workbench.excel import atomic, read_workbook, write_workbook

ROOT = Path(__file__).resolve().parents[2]
posix = pytest.mark.skipif(os.name != "posix", reason="file modes and signals are POSIX")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@posix
def test_a_new_export_gets_what_the_umask_allows(tmp_path):
    old = os.umask(0o027)
    try:
        write_workbook(tmp_path / "new.xlsx", default_scenario())
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.xlsx") == 0o640


@posix
def test_an_export_over_a_file_keeps_that_files_permissions(tmp_path):
    target = tmp_path / "shared.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o664)
    write_workbook(target, default_scenario())
    assert mode(target) == 0o664
    assert read_workbook(target).ok


def _child(code: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


@posix
def test_the_temporary_file_of_a_killed_export_is_removed_by_the_next_export(tmp_path):
    target = tmp_path / "book.xlsx"
    child = _child(f"""
        import time
        from workbench.excel import atomic
        def write(tmp):
            with open(tmp, "wb") as fh:
                fh.write(b"half a workbook")
            print("writing", flush=True)
            time.sleep(120)
        atomic.replace_file({str(target)!r}, write, suffix=".xlsx")
    """)
    assert child.stdout.readline().strip() == "writing"
    left = list(tmp_path.glob(f"{atomic.PREFIX}*"))
    assert len(left) == 1
    child.kill()
    child.wait()
    child.stdout.close()
    child.stderr.close()
    assert left[0].exists() and not target.exists()
    write_workbook(target, default_scenario())
    assert not left[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


@posix
def test_a_full_disk_gives_one_clean_error_and_leaves_the_old_file(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"the old workbook")
    child = _child(f"""
        import resource, signal, sys
        from workbench import default_scenario
        from workbench.excel import write_workbook
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails like a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
        try:
            write_workbook({str(target)!r}, default_scenario())
        except OSError as exc:
            print("refused:", exc.strerror)
        import gc
        gc.collect()
    """)
    out, err = child.communicate(timeout=120)
    assert out.startswith("refused: File too large"), (out, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert target.read_bytes() == b"the old workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_stale_files_of_this_process_are_kept_while_it_writes(tmp_path):
    mine = tmp_path / f"{atomic.PREFIX}{os.getpid()}.abc.xlsx{atomic.SUFFIX}"
    mine.write_bytes(b"in progress")
    assert atomic.remove_stale(tmp_path) == []
    assert mine.exists()
