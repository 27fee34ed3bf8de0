"""The document the window edits: a scenario, its undo history and the file it belongs to.

A :class:`Document` is what the user sees in the title bar and what Save writes:

- ``path``: the ``.xlsx`` file Save writes back to (``None`` until the scenario is saved,
  and for a workbook opened from another format such as ``.ods``, which Save writes as a
  new ``.xlsx`` chosen by the user);
- ``source``: the file the scenario was opened from or last saved to (shown in the title);
- ``stamp``: the size, modification time and SHA-256 of ``path`` when it was opened or last
  saved, so that saving over a file another program changed since then asks first;
- the content and the undo history (:class:`ui.undo.ScenarioDocument`); the stack's clean
  state marks the content that is in ``path``.

Opening a workbook or starting from the default scenario begins a *new* document with a new
undo history (the window asks to save unsaved changes first, as Word and Excel do). Undo and
redo therefore only ever move within one document's edits, and the file a document is
bound to changes only at Open, New and Save As, never by Undo.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ui.undo import ScenarioDocument
from workbench.scenario import Scenario

#: Files Save writes back to; other readable formats are saved as a new ``.xlsx``.
SAVABLE_SUFFIX = ".xlsx"


def savable_path(path: str | os.PathLike | None) -> Path | None:
    """The path Save writes back to: only an ``.xlsx`` file (others are saved as a new file)."""
    if path is None or str(path) == "":
        return None
    p = Path(path)
    return p if p.suffix.lower() == SAVABLE_SUFFIX else None


def same_file(a: str | os.PathLike | None, b: str | os.PathLike | None) -> bool:
    """Whether two paths name the same file (resolving links and ``..``; a missing file compares by path)."""
    if a is None or b is None:
        return False
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return os.path.samefile(pa, pb)
    except OSError:
        pass
    return os.path.normcase(str(pa.resolve())) == os.path.normcase(str(pb.resolve()))


@dataclass(frozen=True)
class FileStamp:
    """What a file was when the document last read or wrote it: size, modification time and content hash."""

    path: Path
    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: str | os.PathLike) -> FileStamp | None:
        """The stamp of ``path`` now, or ``None`` when it does not exist or cannot be read."""
        p = Path(path)
        try:
            st = p.stat()
            digest = hashlib.sha256()
            with p.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            return None
        return cls(p, st.st_size, st.st_mtime_ns, digest.hexdigest())

    def changed_on_disk(self) -> bool:
        """True when the file now holds other bytes than when stamped (a file touched but unchanged is not)."""
        try:
            st = self.path.stat()
        except OSError:
            return False   # deleted or moved away: saving recreates it, nothing of anyone's is overwritten
        if st.st_size == self.size and st.st_mtime_ns == self.mtime_ns:
            return False
        now = FileStamp.of(self.path)
        return now is not None and now.sha256 != self.sha256


class Document(ScenarioDocument):
    """A scenario with its undo history and the file it belongs to (see the module docstring)."""

    #: Emitted when the document's file changes (open, new, save as).
    file_changed = Signal()

    def __init__(self, scenario: Scenario, parent: QObject | None = None):
        super().__init__(scenario, parent)
        self.path: Path | None = None
        self.source: Path | None = None
        self.stamp: FileStamp | None = None
        #: How many documents this window has held (tests and the title can tell documents apart).
        self.generation = 0

    # ------------------------------------------------------------ lifecycle
    def start(self, scenario: Scenario, source: str | os.PathLike | None = None,
              stamp: FileStamp | None = None) -> None:
        """Begin a new document: ``scenario`` from ``source`` (``None``: not from a file), a fresh undo history.

        ``stamp`` is the file as it was *before* it was read (so a change made while reading is
        noticed at the next save); it is taken now when not given.
        """
        src = Path(source) if source is not None and str(source) else None
        self.generation += 1
        self.source = src
        self.path = savable_path(src)
        self.stamp = (stamp or FileStamp.of(self.path)) if self.path is not None else None
        self.reset(scenario)
        self.file_changed.emit()

    def saved_to(self, path: str | os.PathLike) -> None:
        """The content now in ``path`` was just written there: Save goes there from now on; the state is clean."""
        self.path = Path(path)
        self.source = self.path
        self.stamp = FileStamp.of(self.path)
        self.undo_stack.setClean()
        self.file_changed.emit()

    # --------------------------------------------------------------- queries
    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def changed_on_disk(self) -> bool:
        """Whether another program changed the document's file since it was opened or saved here."""
        return self.path is not None and self.stamp is not None and self.stamp.changed_on_disk()

    def where(self) -> str:
        """The file part of the window title: the file Save writes, or what Save will do."""
        if self.path is not None:
            return self.path.name
        if self.source is not None:
            return f"from {self.source.name}; Save writes a new .xlsx"
        return "not saved yet"
