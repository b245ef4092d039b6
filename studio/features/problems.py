"""The problems feature: each flow is checked as it is edited; a Problems dock lists what was found."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from studio.problems.checker import ProblemChecker
from studio.problems.panel import ProblemsPanel
from studio.problems.watcher import watcher_for

if TYPE_CHECKING:
    from studio.editor import FlowEditor
    from studio.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Watch every editor (one checker for the window), dock the panel at the bottom (as a tab
    beside docks already there) and let it follow the current tab; its title carries the
    count ("Problems (3)")."""
    checker = ProblemChecker(window.registry)

    def watch(editor: FlowEditor) -> None:
        watcher_for(editor, checker)

    for editor in window.editors():
        watch(editor)
    window.editor_added.connect(watch)
    panel = ProblemsPanel(window)
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    others = [d for d in window.findChildren(QDockWidget) if window.dockWidgetArea(d) == bottom]
    dock = window.add_dock(panel, "Problems", bottom)
    if others:  # share the bottom area as tabs (e.g. with the run log), Problems in front
        window.tabifyDockWidget(others[-1], dock)
        QTimer.singleShot(0, dock, dock.raise_)  # once the tab bar exists
    panel.count_changed.connect(lambda _count: dock.setWindowTitle(panel.title()))
    window.problems = panel  # type: ignore[attr-defined]
    window.problems_dock = dock  # type: ignore[attr-defined]
    window.resizeDocks([dock], [170], Qt.Orientation.Vertical)
    window.menus["view"].addAction(dock.toggleViewAction())
    window.current_editor_changed.connect(panel.set_editor)
    panel.set_editor(window.current_editor())
