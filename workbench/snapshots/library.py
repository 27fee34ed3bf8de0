"""The snapshot library: immutable snapshots of scenarios in a local SQLite file.

    from workbench.snapshots import Library
    with Library() as lib:                      # the path of paths.library_path()
        sid = lib.save(scn, note="before the minister's meeting", results=run_result)
        lib.list(query="minister")              # newest first, SnapshotInfo objects
        scn2 = lib.restore(sid)                 # the Scenario, provenance included
        lib.export(sid, "out.xlsx")
        cmp = lib.compare(sid, other_id, waterfall=True)

A snapshot holds every input table, the provenance, the key results (and the full
results, compressed, when ``full_results=True``), note, author, time, parent snapshot,
content hash and app version. Saving the same content with the same note again returns
the existing id (and fills in results the existing snapshot lacked). Delete is soft:
:meth:`Library.undelete` brings a snapshot back. Opening a damaged file raises
:class:`~workbench.snapshots.db.CorruptLibrary` (a :class:`LibraryError`) with a clear
message; :func:`workbench.snapshots.salvage.salvage` copies what is readable elsewhere.
"""

from __future__ import annotations

import builtins
import getpass
import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from workbench.snapshots import codec, db
from workbench.snapshots.db import CorruptLibrary, LibraryError, SnapshotNotFound
from workbench.snapshots.paths import library_path

if TYPE_CHECKING:
    from workbench.results import RunResult
    from workbench.scenario import Scenario
    from workbench.snapshots.compare import Comparison

T = TypeVar("T")

#: The key figures shown in lists, in this order, when a snapshot has results.
KEY_FIGURES = ("expected_pnl", "std", "var", "cvar", "prob_loss")

_COLUMNS = ("id, created_at, name, note, author, parent, content_hash, app_version, format_version, "
            "summary, results IS NOT NULL, deleted_at")


@dataclass(frozen=True)
class SnapshotInfo:
    """What the library knows about one snapshot, without loading its tables."""

    id: int
    created_at: str            # ISO 8601, UTC
    name: str
    note: str
    author: str
    parent: int | None
    content_hash: str
    app_version: str
    format_version: int
    summary: dict[str, Any] | None = None
    has_full_results: bool = False
    tags: tuple[str, ...] = ()
    deleted_at: str | None = None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    def key_figures(self) -> dict[str, Any]:
        """The key results present in the summary (empty without results)."""
        s = self.summary or {}
        return {k: s[k] for k in KEY_FIGURES if k in s}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "time": self.created_at, "name": self.name, "note": self.note,
                "author": self.author, "parent": self.parent, "hash": self.content_hash,
                "app_version": self.app_version, "format_version": self.format_version,
                "tags": list(self.tags), "deleted": self.deleted, "has_full_results": self.has_full_results,
                "results": self.summary}


def default_author() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name available (some containers)
        return os.environ.get("USER") or os.environ.get("USERNAME") or ""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class Library:
    """The local snapshot library at ``path`` (default: :func:`library_path`), opened on creation."""

    path: str | os.PathLike[str] | None = None
    timeout: float = db.BUSY_TIMEOUT_S
    check: bool = True
    #: True when the user may not write the library or its folder: it is opened without
    #: writing anything, every snapshot can be read, listed, compared and exported, and
    #: a change is refused with a message saying so.
    read_only: bool = field(default=False, init=False)
    _conn: sqlite3.Connection | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.path = library_path(self.path)
        self.read_only = self.path.exists() and not db.writable(self.path)
        self._conn = db.connect(self.path, check=self.check, timeout=self.timeout, read_only=self.read_only)

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise LibraryError(f"The snapshot library {self.path} is closed.")
        return self._conn

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return db.with_retries(lambda: self.conn.execute(sql, tuple(params)).fetchall())
        except sqlite3.DatabaseError as exc:
            raise CorruptLibrary(f"The snapshot library {self.path} could not be read ({exc}). "
                                 "Use 'Salvage' to copy what is readable into a new library.") from exc

    def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(conn)`` in one IMMEDIATE transaction, committed durably, retried when busy."""
        conn = self.conn
        if self.read_only:
            raise LibraryError(f"The snapshot library {self.path} is open read-only: you do not have permission "
                               "to change it or its folder. Nothing was changed. Copy the library to a folder you "
                               "can write to, or choose another library.")

        def attempt() -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                out = work(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return out

        try:
            return db.with_retries(attempt)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise LibraryError(f"The snapshot library {self.path} is busy (another program is writing "
                                   "to it). Nothing was changed; try again in a moment.") from exc
            raise LibraryError(f"The snapshot library {self.path} could not be written ({exc}). "
                               "Nothing was changed.") from exc
        except sqlite3.DatabaseError as exc:
            raise CorruptLibrary(f"The snapshot library {self.path} could not be written ({exc}). "
                                 "Use 'Salvage' to copy what is readable into a new library.") from exc

    # ----------------------------------------------------------------- save
    def save(self, scn: Scenario, *, note: str = "", author: str | None = None, results: RunResult | None = None,
             full_results: bool = False,
             parent: int | None = None, tags: Iterable[str] = ()) -> int:
        """Store ``scn`` as a snapshot; return its id (the existing id for the same content and note)."""
        from workbench import __version__, schema

        blob = codec.encode_scenario(scn)
        summary = codec.summary_of(results) if results is not None else None
        record = {
            "created_at": now_iso(), "name": scn.name, "note": str(note or ""),
            "author": default_author() if author is None else str(author), "parent": parent,
            "content_hash": scn.content_hash(), "app_version": __version__,
            "format_version": schema.FORMAT_VERSION, "scenario": blob, "scenario_sha256": codec.sha256(blob),
            "summary": codec.encode_summary(summary),
            "results": codec.encode_results(results) if (results is not None and full_results) else None,
        }
        return self.save_record(record, tags=tags)

    def save_record(self, record: dict[str, Any], *, tags: Iterable[str] = ()) -> int:
        """Insert an already encoded snapshot row (used by :meth:`save` and by salvage)."""
        tags = tuple(dict.fromkeys(str(t).strip() for t in tags if str(t).strip()))

        def work(conn: sqlite3.Connection) -> int:
            row = conn.execute("SELECT id, summary, results IS NULL, deleted_at FROM snapshots "
                               "WHERE content_hash = ? AND note = ?",
                               (record["content_hash"], record["note"])).fetchone()
            if row is None:
                cols = list(record)
                cur = conn.execute(f"INSERT INTO snapshots ({', '.join(cols)}) "
                                   f"VALUES ({', '.join('?' * len(cols))})", [record[c] for c in cols])
                sid = cast(int, cur.lastrowid)   # set by the INSERT
            else:
                sid = int(row[0])
                if row[1] is None and record.get("summary") is not None:
                    conn.execute("UPDATE snapshots SET summary = ? WHERE id = ?", (record["summary"], sid))
                if row[2] and record.get("results") is not None:
                    conn.execute("UPDATE snapshots SET results = ? WHERE id = ?", (record["results"], sid))
                if row[3] is not None:
                    conn.execute("UPDATE snapshots SET deleted_at = NULL WHERE id = ?", (sid,))
            conn.executemany("INSERT OR IGNORE INTO tags (snapshot_id, tag) VALUES (?, ?)", [(sid, t) for t in tags])
            return sid

        return self._write(work)

    # ----------------------------------------------------------------- read
    def _infos(self, where: str, params: Iterable[Any]) -> list[SnapshotInfo]:
        rows = self._read(f"SELECT {_COLUMNS} FROM snapshots {where}", params)
        ids = [r[0] for r in rows]
        tags: dict[int, list[str]] = {}
        if ids:
            for sid, tag in self._read(f"SELECT snapshot_id, tag FROM tags WHERE snapshot_id IN "
                                       f"({', '.join('?' * len(ids))}) ORDER BY tag", ids):
                tags.setdefault(sid, []).append(tag)
        return [SnapshotInfo(id=r[0], created_at=r[1], name=r[2], note=r[3], author=r[4], parent=r[5],
                             content_hash=r[6], app_version=r[7], format_version=r[8],
                             summary=codec.decode_summary(r[9]), has_full_results=bool(r[10]),
                             tags=tuple(tags.get(r[0], ())), deleted_at=r[11]) for r in rows]

    def list(self, *, query: str | None = None, tag: str | None = None, deleted: bool | None = False,
             limit: int | None = None) -> builtins.list[SnapshotInfo]:
        """Snapshots newest first. ``query`` matches note, name, author or tag (case-insensitive);
        ``deleted``: False (default) live ones, True deleted ones only, None both."""
        clauses, params = [], []
        if deleted is not None:
            clauses.append("deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL")
        if query:
            like = f"%{_escape_like(query)}%"
            clauses.append("(note LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\' OR author LIKE ? ESCAPE '\\' "
                           "OR id IN (SELECT snapshot_id FROM tags WHERE tag LIKE ? ESCAPE '\\'))")
            params += [like] * 4
        if tag:
            clauses.append("id IN (SELECT snapshot_id FROM tags WHERE tag = ?)")
            params.append(tag)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        where += " ORDER BY created_at DESC, id DESC"
        if limit:
            where += f" LIMIT {int(limit)}"
        return self._infos(where, params)

    def search(self, text: str) -> builtins.list[SnapshotInfo]:
        """Live snapshots whose note, name, author or tag contains ``text``."""
        return self.list(query=text)

    def get(self, sid: int) -> SnapshotInfo:
        """One snapshot's record (deleted ones too); :class:`SnapshotNotFound` when there is none."""
        found = self._infos("WHERE id = ?", (_as_id(sid),))
        if not found:
            raise SnapshotNotFound(f"There is no snapshot {sid} in the library {self.path}. "
                                   "'workbench snapshot list' shows the ids.")
        return found[0]

    def ids(self) -> builtins.list[int]:
        return [r[0] for r in self._read("SELECT id FROM snapshots ORDER BY id")]

    def restore(self, sid: int) -> Scenario:
        """The snapshot's Scenario (provenance included), checked against its stored hash."""
        info = self.get(sid)
        rows = self._read("SELECT scenario, scenario_sha256 FROM snapshots WHERE id = ?", (info.id,))
        blob, digest = rows[0]
        if codec.sha256(blob) != digest:
            raise CorruptLibrary(f"Snapshot {sid} is damaged in the library {self.path} (its stored checksum does "
                                 "not match). Other snapshots are not affected.")
        scn = codec.decode_scenario(blob)
        if scn.content_hash() != info.content_hash:
            raise CorruptLibrary(f"Snapshot {sid} does not rebuild to the content it was saved with "
                                 f"(hash {info.content_hash[:12]}); it cannot be restored faithfully.")
        return scn

    def full_results(self, sid: int) -> Any | None:
        """The stored full results as plain data (dicts and numpy arrays), or None."""
        rows = self._read("SELECT results FROM snapshots WHERE id = ?", (_as_id(sid),))
        if not rows:
            raise SnapshotNotFound(f"There is no snapshot {sid} in the library {self.path}.")
        return None if rows[0][0] is None else codec.decode_results(rows[0][0])

    # ---------------------------------------------------------------- change
    def tag(self, sid: int, *tags: str) -> None:
        sid = self.get(sid).id
        clean = [t.strip() for t in tags if t and t.strip()]
        self._write(lambda c: c.executemany("INSERT OR IGNORE INTO tags (snapshot_id, tag) VALUES (?, ?)",
                                            [(sid, t) for t in clean]))

    def untag(self, sid: int, *tags: str) -> None:
        sid = self.get(sid).id
        self._write(lambda c: c.executemany("DELETE FROM tags WHERE snapshot_id = ? AND tag = ?",
                                            [(sid, t) for t in tags]))

    def delete(self, sid: int) -> None:
        """Hide a snapshot (soft delete); :meth:`undelete` brings it back."""
        sid = self.get(sid).id
        when = now_iso()
        self._write(lambda c: c.execute("UPDATE snapshots SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                                        (when, sid)))

    def undelete(self, sid: int) -> None:
        sid = self.get(sid).id
        self._write(lambda c: c.execute("UPDATE snapshots SET deleted_at = NULL WHERE id = ?", (sid,)))

    # ------------------------------------------------------------- elsewhere
    def export(self, sid: int, out: str | os.PathLike[str]) -> Path:
        """Write the snapshot as a scenario workbook (atomically: a failure leaves ``out`` as it was)."""
        from workbench.excel import write_workbook

        scn = self.restore(sid)
        out = Path(out)
        write_workbook(out, scn)
        return out

    def compare(self, old: int, new: int, **kwargs: Any) -> Comparison:
        """Compare two snapshots: see :func:`workbench.snapshots.compare.compare_snapshots`."""
        from workbench.snapshots.compare import compare_snapshots

        return compare_snapshots(self, old, new, **kwargs)

    def integrity_problems(self) -> builtins.list[str]:
        """SQLite's integrity check now (empty when sound)."""
        try:
            return db.integrity_problems(self.conn)
        except sqlite3.DatabaseError as exc:
            return [str(exc)]


def _as_id(sid: Any) -> int:
    try:
        return int(str(sid).strip().lstrip("#"))
    except ValueError:
        raise SnapshotNotFound(f"{sid!r} is not a snapshot id: ids are whole numbers "
                               "('workbench snapshot list' shows them).") from None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


__all__ = ["KEY_FIGURES", "CorruptLibrary", "Library", "LibraryError", "SnapshotInfo", "SnapshotNotFound"]
