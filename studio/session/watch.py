"""Notice when an open flow file changes on disk (git pull, another editor).

A QFileSystemWatcher watches each open file and its folder: an atomic replace (ours and
most editors') drops the watch on the file, so the path is re-added whenever the folder
or the file reports a change. Our own saves are recognised by content: after each save
the watcher remembers the text we wrote, and a change to exactly that text is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from runtime.api import dumps_flow

if TYPE_CHECKING:
    from studio.editor import FlowEditor

__all__ = ["CHECK_DELAY_MS", "DiskWatcher"]

CHECK_DELAY_MS = 150
"""Changes are looked at this long after the last notification (a save is several events)."""


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None
    except (OSError, UnicodeDecodeError):
        return ""  # unreadable now: report it as changed


_NOTHING = object()


@dataclass
class _Watched:
    path: Path
    known: str | None  # the text we last read or wrote
    reported: object = _NOTHING  # the disk text (or None: gone) last reported, not reported twice


class DiskWatcher(QObject):
    """Emits `changed(editor, text_or_None)` when an editor's file differs from what we know
    (None: the file is gone), and `resolved(editor)` when it is back to what we know."""

    changed = Signal(object, object)
    resolved = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._schedule)
        self._watcher.directoryChanged.connect(self._schedule)
        self._watched: dict[FlowEditor, _Watched] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check)

    def track(self, editor: FlowEditor, known: str | None = None) -> None:
        """Watch `editor`'s file; `known` is its text as loaded (read from disk when None)."""
        path = editor.path
        if path is None:
            self.forget(editor)
            return
        path = path.absolute()
        self._watched[editor] = _Watched(path, known if known is not None else _read(path))
        self._sync_paths()

    def note_saved(self, editor: FlowEditor) -> None:
        """`editor` became clean. After a save the file holds exactly what it wrote; after an
        undo back to the saved state the file is left as it is (a pending change stays pending)."""
        if editor.path is None:
            return
        watched = self._watched.get(editor)
        if watched is None or watched.path != editor.path.absolute():
            self.track(editor)
            return
        text = _read(watched.path)
        if text == dumps_flow(editor.document.flow):
            watched.known = text
            watched.reported = _NOTHING

    def is_current(self, editor: FlowEditor) -> bool:
        """Whether the file on disk is what we last read or wrote."""
        watched = self._watched.get(editor)
        return watched is None or _read(watched.path) == watched.known

    def accept_disk(self, editor: FlowEditor) -> None:
        """The user dismissed the change: do not report this disk content again."""
        watched = self._watched.get(editor)
        if watched is not None:
            watched.reported = _read(watched.path)

    def forget(self, editor: FlowEditor) -> None:
        if self._watched.pop(editor, None) is not None:
            self._sync_paths()

    def watched_paths(self) -> list[str]:
        return self._watcher.files() + self._watcher.directories()

    def _sync_paths(self) -> None:
        wanted = set()
        for watched in self._watched.values():
            wanted.add(str(watched.path.parent))
            if watched.path.exists():
                wanted.add(str(watched.path))
        current = set(self.watched_paths())
        if current - wanted:
            self._watcher.removePaths(sorted(current - wanted))
        missing = [p for p in sorted(wanted - current) if Path(p).exists()]
        if missing:
            self._watcher.addPaths(missing)

    def _schedule(self, _path: str) -> None:
        self._timer.start()

    def check(self) -> None:
        """Compare every watched file with what we know; re-add watches dropped by renames."""
        self._sync_paths()
        for editor, watched in list(self._watched.items()):
            text = _read(watched.path)
            if text == watched.known:
                if watched.reported is not _NOTHING:
                    watched.reported = _NOTHING
                    self.resolved.emit(editor)
                continue
            if text == watched.reported:
                continue
            watched.reported = text
            self.changed.emit(editor, text)
