"""The SQLite file under the snapshot library: opening, checking, migrating, retrying.

* Journal mode WAL with ``synchronous=FULL``: a committed save survives a crash of the
  process and of the machine; a process killed mid-save leaves the previous state.
* A new library is built in a temporary file beside the target and linked into place,
  so the library file never exists half-initialised (a 0-byte library is damage).
* On open: the file header is checked (not SQLite, truncated), then ``PRAGMA
  integrity_check``; any failure is a :class:`CorruptLibrary` with a sentence saying
  what is wrong and what to do, never a traceback.
* The schema version lives in ``schema_version``; :data:`MIGRATIONS` brings an older
  library up to date in one transaction; a library from a newer app is refused.
* Writers use ``BEGIN IMMEDIATE`` with a busy timeout, and retry when SQLite still
  reports the file busy, so two processes saving at once both succeed.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from workbench.errors import WorkbenchError

T = TypeVar("T")

SCHEMA_VERSION = 1
HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 30.0
RETRIES = 8


class LibraryError(WorkbenchError):
    """A problem with the snapshot library, explained for the user."""


class CorruptLibrary(LibraryError):
    """The library file is damaged or is not a snapshot library (salvage can copy out what is readable)."""


class SnapshotNotFound(LibraryError, KeyError):
    """No snapshot with that id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


_V1 = (
    """CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at TEXT NOT NULL,
        name TEXT NOT NULL,
        note TEXT NOT NULL,
        author TEXT NOT NULL,
        parent INTEGER,
        content_hash TEXT NOT NULL,
        app_version TEXT NOT NULL,
        format_version INTEGER NOT NULL,
        scenario BLOB NOT NULL,
        scenario_sha256 TEXT NOT NULL,
        summary TEXT,
        results BLOB,
        deleted_at TEXT)""",
    "CREATE UNIQUE INDEX snapshots_identity ON snapshots(content_hash, note)",
    "CREATE INDEX snapshots_created ON snapshots(created_at)",
    """CREATE TABLE tags (
        snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
        tag TEXT NOT NULL,
        PRIMARY KEY (snapshot_id, tag))""",
    """CREATE TRIGGER snapshots_immutable
       BEFORE UPDATE OF id, created_at, name, note, author, parent, content_hash, app_version,
                        format_version, scenario, scenario_sha256 ON snapshots
       BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END""",
    """CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
       BEGIN SELECT RAISE(ABORT, 'snapshots are deleted softly (deleted_at)'); END""",
)


def _v1(conn: sqlite3.Connection) -> None:
    for statement in _V1:  # one by one: executescript would commit the migration's transaction
        conn.execute(statement)


#: version -> the function bringing a library from version-1 to it.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1}


def with_retries(fn: Callable[[], T], *, retries: int = RETRIES) -> T:
    """Run ``fn``; when SQLite says the file is busy or locked, wait a little and run it again."""
    delay = 0.01
    for attempt in range(retries + 1):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if attempt == retries or not ("locked" in text or "busy" in text):
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")  # pragma: no cover


def check_header(path: Path) -> None:
    """Refuse a file that is empty, not SQLite, or shorter than its header says."""
    size = path.stat().st_size
    where = f"The snapshot library {path}"
    if size == 0:
        raise CorruptLibrary(f"{where} is empty (0 bytes): it was truncated. {_advice()}")
    with path.open("rb") as fh:
        head = fh.read(100)
    if head[:16] != HEADER:
        raise CorruptLibrary(f"{where} is not a readable snapshot library: its first bytes are not an SQLite "
                             f"header (the file was overwritten or damaged). {_advice()}")
    if len(head) < 100:
        raise CorruptLibrary(f"{where} is truncated ({size} bytes). {_advice()}")
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96]
    wal = Path(f"{path}-wal")
    wal_empty = not wal.exists() or wal.stat().st_size == 0
    if valid and wal_empty and pages and size < page * pages:
        raise CorruptLibrary(f"{where} is truncated: it holds {size:,} bytes of the {page * pages:,} "
                             f"its header announces. {_advice()}")


def _advice() -> str:
    return ("Snapshots cannot be saved to it. Use 'Salvage' (or workbench.snapshots.salvage) to copy "
            "whatever is readable into a new library, or choose another library file.")


def writable(path: Path) -> bool:
    """Whether this user may write the library at ``path`` and its folder (WAL mode keeps
    two files beside the library, created and removed as it is used)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _no_write_access(folder: Path) -> LibraryError:
    return LibraryError(f"A new snapshot library cannot be created in {folder}: you do not have permission to "
                        "write to that folder. Choose a library file in a folder you can write to.")


def _create(path: Path) -> None:
    """Build an empty, migrated library beside ``path`` and link it into place (never half-made)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except PermissionError:
        raise _no_write_access(path.parent) from None
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise _no_write_access(path.parent)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
    try:
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                _migrate(conn, tmp)
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            raise LibraryError(f"A new snapshot library could not be created in {path.parent} ({exc}). Check "
                               "that the disk has free space, or choose another folder.") from exc
        fd = os.open(tmp, os.O_RDWR)  # write access: Windows cannot flush a read-only handle
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # fails if another process created the library first: keep theirs
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(tmp, path)
        _fsync_dir(path.parent)
        _remove_stale(path)
    finally:
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def _remove_stale(path: Path, age_s: float = 600.0) -> None:
    """Remove half-built libraries left by a process killed while creating one (long ago)."""
    now = time.time()
    for p in path.parent.glob(f".{path.name}.*.new*"):
        try:
            if now - p.stat().st_mtime > age_s:
                p.unlink()
        except OSError:
            pass


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _schema_version(conn: sqlite3.Connection, path: Path) -> int:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "schema_version" not in names:
        if names - {"sqlite_sequence"}:
            raise LibraryError(f"{path} is an SQLite database but not a snapshot library (it has the tables "
                               f"{', '.join(sorted(names))}). Choose another file for the library.")
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    def run() -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = _schema_version(conn, path)
            if version > SCHEMA_VERSION:
                raise LibraryError(f"The snapshot library {path} was written by a newer Scenario Workbench "
                                   f"(library version {version}; this app reads up to {SCHEMA_VERSION}). "
                                   "Update the app to open it.")
            if version < SCHEMA_VERSION:
                if version == 0:
                    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                for v in range(version + 1, SCHEMA_VERSION + 1):
                    MIGRATIONS[v](conn)
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    try:
        with_retries(run)
    except (LibraryError, sqlite3.Error):
        raise
    except Exception as exc:  # a migration that failed: rolled back, the library is as it was
        raise LibraryError(f"The snapshot library {path} could not be upgraded to version {SCHEMA_VERSION} "
                           f"({exc}). It was left as it was; please report this.") from exc


def connect(path: Path, *, check: bool = True, timeout: float = BUSY_TIMEOUT_S,
            read_only: bool = False) -> sqlite3.Connection:
    """Open (creating when missing) the library at ``path``: checked, migrated, WAL, durable commits.

    Nothing is written to the file before it is known to be a snapshot library (an
    unrelated database is refused as it was found). ``read_only``: open without writing
    at all (a library the user may not write); an older library is then not upgraded."""
    path = Path(path)
    try:
        if not path.exists():
            if read_only:
                raise LibraryError(f"There is no snapshot library at {path}.")
            _create(path)
        check_header(path)
        if read_only:
            conn = _connect_read_only(path, timeout)
        else:
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    except OSError as exc:
        raise LibraryError(f"The snapshot library {path} cannot be opened: {exc.strerror or exc}. "
                           "Check that the folder exists and that you may write to it.") from exc
    try:
        version = with_retries(lambda: _schema_version(conn, path))   # reads only: refuses a foreign database
        if check:
            problems = integrity_problems(conn)
            if problems:
                raise CorruptLibrary(f"The snapshot library {path} is damaged (SQLite integrity check: "
                                     f"{'; '.join(problems[:3])}). {_advice()}")
        if read_only:
            if version != SCHEMA_VERSION:
                raise LibraryError(f"The snapshot library {path} is read-only for you and was written by "
                                   f"{'an older' if version < SCHEMA_VERSION else 'a newer'} Scenario Workbench "
                                   f"(library version {version}; this app reads {SCHEMA_VERSION}), so it cannot "
                                   "be opened here. Copy it to a folder you can write to.")
            conn.execute("PRAGMA query_only=ON")
            return conn
        with_retries(lambda: conn.execute("PRAGMA journal_mode=WAL").fetchone())
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn, path)
        return conn
    except sqlite3.DatabaseError as exc:
        conn.close()
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise LibraryError(f"The snapshot library {path} is busy: another program holds it. "
                               "Try again in a moment.") from exc
        raise CorruptLibrary(f"The snapshot library {path} is damaged ({exc}). {_advice()}") from exc
    except BaseException:
        conn.close()
        raise


def _connect_read_only(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection that never writes. A WAL library needs its shared-memory file beside
    it; where that cannot be created (a read-only folder), the file is read as it is on
    disk (``immutable``)."""
    from urllib.parse import quote

    base = f"file:{quote(str(path.resolve()))}"
    conn = sqlite3.connect(f"{base}?mode=ro", uri=True, timeout=timeout, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
    return sqlite3.connect(f"{base}?mode=ro&immutable=1", uri=True, timeout=timeout, isolation_level=None,
                           check_same_thread=False)


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """SQLite's integrity check: an empty list when the file is sound."""
    rows = [r[0] for r in with_retries(lambda: conn.execute("PRAGMA integrity_check").fetchall())]
    return [] if rows == ["ok"] else rows
