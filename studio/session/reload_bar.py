"""The bar shown above the canvas when the open file changed on disk."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from studio.theme import Theme

__all__ = ["ReloadBar"]

_COLORS = {  # background, border, text
    "light": ("#fff4d6", "#e8c66a", "#3d2e00"),
    "dark": ("#3a3322", "#6b5a2a", "#f3e3b0"),
}


class ReloadBar(QFrame):
    """Non-modal: "<file> changed on disk" with Reload and Dismiss."""

    reload_requested = Signal()
    dismissed = Signal()

    def __init__(self, theme: Theme, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reloadBar")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.reload_button = QPushButton("&Reload", self)
        self.reload_button.setToolTip("Load the file as it is on disk now (Ctrl+Shift+R)")
        self.dismiss_button = QPushButton("Dismiss", self)
        self.reload_button.clicked.connect(self.reload_requested)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.reload_button)
        layout.addWidget(self.dismiss_button)
        self.kind = "changed"
        self.set_theme(theme)
        self.hide()

    def set_theme(self, theme: Theme) -> None:
        background, border, text = _COLORS.get(theme.name, _COLORS["light"])
        self.setStyleSheet(f"#reloadBar {{ background: {background}; border-bottom: 1px solid {border}; }}"
                           f"#reloadBar QLabel {{ color: {text}; }}")

    def show_message(self, name: str, kind: str, modified: bool) -> None:
        """kind: "changed" (offer Reload) or "deleted" (only Dismiss)."""
        self.kind = kind
        if kind == "deleted":
            text = f"<b>{name}</b> was deleted or moved on disk. Save to write it again."
        elif modified:
            text = (f"<b>{name}</b> changed on disk. Reloading will discard your unsaved changes; "
                    "saving will overwrite the file.")
        else:
            text = f"<b>{name}</b> changed on disk."
        self.label.setText(text)
        self.reload_button.setVisible(kind != "deleted")
        self.reload_button.setText("&Reload and discard changes" if modified else "&Reload")
        self.show()

    def dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
