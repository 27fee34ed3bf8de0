"""Crash recovery of unsaved edits, and atomic file writes.

    store = RecoveryStore()              # records in paths.recovery_dir(), one per app session
    store.write(scn, meta={"file": "plan.xlsx"})   # after edits (the UI debounces this)
    store.clear()                        # clean exit, or nothing unsaved any more
    # next start:
    for record in RecoveryStore().pending():       # records of sessions that ended uncleanly
        record.scenario, record.saved_at, record.meta
        store.discard(record)            # after restoring or declining it

A session holds an exclusive lock on ``<session>.lock`` for as long as it has a record;
the operating system releases it when the process dies, even by SIGKILL. So a record
whose lock can be taken belongs to a session that crashed, while records of another
app instance still running are left alone. Records are written atomically (temporary
file, fsync, rename), so a crash mid-write leaves the previous record.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.snapshots.paths import recovery_dir

if TYPE_CHECKING:
    from workbench.scenario import Scenario

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that ``path`` is always either the old or the new content."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    if os.name == "posix":
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return path


@dataclass(frozen=True)
class RecoveryRecord:
    """Unsaved edits of one session: the scenario, when they were written, and the caller's meta data."""

    scenario: Any
    saved_at: str                 # ISO 8601 UTC
    session: str
    path: Path
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.saved_at)


class RecoveryStore:
    """The recovery records folder, seen from one app session."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, *, session: str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else recovery_dir()
        self.session = session or uuid.uuid4().hex
        self._lock_fd: int | None = None

    @property
    def record_path(self) -> Path:
        return self.directory / f"{self.session}.json"

    def _lock_path(self, session: str) -> Path:
        return self.directory / f"{session}.lock"

    def _hold_lock(self) -> None:
        if self._lock_fd is not None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path(self.session), os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            raise RuntimeError(f"recovery session {self.session} is already in use")
        self._lock_fd = fd

    def write(self, scn: Scenario, meta: dict[str, Any] | None = None) -> Path:
        """Write this session's record atomically (replacing its previous one)."""
        from workbench.serialize import provenance_to_list, scenario_to_dict

        self._hold_lock()
        data = {"format": 1, "saved_at": datetime.now(UTC).isoformat(timespec="seconds"), "session": self.session,
                "pid": os.getpid(), "meta": meta or {}, "content_hash": scn.content_hash(),
                "scenario": scenario_to_dict(scn), "provenance": provenance_to_list(scn)}
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, sort_keys=True)
        return atomic_write_bytes(self.record_path, text.encode("utf-8"))

    def has_record(self) -> bool:
        return self.record_path.exists()

    def clear(self) -> None:
        """Remove this session's record (the edits are saved or deliberately dropped)."""
        _unlink(self.record_path)

    def close(self) -> None:
        """A clean end of the session: no record, lock released."""
        self.clear()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
            _unlink(self._lock_path(self.session))

    def pending(self) -> list[RecoveryRecord]:
        """Records of sessions that ended without a clean close, newest first (unreadable ones skipped)."""
        if not self.directory.is_dir():
            return []
        out = []
        for path in self.directory.glob("*.json"):
            session = path.stem
            if session == self.session or not self._orphaned(session):
                continue
            record = _read(path)
            if record is not None:
                out.append(record)
        out.sort(key=lambda r: r.saved_at, reverse=True)
        return out

    def _orphaned(self, session: str) -> bool:
        try:
            fd = os.open(self._lock_path(session), os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return True
        try:
            return _try_lock(fd)  # closing the descriptor releases the lock again
        finally:
            os.close(fd)

    def discard(self, record: RecoveryRecord) -> None:
        """Forget a crashed session's record (after it was restored or declined)."""
        if record.session == self.session:
            self.clear()
            return
        _unlink(record.path)
        _unlink(self._lock_path(record.session))


def _read(path: Path) -> RecoveryRecord | None:
    from dataclasses import replace

    from workbench.serialize import provenance_from_list, scenario_from_dict

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        scn = scenario_from_dict(data["scenario"])
        scn = replace(scn, provenance=provenance_from_list(data.get("provenance") or []))
        return RecoveryRecord(scn, str(data["saved_at"]), str(data["session"]), path, dict(data.get("meta") or {}))
    except Exception:  # a damaged record is not offered
        return None


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
