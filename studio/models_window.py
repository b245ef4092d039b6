"""The Models window: the installed model packs and the catalog, with Pull (a progress bar and
Cancel) — driving `loomwork models …` in a subprocess, so the studio never imports the model
runtime (DESIGN §1) and a pull survives the same way it does on the command line."""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

from PySide6.QtCore import QProcess, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ModelsWindow"]

_CLI = [sys.executable, "-m", "runtime.cli.main", "models"]


def _run_json(*args: str) -> Any:
    """One `loomwork models … --json` call (quick: lists and the catalog)."""
    import subprocess

    done = subprocess.run([*_CLI, *args, "--json"], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().removeprefix("error: ") or f"exit code {done.returncode}")
    return json.loads(done.stdout)


def _mb(n: int | None) -> str:
    return f"{n / 1e6:,.1f} MB" if n else "—"


class ModelsWindow(QWidget):
    """Installed packs, the catalog, and pulling one with progress."""

    pulled = Signal(str)
    """A pack id, when a pull has installed it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Models")
        self.resize(820, 520)
        self.installed = QTreeWidget(self)
        self.installed.setHeaderLabels(["Installed model", "Id", "Reads", "Size", "Default"])
        self.catalog = QTreeWidget(self)
        self.catalog.setHeaderLabels(["Catalog", "Id", "Tier", "Reads", "Size", "State"])
        self.recommendation = QLabel(self)
        self.recommendation.setWordWrap(True)
        self.pull_button = QPushButton("Pull", self)
        self.cancel_button = QPushButton("Cancel", self)
        self.progress = QProgressBar(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.pull_button)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.progress, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.installed, 2)
        layout.addWidget(self.recommendation)
        layout.addWidget(self.catalog, 3)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        self._process: QProcess | None = None
        self._buffer = b""
        self._pulling = ""
        self.pull_button.clicked.connect(self.pull_selected)
        self.cancel_button.clicked.connect(self.cancel)
        self.catalog.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    # ----- lists ---------------------------------------------------------------------

    def refresh(self) -> None:
        self.installed.clear()
        self.catalog.clear()
        try:
            packs = _run_json("list")
            catalog = _run_json("catalog")
        except (RuntimeError, ValueError, OSError) as exc:
            self.status.setText(f"Could not read the models: {exc}")
            return
        for pack in packs:
            item = QTreeWidgetItem([pack["name"], pack["id"], " + ".join(pack["modalities"]),
                                    _mb(pack["size_bytes"]), "yes" if pack["default"] else ""])
            self.installed.addTopLevelItem(item)
        if not packs:
            self.installed.addTopLevelItem(QTreeWidgetItem(["No model installed yet: pull one below."]))
        texts = (catalog.get("recommendation"), catalog.get("note"))
        self.recommendation.setText("\n".join(t for t in texts if t))
        for entry in catalog["entries"]:
            state = "installed" if entry["installed"] else ("" if entry["pullable"] else "not pullable")
            item = QTreeWidgetItem([entry["name"], entry["id"], entry["tier"],
                                    " + ".join(entry["modalities"]), _mb(entry.get("size_bytes")), state])
            item.setData(0, Qt.ItemDataRole.UserRole, entry)
            if not entry["pullable"]:
                item.setToolTip(5, entry.get("unpullable_reason", ""))
            self.catalog.addTopLevelItem(item)
        for tree in (self.installed, self.catalog):
            for column in range(tree.columnCount()):
                tree.resizeColumnToContents(column)
        self._update_buttons()

    def _selected_entry(self) -> dict[str, Any] | None:
        items = self.catalog.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def _update_buttons(self) -> None:
        entry = self._selected_entry()
        busy = self._process is not None
        self.pull_button.setEnabled(not busy and entry is not None and entry["pullable"]
                                    and not entry["installed"])
        self.cancel_button.setEnabled(busy)
        self.progress.setVisible(busy)

    # ----- pulling -------------------------------------------------------------------

    def select(self, pack_id: str) -> None:
        for i in range(self.catalog.topLevelItemCount()):
            item = self.catalog.topLevelItem(i)
            if item.text(1) == pack_id:
                self.catalog.setCurrentItem(item)

    def pull_selected(self) -> bool:
        entry = self._selected_entry()
        if entry is None or self._process is not None:
            return False
        self._pulling = entry["id"]
        process = self._process = QProcess(self)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        self._buffer = b""
        self.progress.setRange(0, 0)
        self.status.setText(f"Pulling {entry['name']}…")
        process.start(_CLI[0], [*_CLI[1:], "pull", entry["id"], "--progress", "json"])
        self._update_buttons()
        return True

    def cancel(self) -> None:
        """Stop the pull: the CLI keeps what it has, and the next pull resumes."""
        process = self._process
        if process is None:
            return
        if os.name == "posix":
            os.kill(int(process.processId()), signal.SIGTERM)
        else:  # pragma: no cover - Windows
            process.kill()
        self.status.setText("Stopping… (what was downloaded is kept; Pull again resumes)")

    def _read(self) -> None:
        assert self._process is not None
        self._buffer += bytes(self._process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                update = json.loads(line)
            except ValueError:
                continue
            total, done = update.get("bytes_total") or 0, update.get("bytes_done") or 0
            if total:
                self.progress.setRange(0, 1000)
                self.progress.setValue(int(1000 * done / total))
                self.progress.setFormat(f"{done / 1e6:,.1f} of {total / 1e6:,.1f} MB — "
                                        f"{update.get('files_done', 0)}/{update.get('files_total', 0)} files")
            self.status.setText(f"{update.get('stage', '')} {update.get('file', '')}".strip())

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        process, self._process = self._process, None
        error = bytes(process.readAllStandardError()).decode(errors="replace").strip() if process else ""
        pack_id = self._pulling
        if code == 0:
            self.status.setText(f"Installed {pack_id}.")
            self.pulled.emit(pack_id)
        elif code in (130, -15, 143):
            self.status.setText("Stopped. What was downloaded is kept: Pull again resumes.")
        else:
            last = error.splitlines()[-1] if error else f"exit code {code}"
            self.status.setText(f"The pull failed: {last.removeprefix('error: ')}")
        self.refresh()
        self.select(pack_id)
        self._update_buttons()
