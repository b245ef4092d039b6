"""Opening files in the system's viewer, behind a callable that tests replace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

__all__ = ["Opener", "open_path", "show_in_folder"]

Opener = Callable[[str], object]
"""Opens a local path (a file or a folder) and returns whether it worked."""


def open_path(path: str) -> bool:
    """Open a file (or folder) with the desktop's default application."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_in_folder(path: str, opener: Opener = open_path) -> object:
    """Open the folder that holds `path` (portable: no file manager selects the file for us)."""
    return opener(str(Path(path).parent))
