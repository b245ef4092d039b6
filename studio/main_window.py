"""The main window: assembly only (tabs of flow editors, palette, inspector, menus)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from runtime.api import Flow, FlowDocument, FlowFileError, Registry, load_flow
from studio.editor import FlowEditor
from studio.palette import PaletteWidget
from studio.theme import Theme

__all__ = ["MainWindow"]

FLOW_FILTER = "Loomwork flows (*.loom);;All files (*)"


def _unique_keys(*keys: QKeySequence.StandardKey | str) -> list[QKeySequence]:
    """The platform's bindings plus extra ones, without duplicates (which make Qt call a
    shortcut ambiguous and ignore it)."""
    found: list[QKeySequence] = []
    for key in keys:
        bindings = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) \
            else [QKeySequence(key)]
        for binding in bindings:
            if not binding.isEmpty() and all(binding != other for other in found):
                found.append(binding)
    return found


FEATURES = (
    "studio.features.inspector",
    "studio.features.quick_add",
    "studio.features.session",
    "studio.features.arrange",
    "studio.features.run",
    "studio.features.problems",
    "studio.features.history",
    "studio.features.schedules",
    "studio.features.tray",
    "studio.features.models",
)
"""Feature modules; each has `install(window)` and hooks into the signals below."""


class MainWindow(QMainWindow):
    """Tabs of open flows with a node palette on the left and the inspector on the right.

    Signals for feature modules: `editor_added(FlowEditor)` when a tab opens,
    `current_editor_changed(FlowEditor | None)` when the active tab changes.
    """

    editor_added = Signal(object)
    current_editor_changed = Signal(object)

    def __init__(self, registry: Registry, theme: Theme):
        super().__init__()
        self.registry = registry
        self.theme = theme
        self.setWindowTitle("Loomwork Studio")
        self.resize(1600, 1000)
        self.undo_group = QUndoGroup(self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._current_changed)
        self.setCentralWidget(self.tabs)
        self.palette = PaletteWidget(registry.specs(), self)
        self.palette.add_requested.connect(self._add_from_palette)
        self._dock(self.palette, "Nodes", Qt.DockWidgetArea.LeftDockWidgetArea)
        self.zoom_label = QLabel("100 %")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.menus: dict[str, QMenu] = {}
        self._build_menus()
        for name in FEATURES:
            importlib.import_module(name).install(self)
        self.compact_bottom_panels()

    def compact_bottom_panels(self) -> None:
        """Give the canvas most of the height: the panels below get about a fifth."""
        bottom = [d for d in self.findChildren(QDockWidget)
                  if self.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea and d.isVisible()]
        if bottom:
            self.resizeDocks(bottom[:1], [max(150, self.height() // 5)], Qt.Orientation.Vertical)

    def add_dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        """Add a dock panel (for feature modules)."""
        return self._dock(widget, title, area)

    def _dock(self, widget: QWidget, title: str, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title.lower()}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    # ----- menus -------------------------------------------------------------------

    def add_action(self, menu: str, text: str, slot: Callable[[], object],
                   shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None) -> QAction:
        """Add an action to one of `self.menus` ("file", "edit", "view", "insert", "arrange")."""
        return self._action(self.menus[menu], text, slot, shortcut)

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | list[QKeySequence] | None = None
                ) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _with_editor(self, method: str) -> Callable[[], None]:
        def run() -> None:
            editor = self.current_editor()
            if editor is not None:
                getattr(editor, method)()
        return run

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self.menus["file"] = bar.addMenu("&File")
        self._action(file_menu, "&New flow", self.new_flow, QKeySequence.StandardKey.New)
        self._action(file_menu, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        file_menu.addSeparator()
        self._action(file_menu, "&Save", self.save_current, QKeySequence.StandardKey.Save)
        self._action(file_menu, "Save &as…", self.save_current_as, QKeySequence.StandardKey.SaveAs)
        self._action(file_menu, "&Close tab", lambda: self.close_tab(self.tabs.currentIndex()),
                     _unique_keys(QKeySequence.StandardKey.Close, "Ctrl+W"))
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, _unique_keys(QKeySequence.StandardKey.Quit, "Ctrl+Q"))

        edit = self.menus["edit"] = bar.addMenu("&Edit")
        undo = self.undo_group.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_group.createRedoAction(self, "&Redo")
        redo.setShortcuts(_unique_keys(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z", "Ctrl+Y"))
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        self._action(edit, "Cu&t", self._with_editor("cut"), QKeySequence.StandardKey.Cut)
        self._action(edit, "&Copy", self._with_editor("copy"), QKeySequence.StandardKey.Copy)
        self._action(edit, "&Paste", self._with_editor("paste"), QKeySequence.StandardKey.Paste)
        self._action(edit, "&Duplicate", self._with_editor("duplicate"), "Ctrl+D")
        self._action(edit, "De&lete", self._with_editor("delete_selection"), QKeySequence.StandardKey.Delete)
        edit.addSeparator()
        self._action(edit, "Select &all", self._with_editor("select_all"), QKeySequence.StandardKey.SelectAll)

        view = self.menus["view"] = bar.addMenu("&View")
        self._action(view, "&Fit to window", lambda: self._view_call("fit_all"), "Ctrl+0")
        self._action(view, "Zoom &in", lambda: self._view_call("zoom_in"), QKeySequence.StandardKey.ZoomIn)
        self._action(view, "Zoom &out", lambda: self._view_call("zoom_out"), QKeySequence.StandardKey.ZoomOut)

        self.menus["insert"] = bar.addMenu("&Insert")
        arrange = self.menus["arrange"] = bar.addMenu("&Arrange")
        self._action(arrange, "&Auto-layout flow", self._with_editor("auto_layout"), "Ctrl+L")
        self._action(arrange, "Auto-layout &selection", self._layout_selection, "Ctrl+Shift+L")

    def context_menu(self, editor: FlowEditor, pos: QPoint) -> QMenu:
        """The canvas's right-click menu: what applies to the item under the mouse."""
        from studio.canvas.items.edge_item import EdgeItem
        from studio.canvas.items.node_item import NodeItem

        under = editor.view.itemAt(pos)
        if isinstance(under, (NodeItem, EdgeItem)) and not under.isSelected():
            editor.scene.clearSelection()
            under.setSelected(True)
        wanted = ["Cu&t", "&Copy", "&Paste", "&Duplicate", "De&lete", None]
        if isinstance(under, NodeItem):
            wanted += ["Run &from selected node", "Run selected node &only", "Toggle &breakpoint",
                       "&Pin outputs as test data", "&Unpin outputs", None, "&Group selection",
                       "Auto-layout &selection"]
        else:
            wanted += ["Add &node…\tTab", "&Note", None, "&Auto-layout flow", "&Fit to window",
                       "Select &all"]
        actions = {a.text(): a for m in self.menus.values() for a in m.actions() if a.text()}
        menu = QMenu(self)
        for text in wanted:
            if text is None:
                menu.addSeparator()
            elif text in actions:
                menu.addAction(actions[text])
        return menu

    def _layout_selection(self) -> None:
        editor = self.current_editor()
        if editor is not None:
            editor.auto_layout(selection_only=True)

    def _view_call(self, method: str) -> None:
        editor = self.current_editor()
        if editor is not None:
            getattr(editor.view, method)()

    # ----- tabs and files ----------------------------------------------------------

    def current_editor(self) -> FlowEditor | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, FlowEditor) else None

    def editors(self) -> list[FlowEditor]:
        return [w for i in range(self.tabs.count()) if isinstance(w := self.tabs.widget(i), FlowEditor)]

    def add_editor(self, document: FlowDocument) -> FlowEditor:
        editor = FlowEditor(document, self.registry, self.theme, self)
        self.undo_group.addStack(editor.undo)
        editor.state_changed.connect(lambda e=editor: self._refresh_tab(e))
        editor.scene.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        editor.view.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z * 100:.0f} %"))
        editor.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        editor.view.customContextMenuRequested.connect(
            lambda pos, e=editor: self.context_menu(e, pos).popup(e.view.viewport().mapToGlobal(pos)))
        index = self.tabs.addTab(editor, editor.title())
        if document.path:
            self.tabs.setTabToolTip(index, str(document.path))
        self.editor_added.emit(editor)
        self.tabs.setCurrentIndex(index)
        return editor

    def _refresh_tab(self, editor: FlowEditor) -> None:
        index = self.tabs.indexOf(editor)
        if index >= 0:
            self.tabs.setTabText(index, editor.title())
        if editor is self.current_editor():
            self._update_title()

    def _update_title(self) -> None:
        editor = self.current_editor()
        self.setWindowTitle(f"{editor.title()} — Loomwork Studio" if editor else "Loomwork Studio")

    def _current_changed(self, _index: int) -> None:
        editor = self.current_editor()
        if editor is not None:
            self.undo_group.setActiveStack(editor.undo)
            self.zoom_label.setText(f"{editor.view.zoom * 100:.0f} %")
        self._update_title()
        self.current_editor_changed.emit(editor)

    def new_flow(self) -> FlowEditor:
        return self.add_editor(FlowDocument(Flow(name="Untitled"), registry=self.registry))

    def open_path(self, path: str | Path) -> FlowEditor | None:
        target = Path(path).resolve()
        for editor in self.editors():
            if editor.path and editor.path.resolve() == target:
                self.tabs.setCurrentWidget(editor)
                return editor
        try:
            flow = load_flow(target)
        except FlowFileError as exc:
            QMessageBox.warning(self, "Cannot open flow", str(exc))
            return None
        blank = self.blank_editor()
        editor = self.add_editor(FlowDocument(flow, path=target, registry=self.registry, copy=False))
        if blank is not None:  # the untouched start-up tab makes way for the first file opened
            self.close_tab(self.tabs.indexOf(blank))
        self._fit_when_laid_out(editor)
        return editor

    def blank_editor(self) -> FlowEditor | None:
        """The only tab, when it is the empty, untouched, never-saved start-up flow."""
        editors = self.editors()
        if len(editors) != 1:
            return None
        only = editors[0]
        untouched = only.path is None and not only.modified and not only.document.flow.nodes
        return only if untouched else None

    def _fit_when_laid_out(self, editor: FlowEditor) -> None:
        """Show the whole opened flow: lay the new tab out at its final size now, then fit."""
        stack = editor.parentWidget()
        if stack is None or not self.isVisible():
            return  # the command line fits its flows once the window is shown
        editor.setGeometry(stack.contentsRect())
        if editor.layout() is not None:
            editor.layout().activate()
        editor.view.fit_all()

    def open_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Open flows", "", FLOW_FILTER)
        for name in names:
            self.open_path(name)

    def save_current(self) -> bool:
        editor = self.current_editor()
        if editor is None:
            return False
        if editor.path is None:
            return self.save_current_as()
        editor.save()
        return True

    def save_current_as(self) -> bool:
        editor = self.current_editor()
        if editor is None:
            return False
        name, _ = QFileDialog.getSaveFileName(self, "Save flow as", str(editor.path or "flow.loom"),
                                              FLOW_FILTER)
        if not name:
            return False
        path = Path(name if name.endswith(".loom") else name + ".loom")
        editor.save(path)
        return True

    def close_tab(self, index: int) -> bool:
        widget = self.tabs.widget(index)
        if not isinstance(widget, FlowEditor):
            return False
        if widget.modified:
            self.tabs.setCurrentIndex(index)
            answer = QMessageBox.question(
                self, "Save changes?", f"Save the changes to {widget.title().rstrip(' •')}?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            if answer == QMessageBox.StandardButton.Save and not self.save_current():
                return False
        self.undo_group.removeStack(widget.undo)
        widget.undo.cleanChanged.disconnect()  # the stack's destructor must not call back
        widget.undo.setClean()
        widget.scene.close()
        self.tabs.removeTab(index)
        widget.deleteLater()
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        for index in reversed(range(self.tabs.count())):
            if not self.close_tab(index):
                event.ignore()
                return
        event.accept()

    # ----- palette -----------------------------------------------------------------

    def _add_from_palette(self, type_id: str) -> None:
        editor = self.current_editor() or self.new_flow()
        editor.add_after_selection(type_id)
