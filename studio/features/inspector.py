"""The inspector feature: a dock on the right that follows the current tab's selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from studio.inspector import InspectorPanel

if TYPE_CHECKING:
    from studio.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Create the inspector panel, dock it on the right and follow the current editor."""
    panel = InspectorPanel(window)
    dock = window.add_dock(panel, "Inspector", Qt.DockWidgetArea.RightDockWidgetArea)
    window.inspector = panel  # type: ignore[attr-defined]
    window.inspector_dock = dock  # type: ignore[attr-defined]
    toggle = dock.toggleViewAction()
    toggle.setText("&Inspector")
    window.menus["view"].addSeparator()
    window.menus["view"].addAction(toggle)
    window.current_editor_changed.connect(panel.set_editor)
    panel.set_editor(window.current_editor())
