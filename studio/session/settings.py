"""The studio's settings store: an INI file under the Loomwork data home.

Tests set LOOMWORK_HOME, so they never touch the user's real settings.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QSettings

from runtime.api import data_paths

__all__ = ["THEME_CHOICES", "StudioSettings", "settings_path"]

THEME_CHOICES = ("system", "light", "dark")
RECENT_LIMIT = 10


def settings_path() -> Path:
    """`<data home>/studio.ini`."""
    return data_paths().home / "studio.ini"


class StudioSettings(QObject):
    """Typed access to the settings the session feature keeps (recent files, theme, window)."""

    def __init__(self, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.path = path or settings_path()
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat, self)

    def sync(self) -> None:
        self._qs.sync()

    # ----- recent files (a JSON list: INI lists of one item come back as a string) ------------

    def recent_files(self) -> list[Path]:
        raw = self._qs.value("recent/files", "[]")
        try:
            items = json.loads(raw) if isinstance(raw, str) else []
        except ValueError:
            items = []
        return [Path(p) for p in items if isinstance(p, str) and p][:RECENT_LIMIT]

    def set_recent_files(self, paths: list[Path]) -> None:
        self._qs.setValue("recent/files", json.dumps([str(p) for p in paths[:RECENT_LIMIT]]))
        self._qs.sync()

    # ----- theme ----------------------------------------------------------------------------------

    def theme_choice(self) -> str | None:
        """"system", "light" or "dark" once the user chose one in the menu, else None."""
        value = self._qs.value("view/theme")
        return value if value in THEME_CHOICES else None

    def set_theme_choice(self, choice: str) -> None:
        if choice not in THEME_CHOICES:
            raise ValueError(f"unknown theme {choice!r}")
        self._qs.setValue("view/theme", choice)
        self._qs.sync()

    # ----- window geometry and dock layout --------------------------------------------------------

    def window_state(self) -> tuple[QByteArray | None, QByteArray | None]:
        geometry, state = self._qs.value("window/geometry"), self._qs.value("window/state")
        return (geometry if isinstance(geometry, QByteArray) and not geometry.isEmpty() else None,
                state if isinstance(state, QByteArray) and not state.isEmpty() else None)

    def set_window_state(self, geometry: QByteArray, state: QByteArray) -> None:
        self._qs.setValue("window/geometry", geometry)
        self._qs.setValue("window/state", state)
        self._qs.sync()
