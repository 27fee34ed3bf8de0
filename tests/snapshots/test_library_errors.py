"""The library's errors say what is true: no permission, read-only, not a library, a full disk."""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from workbench import default_scenario
from workbench.snapshots import CorruptLibrary, Library, LibraryError

ROOT = Path(__file__).resolve().parents[2]
posix = pytest.mark.skipif(os.name != "posix", reason="folder permissions are POSIX")


def as_plain_user(fn):
    """``fn()`` run by a user without special rights: directly, or (when the tests run as
    root, who may write anywhere) in a forked child that drops to ``nobody``."""
    if os.geteuid() != 0:
        return fn()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.setgid(65534)
            os.setuid(65534)
            out = ("ok", fn())
        except BaseException as exc:
            out = ("raised", (type(exc).__name__, str(exc)))
        with os.fdopen(write, "wb") as fh:
            pickle.dump(out, fh)
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    if kind == "raised":
        raise {"LibraryError": LibraryError, "CorruptLibrary": CorruptLibrary}.get(value[0], RuntimeError)(value[1])
    return value


@pytest.fixture
def shared():
    """A folder any user may enter (the plain user must reach what the test prepares)."""
    folder = Path(tempfile.mkdtemp(prefix="library-"))
    os.chmod(folder, 0o777)
    yield folder
    for p in sorted(folder.rglob("*"), reverse=True):
        os.chmod(p, 0o777) if p.is_dir() else None
    subprocess.run(["rm", "-rf", str(folder)], check=False)


@posix
def test_a_new_library_in_a_folder_without_write_permission_says_so(shared):
    closed = shared / "closed"
    closed.mkdir(mode=0o755)
    with pytest.raises(LibraryError) as err:
        as_plain_user(lambda: Library(closed / "lib.sqlite"))
    text = str(err.value)
    assert "do not have permission to write to that folder" in text and str(closed) in text
    assert "report" not in text and "damaged" not in text


@posix
def test_an_existing_library_in_a_read_only_folder_opens_read_only(shared):
    folder = shared / "ro"
    folder.mkdir()
    path = folder / "lib.sqlite"
    with Library(path) as lib:
        sid = lib.save(default_scenario(), note="kept")
    before = path.read_bytes()
    os.chmod(path, 0o644)
    os.chmod(folder, 0o755)

    def use():
        with Library(path) as lib:
            listed = [s.note for s in lib.list()]
            name = lib.restore(sid).fields["Name"]
            try:
                lib.save(default_scenario().with_fields(Name="new"), note="refused")
            except LibraryError as exc:
                return lib.read_only, listed, name, str(exc)
            return lib.read_only, listed, name, ""

    read_only, listed, name, refusal = as_plain_user(use)
    assert read_only and listed == ["kept"] and name == default_scenario().fields["Name"]
    assert "open read-only" in refusal and "Nothing was changed" in refusal and "damaged" not in refusal
    assert path.read_bytes() == before


def test_an_unrelated_sqlite_database_is_refused_without_writing_to_it(tmp_path):
    other = tmp_path / "accounts.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE accounts (id INTEGER, owner TEXT)")
    conn.execute("INSERT INTO accounts VALUES (1, 'Kenji')")
    conn.commit()
    conn.close()
    before = other.read_bytes()
    with pytest.raises(LibraryError, match="not a snapshot library"):
        Library(other)
    assert other.read_bytes() == before            # still in rollback-journal mode, untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.sqlite"]


@posix
def test_a_full_disk_during_a_snapshot_export_gives_one_clean_message(tmp_path):
    path = tmp_path / "lib.sqlite"
    with Library(path) as lib:
        sid = lib.save(default_scenario(), note="x")
    out = tmp_path / "snapshot.xlsx"
    code = textwrap.dedent(f"""
        import gc, resource, signal
        from workbench.snapshots import Library
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail as on a full disk
        with Library({str(path)!r}) as lib:
            resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
            try:
                lib.export({sid}, {str(out)!r})
            except OSError as exc:
                print("refused:", exc.strerror)
        gc.collect()
    """)
    child = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                           capture_output=True, text=True, timeout=120)
    assert child.stdout.startswith("refused: File too large"), (child.stdout, child.stderr)
    assert "Traceback" not in child.stderr and "Exception ignored" not in child.stderr, child.stderr
    assert not out.exists()
