"""File, document and workbook values: a card with what is known, and Open / Show in folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QFileInfo, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileIconProvider,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from runtime.api import DocumentRef, FileRef, ImageRef, WorkbookRef
from studio.outputs.format import count_label, human_size
from studio.outputs.opener import Opener, open_path, show_in_folder
from studio.outputs.style import muted_label

__all__ = ["FileCard", "describe_kind"]

_ERROR = "#d14343"
AnyRef = FileRef | ImageRef | DocumentRef | WorkbookRef


def describe_kind(ref: AnyRef) -> str:
    """`Workbook · sheet Sales`, `Document · pdf · 3 pages`, `Image · 640 × 480 px`, `File`."""
    parts = [ref.kind.capitalize()]
    if isinstance(ref, DocumentRef):
        if ref.doc_kind:
            parts.append(ref.doc_kind)
        if ref.pages is not None:
            parts.append(count_label(ref.pages, "page"))
    elif isinstance(ref, WorkbookRef) and ref.sheet:
        parts.append(f"sheet {ref.sheet}")
    elif isinstance(ref, ImageRef) and ref.width and ref.height:
        parts.append(f"{ref.width:,} × {ref.height:,} px")
    return "  ·  ".join(parts)


class FileCard(QWidget):
    """Name, kind, path, size, media type and modification time of a referenced file."""

    def __init__(self, parent: QWidget | None = None, opener: Opener = open_path) -> None:
        super().__init__(parent)
        self.opener = opener
        self.path = ""
        self.icon = QLabel(self)
        self.icon.setFixedSize(40, 40)
        self.name = QLabel(self)
        font = QFont(self.name.font())
        font.setBold(True)
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.2)
        self.name.setFont(font)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = muted_label("", self)
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(12)
        for key in ("Path", "Size", "Type", "Modified"):
            value = QLabel(self)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(muted_label(key, self), value)
        self.missing = QLabel("The file is not there any more.", self)
        self.missing.setStyleSheet(f"color: {_ERROR};")
        self.open_button = QPushButton("Open", self)
        self.open_button.setToolTip("Open with the system's viewer")
        self.open_button.clicked.connect(self.open)
        self.folder_button = QPushButton("Show in folder", self)
        self.folder_button.clicked.connect(self.show_in_folder)

        card = QFrame(self)
        card.setObjectName("fileCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        title = QVBoxLayout()
        title.setSpacing(2)
        title.addWidget(self.name)
        title.addWidget(self.kind)
        top = QHBoxLayout()
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(title, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(12, 12, 12, 12)
        inner.setSpacing(10)
        inner.addLayout(top)
        inner.addLayout(form)
        inner.addWidget(self.missing)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(card)
        layout.addStretch(1)

    def set_ref(self, ref: AnyRef) -> None:
        self.path = ref.path
        path = Path(ref.path)
        self.name.setText(ref.name or path.name)
        self.kind.setText(describe_kind(ref))
        self.fields["Path"].setText(str(path))
        self.fields["Type"].setText(ref.media_type)
        icon = QFileIconProvider().icon(QFileInfo(str(path)))
        if icon.isNull():
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        self.icon.setPixmap(icon.pixmap(32, 32))
        try:
            stat = path.stat()
        except OSError:
            stat = None
        if stat is None:
            self.fields["Size"].setText("—")
            self.fields["Modified"].setText("—")
        else:
            self.fields["Size"].setText(human_size(stat.st_size)
                                        + (f"  ({stat.st_size:,} bytes)" if stat.st_size >= 1024 else ""))
            modified = dt.datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)
            self.fields["Modified"].setText(modified.isoformat(sep=" "))
        self.missing.setVisible(stat is None)
        self.open_button.setEnabled(stat is not None)
        self.folder_button.setEnabled(path.parent.exists())

    def open(self) -> None:
        if self.path:
            self.opener(self.path)

    def show_in_folder(self) -> None:
        if self.path:
            show_in_folder(self.path, self.opener)
