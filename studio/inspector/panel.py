"""The inspector dock: follows the current editor's selection and shows the matching page."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from runtime.api import CredentialStore, Edit, FlowChanged, NodeChanged, NodeRemoved, data_paths
from studio.inspector.flow_page import FlowPage
from studio.inspector.form import form_context
from studio.inspector.node_page import NodePage
from studio.inspector.page_url import RunOutputs, history_outputs, step_page_url
from studio.inspector.style import heading_label, muted_label
from studio.inspector.widgets.base import DocumentUndoKeys, FieldWidget, FormContext
from studio.theme import category_color

if TYPE_CHECKING:
    from studio.editor import FlowEditor

__all__ = ["InspectorPanel", "saved_credential_names"]


def saved_credential_names() -> list[str]:
    """Names of the saved credentials (read from the index; the keyring is not touched)."""
    try:
        return CredentialStore(data_paths().credentials_index).names()
    except Exception:  # an unreadable data folder must not break the form
        return []


def _node_line(editor: FlowEditor, node_id: str) -> str:
    """One selected node as rich text: a dot in its category colour and its title."""
    inst = editor.document.flow.nodes[node_id]
    node_type = editor.registry.get(inst.type)
    title = inst.title or (node_type.title if node_type else inst.type)
    color = category_color(node_type.category).name() if node_type else "#9ca3af"
    return f'<span style="color:{color}">●</span>&nbsp; {escape(title)}'



class InspectorPanel(QWidget):
    """Shows the flow (nothing selected), one node, or how many nodes are selected.

    Edits go through `push`, which adds a merge epoch to the merge key: typing in one
    field merges into one undo step until focus moves or the stack is undone/redone.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setMinimumWidth(320)
        self.editor: FlowEditor | None = None
        self.page: QWidget | None = None
        self._shown: tuple[Any, ...] = ()
        self._unsubscribe: Any = None
        self._epoch = 0
        self._pushing = False
        self.undo_keys = DocumentUndoKeys(self)
        self.run_outputs: Callable[[FlowEditor], RunOutputs | None] = lambda e: history_outputs(e.document)
        """Where "Pick element" finds the last run's outputs of a flow's nodes (the page's address)."""
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)
            app.aboutToQuit.connect(self.release_page)
        self._show_message("No flow open", "Open or create a flow to edit it here.")

    def sizeHint(self) -> QSize:
        return QSize(400, 700)

    # ----- following editors -------------------------------------------------------

    def set_editor(self, editor: FlowEditor | None) -> None:
        """Follow `editor` (the current tab), or show nothing."""
        if editor is self.editor:
            return
        self._detach()
        self.editor = editor
        if editor is not None:
            editor.scene.selection_changed_ids.connect(self._selection_changed)
            editor.scene.run_marks_changed.connect(self._run_marks_changed)
            editor.undo.indexChanged.connect(self._undo_moved)
            self._unsubscribe = editor.document.subscribe(self._on_event)
        self._shown = ()
        self.show_selection()

    def _detach(self) -> None:
        editor = self.editor
        if editor is None:
            return
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        try:
            editor.scene.selection_changed_ids.disconnect(self._selection_changed)
            editor.scene.run_marks_changed.disconnect(self._run_marks_changed)
            editor.undo.indexChanged.disconnect(self._undo_moved)
        except (RuntimeError, TypeError):  # already gone with the editor
            pass
        self.editor = None

    def context(self, node_id: str = "") -> FormContext:
        """What the forms of a page may consult (`node_id`: the node the page edits)."""
        editor = self.editor

        def flow_dir() -> Path | None:
            path = editor.document.path if editor is not None else None
            return Path(path).resolve().parent if path else None

        def page_url() -> str:
            if editor is None or not node_id:
                return ""
            return step_page_url(editor.document, node_id, flow_dir(), self.run_outputs(editor))

        return form_context(
            flow_dir=flow_dir,
            page_url=page_url,
            flow_inputs=lambda: sorted(editor.document.flow.inputs) if editor else [],
            flow_outputs=lambda: sorted(editor.document.flow.outputs) if editor else [],
            credential_names=saved_credential_names,
            undo_keys=self.undo_keys,
        )

    # ----- pages -------------------------------------------------------------------

    def show_selection(self) -> None:
        """Show the page for the current editor's selection (rebuilt only when it changed)."""
        editor = self.editor
        if editor is None:
            self._shown = ()
            self._show_message("No flow open", "Open or create a flow to edit it here.")
            return
        ids = [i for i in editor.scene.selected_node_ids() if i in editor.document.flow.nodes]
        key = (id(editor), tuple(ids))
        if key == self._shown:
            return
        self._shown = key
        self._epoch += 1
        if not ids:
            self._set_page(FlowPage(editor, self.context(), self.push))
        elif len(ids) == 1:
            self._set_page(NodePage(editor, ids[0], self.context(ids[0]), self.push))
        else:
            lines = [_node_line(editor, i) for i in ids]
            listing = "<br>".join(lines[:12]) + ("<br>…" if len(lines) > 12 else "")
            self._show_message(f"{len(ids)} nodes selected",
                               "Select a single node to edit its settings.", listing)

    def _show_message(self, title: str, text: str, detail: str = "") -> None:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(14, 12, 14, 14)
        layout.setSpacing(8)
        self.message_title = heading_label(title, page, 1.2)
        layout.addWidget(self.message_title)
        layout.addWidget(muted_label(text, page))
        if detail:
            listing = QLabel(detail, page)
            listing.setTextFormat(Qt.TextFormat.RichText)
            listing.setWordWrap(True)
            layout.addWidget(listing)
        layout.addStretch(1)
        self._set_page(page)

    def release_page(self) -> None:
        """Stop what the shown page's fields started (a "Pick element" browser)."""
        page = self.page
        if page is not None:
            for field in page.findChildren(FieldWidget):
                field.release()

    def _set_page(self, page: QWidget) -> None:
        self.release_page()
        old = self.scroll.takeWidget()
        if old is not None:
            old.hide()
            old.deleteLater()
        self.page = page
        self.scroll.setWidget(page)

    # ----- events --------------------------------------------------------------------

    def _selection_changed(self, _ids: list[str]) -> None:
        self.show_selection()

    def _run_marks_changed(self, node_ids: list[str]) -> None:
        page = self.page
        if isinstance(page, NodePage) and page.node_id in node_ids and self.editor is not None:
            item = self.editor.scene.nodes.get(page.node_id)
            page.show_run(item.run if item is not None else None)

    def _on_event(self, event: object) -> None:
        page = self.page
        if isinstance(page, NodePage):
            if isinstance(event, NodeChanged) and event.node_id == page.node_id:
                page.refresh(event.fields)
            elif isinstance(event, NodeRemoved) and event.node_id == page.node_id:
                self._shown = ()
                self.show_selection()
            elif isinstance(event, FlowChanged):
                page.refresh_ports()
        elif isinstance(page, FlowPage) and isinstance(event, FlowChanged):
            page.refresh(event.fields)

    def _focus_changed(self, _old: QWidget | None, _new: QWidget | None) -> None:
        self._epoch += 1  # a new visit to a field starts a new undo step

    def _undo_moved(self, _index: int) -> None:
        if not self._pushing:
            self._epoch += 1

    def push(self, edit: Edit, text: str, merge_key: tuple[Any, ...] | None) -> bool:
        """Push `edit` on the current editor's undo stack (merging with the previous step
        when `merge_key` matches and the user has stayed in the same field)."""
        editor = self.editor
        if editor is None:
            return False
        self._pushing = True
        try:
            return editor.scene.push(edit, text, (*merge_key, self._epoch) if merge_key is not None else None)
        finally:
            self._pushing = False
