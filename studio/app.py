"""The studio's composition root: builds the registry, the theme and the main window."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from studio.main_window import MainWindow

__all__ = ["create_window", "run_studio"]


def create_window(flows: Sequence[str | Path] = (), *, theme_name: str = "system") -> MainWindow:
    """Create the application (if needed) and a main window with `flows` open."""
    from PySide6.QtWidgets import QApplication

    from runtime.api import Registry
    from studio.main_window import MainWindow
    from studio.theme import Theme, system_prefers_dark

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Loomwork Studio")
    app.setOrganizationName("Loomwork")
    dark = theme_name == "dark" or (theme_name == "system" and system_prefers_dark())
    theme = Theme.dark() if dark else Theme.light()
    if dark:
        app.setStyle("Fusion")
        app.setPalette(theme.palette())
    registry = Registry.from_entry_points()
    window = MainWindow(registry, theme)
    for flow in flows:
        window.open_path(flow)
    if not flows:
        window.new_flow()
    return window


def run_studio(flows: Sequence[str], *, screenshot: str | None = None, size: str | None = None,
               theme_name: str | None = None, run: bool = False, run_timeout_s: float = 300) -> int:
    """Open the studio; with `screenshot`, render the window to a PNG and exit.

    `theme_name` given (on the command line) wins over the theme saved in the settings;
    `size` given, or a screenshot, wins over the saved window geometry.
    """
    if screenshot and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    missing = [f for f in flows if not Path(f).is_file()]
    if missing:
        sys.stderr.write(f"loomwork: no such flow file: {', '.join(missing)}\n")
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if theme_name is not None:  # read by the session feature while the window is built
        app.setProperty("loomworkThemeExplicit", True)
    try:
        window = create_window(flows, theme_name=theme_name or "system")
    finally:
        app.setProperty("loomworkThemeExplicit", None)
    window.show()
    if size or screenshot:
        width, _, height = (size or "1600x1000").partition("x")
        window.resize(int(width or 1600), int(height or 1000))
        QApplication.processEvents()
        window.compact_bottom_panels()
    for editor in window.editors():
        editor.view.fit_all()
    failure = _run_and_wait(window, run_timeout_s) if run else None
    if failure:
        sys.stderr.write(f"loomwork: {failure}\n")
    if screenshot:
        for _ in range(3):  # docks and panels settle their sizes over a few passes
            app.processEvents()
            for editor in window.editors():
                editor.view.fit_all()
        app.processEvents()
        image = window.grab()
        if not image.save(screenshot):
            sys.stderr.write(f"loomwork: could not write {screenshot}\n")
            return 1
        window.close()
        return 1 if failure else 0
    return app.exec()


def _run_and_wait(window: MainWindow, timeout_s: float) -> str | None:
    """Run the current flow in the studio and wait until the run ends (for --run); what went
    wrong (the failing step and its message), or None when the run completed."""
    from PySide6.QtCore import QEventLoop, QTimer

    from studio.features.run import controller_of

    controller = controller_of(window)
    loop = QEventLoop()
    outcome: list[str] = []
    controller.run_finished.connect(lambda result: (outcome.append(_failure(window, result)), loop.quit()))
    controller.client.invalid.connect(lambda message: (outcome.append(f"the flow cannot run: {message}"),
                                                       loop.quit()))
    controller.ask_inputs = lambda _parent, _declared, last: dict(last)  # use the defaults
    if not controller.run():
        return window.statusBar().currentMessage() or "the flow could not be run"
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    for overlay in controller.overlays.values():
        overlay.apply()
    if not outcome:
        controller.stop()
        return f"the run did not end within {timeout_s:.0f} s"
    return outcome[0] or None


def _failure(window: MainWindow, result: dict[str, Any]) -> str:
    """"" for a completed run, else which step failed and why (one line each)."""
    status = result.get("status", "")
    if status == "COMPLETED":
        return ""
    editor = window.current_editor()
    lines = [f"the run {str(status).lower()}: {result.get('error') or 'no message'}"]
    for node_id, node in (result.get("nodes") or {}).items():
        if node.get("state") in ("FAILED", "CRASHED") and f"({node_id})" not in lines[0]:
            item = editor.scene.nodes.get(node_id) if editor is not None else None
            title = item.look.title if item is not None else node_id
            error = node.get("error") or "no message"
            lines.append(f"  {title} ({node_id}) {node['state'].lower()}: {error}")
    return "\n".join(lines)
