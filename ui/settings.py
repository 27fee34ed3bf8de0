"""What the app remembers between sessions (QSettings): window layout, recent files, preferences.

Settings live in an INI file: by default in the user's configuration folder, or in
``WORKBENCH_SETTINGS_DIR`` when set (the tests point it into a temporary folder), or
wherever :class:`Settings` is told.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "ScenarioWorkbench"
APPLICATION = "Scenario Workbench"
MAX_RECENT = 8


class Settings:
    """Typed access to the app's QSettings."""

    def __init__(self, path: str | os.PathLike | None = None):
        if path is None and os.environ.get("WORKBENCH_SETTINGS_DIR"):
            path = Path(os.environ["WORKBENCH_SETTINGS_DIR"]) / "settings.ini"
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION,
                                       APPLICATION)

    @property
    def path(self) -> str:
        return self.qsettings.fileName()

    def sync(self) -> None:
        self.qsettings.sync()

    # -------------------------------------------------------- window layout
    def save_window(self, geometry: QByteArray, state: QByteArray, splitter: QByteArray | None = None) -> None:
        self.qsettings.setValue("window/geometry", geometry)
        self.qsettings.setValue("window/state", state)
        if splitter is not None:
            self.qsettings.setValue("window/splitter", splitter)

    def window_geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    def splitter_state(self) -> QByteArray | None:
        return self._bytes("window/splitter")

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # --------------------------------------------------------- recent files
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent_file(self, path: str | os.PathLike) -> list[str]:
        text = str(Path(path).resolve())
        files = [text, *[f for f in self.recent_files() if f != text]][:MAX_RECENT]
        self.qsettings.setValue("files/recent", files)
        return files

    def clear_recent_files(self) -> None:
        self.qsettings.setValue("files/recent", [])

    def last_folder(self) -> str:
        return str(self.qsettings.value("files/last_folder", "") or "")

    def set_last_folder(self, folder: str) -> None:
        self.qsettings.setValue("files/last_folder", folder)

    # ---------------------------------------------------------- preferences
    def auto_run(self) -> bool:
        return _bool(self.qsettings.value("preferences/auto_run", False))

    def set_auto_run(self, on: bool) -> None:
        self.qsettings.setValue("preferences/auto_run", bool(on))

    def last_view(self) -> str:
        return str(self.qsettings.value("window/last_view", "") or "")

    def set_last_view(self, name: str) -> None:
        self.qsettings.setValue("window/last_view", name)

    def last_table(self) -> str:
        """The table tab that was in front when the app last closed ("" when none was remembered)."""
        return str(self.qsettings.value("window/last_table", "") or "")

    def set_last_table(self, name: str) -> None:
        self.qsettings.setValue("window/last_table", name)


def _bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def preferences_dialog(window):
    """A small non-modal Preferences dialog: auto-run, reset the layout, where settings live."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout

    dialog = QDialog(window)
    dialog.setWindowTitle("Preferences")
    auto = QCheckBox("Run automatically a moment after I stop editing")
    auto.setChecked(window.menu_actions.auto_run.isChecked())
    auto.toggled.connect(window.menu_actions.auto_run.setChecked)
    reset = QPushButton("Reset the window layout")
    reset.setToolTip("Tables left, results right, Issues below, at the default size.")
    reset.clicked.connect(window.reset_layout)
    where = QLabel(f"Settings are kept in {window.settings.path}")
    where.setWordWrap(True)
    where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    for widget in (auto, reset, where, buttons):
        layout.addWidget(widget)
    dialog.auto_run = auto
    dialog.show()
    return dialog
