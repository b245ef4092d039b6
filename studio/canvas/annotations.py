"""Notes and groups on a FlowScene: follows the document's note/group events (the scene
itself only handles nodes and edges) and turns gestures on them into undoable edits.

One `AnnotationController` per editor; it is a child of the scene's editor and stops
following the document when closed or destroyed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtWidgets import QGraphicsView, QInputDialog, QWidget

from runtime.api import (
    AddGroup,
    AddNote,
    Batch,
    Group,
    GroupAdded,
    GroupChanged,
    GroupRemoved,
    MoveNodes,
    NodeChanged,
    NodesMoved,
    Note,
    NoteAdded,
    NoteChanged,
    NoteRemoved,
    RemoveGroup,
    UpdateGroup,
    UpdateNote,
    new_id,
)
from studio.canvas.items.group_item import GroupItem
from studio.canvas.items.node_item import NodeItem
from studio.canvas.items.note_item import NoteItem
from studio.canvas.scene import FlowScene

__all__ = ["AnnotationController", "AskText"]

AskText = Callable[[str, str, str], "str | None"]
"""(dialog title, label, current text) -> the new text, or None when cancelled."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


class AnnotationController(QObject):
    """Keeps NoteItems and GroupItems in step with the document of `scene`."""

    def __init__(self, scene: FlowScene, view: QGraphicsView | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName("annotations")
        self.scene = scene
        self.document = scene.document
        self.view = view
        self.notes: dict[str, NoteItem] = {}
        self.groups: dict[str, GroupItem] = {}
        self._groups_of: dict[str, set[str]] = {}
        self._note_starts: dict[str, QPointF] = {}
        self._dragging = False
        self._refresh_pending = False
        self.ask_text: AskText = self._ask_text
        flow = self.document.flow
        for note_id in flow.notes:
            self._add_note_item(note_id)
        for group_id in flow.groups:
            self._add_group_item(group_id)
        self._unsubscribe: Callable[[], None] | None = self.document.subscribe(self._on_event)
        scene.installEventFilter(self)
        if view is not None:
            view.installEventFilter(self)
        unsubscribe = self._unsubscribe
        self.destroyed.connect(lambda *_: unsubscribe())

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
            self.scene.removeEventFilter(self)
            if self.view is not None:
                self.view.removeEventFilter(self)

    # ----- following the document --------------------------------------------------

    def _add_note_item(self, note_id: str) -> None:
        item = NoteItem(note_id, self.document.flow.notes[note_id], self.scene.theme, self._edit_note)
        self.scene.addItem(item)
        self.notes[note_id] = item

    def _add_group_item(self, group_id: str) -> None:
        group = self.document.flow.groups[group_id]
        item = GroupItem(group_id, group, self.scene.theme, self._move_group, self.rename_group)
        self.scene.addItem(item)
        self.groups[group_id] = item
        self._set_members(group_id)

    def _set_members(self, group_id: str) -> None:
        for members in self._groups_of.values():
            members.discard(group_id)
        group = self.document.flow.groups[group_id]
        for node_id in group.nodes:
            self._groups_of.setdefault(node_id, set()).add(group_id)
        items = [self.scene.nodes[n] for n in group.nodes if n in self.scene.nodes]
        self.groups[group_id].set_members(items)

    def _remove(self, item: Any) -> None:
        if item is not None and item.scene() is self.scene:
            self.scene.removeItem(item)

    def _on_event(self, event: object) -> None:
        flow = self.document.flow
        if isinstance(event, NoteAdded):
            self._add_note_item(event.note_id)
        elif isinstance(event, NoteRemoved):
            self._remove(self.notes.pop(event.note_id, None))
        elif isinstance(event, NoteChanged):
            item = self.notes.get(event.note_id)
            if item is not None:
                item.set_note(flow.notes[event.note_id])
        elif isinstance(event, GroupAdded):
            self._add_group_item(event.group_id)
        elif isinstance(event, GroupRemoved):
            for members in self._groups_of.values():
                members.discard(event.group_id)
            self._remove(self.groups.pop(event.group_id, None))
        elif isinstance(event, GroupChanged):
            item = self.groups.get(event.group_id)
            if item is not None:
                item.set_group(flow.groups[event.group_id])
                self._set_members(event.group_id)
        elif isinstance(event, NodesMoved):
            self.refresh_groups(event.ids)
        elif isinstance(event, NodeChanged):  # a node's size follows its ports and title
            self.refresh_groups([event.node_id])

    def refresh_groups(self, node_ids: Iterable[str] | None = None) -> None:
        """Refit the frames of the groups holding `node_ids` (all groups when None)."""
        if node_ids is None:
            chosen: set[str] = set(self.groups)
        else:
            chosen = set()
            for node_id in node_ids:
                chosen |= self._groups_of.get(node_id, set())
        for group_id in chosen:
            item = self.groups.get(group_id)
            if item is not None:
                item.refresh()

    # ----- gestures ----------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.view:
            return self._view_key(event) if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) else False
        if watched is not self.scene:
            return False
        if kind == QEvent.Type.GraphicsSceneMousePress:
            self._note_starts = {tid: item.pos() for tid, item in self.notes.items()}
            self._dragging = True
        elif kind == QEvent.Type.GraphicsSceneMouseMove and self._dragging and not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self._refresh_dragged)
        elif kind == QEvent.Type.GraphicsSceneMouseRelease:
            self._dragging = False
            moved = [(tid, item.pos()) for tid, item in self.notes.items()
                     if tid in self._note_starts and item.pos() != self._note_starts[tid]]
            self._note_starts = {}
            if moved:  # one undo step with the nodes the scene moves along with the notes
                undo = self.scene.undo
                undo.beginMacro(f"Move {_plural(len(moved), 'note')}")
                try:
                    self.scene.push(Batch(tuple(UpdateNote(tid, x=round(p.x()), y=round(p.y()))
                                                for tid, p in moved)))
                    self.scene.event(event)
                finally:
                    undo.endMacro()
                return True
        return False

    def _view_key(self, event: QEvent) -> bool:
        """Let Space reach a text being edited on the canvas (the view pans on Space)."""
        if event.key() != Qt.Key.Key_Space or not self.is_editing_text():
            return False
        assert self.view is not None
        if event.type() == QEvent.Type.KeyPress:
            QGraphicsView.keyPressEvent(self.view, event)
        else:
            QGraphicsView.keyReleaseEvent(self.view, event)
        return True

    def is_editing_text(self) -> bool:
        return any(item.editing for item in self.notes.values())

    def _refresh_dragged(self) -> None:
        self._refresh_pending = False
        selected = [i.node_id for i in self.scene.selectedItems() if isinstance(i, NodeItem)]
        self.refresh_groups(selected)

    def _edit_note(self, note_id: str, fields: dict[str, Any]) -> None:
        if "text" in fields:
            text, key = "Edit note", ("note-text", note_id)
        elif "color" in fields:
            text, key = "Change note colour", None
        else:
            text, key = "Resize note", None
        if not self.scene.push(UpdateNote(note_id, **fields), text, key):
            item = self.notes.get(note_id)
            if item is not None:  # refused: show the document's state again
                item.set_note(self.document.flow.notes[note_id])

    def _move_group(self, group_id: str, moves: list[tuple[str, float, float]]) -> None:
        title = self.document.flow.groups[group_id].title or "group"
        self.scene.push(MoveNodes(tuple(moves)), f"Move {title}")

    def _ask_text(self, title: str, label: str, value: str) -> str | None:
        parent = self.view if isinstance(self.view, QWidget) else None
        text, ok = QInputDialog.getText(parent, title, label, text=value)
        return text if ok else None

    # ----- commands ----------------------------------------------------------------

    def add_note(self, center: QPointF, text: str = "") -> str | None:
        """Add a note centred on `center`; select it."""
        note = Note(text=text)
        note.x, note.y = round(center.x() - note.width / 2), round(center.y() - note.height / 2)
        note_id = new_id("t")
        while note_id in self.document.flow.notes:
            note_id = new_id("t")
        if not self.scene.push(AddNote(note_id, note), "Add note"):
            return None
        self.scene.clearSelection()
        self.notes[note_id].setSelected(True)
        return note_id

    def selected_note_ids(self) -> list[str]:
        return sorted(i.note_id for i in self.scene.selectedItems() if isinstance(i, NoteItem))

    def selected_group_ids(self) -> list[str]:
        return sorted(i.group_id for i in self.scene.selectedItems() if isinstance(i, GroupItem))

    def group_selection(self, title: str = "Group") -> str | None:
        """Put the selected nodes into a new group (Ctrl+G); select its frame."""
        nodes = self.scene.selected_node_ids()
        if not nodes:
            self.scene.message.emit("select the steps to group first")
            return None
        group_id = new_id("g")
        while group_id in self.document.flow.groups:
            group_id = new_id("g")
        if not self.scene.push(AddGroup(group_id, Group(title=title, nodes=nodes)),
                               f"Group {_plural(len(nodes), 'step')}"):
            return None
        return group_id

    def ungroup(self) -> int:
        """Remove the selected groups, or the groups of the selected nodes; the nodes stay."""
        chosen = set(self.selected_group_ids())
        if not chosen:
            for node_id in self.scene.selected_node_ids():
                chosen |= self._groups_of.get(node_id, set())
        if not chosen:
            self.scene.message.emit("select a group (or steps in one) to ungroup")
            return 0
        if self.scene.push(Batch(tuple(RemoveGroup(g) for g in sorted(chosen))), "Ungroup"):
            return len(chosen)
        return 0

    def rename_group(self, group_id: str) -> None:
        group = self.document.flow.groups.get(group_id)
        if group is None:
            return
        title = self.ask_text("Rename group", "Title:", group.title)
        if title is not None and title.strip() != group.title:
            self.scene.push(UpdateGroup(group_id, title=title.strip()), "Rename group")
