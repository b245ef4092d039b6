"""The node palette: node types by category, searchable; double-click, Enter or drag to add.

`search` (ranked, multi-word) and `NodeRowDelegate` (icon, title, dimmed description) are
shared with the quick-add popup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from studio.icons import category_icon_name, icon, pixmap, spec_icon_name
from studio.theme import CATEGORY_COLORS, category_color

__all__ = [
    "NODE_TYPE_MIME",
    "TYPE_ROLE",
    "NodeRowDelegate",
    "PaletteWidget",
    "category_rank",
    "matches",
    "mix",
    "row_data",
    "search",
]

NODE_TYPE_MIME = "application/x-loomwork-node-type"
TYPE_ROLE = Qt.ItemDataRole.UserRole + 1
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 3
ICON_ROLE = Qt.ItemDataRole.UserRole + 4
HEADER_ROLE = Qt.ItemDataRole.UserRole + 5  # a category row
SHOW_CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 6  # flat results: category tag on the right
COUNT_ROLE = Qt.ItemDataRole.UserRole + 7


# ----- search ----------------------------------------------------------------------------

def _haystack(spec: dict[str, Any]) -> str:
    return " ".join([spec["title"], spec["category"], spec["id"], spec.get("description", ""),
                     *spec.get("keywords", [])]).lower()


def matches(spec: dict[str, Any], query: str) -> bool:
    """Whether a node spec matches every word of a search (title, category, id, keywords, text)."""
    haystack = _haystack(spec)
    return all(word in haystack for word in query.lower().split())


def _tier(spec: dict[str, Any], query: str, words: list[str]) -> int:
    title = spec["title"].lower()
    title_words = title.replace("-", " ").split()
    if title.startswith(query):
        return 0
    if all(any(t.startswith(w) for t in title_words) for w in words):
        return 1
    if all(w in title for w in words):
        return 2
    names = " ".join([spec["id"], *spec.get("keywords", [])]).lower()
    if all(w in names or w in title for w in words):
        return 3
    return 4


def search(specs: Sequence[dict[str, Any]], query: str,
           prefer: Callable[[dict[str, Any]], int] | None = None) -> list[dict[str, Any]]:
    """Specs matching every word of `query`, best first: title prefix, title words, title,
    id/keywords, then description/category; ties by `prefer` (lower first), then title."""
    words = query.lower().split()
    joined = " ".join(words)
    found = [s for s in specs if all(w in _haystack(s) for w in words)]
    return sorted(found, key=lambda s: (_tier(s, joined, words) if words else 0,
                                        prefer(s) if prefer else 0, s["title"].lower(), s["id"]))


def row_data(spec: dict[str, Any], show_category: bool = False) -> dict[int, Any]:
    """Item data (role → value) of one node-type row, for `NodeRowDelegate`."""
    return {
        Qt.ItemDataRole.DisplayRole: spec["title"],
        Qt.ItemDataRole.ToolTipRole: f"<b>{spec['title']}</b> <span style='color:gray'>{spec['id']}</span>"
                                     f"<br>{spec.get('description', '')}",
        TYPE_ROLE: spec["id"],
        DESCRIPTION_ROLE: " ".join(spec.get("description", "").split()),
        CATEGORY_ROLE: spec["category"],
        ICON_ROLE: spec_icon_name(spec),
        SHOW_CATEGORY_ROLE: show_category,
    }


# ----- painting rows ---------------------------------------------------------------------

def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` (0..1) of the way towards `b`."""
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * amount,
                           a.greenF() + (b.greenF() - a.greenF()) * amount,
                           a.blueF() + (b.blueF() - a.blueF()) * amount)


class NodeRowDelegate(QStyledItemDelegate):
    """Paints node-type rows (icon tile, title, one dimmed line of description) and
    category rows (chevron, icon, name, count) in the widget palette's colours."""

    ROW_PAD = 7
    TILE = 30

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        title = QFont(option.font)
        title.setWeight(QFont.Weight.DemiBold)
        small = QFont(option.font)
        small.setPointSizeF(max(7.0, option.font.pointSizeF() * 0.88))
        header = QFont(small)
        header.setWeight(QFont.Weight.Bold)
        header.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
        return title, small, header

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        title, small, header = self._fonts(option)
        if index.data(HEADER_ROLE):
            return QSize(200, QFontMetrics(header).height() + 16)
        height = QFontMetrics(title).height() + QFontMetrics(small).height() + 2 + 2 * self.ROW_PAD
        return QSize(200, max(self.TILE + 12, height))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = option.palette
        text = pal.color(QPalette.ColorRole.Text)
        base = pal.color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        dim = mix(text, base, 0.42)
        state = option.state
        rect = QRectF(option.rect).adjusted(4, 1, -4, -1)
        accent = pal.color(QPalette.ColorRole.Highlight)
        fill = None
        if state & QStyle.StateFlag.State_Selected:
            active = bool(state & (QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_Active))
            fill = mix(base, accent, (0.34 if dark else 0.20) if active else 0.12)
        elif state & QStyle.StateFlag.State_MouseOver:
            fill = mix(base, text, 0.07 if dark else 0.05)
        if fill is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 6, 6)
        if index.data(HEADER_ROLE):
            self._paint_header(painter, option, index, rect, dim)
        else:
            self._paint_node(painter, option, index, rect, text, dim, dark)
        painter.restore()

    def _paint_header(self, painter: QPainter, option: QStyleOptionViewItem,
                      index: QModelIndex | QPersistentModelIndex, rect: QRectF, dim: QColor) -> None:
        _title, small, header = self._fonts(option)
        dpr = painter.device().devicePixelRatioF()
        view = option.widget
        expanded = isinstance(view, QTreeView) and view.isExpanded(QModelIndex(index))
        cy = rect.center().y()
        painter.drawPixmap(int(rect.left() + 4), int(cy - 7),
                           pixmap("chevron-down" if expanded else "chevron-right", 14, dim, dpr))
        category = index.data(CATEGORY_ROLE) or ""
        color = category_color(category)
        painter.drawPixmap(int(rect.left() + 22), int(cy - 8), pixmap(index.data(ICON_ROLE), 16, color, dpr))
        painter.setFont(header)
        painter.setPen(dim)
        count = str(index.data(COUNT_ROLE) or "")
        right = rect.adjusted(0, 0, -8, 0)
        painter.setFont(small)
        painter.drawText(right, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, count)
        painter.setFont(header)
        painter.drawText(rect.adjusted(46, 0, -32, 0),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, category.upper())

    def _paint_node(self, painter: QPainter, option: QStyleOptionViewItem,
                    index: QModelIndex | QPersistentModelIndex, rect: QRectF, text: QColor, dim: QColor,
                    dark: bool) -> None:
        title_font, small, _header = self._fonts(option)
        dpr = painter.device().devicePixelRatioF()
        category = index.data(CATEGORY_ROLE) or ""
        color = category_color(category)
        tint = color.lighter(135) if dark else color.darker(108)
        tile = QRectF(rect.left() + 6, rect.center().y() - self.TILE / 2, self.TILE, self.TILE)
        tile_fill = QColor(color)
        tile_fill.setAlphaF(0.24 if dark else 0.14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(tile_fill)
        painter.drawRoundedRect(tile, 7, 7)
        painter.drawPixmap(int(tile.left() + 6), int(tile.top() + 6),
                           pixmap(index.data(ICON_ROLE), 18, tint, dpr))
        left = tile.right() + 10
        width = rect.right() - left - 8
        title_metrics, small_metrics = QFontMetrics(title_font), QFontMetrics(small)
        block = title_metrics.height() + 2 + small_metrics.height()
        top = rect.center().y() - block / 2
        tag_width = 0
        if index.data(SHOW_CATEGORY_ROLE):
            tag = category
            tag_width = small_metrics.horizontalAdvance(tag) + 10
            painter.setFont(small)
            painter.setPen(tint)
            painter.drawText(QRectF(rect.right() - tag_width - 6, top, tag_width, title_metrics.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, tag)
        painter.setFont(title_font)
        painter.setPen(text)
        title = title_metrics.elidedText(index.data(Qt.ItemDataRole.DisplayRole) or "",
                                         Qt.TextElideMode.ElideRight, int(width - tag_width))
        painter.drawText(QRectF(left, top, width, title_metrics.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        painter.setFont(small)
        painter.setPen(dim)
        description = small_metrics.elidedText(index.data(DESCRIPTION_ROLE) or "",
                                               Qt.TextElideMode.ElideRight, int(width))
        painter.drawText(QRectF(left, top + title_metrics.height() + 2, width, small_metrics.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, description)


# ----- the palette ------------------------------------------------------------------------

class _Tree(QTreeWidget):
    """The results: drags carry the node type id; Up on the first row returns to the search."""

    back_to_search = Signal(str)  # text typed while the tree had focus

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        mime = QMimeData()
        type_ids = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if type_ids:
            mime.setData(NODE_TYPE_MIME, type_ids[0].encode())
        return mime

    def mimeTypes(self) -> list[str]:
        return [NODE_TYPE_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction  # drags copy: a "move" drop would remove the row

    def keyPressEvent(self, event: QKeyEvent) -> None:
        first = self.topLevelItem(0)
        if event.key() == Qt.Key.Key_Up and self.currentItem() is first:
            self.back_to_search.emit("")
            return
        if event.text().isprintable() and event.text().strip() and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            self.back_to_search.emit(event.text())
            return
        super().keyPressEvent(event)


def category_rank(category: str) -> int:
    """Where a category is listed: the theme's order of categories, unknown ones last."""
    names = list(CATEGORY_COLORS)
    return names.index(category) if category in names else len(names)


class PaletteWidget(QWidget):
    """Emits `add_requested(type_id)` on double-click or Enter; drags carry the type id.

    With an empty search the node types are listed by category (click a category to fold
    it); while searching they are one ranked list, and Enter adds the first.
    """

    add_requested = Signal(str)

    def __init__(self, specs: list[dict[str, Any]], parent: QWidget | None = None):
        super().__init__(parent)
        self.specs = specs
        self._collapsed: set[str] = set()
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search nodes…")
        self.search.setClearButtonEnabled(True)
        self._search_icon = self.search.addAction(QIcon(), QLineEdit.ActionPosition.LeadingPosition)
        self._tint_search_icon()
        self.search.installEventFilter(self)
        self.tree = _Tree(self)
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        self.tree.setItemsExpandable(True)
        self.tree.setExpandsOnDoubleClick(False)
        self.tree.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.tree.setMouseTracking(True)
        self.tree.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        self.tree.setItemDelegate(NodeRowDelegate(self.tree))
        self.empty = QLabel(self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(8, 16, 8, 8)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty, 1)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self._add_first)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemExpanded.connect(lambda item: self._collapsed.discard(item.data(0, CATEGORY_ROLE)))
        self.tree.itemCollapsed.connect(lambda item: self._collapsed.add(item.data(0, CATEGORY_ROLE)))
        self.tree.back_to_search.connect(self._back_to_search)
        self.setMinimumWidth(220)
        self._populate("")

    def _tint_search_icon(self) -> None:
        self._search_icon.setIcon(icon("search", self.palette().color(QPalette.ColorRole.PlaceholderText)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "_search_icon"):  # theme changed
            self._tint_search_icon()
        super().changeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(300, 600)

    # ----- content ----------------------------------------------------------------------

    def _node_item(self, parent: QTreeWidget | QTreeWidgetItem, spec: dict[str, Any], flat: bool) -> None:
        item = QTreeWidgetItem(parent)
        for role, value in row_data(spec, show_category=flat).items():
            item.setData(0, role, value)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                      | Qt.ItemFlag.ItemIsDragEnabled)

    def _populate(self, query: str) -> None:
        self.tree.clear()
        if query.strip():
            for spec in search(self.specs, query):
                self._node_item(self.tree, spec, flat=True)
            first = self.tree.topLevelItem(0)
            if first is not None:
                self.tree.setCurrentItem(first)
        else:
            by_category: dict[str, list[dict[str, Any]]] = {}
            for spec in self.specs:
                by_category.setdefault(spec["category"], []).append(spec)
            for category in sorted(by_category, key=lambda c: (category_rank(c), c)):
                header = QTreeWidgetItem(self.tree)
                header.setData(0, Qt.ItemDataRole.DisplayRole, category)
                header.setData(0, HEADER_ROLE, True)
                header.setData(0, CATEGORY_ROLE, category)
                header.setData(0, ICON_ROLE, category_icon_name(category))
                header.setData(0, COUNT_ROLE, len(by_category[category]))
                header.setFlags(Qt.ItemFlag.ItemIsEnabled)
                for spec in sorted(by_category[category], key=lambda s: s["title"].lower()):
                    self._node_item(header, spec, flat=False)
                header.setExpanded(category not in self._collapsed)
        found = self.tree.topLevelItemCount() > 0
        self.tree.setVisible(found)
        self.empty.setVisible(not found)
        self.empty.setText(f"No node matches “{query.strip()}”." if not found else "")

    def _filter(self, text: str) -> None:
        self._populate(text)

    def visible_type_ids(self) -> list[str]:
        """The node types listed now, in the order shown."""
        found = []
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top.data(0, TYPE_ROLE):
                found.append(top.data(0, TYPE_ROLE))
            found.extend(top.child(j).data(0, TYPE_ROLE) for j in range(top.childCount()))
        return found

    # ----- keyboard and mouse -----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown):
                self._enter_results(last=key == Qt.Key.Key_Up)
                return True
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _enter_results(self, last: bool = False) -> None:
        rows = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        items: list[QTreeWidgetItem] = []
        for row in rows:
            if row.data(0, TYPE_ROLE):
                items.append(row)
            elif row.isExpanded():
                items.extend(row.child(j) for j in range(row.childCount()))
        if not items:
            return
        target = items[-1] if last else items[0]
        self.tree.setFocus(Qt.FocusReason.TabFocusReason)
        self.tree.setCurrentItem(target)
        self.tree.scrollToItem(target)

    def _back_to_search(self, text: str) -> None:
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)
        if text:
            self.search.insert(text)

    def _add_first(self) -> None:
        visible = self.visible_type_ids()
        if visible:
            self.add_requested.emit(visible[0])

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, HEADER_ROLE):
            item.setExpanded(not item.isExpanded())

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_id = item.data(0, TYPE_ROLE)
        if type_id:
            self.add_requested.emit(type_id)
