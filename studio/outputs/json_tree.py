"""A lazy tree over JSON-like values: children are made when a row is expanded, in batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from runtime.api import Table
from studio.outputs.format import EMPTY, REFS, count_label, format_scalar, kind_of

__all__ = ["BATCH", "JsonTreeModel", "preview", "type_label"]

_Index = QModelIndex | QPersistentModelIndex
BATCH = 500
"""Children made per expand (and per scroll to the end of an expanded list)."""
_PREVIEW = 120
COLUMNS = ("Key", "Type", "Value")


@dataclass(slots=True)
class _Node:
    key: str
    value: Any
    parent: int
    row: int
    children: list[int] = field(default_factory=list)
    items: list[tuple[str, Any]] | None = None
    """The (key, value) pairs of a container, listed on first expand."""
    preview: str | None = None


def _is_container(value: Any) -> bool:
    return isinstance(value, (dict, list, tuple)) and len(value) > 0


def type_label(value: Any) -> str:
    """`record · 3 keys`, `list · 100,000 items`, `text`, `table · 12 rows`…"""
    kind = kind_of(value)
    if isinstance(value, dict):
        return f"{kind} · {count_label(len(value), 'key')}"
    if isinstance(value, (list, tuple)):
        return f"{kind} · {count_label(len(value), 'item')}"
    if isinstance(value, Table):
        return f"{kind} · {count_label(len(value), 'row')}"
    return kind


def preview(value: Any, limit: int = _PREVIEW) -> str:
    """One short line for a value; for containers only the first few items are read."""
    if isinstance(value, dict):
        parts, size = [], 2
        for key, item in value.items():
            part = f"{key}: {_inline(item)}"
            size += len(part) + 2
            parts.append(part)
            if size > limit:
                break
        text = "{" + ", ".join(parts) + ("" if len(parts) == len(value) else ", …") + "}"
    elif isinstance(value, (list, tuple)):
        parts, size = [], 2
        for item in value:
            part = _inline(item)
            size += len(part) + 2
            parts.append(part)
            if size > limit:
                break
        text = "[" + ", ".join(parts) + ("" if len(parts) == len(value) else ", …") + "]"
    else:
        text = _inline(value) if not isinstance(value, str) else value.split("\n", 1)[0]
        if isinstance(value, str) and "\n" in value:
            text += " …"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _inline(value: Any) -> str:
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:39] + "…"
        return '"' + short.replace("\n", "⏎") + '"'
    if isinstance(value, dict):
        return "{…}" if value else "{}"
    if isinstance(value, (list, tuple)):
        return "[…]" if value else "[]"
    if value is None:
        return "null"
    return format_scalar(value)


class JsonTreeModel(QAbstractItemModel):
    """Key / type / value rows over a dict or list; `fetchMore` makes children in batches."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._nodes: list[_Node] = [_Node("", None, -1, 0)]
        self._colors = _value_colors()

    def set_root(self, value: Any) -> None:
        self.beginResetModel()
        self._nodes = [_Node("", value, -1, 0)]
        self.endResetModel()

    @property
    def node_count(self) -> int:
        """How many rows have been made so far (the root included)."""
        return len(self._nodes)

    def value(self, index: _Index) -> Any:
        return self._node(index).value

    def _node(self, index: _Index) -> _Node:
        return self._nodes[index.internalId()] if index.isValid() else self._nodes[0]

    # -- structure -------------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        node = self._node(parent)
        if not 0 <= row < len(node.children) or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: _Index | None = None) -> Any:  # type: ignore[override]
        if index is None:  # QObject.parent()
            return super().parent()
        if not index.isValid():
            return QModelIndex()
        node = self._nodes[index.internalId()]
        if node.parent <= 0:
            return QModelIndex()
        return self.createIndex(self._nodes[node.parent].row, 0, node.parent)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return len(COLUMNS)

    def hasChildren(self, parent: _Index = QModelIndex()) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        return _is_container(self._node(parent).value)

    def canFetchMore(self, parent: _Index) -> bool:
        node = self._node(parent)
        if not _is_container(node.value):
            return False
        return len(node.children) < len(node.value)

    def fetchMore(self, parent: _Index) -> None:
        node = self._node(parent)
        parent_id = parent.internalId() if parent.isValid() else 0
        if node.items is None:
            value = node.value
            node.items = ([(str(k), v) for k, v in value.items()] if isinstance(value, dict)
                          else None)
        start = len(node.children)
        stop = min(len(node.value), start + BATCH)
        if stop <= start:
            return
        self.beginInsertRows(parent, start, stop - 1)
        if node.items is not None:
            pairs = node.items[start:stop]
        else:
            pairs = [(f"[{i}]", node.value[i]) for i in range(start, stop)]
        for row, (key, value) in enumerate(pairs, start):
            node.children.append(len(self._nodes))
            self._nodes.append(_Node(key, value, parent_id, row))
        self.endInsertRows()

    # -- content ---------------------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._nodes[index.internalId()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return node.key
            if column == 1:
                return type_label(node.value)
            if node.value is None:
                return EMPTY
            if node.preview is None:
                node.preview = preview(node.value)
            return node.preview
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 1 or (column == 0 and node.key.startswith("[")):
                return self._colors["muted"]
            if column == 2:
                return self._colors.get(kind_of(node.value))
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            value = node.value
            if isinstance(value, str) and (len(value) > _PREVIEW or "\n" in value):
                return value[:2000]
            if isinstance(value, REFS):
                return value.path
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None


def _value_colors() -> dict[str, QColor]:
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    muted = palette.color(QPalette.ColorRole.PlaceholderText)
    number = QColor("#60a5fa" if dark else "#1d4ed8")
    return {
        "muted": muted,
        "null": muted,
        "record": muted,
        "list": muted,
        "integer": number,
        "number": number,
        "boolean": QColor("#c084fc" if dark else "#7e22ce"),
        "date": QColor("#2dd4bf" if dark else "#0f766e"),
        "datetime": QColor("#2dd4bf" if dark else "#0f766e"),
    }
