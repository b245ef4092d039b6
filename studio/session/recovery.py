"""The question asked at start-up when a previous session left unsaved flows behind."""

from __future__ import annotations

from html import escape
from typing import Literal

from PySide6.QtWidgets import QMessageBox, QWidget

from studio.session.autosave import RecoveryEntry

__all__ = ["RestoreChoice", "ask_restore_dialog"]

RestoreChoice = Literal["restore", "discard", "later"]


def ask_restore_dialog(parent: QWidget | None, entries: list[RecoveryEntry]) -> RestoreChoice:
    """A modal QMessageBox listing `entries`: Restore, Discard, or Ask later (keep the files)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Recover unsaved flows?")
    count = len(entries)
    box.setText(f"Loomwork Studio did not close normally. {count} flow{'s' if count != 1 else ''} "
                "had unsaved changes, which were autosaved.")
    items = "".join(f"<li><b>{escape(e.title)}</b><br>{escape(str(e.path) if e.path else 'not saved yet')}"
                    f" — autosaved {e.saved_at:%Y-%m-%d %H:%M}</li>" for e in entries)
    box.setInformativeText(f"<ul>{items}</ul>Restore opens them as modified flows; saving writes "
                           "them to their original files.")
    restore = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    later = box.addButton("Ask &later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.setEscapeButton(later)
    box.exec()
    clicked = box.clickedButton()
    if clicked is restore:
        return "restore"
    if clicked is discard:
        return "discard"
    return "later"
