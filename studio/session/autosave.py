"""Autosave to recovery files and the list of what a crashed session left behind.

Every `AUTOSAVE_INTERVAL_MS` each modified editor's flow is written atomically to
`<data home>/recovery/<key>.loom` with a JSON sidecar `<key>.json` (original path, title,
time, process id). The files go away when the editor becomes clean or its tab closes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from runtime.api import Flow, atomic_write_text, data_paths, save_flow

if TYPE_CHECKING:
    from studio.editor import FlowEditor

__all__ = ["AUTOSAVE_INTERVAL_MS", "Autosaver", "RecoveryEntry", "RecoveryStore"]

AUTOSAVE_INTERVAL_MS = 30_000
"""How often modified flows are written to recovery files (tests shorten it)."""


@dataclass(frozen=True)
class RecoveryEntry:
    """One recovered flow: `flow_file` holds the content, `path` is where it belongs (None: untitled)."""

    key: str
    flow_file: Path
    path: Path | None
    title: str
    saved_at: datetime
    pid: int

    def describe(self) -> str:
        where = str(self.path) if self.path else "not saved yet"
        return f"{self.title} ({where}), autosaved {self.saved_at:%Y-%m-%d %H:%M}"


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


class RecoveryStore:
    """The recovery folder: writes, removes and lists recovery files."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or data_paths().home / "recovery"

    @staticmethod
    def key_for(path: Path | None, untitled_id: str) -> str:
        if path is None:
            return f"untitled-{untitled_id}"
        digest = hashlib.sha256(str(path.absolute()).encode("utf-8")).hexdigest()[:16]
        return f"{path.stem[:40]}-{digest}"

    def files(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.loom", self.folder / f"{key}.json"

    def write(self, key: str, flow: Flow, *, path: Path | None, title: str) -> None:
        """Write the flow, then its sidecar (both atomic)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        flow_file, sidecar = self.files(key)
        save_flow(flow, flow_file)
        meta = {"path": str(path) if path else None, "title": title,
                "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"), "pid": os.getpid()}
        atomic_write_text(sidecar, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")

    def remove(self, key: str) -> None:
        for file in self.files(key):
            with contextlib.suppress(FileNotFoundError):
                file.unlink()

    def entries(self) -> list[RecoveryEntry]:
        """What other, no longer running sessions (or this process) left, oldest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for sidecar in sorted(self.folder.glob("*.json")):
            flow_file = sidecar.with_suffix(".loom")
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
                saved_at = datetime.fromisoformat(meta["saved_at"])
                pid = int(meta.get("pid", 0))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if not flow_file.is_file():
                continue
            if pid != os.getpid() and _pid_alive(pid):
                continue  # another studio that is still running owns it
            path = meta.get("path")
            found.append(RecoveryEntry(sidecar.stem, flow_file, Path(path) if path else None,
                                       str(meta.get("title") or flow_file.stem), saved_at, pid))
        return sorted(found, key=lambda e: e.saved_at)


@dataclass
class _Tracked:
    untitled_id: str
    key: str | None = None  # the recovery key last written
    revision: int = -1  # the document revision last written


class Autosaver(QObject):
    """Writes modified editors to recovery files on a timer; removes them when clean or closed."""

    failed = Signal(str)

    def __init__(self, store: RecoveryStore, parent: QObject | None = None, interval_ms: int | None = None):
        super().__init__(parent)
        self.store = store
        self._tracked: dict[FlowEditor, _Tracked] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms if interval_ms is not None else AUTOSAVE_INTERVAL_MS)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    def track(self, editor: FlowEditor) -> None:
        self._tracked.setdefault(editor, _Tracked(uuid.uuid4().hex[:12]))

    def adopt(self, editor: FlowEditor, entry_key: str) -> None:
        """`editor` was restored from `entry_key`: it owns those files from now on."""
        tracked = self._tracked.setdefault(editor, _Tracked(uuid.uuid4().hex[:12]))
        if entry_key.startswith("untitled-"):
            tracked.untitled_id = entry_key.removeprefix("untitled-")
        tracked.key = entry_key
        tracked.revision = editor.document.revision

    def key_of(self, editor: FlowEditor) -> str | None:
        tracked = self._tracked.get(editor)
        return tracked.key if tracked else None

    def editor_changed(self, editor: FlowEditor) -> None:
        """Saved, or undone back to the saved state: the recovery copy is not needed."""
        if not editor.modified:
            self._discard(editor)

    def forget(self, editor: FlowEditor) -> None:
        """The tab closed (saved or discarded)."""
        self._discard(editor)
        self._tracked.pop(editor, None)

    def _discard(self, editor: FlowEditor) -> None:
        tracked = self._tracked.get(editor)
        if tracked is not None and tracked.key is not None:
            self.store.remove(tracked.key)
            tracked.key, tracked.revision = None, -1

    def save_now(self) -> int:
        """Write every modified editor that changed since its last recovery copy; return how many."""
        written = 0
        for editor, tracked in list(self._tracked.items()):
            if not editor.modified:
                continue
            key = self.store.key_for(editor.path, tracked.untitled_id)
            if key == tracked.key and editor.document.revision == tracked.revision:
                continue
            try:
                self.store.write(key, editor.document.flow, path=editor.path,
                                 title=editor.title().removesuffix(" •"))
            except OSError as exc:
                self.failed.emit(f"autosave failed: {exc}")
                continue
            if tracked.key is not None and tracked.key != key:
                self.store.remove(tracked.key)
            tracked.key, tracked.revision = key, editor.document.revision
            written += 1
        return written
