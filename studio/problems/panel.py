"""The Problems panel: what the current flow's check found; double-click jumps to the node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from runtime.api import Problem
from studio.canvas.items.node_item import PROBLEM_COLORS
from studio.problems.checker import field_title, is_port_problem
from studio.problems.watcher import ProblemWatcher, watcher_for

if TYPE_CHECKING:
    from studio.editor import FlowEditor

__all__ = ["ProblemsPanel", "severity_icon"]

NODE_ROLE = Qt.ItemDataRole.UserRole
KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def severity_icon(severity: str, size: int = 16, dpr: float = 2.0) -> QIcon:
    """A red disc (error) or an amber triangle (warning) with a white "!"."""
    pixmap = QPixmap(round(size * dpr), round(size * dpr))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(PROBLEM_COLORS.get(severity, PROBLEM_COLORS["error"])))
    s = float(size)
    if severity == "warning":
        path = QPainterPath(QPointF(s / 2, 1.5))
        path.lineTo(s - 1, s - 2)
        path.lineTo(1, s - 2)
        path.closeSubpath()
        painter.drawPath(path)
        mark = QRectF(0, s * 0.28, s, s * 0.62)
    else:
        painter.drawEllipse(QRectF(1, 1, s - 2, s - 2))
        mark = QRectF(0, 0, s, s)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(round(s * 0.62))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(mark, Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    return QIcon(pixmap)


class ProblemsPanel(QWidget):
    """Lists the problems of the current editor; `count_changed(n)` when their number changes."""

    count_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor: FlowEditor | None = None
        self.watcher: ProblemWatcher | None = None
        self._icons = {name: severity_icon(name) for name in ("error", "warning")}
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("problems-tree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Node", "Field", "Problem"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.resizeSection(0, 220)
        header.resizeSection(1, 150)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.itemActivated.connect(self._activate)
        self.empty = QLabel("No problems found: the flow is ready to run.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)  # drawn in the palette's muted text colour
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)
        self._count = -1
        self.show_problems([])

    def count(self) -> int:
        return max(self._count, 0)

    def title(self) -> str:
        """The dock's title: "Problems (3)", or "Problems" when there are none."""
        return f"Problems ({self.count()})" if self.count() else "Problems"

    # ----- following the current editor ---------------------------------------------

    def set_editor(self, editor: FlowEditor | None) -> None:
        if self.watcher is not None:
            try:
                self.watcher.changed.disconnect(self.show_problems)
            except (RuntimeError, TypeError):  # the editor (and its watcher) is gone already
                pass
        self.editor = editor
        self.watcher = watcher_for(editor) if editor is not None else None
        if self.watcher is not None:
            self.watcher.changed.connect(self.show_problems)
        self.show_problems(self.watcher.problems if self.watcher is not None else [])

    # ----- the list -----------------------------------------------------------------

    def show_problems(self, problems: list[Problem]) -> None:
        current = self.tree.currentItem()
        keep = current.data(0, KEY_ROLE) if current is not None else None
        self.tree.setUpdatesEnabled(False)
        self.tree.clear()
        items = [self._item(p) for p in problems]
        self.tree.addTopLevelItems(items)
        for item in items:
            if keep is not None and item.data(0, KEY_ROLE) == keep:
                self.tree.setCurrentItem(item)
                break
        self.tree.setUpdatesEnabled(True)
        self.tree.setVisible(bool(problems))
        self.empty.setVisible(not problems)
        if len(problems) != self._count:
            self._count = len(problems)
            self.count_changed.emit(self._count)

    def _item(self, problem: Problem) -> QTreeWidgetItem:
        node, field = "Flow", problem.field or ""
        editor = self.editor
        if editor is not None and problem.node_id is not None:
            inst = editor.document.flow.nodes.get(problem.node_id)
            node_type = editor.registry.get(inst.type) if inst is not None else None
            node = (inst.title if inst is not None and inst.title else
                    node_type.title if node_type is not None else inst.type if inst is not None
                    else problem.node_id)
            if is_port_problem(problem):
                node_item = editor.scene.nodes.get(problem.node_id)
                spec = node_item.port_spec(problem.field or "", False) if node_item is not None else None
                field = f"{spec.title if spec is not None else problem.field} (input)"
            else:
                field = field_title(editor.registry, inst.type if inst is not None else None, problem.field)
        item = QTreeWidgetItem([node, field, problem.message])
        item.setIcon(0, self._icons.get(problem.severity, self._icons["error"]))
        item.setData(0, NODE_ROLE, problem.node_id)
        item.setData(0, KEY_ROLE, f"{problem.node_id}\x1f{problem.field}\x1f{problem.message}")
        where = f"{node} ({problem.node_id})" if problem.node_id else "The flow"
        tip = f"{problem.severity.capitalize()} — {where}" + (f", {field}" if field else "")
        item.setToolTip(0, tip)
        item.setToolTip(1, tip)
        item.setToolTip(2, problem.message)
        if problem.node_id is None:
            font = item.font(0)
            font.setItalic(True)
            item.setFont(0, font)
        return item

    def _activate(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        """Select the problem's node on the canvas and centre the view on it."""
        node_id = item.data(0, NODE_ROLE)
        editor = self.editor
        if editor is None or not node_id:
            return
        node_item = editor.scene.nodes.get(node_id)
        if node_item is None:
            return
        editor.scene.select_nodes([node_id])
        editor.view.centerOn(node_item)
