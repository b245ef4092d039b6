"""Files and sessions: recent files, autosave and crash recovery, reload on changes on disk,
the theme, window geometry and dock layout, dropping .loom files on the window.

The parts live in `studio.session`; `SessionFeature` wires them into the main window.
`ask_restore` is the start-up question about recovered flows (tests replace it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QStackedWidget, QWidget

from runtime.api import FlowDocument, FlowFileError, load_flow
from studio.session.autosave import Autosaver, RecoveryEntry, RecoveryStore
from studio.session.recent import ClosedTabs, RecentFiles, RecentMenu
from studio.session.recovery import RestoreChoice, ask_restore_dialog
from studio.session.reload_bar import ReloadBar
from studio.session.settings import StudioSettings
from studio.session.theme_switch import ThemeSwitcher, resolve_theme
from studio.session.watch import DiskWatcher
from studio.theme import Theme

if TYPE_CHECKING:
    from studio.editor import FlowEditor
    from studio.main_window import MainWindow

__all__ = ["SessionFeature", "ask_restore", "feature_of", "install"]

EXPLICIT_THEME_PROPERTY = "loomworkThemeExplicit"
"""QApplication property: when true (a --theme given on the command line), the saved theme
choice is not applied at start-up."""


def ask_restore(parent: QWidget | None, entries: list[RecoveryEntry]) -> RestoreChoice:
    """Ask whether to restore what a crashed session left (module-level hook: tests replace it)."""
    return ask_restore_dialog(parent, entries)


def install(window: MainWindow) -> None:
    """Hook this feature into `window` (a studio.main_window.MainWindow)."""
    SessionFeature(window)


def feature_of(window: QWidget) -> SessionFeature | None:
    """The session feature installed in `window`."""
    return window.findChild(SessionFeature, "session", Qt.FindChildOption.FindDirectChildrenOnly)


def _loom_files(event: Any) -> list[Path]:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(".loom")]


class SessionFeature(QObject):
    """Owned by the window (a child QObject); find it with `feature_of(window)`.

    `theme_changed(Theme)` is emitted after a theme switch, for panels that paint with
    theme colours of their own.
    """

    theme_changed = Signal(object)

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.setObjectName("session")
        self.window = window
        self.settings = StudioSettings(parent=self)
        self.recent = RecentFiles(self.settings)
        self.closed_tabs = ClosedTabs()
        self.store = RecoveryStore()
        self.autosaver = Autosaver(self.store, self)
        self.autosaver.failed.connect(self._message)
        self.watcher = DiskWatcher(self)
        self.watcher.changed.connect(self._disk_changed)
        self.watcher.resolved.connect(self._disk_resolved)
        self.bars: dict[FlowEditor, ReloadBar] = {}
        self.ask_restore = lambda parent, entries: ask_restore(parent, entries)
        self._editors: set[FlowEditor] = set()
        self._replacing: set[FlowEditor] = set()
        self._shown = False
        self._build_file_menu()
        self.theme_menu = QMenu("&Theme", window)
        window.menus["view"].addSeparator()
        window.menus["view"].addMenu(self.theme_menu)
        self.themes = ThemeSwitcher(self.settings, self.theme_menu, window.theme, self.apply_theme, self)
        self._initial_theme()
        window.editor_added.connect(self._editor_added)
        for editor in window.editors():
            self._editor_added(editor)
        stack = window.tabs.findChild(QStackedWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if stack is not None:
            stack.widgetRemoved.connect(self._widget_removed)
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        QTimer.singleShot(0, self, self.offer_recovery)

    # ----- menus ---------------------------------------------------------------------

    def _build_file_menu(self) -> None:
        menu = self.window.menus["file"]
        actions = menu.actions()
        after_open = next((i + 1 for i, a in enumerate(actions) if a.text() == "&Open…"), 0)
        before = actions[after_open] if after_open < len(actions) else None
        self.recent_menu = QMenu("Open &Recent", self.window)
        menu.insertMenu(before, self.recent_menu)
        self.recent_list = RecentMenu(self.recent, self.recent_menu, self.window.open_path, self.window)
        self.reopen_action = self._action("Reopen closed &tab", self.reopen_closed_tab, "Ctrl+Shift+T")
        menu.insertAction(before, self.reopen_action)
        quit_index = next((i for i, a in enumerate(actions) if a.text() == "&Quit"), len(actions))
        if quit_index > 0 and actions[quit_index - 1].isSeparator():
            quit_index -= 1  # before the separator above Quit
        anchor = actions[quit_index] if quit_index < len(actions) else None
        self.reload_action = self._action("Re&load from disk", self.reload_current, "Ctrl+Shift+R")
        menu.insertAction(anchor, self.reload_action)

    def _action(self, text: str, slot: Callable[[], object], shortcut: str) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    # ----- following editors ---------------------------------------------------------

    def _editor_added(self, editor: FlowEditor) -> None:
        if editor in self._editors:
            return
        self._editors.add(editor)
        editor.state_changed.connect(partial(self._state_changed, editor))
        editor.view.viewport().installEventFilter(self)  # .loom files dropped on the canvas
        self.autosaver.track(editor)
        if editor.path is not None:
            self.recent.add(editor.path)
            self.watcher.track(editor)

    def _state_changed(self, editor: FlowEditor) -> None:
        if editor in self._replacing or editor not in self._editors:
            return
        self.autosaver.editor_changed(editor)
        if editor.path is None:
            self.watcher.forget(editor)
        elif not editor.modified:  # saved (or undone back to the saved state)
            self.recent.add(editor.path)
            self.watcher.note_saved(editor)
            bar = self.bars.get(editor)
            if bar is not None and self.watcher.is_current(editor):
                bar.hide()
        bar = self.bars.get(editor)
        if bar is not None and bar.isVisible() and editor.path is not None:
            bar.show_message(editor.path.name, bar.kind, editor.modified)

    def _widget_removed(self, _index: int) -> None:
        open_now = set(self.window.editors())
        for editor in [e for e in self._editors if e not in open_now]:
            self._editors.discard(editor)
            self.autosaver.forget(editor)
            self.watcher.forget(editor)
            self.bars.pop(editor, None)
            # Closed with Discard: mark clean now, or the stack's destructor emits cleanChanged
            # into the half-destroyed editor's Python slot ("Unknown return type ..." TypeError).
            editor.undo.setClean()
            if editor in self._replacing:
                self._replacing.discard(editor)
            elif editor.path is not None:
                self.closed_tabs.push(editor.path)

    def reopen_closed_tab(self) -> FlowEditor | None:
        """Ctrl+Shift+T: open the most recently closed saved flow again."""
        path = self.closed_tabs.pop(lambda p: any(e.path and e.path.resolve() == p
                                                  for e in self.window.editors()))
        return self.window.open_path(path) if path is not None else None

    # ----- changes on disk -----------------------------------------------------------

    def _bar(self, editor: FlowEditor) -> ReloadBar:
        bar = self.bars.get(editor)
        if bar is None:
            bar = ReloadBar(self.window.theme, editor)
            layout = editor.layout()
            if layout is not None:
                layout.insertWidget(0, bar)  # type: ignore[attr-defined]
            bar.reload_requested.connect(partial(self.reload, editor))
            bar.dismissed.connect(partial(self.watcher.accept_disk, editor))
            self.bars[editor] = bar
        return bar

    def _disk_changed(self, editor: FlowEditor, text: str | None) -> None:
        if editor.path is not None and editor in self._editors:
            self._bar(editor).show_message(editor.path.name, "deleted" if text is None else "changed",
                                           editor.modified)

    def _disk_resolved(self, editor: FlowEditor) -> None:
        bar = self.bars.get(editor)
        if bar is not None:
            bar.hide()

    def reload_current(self) -> None:
        """File ▸ Reload from disk (asks first when there are unsaved changes)."""
        editor = self.window.current_editor()
        if editor is None or editor.path is None:
            return
        if editor.modified:
            answer = QMessageBox.question(
                self.window, "Reload from disk?",
                f"Reload {editor.path.name} from disk and discard your unsaved changes?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Discard:
                return
        self.reload(editor)

    def reload(self, editor: FlowEditor) -> FlowEditor | None:
        """Replace the tab's document with the file on disk (a fresh document: no undo history)."""
        if editor.path is None:
            return None
        try:
            flow = load_flow(editor.path)
        except FlowFileError as exc:
            self._message(f"cannot reload: {exc}")
            return None
        document = FlowDocument(flow, path=editor.path, registry=self.window.registry)
        new = self.replace_editor(editor, document)
        self._message(f"reloaded {editor.path.name} from disk")
        return new

    def replace_editor(self, old: FlowEditor, document: FlowDocument, modified: bool = False) -> FlowEditor:
        """Open `document` in a new editor at `old`'s tab position (same view) and close `old`."""
        tabs = self.window.tabs
        previous = tabs.currentWidget()
        center = old.view.mapToScene(old.view.viewport().rect().center())
        transform = old.view.transform()
        self._replacing.add(old)
        new = self.window.add_editor(document)
        tabs.tabBar().moveTab(tabs.indexOf(new), tabs.indexOf(old))
        old.undo.setClean()  # no "save changes?" question: the caller decided
        self.window.close_tab(tabs.indexOf(old))
        if modified:
            new.undo.resetClean()
        new.view.setTransform(transform)
        new.view.centerOn(center)
        tabs.setCurrentWidget(new if previous is old or previous is None else previous)
        return new

    # ----- crash recovery ------------------------------------------------------------

    def offer_recovery(self) -> list[FlowEditor]:
        """At start-up: offer to restore the flows a crashed session autosaved."""
        ours = {self.autosaver.key_of(e) for e in self._editors}
        entries = [e for e in self.store.entries() if e.key not in ours]
        if not entries:
            return []
        choice = self.ask_restore(self.window, entries)
        if choice == "restore":
            return self.restore(entries)
        if choice == "discard":
            for entry in entries:
                self.store.remove(entry.key)
        return []

    def restore(self, entries: list[RecoveryEntry]) -> list[FlowEditor]:
        """Open each entry as a modified editor attached to its original path."""
        blank = self.window.blank_editor()
        restored = []
        for entry in entries:
            try:
                flow = load_flow(entry.flow_file)
            except FlowFileError as exc:
                self._message(f"cannot restore {entry.title}: {exc}")
                continue
            document = FlowDocument(flow, path=entry.path, registry=self.window.registry)
            existing = next((e for e in self.window.editors() if entry.path is not None and e.path is not None
                             and e.path.absolute() == entry.path.absolute()), None)
            if existing is not None:
                editor = self.replace_editor(existing, document, modified=True)
            else:
                editor = self.window.add_editor(document)
                editor.undo.resetClean()
            self.autosaver.adopt(editor, entry.key)
            restored.append(editor)
        if restored and blank is not None:
            self.window.close_tab(self.window.tabs.indexOf(blank))
        return restored

    # ----- theme ---------------------------------------------------------------------

    def _initial_theme(self) -> None:
        app = QApplication.instance()
        explicit = bool(app.property(EXPLICIT_THEME_PROPERTY)) if app is not None else False
        stored = self.settings.theme_choice()
        if explicit or stored is None:
            if explicit:
                self.themes.choice = self.window.theme.name
                self.themes.actions[self.window.theme.name].setChecked(True)
            return
        theme = resolve_theme(stored)
        if theme != self.window.theme:
            self.themes.apply(theme)

    def apply_theme(self, theme: Theme) -> None:
        """Repaint the window's canvases and bars in `theme` (new tabs use it too)."""
        self.window.theme = theme
        for editor in self.window.editors():
            scene = editor.scene
            if hasattr(scene, "set_theme"):
                scene.set_theme(theme)
            else:
                scene.theme = theme
                scene.update()
            editor.view.resetCachedContent()
            editor.view.viewport().update()
        for bar in self.bars.values():
            bar.set_theme(theme)
        self.theme_changed.emit(theme)

    # ----- window events: state, drops ---------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the window: restore/save its state, take dropped .loom files. On canvases
        (their viewports would otherwise swallow the drop): take dropped .loom files."""
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if _loom_files(event):
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            files = _loom_files(event)
            if files:
                event.acceptProposedAction()
                QTimer.singleShot(0, self, partial(self.open_files, files))
                return True
        elif watched is self.window and kind == QEvent.Type.Show and not self._shown:
            self._shown = True
            self._restore_window_state()
        elif watched is self.window and kind == QEvent.Type.Close:
            self.settings.set_window_state(self.window.saveGeometry(), self.window.saveState())
        return False

    def open_files(self, files: list[Path]) -> list[FlowEditor]:
        """Open dropped files (each once)."""
        opened = []
        for path in files:
            editor = self.window.open_path(path)
            if editor is not None:
                opened.append(editor)
        return opened

    def _restore_window_state(self) -> None:
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.window.restoreGeometry(geometry)
        if state is None:
            self.window.compact_bottom_panels()  # first start: panels below start small
        else:
            self.window.restoreState(state)
