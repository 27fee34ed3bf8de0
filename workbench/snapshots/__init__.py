"""The snapshot library, snapshot compare, and crash recovery (pure core, no Qt).

* :class:`Library` (``library.py``): save / list / search / get / tag / delete / undelete /
  restore / export / compare, in a durable local SQLite file (``db.py``);
* :func:`salvage` (``salvage.py``): copy the readable part of a damaged library out;
* :func:`compare_scenarios` (``compare.py``): input diff, result deltas, waterfall;
* :class:`RecoveryStore` (``recovery.py``): crash-recovery records of unsaved edits;
* :func:`library_path` (``paths.py``): where the library lives.
"""

from workbench.snapshots.db import CorruptLibrary, LibraryError, SnapshotNotFound
from workbench.snapshots.library import KEY_FIGURES, Library, SnapshotInfo
from workbench.snapshots.paths import data_dir, library_path, recovery_dir
from workbench.snapshots.salvage import SalvageReport, salvage

__all__ = ["KEY_FIGURES", "CorruptLibrary", "Library", "LibraryError", "SalvageReport", "SnapshotInfo",
           "SnapshotNotFound", "data_dir", "library_path", "recovery_dir", "salvage"]
