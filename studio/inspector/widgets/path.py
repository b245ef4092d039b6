"""A file or folder path: a text field and a Browse… button; relative to the flow's folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

from studio.inspector.schema import FieldSpec
from studio.inspector.widgets.base import FieldWidget, FormContext, set_line_text

__all__ = ["PathField", "relative_to_flow"]

FLOW_FILTER = "Loomwork flows (*.loom);;All files (*)"


def relative_to_flow(chosen: str, flow_dir: Path | None) -> str:
    """`chosen` relative to the flow's folder (with `/`), or absolute when the flow is unsaved
    or the file is on another drive."""
    path = Path(chosen)
    if flow_dir is None:
        return path.as_posix()
    try:
        return Path(os.path.relpath(path, flow_dir)).as_posix()
    except ValueError:  # another drive on Windows
        return path.as_posix()


class PathField(FieldWidget):
    """`widget: "file"`, `"folder"` or `"flow_file"` (a file picker for *.loom)."""

    def __init__(self, spec: FieldSpec, ctx: FormContext, parent: QWidget | None = None):
        super().__init__(spec, ctx, parent)
        self.edit = QLineEdit(self)  # the description goes below: the Browse… button leaves little room
        placeholder = {"folder": "Folder", "flow_file": "Flow file (.loom)"}.get(spec.kind, "File")
        self.edit.setPlaceholderText(placeholder)
        self.button = QPushButton("Browse…", self)
        self.button.setAutoDefault(False)
        self.button.setToolTip("Choose with a file dialog; saved flows store the path relative to "
                               "their folder, so the flow keeps working when the folder moves")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(lambda _text: self._emit())
        self.button.clicked.connect(self.browse)
        self._watch_undo_keys(self.edit)

    def _start_dir(self) -> str:
        base = self.ctx.flow_dir()
        current = self.edit.text().strip()
        if current:
            path = Path(current)
            if not path.is_absolute() and base is not None:
                path = base / path
            folder = path if self.spec.kind == "folder" else path.parent
            if folder.is_dir():
                return str(folder)
        return str(base) if base is not None else ""

    def browse(self) -> None:
        start = self._start_dir()
        if self.spec.kind == "folder":
            chosen = QFileDialog.getExistingDirectory(self, self.spec.title, start)
        else:
            dialog = QFileDialog(self, self.spec.title, start)
            if self.spec.kind == "flow_file":
                dialog.setNameFilter(FLOW_FILTER)
                dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
            else:
                dialog.setFileMode(QFileDialog.FileMode.AnyFile)  # also a file that is to be written
            dialog.setLabelText(QFileDialog.DialogLabel.Accept, "Choose")
            chosen = dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""
        if chosen:
            self.edit.setText(relative_to_flow(chosen, self.ctx.flow_dir()))
            self.edited.emit("", False)

    def value(self) -> Any:
        text = self.edit.text()
        return None if text == "" and self.spec.nullable else text

    def show_value(self, value: Any) -> None:
        set_line_text(self.edit, "" if value is None else str(value))

    def focus_chain(self) -> list[QWidget]:
        return [self.edit, self.button]
