"""The node palette: node types by category, searchable; double-click or drag to add."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

__all__ = ["NODE_TYPE_MIME", "PaletteWidget", "matches"]

NODE_TYPE_MIME = "application/x-loomwork-node-type"
TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


def matches(spec: dict[str, Any], query: str) -> bool:
    """Whether a node spec matches every word of a search (title, category, id, keywords)."""
    haystack = " ".join([spec["title"], spec["category"], spec["id"], spec.get("description", ""),
                         *spec.get("keywords", [])]).lower()
    return all(word in haystack for word in query.lower().split())


class _Tree(QTreeWidget):
    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        mime = QMimeData()
        type_ids = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if type_ids:
            mime.setData(NODE_TYPE_MIME, type_ids[0].encode())
        return mime

    def mimeTypes(self) -> list[str]:
        return [NODE_TYPE_MIME]


class PaletteWidget(QWidget):
    """Emits `add_requested(type_id)` on double-click or Enter; drags carry the type id."""

    add_requested = Signal(str)

    def __init__(self, specs: list[dict[str, Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.specs = specs
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search nodes…")
        self.search.setClearButtonEnabled(True)
        self.tree = _Tree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._add_first)
        self.tree.itemActivated.connect(self._activated)
        self._populate()

    def _populate(self) -> None:
        categories: dict[str, QTreeWidgetItem] = {}
        for spec in sorted(self.specs, key=lambda s: (s["category"], s["title"])):
            parent = categories.get(spec["category"])
            if parent is None:
                parent = QTreeWidgetItem(self.tree, [spec["category"]])
                parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
                categories[spec["category"]] = parent
            item = QTreeWidgetItem(parent, [spec["title"]])
            item.setData(0, TYPE_ROLE, spec["id"])
            item.setToolTip(0, f"{spec['title']} ({spec['id']})\n{spec['description']}")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsDragEnabled)
        self.tree.expandAll()

    def _filter(self, text: str) -> None:
        by_id = {s["id"]: s for s in self.specs}
        for i in range(self.tree.topLevelItemCount()):
            category = self.tree.topLevelItem(i)
            visible = 0
            for j in range(category.childCount()):
                child = category.child(j)
                show = matches(by_id[child.data(0, TYPE_ROLE)], text)
                child.setHidden(not show)
                visible += show
            category.setHidden(visible == 0)

    def visible_type_ids(self) -> list[str]:
        found = []
        for i in range(self.tree.topLevelItemCount()):
            category = self.tree.topLevelItem(i)
            for j in range(category.childCount()):
                child = category.child(j)
                if not child.isHidden() and not category.isHidden():
                    found.append(child.data(0, TYPE_ROLE))
        return found

    def _add_first(self) -> None:
        visible = self.visible_type_ids()
        if visible:
            self.add_requested.emit(visible[0])

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_id = item.data(0, TYPE_ROLE)
        if type_id:
            self.add_requested.emit(type_id)
