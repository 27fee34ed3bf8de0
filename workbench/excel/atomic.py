"""Replacing a file the way Office does: whole or not at all, with the permissions it had.

:func:`replace_file` writes into a temporary file beside the target, flushes it to the
disk, gives it the permissions of the file it replaces (or, for a new file, what the
user's umask allows, as any program creating a file does) and renames it over the
target. A process killed half-way leaves a temporary file named
``.~export.<pid>.<random>.tmp``; the next export into that folder removes it once its
process is gone. :func:`save_workbook` is openpyxl's save with the archive closed here
when writing fails (a full disk), so the zip file's finaliser does not try to write
again and print a traceback after the clean message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from zipfile import ZIP_DEFLATED, ZipFile

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

PREFIX = ".~export."
SUFFIX = ".tmp"
#: A temporary file this old is removed whatever its process (Windows cannot ask whether
#: a process lives without signalling it).
STALE_AFTER_S = 24 * 3600.0


def replace_file(target: str | os.PathLike[str], write: Callable[[str], None], *, suffix: str = "") -> None:
    """``write(tmp)`` then move ``tmp`` over ``target``; on any failure ``target`` is as it was
    and ``tmp`` is gone. ``suffix`` ends the temporary name (``.xlsx`` for readers that look)."""
    target = os.path.abspath(os.fspath(target))
    folder = os.path.dirname(target)
    remove_stale(folder)
    tmp = os.path.join(folder, f"{PREFIX}{os.getpid()}.{uuid.uuid4().hex[:12]}{suffix}{SUFFIX}")
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as fh:  # the bytes reach the disk before the rename (a power cut)
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):  # a file system without modes (FAT) keeps its own
            os.chmod(tmp, mode_for(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def mode_for(target: str) -> int:
    """The permission bits a file written at ``target`` gets: those of the file it replaces,
    else read and write as the user's umask allows (0644 with the usual 022)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~umask()


def umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore at once
    os.umask(mask)
    return mask


def remove_stale(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files of exports into ``folder`` whose process has ended (or
    that are older than a day); returns what was removed."""
    removed: list[Path] = []
    now = time.time()
    try:
        candidates = list(Path(folder).glob(f"{PREFIX}*{SUFFIX}"))
    except OSError:
        return removed
    for p in candidates:
        pid_text = p.name[len(PREFIX):].split(".", 1)[0]
        try:
            pid = int(pid_text)
            old = now - p.stat().st_mtime > STALE_AFTER_S
        except (ValueError, OSError):
            continue
        if pid == os.getpid() and not old:
            continue
        if old or not _alive(pid):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # only the age rule applies
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@contextlib.contextmanager
def disk_errors() -> Iterator[None]:
    """Failures to write through lxml (openpyxl's write-only sheets) raised as the
    ``OSError`` they are (``IO_ENOSPC`` -> ``ENOSPC``...), so that callers report a full
    disk in words, never by an internal exception name."""
    try:
        yield
    except OSError:
        raise
    except Exception as exc:
        if type(exc).__name__ != "SerialisationError":
            raise
        text = str(exc)
        code = next((getattr(errno, name) for name in ("ENOSPC", "EFBIG", "EDQUOT", "EACCES", "EROFS")
                     if name in text and hasattr(errno, name)), errno.EIO)
        raise OSError(code, os.strerror(code)) from exc


def save_workbook(wb: Workbook, path: str) -> None:
    """``wb.save(path)``, closing the archive here when writing fails."""
    from openpyxl.writer.excel import ExcelWriter

    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    try:
        wb.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)
        ExcelWriter(wb, archive).save()
    except BaseException:
        _abandon(archive)
        raise


def _abandon(archive: ZipFile) -> None:
    """Close a half-written archive without writing its directory (the file is discarded)."""
    fp = archive.fp
    archive.fp = None  # ZipFile.close, and its finaliser, return at once
    if fp is not None:
        with contextlib.suppress(OSError):
            fp.close()
