"""Undo/redo: each QUndoCommand is a thin adapter over one document edit and its inverse."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtGui import QUndoCommand, QUndoStack

from runtime.api import Edit, FlowDocument, describe_edit

__all__ = ["EditCommand", "push_edit"]

_MERGE_ID = 7301


class EditCommand(QUndoCommand):
    """Applies `edit` on redo and its inverse on undo.

    Commands with the same `merge_key` that follow each other merge into one undo step
    (typing in one inspector field, nudging with the arrow keys).
    """

    def __init__(self, document: FlowDocument, edit: Edit, inverse: Edit, text: str | None = None,
                 merge_key: Hashable | None = None):
        super().__init__(text or describe_edit(edit))
        self.document = document
        self.edit = edit
        self.inverse: Edit | None = inverse
        self.merge_key = merge_key
        self._applied = True  # built by `push_edit` after the edit succeeded

    def redo(self) -> None:
        if self._applied:  # QUndoStack.push calls redo(): the edit is already applied
            self._applied = False
            return
        self.inverse = self.document.apply(self.edit)

    def undo(self) -> None:
        assert self.inverse is not None
        self.edit = self.document.apply(self.inverse)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EditCommand) or other.merge_key != self.merge_key:
            return False
        self.edit = other.edit  # keep our inverse: undo returns to the state before the first
        return True


def push_edit(stack: QUndoStack, document: FlowDocument, edit: Edit, text: str | None = None,
              merge_key: Hashable | None = None) -> None:
    """Apply `edit` and, when it succeeds, put it on the undo stack.

    Raises `EditError` (and changes nothing) when the edit is refused.
    """
    inverse = document.apply(edit)
    stack.push(EditCommand(document, edit, inverse, text, merge_key))
