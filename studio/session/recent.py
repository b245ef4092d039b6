"""File ▸ Open Recent (persisted, last 10, most recent first) and reopening closed tabs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from studio.session.settings import RECENT_LIMIT, StudioSettings

__all__ = ["ClosedTabs", "RecentFiles", "RecentMenu"]


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


class RecentFiles:
    """The recent-files list, stored in the settings after every change."""

    def __init__(self, settings: StudioSettings):
        self.settings = settings

    def paths(self) -> list[Path]:
        return self.settings.recent_files()

    def add(self, path: Path) -> None:
        """Put `path` first (once)."""
        path = _key(path)
        rest = [p for p in self.paths() if _key(p) != path]
        self.settings.set_recent_files([path, *rest][:RECENT_LIMIT])

    def prune(self) -> list[Path]:
        """Drop files that no longer exist; return what is left."""
        paths = self.paths()
        kept = [p for p in paths if p.is_file()]
        if kept != paths:
            self.settings.set_recent_files(kept)
        return kept

    def clear(self) -> None:
        self.settings.set_recent_files([])


class RecentMenu(QObject):
    """Fills the Open Recent submenu each time it is shown (missing files pruned then)."""

    def __init__(self, recent: RecentFiles, menu: QMenu, open_path: Callable[[Path], object],
                 parent: QWidget):
        super().__init__(parent)
        self.recent = recent
        self.menu = menu
        self.open_path = open_path
        menu.aboutToShow.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        self.menu.clear()
        paths = self.recent.prune()
        for number, path in enumerate(paths, start=1):
            mnemonic = f"&{number % 10}  " if number <= 10 else ""
            action = QAction(f"{mnemonic}{path.name}   —   {_short_folder(path.parent)}", self.menu)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
            self.menu.addAction(action)
        if not paths:
            empty = self.menu.addAction("No recent flows")
            empty.setEnabled(False)
        self.menu.addSeparator()
        clear = self.menu.addAction("&Clear recent")
        clear.setEnabled(bool(paths))
        clear.triggered.connect(self._clear)

    def _clear(self) -> None:
        self.recent.clear()
        self.rebuild()


def _short_folder(folder: Path) -> str:
    home = Path.home()
    try:
        return "~/" + str(folder.relative_to(home)) if folder != home else "~"
    except ValueError:
        return str(folder)


class ClosedTabs:
    """Saved files whose tabs were closed, most recent last (this session only)."""

    def __init__(self, limit: int = 20):
        self.limit = limit
        self._paths: list[Path] = []

    def push(self, path: Path) -> None:
        path = _key(path)
        self._paths = [*[p for p in self._paths if p != path][-(self.limit - 1):], path]

    def pop(self, is_open: Callable[[Path], bool]) -> Path | None:
        """The most recently closed file that still exists and is not open again."""
        while self._paths:
            path = self._paths.pop()
            if path.is_file() and not is_open(path):
                return path
        return None

    def __len__(self) -> int:
        return len(self._paths)
