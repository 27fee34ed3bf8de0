"""Copy whatever is readable out of a damaged snapshot library into a new one.

    report = salvage("damaged.sqlite", "rescued.sqlite")
    print(report.message())   # "Copied 41 of 43 snapshots; 2 were unreadable (ids 7, 12)."

Each row is read on its own, its stored checksum and its content hash are verified, and
only intact snapshots are copied, keeping their ids, times, notes, parents, tags and
results. The damaged file is opened read-only and never changed.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.snapshots import codec
from workbench.snapshots.db import LibraryError

_FIELDS = ("id", "created_at", "name", "note", "author", "parent", "content_hash", "app_version",
           "format_version", "scenario", "scenario_sha256", "summary", "results", "deleted_at")


@dataclass(frozen=True)
class SalvageReport:
    source: str
    target: str
    copied: tuple[int, ...]
    unreadable: tuple[int, ...]
    error: str = ""          # why nothing at all could be read, when that is the case

    def message(self) -> str:
        total = len(self.copied) + len(self.unreadable)
        if self.error and not self.copied:
            return f"Nothing could be read from {self.source} ({self.error}). The new library {self.target} is empty."
        text = f"Copied {len(self.copied)} of {total} snapshots into {self.target}"
        if self.unreadable:
            ids = ", ".join(str(i) for i in self.unreadable[:20])
            text += f"; {len(self.unreadable)} were unreadable (ids {ids})"
        return text + "."


def _ids(conn: sqlite3.Connection) -> list[int]:
    try:
        return [r[0] for r in conn.execute("SELECT id FROM snapshots ORDER BY id")]
    except sqlite3.DatabaseError:
        pass
    top = 0  # the id index is damaged: probe ids one by one up to the highest id handed out
    for sql in ("SELECT seq FROM sqlite_sequence WHERE name = 'snapshots'", "SELECT max(rowid) FROM snapshots"):
        try:
            row = conn.execute(sql).fetchone()
            top = max(top, int(row[0] or 0)) if row else top
        except sqlite3.DatabaseError:
            continue
    return list(range(1, top + 1))


def _row(conn: sqlite3.Connection, sid: int) -> dict[str, Any] | None:
    try:
        row = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM snapshots WHERE rowid = ?", (sid,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    if row is None:
        return None
    rec = dict(zip(_FIELDS, row, strict=True))
    try:
        if codec.sha256(rec["scenario"]) != rec["scenario_sha256"]:
            return None
        if codec.decode_scenario(rec["scenario"]).content_hash() != rec["content_hash"]:
            return None
        codec.decode_summary(rec["summary"])
    except Exception:  # any damage in the payload: the row is not intact
        return None
    if rec["results"] is not None:
        try:
            codec.decode_results(rec["results"])
        except Exception:  # keep the snapshot, drop the damaged full results
            rec["results"] = None
    return rec


def _tags(conn: sqlite3.Connection, sid: int) -> list[str]:
    try:
        return [r[0] for r in conn.execute("SELECT tag FROM tags WHERE snapshot_id = ?", (sid,))]
    except sqlite3.DatabaseError:
        return []


def salvage(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> SalvageReport:
    """Copy every intact snapshot of ``source`` into the new library ``target`` (which must not exist)."""
    from workbench.snapshots.library import Library

    source, target = Path(source), Path(target)
    if target.exists():
        raise LibraryError(f"{target} already exists: salvage writes into a new library file. Choose another name.")
    copied: list[int] = []
    unreadable: list[int] = []
    error = ""
    with Library(target) as out:
        try:
            conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            return SalvageReport(str(source), str(target), (), (), str(exc))
        try:
            ids = _ids(conn)
        except sqlite3.DatabaseError as exc:
            ids, error = [], str(exc)
        try:
            for sid in ids:
                rec = _row(conn, sid)
                if rec is None:
                    if sid not in copied:
                        unreadable.append(sid)
                    continue
                tags = _tags(conn, sid)
                out.conn.execute("BEGIN IMMEDIATE")
                cols = list(rec)
                out.conn.execute(f"INSERT INTO snapshots ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                 [rec[c] for c in cols])
                out.conn.executemany("INSERT OR IGNORE INTO tags (snapshot_id, tag) VALUES (?, ?)",
                                     [(sid, t) for t in tags])
                out.conn.execute("COMMIT")
                copied.append(sid)
        finally:
            conn.close()
    if not ids and not error:
        error = "no snapshot rows could be found"
    return SalvageReport(str(source), str(target), tuple(copied), tuple(unreadable), error)
