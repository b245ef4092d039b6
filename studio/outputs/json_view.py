"""A record or list value: the lazy JSON tree, with copy of the selected value."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QVBoxLayout, QWidget

from studio.outputs.format import json_text
from studio.outputs.json_tree import JsonTreeModel

__all__ = ["JsonViewer"]


class JsonViewer(QWidget):
    """Expand rows to see inside; Ctrl+C (or the context menu) copies a row's value as JSON."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = JsonTreeModel(self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 180)
        header.resizeSection(1, 150)
        self.copy_action = QAction("Copy value as JSON", self.tree)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_current)
        self.tree.addAction(self.copy_action)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)

    def set_json(self, value: Any) -> None:
        self.model.set_root(value)
        if self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        if self.model.rowCount() == 1:  # a single entry: show what is inside it
            self.tree.expand(self.model.index(0, 0))

    def copy_current(self) -> str | None:
        """Put the selected row's value on the clipboard as JSON (None when nothing is selected)."""
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        text = json_text(self.model.value(index.siblingAtColumn(0)))
        QGuiApplication.clipboard().setText(text)
        return text
