"""A damaged library gets a clear message (never a traceback), and salvage copies out what is readable."""

from __future__ import annotations

import os

import pytest

from workbench import default_scenario
from workbench.snapshots import CorruptLibrary, Library, LibraryError, salvage


def _filled(path, n=30):
    base = default_scenario()
    with Library(path) as lib:
        ids = [lib.save(base.with_fields(Name=f"scenario {k}"), note=f"note {k}", tags=(f"t{k % 3}",))
               for k in range(n)]
    assert not os.path.exists(f"{path}-wal") or os.path.getsize(f"{path}-wal") == 0
    return ids


def _assert_clear(exc: LibraryError, path) -> None:
    text = str(exc)
    assert str(path) in text and "Salvage" in text and "Traceback" not in text


@pytest.mark.parametrize("keep", [0, 50, 4096, "half"])
def test_truncated_library_gets_the_clear_message(tmp_path, keep):
    path = tmp_path / "lib.sqlite"
    _filled(path)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 2 if keep == "half" else keep)
    with pytest.raises(CorruptLibrary) as err:
        Library(path)
    _assert_clear(err.value, path)
    assert "truncated" in str(err.value) or "empty" in str(err.value)


def test_library_overwritten_with_garbage_gets_the_clear_message(tmp_path):
    path = tmp_path / "lib.sqlite"
    _filled(path)
    size = path.stat().st_size
    path.write_bytes(os.urandom(size))
    with pytest.raises(CorruptLibrary) as err:
        Library(path)
    _assert_clear(err.value, path)
    assert "overwritten" in str(err.value)
    report = salvage(path, tmp_path / "rescued.sqlite")
    assert report.copied == () and "Nothing could be read" in report.message()
    with Library(tmp_path / "rescued.sqlite") as rescued:  # a usable, empty library
        assert rescued.list() == []


def test_garbage_inside_the_file_is_found_by_the_integrity_check(tmp_path):
    path = tmp_path / "lib.sqlite"
    ids = _filled(path, 60)
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # smash the second quarter of the pages, keep the header
        fh.seek(size // 4 // 4096 * 4096)
        fh.write(b"\xa5" * (size // 4))
    with pytest.raises(CorruptLibrary) as err:
        Library(path)
    _assert_clear(err.value, path)
    assert "damaged" in str(err.value)

    report = salvage(path, tmp_path / "rescued.sqlite")
    assert 0 < len(report.copied) < len(ids)
    assert set(report.copied) | set(report.unreadable) <= set(ids)
    assert f"Copied {len(report.copied)} of" in report.message()
    base = default_scenario()
    with Library(tmp_path / "rescued.sqlite") as rescued:
        assert rescued.integrity_problems() == []
        for sid in report.copied:  # every copied snapshot is intact, with its id, note and tags
            info = rescued.get(sid)
            k = int(info.note.split()[-1])
            assert rescued.restore(sid).content_hash() == base.with_fields(Name=f"scenario {k}").content_hash()
            assert info.tags == (f"t{k % 3}",)
        new = rescued.save(base, note="after salvage")
        assert new > max(report.copied)


def test_salvage_of_a_sound_library_copies_everything(tmp_path):
    path = tmp_path / "lib.sqlite"
    ids = _filled(path, 5)
    with Library(path) as lib:
        lib.delete(ids[0])
    before = path.read_bytes()
    report = salvage(path, tmp_path / "copy.sqlite")
    assert report.copied == tuple(ids) and report.unreadable == ()
    assert path.read_bytes() == before  # the source is never changed
    with Library(tmp_path / "copy.sqlite") as copy:
        assert copy.get(ids[0]).deleted and len(copy.list()) == 4


def test_salvage_never_overwrites(tmp_path):
    path = tmp_path / "lib.sqlite"
    _filled(path, 1)
    (tmp_path / "exists.sqlite").write_bytes(b"precious")
    with pytest.raises(LibraryError, match="already exists"):
        salvage(path, tmp_path / "exists.sqlite")
    assert (tmp_path / "exists.sqlite").read_bytes() == b"precious"
