"""View ▸ Theme: follow the system, light or dark; persisted, applied to widgets and canvases."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from studio.session.settings import THEME_CHOICES, StudioSettings
from studio.theme import Theme, system_prefers_dark

__all__ = ["ThemeSwitcher", "apply_app_palette", "resolve_theme"]

_LABELS = {"system": "Follow &system", "light": "&Light", "dark": "&Dark"}
_SHORTCUTS = {"system": "Ctrl+Alt+1", "light": "Ctrl+Alt+2", "dark": "Ctrl+Alt+3"}


def resolve_theme(choice: str) -> Theme:
    dark = choice == "dark" or (choice == "system" and system_prefers_dark())
    return Theme.dark() if dark else Theme.light()


def apply_app_palette(theme: Theme) -> None:
    """Widgets follow the application palette (Fusion, so that the palette is honoured)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if theme.name == "dark":
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        app.setPalette(theme.palette())
    else:
        app.setPalette(app.style().standardPalette())


class ThemeSwitcher(QObject):
    """Owns the Theme submenu. `apply_to` is called with the new Theme to repaint the window."""

    def __init__(self, settings: StudioSettings, menu: QMenu, current: Theme,
                 apply_to: Callable[[Theme], None], parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.apply_to = apply_to
        self.theme = current
        self.choice = settings.theme_choice() or "system"
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions = {}
        for choice in THEME_CHOICES:
            action = menu.addAction(_LABELS[choice])
            action.setCheckable(True)
            action.setShortcut(QKeySequence(_SHORTCUTS[choice]))
            action.triggered.connect(lambda _checked=False, c=choice: self.choose(c))
            self.group.addAction(action)
            self.actions[choice] = action
        self.actions[self.choice].setChecked(True)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._system_changed)

    def choose(self, choice: str) -> None:
        """Switch to `choice` ("system", "light", "dark") and remember it."""
        self.settings.set_theme_choice(choice)
        self.choice = choice
        self.actions[choice].setChecked(True)
        self.apply(resolve_theme(choice))

    def apply(self, theme: Theme) -> None:
        apply_app_palette(theme)
        self.theme = theme
        self.apply_to(theme)

    def _system_changed(self, *_args: object) -> None:
        if self.choice == "system":
            self.apply(resolve_theme("system"))
