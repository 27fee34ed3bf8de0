"""Where the snapshot library and the recovery records live.

The app and the CLI compute the same path, so they open the same library:

1. ``--library PATH`` on the command line (passed in as ``explicit``), else
2. the ``WORKBENCH_LIBRARY`` environment variable, else
3. ``library.sqlite`` in the platform's user data folder (platformdirs), e.g.
   ``~/.local/share/ScenarioWorkbench`` on Linux, ``%LOCALAPPDATA%\\ScenarioWorkbench``
   on Windows, ``~/Library/Application Support/ScenarioWorkbench`` on macOS.

Recovery records go in ``recovery/`` under the data folder (``WORKBENCH_DATA_DIR``
overrides the folder), never inside the library, so a damaged library cannot take the
unsaved edits with it.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "ScenarioWorkbench"
LIBRARY_FILE = "library.sqlite"


def data_dir() -> Path:
    """The user data folder of the app (``WORKBENCH_DATA_DIR`` overrides it)."""
    env = os.environ.get("WORKBENCH_DATA_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def library_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The snapshot library file: ``explicit`` > ``WORKBENCH_LIBRARY`` > the data folder."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("WORKBENCH_LIBRARY")
    if env:
        return Path(env).expanduser()
    return data_dir() / LIBRARY_FILE


def recovery_dir() -> Path:
    """The folder of crash-recovery records."""
    return data_dir() / "recovery"
