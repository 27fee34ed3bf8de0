"""The snapshot library on real SQLite files: save, dedup, list, search, tags, delete, restore, migrations."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from workbench import default_scenario
from workbench.commands import SetCell, SetField
from workbench.results import AllocationResult
from workbench.scenario import Provenance
from workbench.snapshots import Library, LibraryError, SnapshotNotFound, library_path
from workbench.snapshots import db as snapdb


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib.sqlite") as library:
        yield library


@pytest.fixture
def scn():
    return default_scenario()


def edited(scn, value=1234.0):
    return SetCell("Projects", 2, "Requested (USD m)", value).apply(scn)[0]


def test_save_restore_round_trip_keeps_content_and_provenance(lib, scn):
    prov = {("Projects", "DC-01", "Requested (USD m)"): Provenance("colleague.xlsx", "Projects", "H2", "Aiko", "t")}
    scn = replace(edited(scn), provenance=prov)
    sid = lib.save(scn, note="before the meeting", author="Ken", tags=("minister",))
    back = lib.restore(sid)
    assert back.content_hash() == scn.content_hash()
    assert back.provenance == prov
    info = lib.get(sid)
    assert (info.note, info.author, info.name, info.tags) == ("before the meeting", "Ken", scn.name, ("minister",))
    assert info.content_hash == scn.content_hash()
    assert info.app_version and info.format_version == 1 and info.summary is None and not info.deleted
    assert info.time.tzinfo is not None


def test_identical_content_and_note_is_not_duplicated(lib, scn):
    a = lib.save(scn, note="n")
    assert lib.save(scn, note="n") == a
    b = lib.save(scn, note="other note")
    c = lib.save(edited(scn), note="n")
    assert len({a, b, c}) == 3
    assert len(lib.list()) == 3


def test_resaving_a_deleted_snapshot_brings_it_back(lib, scn):
    a = lib.save(scn, note="n")
    lib.delete(a)
    assert lib.list() == []
    assert lib.save(scn, note="n") == a
    assert [i.id for i in lib.list()] == [a]


def test_soft_delete_and_undelete(lib, scn):
    a = lib.save(scn, note="keep")
    b = lib.save(edited(scn), note="drop")
    lib.delete(b)
    assert [i.id for i in lib.list()] == [a]
    assert [i.id for i in lib.list(deleted=True)] == [b]
    assert lib.get(b).deleted
    assert lib.restore(b).content_hash() == edited(scn).content_hash()  # still there
    lib.undelete(b)
    assert {i.id for i in lib.list()} == {a, b}


def test_snapshots_are_immutable_in_the_file(lib, scn):
    a = lib.save(scn, note="n")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        lib.conn.execute("UPDATE snapshots SET note = 'changed' WHERE id = ?", (a,))
    with pytest.raises(sqlite3.IntegrityError, match="softly"):
        lib.conn.execute("DELETE FROM snapshots WHERE id = ?", (a,))
    assert lib.get(a).note == "n"


def test_list_newest_first_search_and_tags(lib, scn):
    ids = [lib.save(edited(scn, 1000.0 + k), note=note)
           for k, note in enumerate(["Before minister's question", "after colleague edits", "50% case_x"])]
    assert [i.id for i in lib.list()] == ids[::-1]
    assert [i.id for i in lib.search("MINISTER")] == [ids[0]]
    assert [i.id for i in lib.search("50%")] == [ids[2]]
    assert lib.search("_x") and lib.search("s_e") == []  # LIKE wildcards are literal ("ste" would match)
    assert {i.id for i in lib.search("US-Japan")} == set(ids)  # the scenario name matches too
    lib.tag(ids[1], "board", "final")
    assert [i.id for i in lib.list(tag="board")] == [ids[1]]
    assert [i.id for i in lib.search("fin")] == [ids[1]]
    lib.untag(ids[1], "board")
    assert lib.get(ids[1]).tags == ("final",)
    assert len(lib.list(limit=2)) == 2


def test_parent_is_recorded(lib, scn):
    a = lib.save(scn, note="first")
    b = lib.save(edited(scn), note="second", parent=a)
    assert lib.get(b).parent == a and lib.get(a).parent is None


def test_unknown_ids_get_a_clear_message(lib):
    with pytest.raises(SnapshotNotFound, match="no snapshot 42"):
        lib.get(42)
    with pytest.raises(SnapshotNotFound, match="whole numbers"):
        lib.get("abc")


def test_full_results_stored_compressed_and_returned_as_plain_data(lib, scn):
    from workbench.snapshots import codec

    alloc = AllocationResult("proportional", {"A": 1.5, "B": 0.0}, {"S": 1.5}, {}, {}, {}, "optimal", 0.0, 0.1)
    pnl = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7))).normal(size=5000)
    blob = codec.encode_results({"allocation": alloc, "pnl": pnl, "nan": float("nan")})
    back = codec.decode_results(blob)
    assert back["allocation"]["amounts"] == {"A": 1.5, "B": 0.0}
    np.testing.assert_array_equal(back["pnl"], pnl)
    assert back["nan"] is None
    sid = lib.save(scn, note="n")
    assert lib.full_results(sid) is None


def test_second_handle_sees_the_commit(tmp_path, scn):
    path = tmp_path / "lib.sqlite"
    with Library(path) as a, Library(path) as b:
        sid = a.save(scn, note="n")
        assert b.get(sid).note == "n"


def test_library_path_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LIBRARY", str(tmp_path / "env.sqlite"))
    assert library_path() == tmp_path / "env.sqlite"
    assert library_path(tmp_path / "cli.sqlite") == tmp_path / "cli.sqlite"
    monkeypatch.delenv("WORKBENCH_LIBRARY")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    assert library_path() == tmp_path / "data" / "library.sqlite"


def test_new_library_is_wal_with_durable_commits_and_versioned(lib):
    assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert lib.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert lib.conn.execute("SELECT version FROM schema_version").fetchone()[0] == snapdb.SCHEMA_VERSION
    assert lib.integrity_problems() == []


def test_an_empty_sqlite_file_is_migrated(tmp_path, scn):
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).execute("PRAGMA user_version = 0").connection.close()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    conn.commit()
    conn.close()
    with Library(path) as lib:
        assert lib.save(scn, note="n") == 1


def test_a_newer_library_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "new.sqlite"
    Library(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(LibraryError, match="newer Scenario Workbench"):
        Library(path)
    assert path.read_bytes() == before


def test_another_sqlite_database_is_not_taken_over(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(LibraryError, match="not a snapshot library"):
        Library(path)


def test_restore_then_edit_then_save_gives_a_child(lib, scn):
    a = lib.save(scn, note="base")
    changed = SetField("Discount rate", 0.07).apply(lib.restore(a))[0]
    b = lib.save(changed, note="higher discount rate", parent=a)
    assert lib.get(b).content_hash != lib.get(a).content_hash
    assert lib.restore(b).field("Discount rate") == 0.07


def test_migrations_run_in_one_transaction(tmp_path, scn, monkeypatch):
    path = tmp_path / "lib.sqlite"
    with Library(path) as lib:
        sid = lib.save(scn, note="kept through the upgrade")

    def broken(conn):
        conn.execute("ALTER TABLE snapshots ADD COLUMN reviewer TEXT")
        raise RuntimeError("migration failed half way")

    monkeypatch.setattr(snapdb, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(snapdb.MIGRATIONS, 2, broken)
    with pytest.raises(LibraryError, match=r"could not be upgraded to version 2.*left as it was"):
        Library(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 1  # nothing half-done
    assert "reviewer" not in [r[1] for r in conn.execute("PRAGMA table_info(snapshots)")]
    conn.close()

    monkeypatch.setitem(snapdb.MIGRATIONS, 2, lambda c: c.execute("ALTER TABLE snapshots ADD COLUMN reviewer TEXT"))
    with Library(path) as lib:
        assert lib.conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
        assert "reviewer" in [r[1] for r in lib.conn.execute("PRAGMA table_info(snapshots)")]
        assert lib.restore(sid).content_hash() == scn.content_hash()
