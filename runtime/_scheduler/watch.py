"""Folder-watch triggers with watchfiles (MIT; Rust `notify` underneath: inotify,
FSEvents, ReadDirectoryChangesW), falling back to its polling mode where native events
do not work (network drives, some containers) or when the trigger asks for polling.

A file fires once it has been quiet for the trigger's `debounce_ms`; the fire is
claimed as `file:<path>@<mtime_ns>:<size>`, so one version of a file runs once however
many events it caused, and a changed file (new mtime or size) runs again.

When a watch starts (the service starts, the trigger is enabled or resumed) it also looks,
once the watcher is listening, for files that arrived while nobody watched: matching files
written or moved in since the trigger was enabled (by modification or status-change time;
on Windows the latter is the creation time, so a file moved in keeps its old one and is not
found). Their fires are claimed the same way, so a file that already ran is not run again;
the trigger's missed-runs policy and limit say which of the others run
(`Scheduler._on_missed`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["FolderWatch", "watch_folder"]

log = logging.getLogger("loomwork.scheduler")
_RETRY_S = 5.0
_SETTLE_S = 0.5
"""How long the native watcher gets to start listening before the catch-up scan."""


def watch_folder(flow_path: str, folder: str) -> Path:
    """The watched folder: absolute, or relative to the flow file's folder."""
    return (Path(flow_path).parent / os.path.expanduser(folder)).resolve()


class FolderWatch:
    """Watches one trigger's folder and calls `on_file(resolved, path, stamp)`."""

    def __init__(self, resolved: Any, on_file: Callable[[Any, Path, str], None],
                 on_missed: Callable[[Any, list[tuple[Path, str]]], None] | None = None):
        self.resolved = resolved
        self.trigger = resolved.trigger
        self.folder = watch_folder(resolved.row["flow_path"], self.trigger.folder)
        self.on_file = on_file
        self.on_missed = on_missed
        self._catching_up: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._timers: dict[Path, asyncio.TimerHandle] = {}
        self._task: asyncio.Task[None] | None = None
        self._caught_up = False
        self.ready = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._loop())

    def stop(self) -> None:
        self._stop.set()
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._task is not None:
            self._task.cancel()
        if self._catching_up is not None:
            self._catching_up.cancel()

    async def _loop(self) -> None:
        import watchfiles

        polling = True if self.trigger.poll else None
        while not self._stop.is_set():
            if not self.folder.is_dir():
                log.warning("%s: the folder %s does not exist (yet)", self.resolved.key, self.folder)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), _RETRY_S)
                continue
            if not self._caught_up and self.on_missed is not None:
                self._caught_up = True  # once the watcher below listens: a file in between is seen twice,
                self._catching_up = asyncio.ensure_future(self._catch_up())  # and claimed once
            try:
                self.ready.set()
                async for changes in watchfiles.awatch(
                        self.folder, stop_event=self._stop, recursive=self.trigger.recursive,
                        force_polling=polling, poll_delay_ms=300, step=50, debounce=1600,
                        ignore_permission_denied=True, rust_timeout=1000):
                    self._changed(changes)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. out of inotify watches: poll instead
                if polling:
                    log.error("%s: cannot watch %s: %s", self.resolved.key, self.folder, exc)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), _RETRY_S)
                else:
                    log.warning("%s: native file events failed (%s); polling instead", self.resolved.key, exc)
                    polling = True

    def _changed(self, changes: set[tuple[Any, str]]) -> None:
        import watchfiles

        loop = asyncio.get_running_loop()
        for change, raw in sorted(changes, key=lambda c: c[1]):
            if change == watchfiles.Change.deleted:
                continue
            path = Path(raw)
            if not self.trigger.matches(path.name):
                continue
            if not self.trigger.recursive and path.parent != self.folder:
                continue
            pending = self._timers.pop(path, None)
            if change == watchfiles.Change.modified and self.trigger.on == "created" and pending is None:
                continue  # an old file changed: only new ones count (unless still being written)
            if pending is not None:
                pending.cancel()
            self._timers[path] = loop.call_later(self.trigger.debounce_ms / 1000, self._settled, path)

    async def _catch_up(self) -> None:
        """Files that arrived while nobody watched, handed over together (the policy picks)."""
        await asyncio.sleep(_SETTLE_S)
        quiet_s = self.trigger.debounce_ms / 1000
        found = await asyncio.to_thread(self._scan)
        loop = asyncio.get_running_loop()
        ready = []
        for path, st in found:
            if time.time() - st.st_mtime < quiet_s:  # still being written: it is arriving now
                self._timers[path] = loop.call_later(quiet_s, self._settled, path)
            else:
                ready.append((path, f"{st.st_mtime_ns}:{st.st_size}"))
        if ready and self.on_missed is not None:
            self.on_missed(self.resolved, ready)

    def _scan(self) -> list[tuple[Path, os.stat_result]]:
        """Matching files changed or moved in since the trigger was enabled (in a worker thread)."""
        since = self.resolved.row["enabled_at"] or 0.0
        found = []
        try:
            candidates = sorted(self.folder.rglob("*") if self.trigger.recursive else self.folder.iterdir())
        except OSError as exc:
            log.warning("%s: cannot list %s: %s", self.resolved.key, self.folder, exc)
            return []
        for path in candidates:
            if not self.trigger.matches(path.name):
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            if path.is_file() and max(st.st_mtime, st.st_ctime) > since:
                found.append((path, st))
        return found

    def _settled(self, path: Path) -> None:
        self._timers.pop(path, None)
        try:
            st = path.stat()
        except OSError:
            return
        if not path.is_file():
            return
        self.on_file(self.resolved, path, f"{st.st_mtime_ns}:{st.st_size}")
