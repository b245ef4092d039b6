"""View → Models…: the installed model packs and the catalog, with Pull (`studio.models_window`)."""

from __future__ import annotations

from typing import Any

__all__ = ["install", "models_window_of"]


def models_window_of(window: Any) -> Any:
    """The window's Models window, created on first use."""
    found = getattr(window, "_models_window", None)
    if found is None:
        from studio.models_window import ModelsWindow

        found = window._models_window = ModelsWindow(window)
    return found


def _show(window: Any) -> None:
    models = models_window_of(window)
    models.refresh()
    models.show()
    models.raise_()


def install(window: Any) -> None:
    window.menus["view"].addSeparator()
    window.add_action("view", "&Models…", lambda: _show(window))
