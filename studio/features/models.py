"""View → Models…: the installed model packs and the catalog, with Pull (`studio.models_window`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject

__all__ = ["install", "models_window_of"]


def models_window_of(window: Any) -> Any:
    """The window's Models window, created on first use."""
    found = getattr(window, "_models_window", None)
    if found is None:
        from studio.models_window import ModelsWindow

        found = window._models_window = ModelsWindow(window)
        window.installEventFilter(_CloseWith(found, window))
    return found


class _CloseWith(QObject):
    """Closes the Models window (its own top-level window) when the main window closes."""

    def __init__(self, models: Any, window: Any):
        super().__init__(window)
        self.models = models

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self.models.close()
        return False


def _show(window: Any) -> None:
    models = models_window_of(window)
    models.refresh()
    models.show()
    models.raise_()


def install(window: Any) -> None:
    window.menus["view"].addSeparator()
    window.add_action("view", "&Models…", lambda: _show(window))
