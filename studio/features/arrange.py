"""Arranging the canvas: sticky notes, groups, the minimap, align/distribute, and
collapsing a selection into a subflow (or expanding one back).

`ArrangeFeature` attaches an `AnnotationController` and a `Minimap` to every editor and
adds the menu entries. Its dialogs (`ask_subflow_path`, `confirm`, `inform`) are
attributes that tests replace.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from runtime.api import (
    EditError,
    FlowFileError,
    collapse_to_subflow,
    collapse_warnings,
    expand_subflow,
    load_flow,
    save_flow,
)
from studio.arrange import Alignment, Axis, align, distribute
from studio.canvas.annotations import AnnotationController
from studio.canvas.minimap import Minimap

if TYPE_CHECKING:
    from studio.editor import FlowEditor
    from studio.main_window import MainWindow

__all__ = ["ArrangeFeature", "feature_of", "install"]

SUBFLOW_TYPE = "control.subflow"
ALIGN_LABELS: dict[Alignment, str] = {
    "left": "Align &left edges", "right": "Align &right edges", "top": "Align &top edges",
    "bottom": "Align &bottom edges", "center_x": "Align horizontal &centres",
    "center_y": "Align vertical centr&es",
}


def install(window: MainWindow) -> None:
    """Hook this feature into `window` (a studio.main_window.MainWindow)."""
    ArrangeFeature(window)


def feature_of(window: QWidget) -> ArrangeFeature | None:
    """The arrange feature installed in `window`."""
    return window.findChild(ArrangeFeature, "arrange", Qt.FindChildOption.FindDirectChildrenOnly)


def annotations_of(editor: FlowEditor) -> AnnotationController | None:
    return editor.findChild(AnnotationController, "annotations", Qt.FindChildOption.FindDirectChildrenOnly)


def minimap_of(editor: FlowEditor) -> Minimap | None:
    return editor.view.viewport().findChild(Minimap, "minimap", Qt.FindChildOption.FindDirectChildrenOnly)


class ArrangeFeature(QObject):
    """Menus and per-editor helpers for notes, groups, minimap, alignment and subflows."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setObjectName("arrange")
        self.window = window
        self.ask_subflow_path: Callable[[FlowEditor, Path], Path | None] = self._ask_subflow_path
        self.confirm: Callable[[str, str], bool] = self._confirm
        self.inform: Callable[[str, str], None] = self._inform
        self._build_menus()
        window.editor_added.connect(self.attach)
        for editor in window.editors():
            self.attach(editor)

    def _build_menus(self) -> None:
        w = self.window
        w.add_action("insert", "&Note", self.add_note, "Ctrl+Shift+M")
        w.add_action("insert", "&Group selection", self.group_selection, "Ctrl+G")
        w.add_action("insert", "&Ungroup", self.ungroup, "Ctrl+Shift+G")
        self.minimap_action = w.add_action("view", "Show &minimap", self._toggle_minimap)
        self.minimap_action.setCheckable(True)
        self.minimap_action.setChecked(True)
        arrange = w.menus["arrange"]
        arrange.addSeparator()
        align_menu = QMenu("Al&ign", arrange)
        for how, label in ALIGN_LABELS.items():
            self._add(align_menu, label, lambda h=how: self.align(h))
        arrange.addMenu(align_menu)
        self._add(arrange, "Distribute &horizontally", lambda: self.distribute("horizontal"))
        self._add(arrange, "Distribute &vertically", lambda: self.distribute("vertical"))
        arrange.addSeparator()
        self._add(arrange, "&Collapse selection into subflow…", self.collapse_selection)
        self._add(arrange, "&Expand subflow", self.expand_selected)

    def _add(self, menu: QMenu, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.window)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def attach(self, editor: FlowEditor) -> None:
        """Give `editor` its notes/groups controller and minimap (once)."""
        if annotations_of(editor) is None:
            AnnotationController(editor.scene, editor.view, parent=editor)
        if minimap_of(editor) is None:
            minimap = Minimap(editor.view, self.window.registry)
            minimap.setVisible(self.minimap_action.isChecked())

    def _editor(self) -> FlowEditor | None:
        return self.window.current_editor()

    def _say(self, editor: FlowEditor, text: str) -> None:
        editor.scene.message.emit(text)

    # ----- notes and groups ------------------------------------------------------------

    def add_note(self) -> str | None:
        editor = self._editor()
        controller = annotations_of(editor) if editor is not None else None
        if editor is None or controller is None:
            return None
        center = editor.view.mapToScene(editor.view.viewport().rect().center())
        return controller.add_note(center)

    def group_selection(self) -> str | None:
        editor = self._editor()
        controller = annotations_of(editor) if editor is not None else None
        return controller.group_selection() if controller is not None else None

    def ungroup(self) -> int:
        editor = self._editor()
        controller = annotations_of(editor) if editor is not None else None
        return controller.ungroup() if controller is not None else 0

    def _toggle_minimap(self) -> None:
        for editor in self.window.editors():
            minimap = minimap_of(editor)
            if minimap is not None:
                minimap.setVisible(self.minimap_action.isChecked())

    # ----- align and distribute ----------------------------------------------------------

    def _boxes(self, editor: FlowEditor) -> dict[str, tuple[float, float, float, float]]:
        flow = editor.document.flow
        return {nid: (flow.nodes[nid].layout.x, flow.nodes[nid].layout.y,
                      editor.scene.nodes[nid].width, editor.scene.nodes[nid].height)
                for nid in editor.scene.selected_node_ids() if nid in editor.scene.nodes}

    def align(self, how: Alignment) -> bool:
        editor = self._editor()
        if editor is None:
            return False
        boxes = self._boxes(editor)
        if len(boxes) < 2:
            self._say(editor, "select two or more steps to align")
            return False
        edit = align(boxes, how)
        label = ALIGN_LABELS[how].replace("&", "")
        return edit is not None and editor.scene.push(edit, label)

    def distribute(self, axis: Axis) -> bool:
        editor = self._editor()
        if editor is None:
            return False
        boxes = self._boxes(editor)
        if len(boxes) < 3:
            self._say(editor, "select three or more steps to distribute")
            return False
        edit = distribute(boxes, axis)
        return edit is not None and editor.scene.push(edit, f"Distribute {axis}ly")

    # ----- subflows --------------------------------------------------------------------

    def collapse_selection(self) -> str | None:
        """Move the selected steps into a new .loom next to the flow and put one subflow step
        in their place (one undo step; undo keeps the written file)."""
        editor = self._editor()
        if editor is None:
            return None
        nodes = editor.scene.selected_node_ids()
        if not nodes:
            self._say(editor, "select the steps to put into a subflow")
            return None
        if editor.path is None:
            self.inform("Save the flow first", "The subflow is written as a file next to this flow. "
                        "Save the flow first (File ▸ Save), then collapse the selection.")
            return None
        flow, registry = editor.document.flow, self.window.registry
        warnings = collapse_warnings(flow, nodes, registry)
        question = "\n\n".join(warnings) + "\n\nCollapse anyway?"
        if warnings and not self.confirm("Collapse into a subflow?", question):
            return None
        folder = editor.path.parent
        suggested, n = folder / "subflow.loom", 2
        while suggested.exists():
            suggested, n = folder / f"subflow_{n}.loom", n + 1
        chosen = self.ask_subflow_path(editor, suggested)
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix != ".loom":
            target = target.with_name(target.name + ".loom")
        if target.resolve() == editor.path.resolve():
            self.inform("Choose another file", "The subflow needs a file of its own, not this flow's file.")
            return None
        relative = Path(os.path.relpath(target.resolve(), folder.resolve())).as_posix()
        name = target.stem.replace("_", " ").replace("-", " ").strip().capitalize() or "Subflow"
        try:
            subflow, batch = collapse_to_subflow(flow, nodes, relative, name=name, registry=registry,
                                                 flow_path=editor.path)
            save_flow(subflow, target)
        except EditError as exc:
            self._say(editor, f"cannot collapse: {exc}")
            return None
        except OSError as exc:
            self.inform("Cannot write the subflow", f"{target}: {exc.strerror or exc}")
            return None
        before = set(flow.nodes)
        if not editor.scene.push(batch, f"Collapse {len(nodes)} steps into {target.name}"):
            return None
        (node_id,) = set(editor.document.flow.nodes) - before
        editor.scene.select_nodes([node_id])
        self._say(editor, f"wrote {relative}; undo brings the steps back and leaves the file")
        return node_id

    def expand_selected(self) -> list[str]:
        """Replace the selected subflow step by the steps of its flow (one undo step)."""
        editor = self._editor()
        if editor is None:
            return []
        chosen = [n for n in editor.scene.selected_node_ids()
                  if editor.document.flow.nodes[n].type == SUBFLOW_TYPE]
        if len(chosen) != 1:
            self._say(editor, "select one subflow step to expand")
            return []
        node_id = chosen[0]
        ref = str(editor.document.flow.nodes[node_id].config.get("flow", "")).strip()
        if not ref:
            self._say(editor, "this subflow step has no flow file chosen")
            return []
        if editor.path is None and not Path(ref).is_absolute():
            self._say(editor, "save the flow first: the subflow's path is relative to the flow's folder")
            return []
        base = editor.path.parent if editor.path is not None else Path.cwd()
        target = Path(ref) if Path(ref).is_absolute() else base / ref
        try:
            batch = expand_subflow(editor.document.flow, node_id, load_flow(target))
        except (FlowFileError, EditError) as exc:
            self._say(editor, f"cannot expand: {exc}")
            return []
        before = set(editor.document.flow.nodes)
        if not editor.scene.push(batch, f"Expand {target.name}"):
            return []
        new = sorted(set(editor.document.flow.nodes) - before)
        editor.scene.select_nodes(new)
        return new

    # ----- dialogs (tests replace these) ---------------------------------------------------

    def _ask_subflow_path(self, editor: FlowEditor, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.window, "Collapse into subflow", str(suggested),
                                              "Loomwork flows (*.loom)")
        return Path(name) if name else None

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self.window, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _inform(self, title: str, text: str) -> None:
        QMessageBox.information(self.window, title, text)
