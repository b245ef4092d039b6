"""Files and sessions: recent files, autosave and recovery, reload on disk changes, theme,
window state, drag-and-drop — on real windows, each test in its own LOOMWORK_HOME."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from runtime.api import Flow, FlowDocument, Registry, SetFlowInfo, load_flow, save_flow
from studio.features import session as session_feature
from studio.features.session import SessionFeature, feature_of
from studio.session import autosave
from studio.session.autosave import RecoveryStore
from studio.session.watch import CHECK_DELAY_MS
from studio.theme import Theme
from tests.studio.conftest import EXAMPLES


@pytest.fixture
def flow_file(tmp_path: Path) -> Path:
    """A copy of an example flow that tests may change."""
    target = tmp_path / "flows" / "approval_routing.loom"
    target.parent.mkdir()
    shutil.copy(EXAMPLES / "approval_routing.loom", target)
    return target


@pytest.fixture
def make_window(qtbot, home: Path) -> Iterator[Callable[..., object]]:
    """Create more windows in the same data home (a later "start of the studio")."""
    from studio.app import create_window

    made = []

    def make(*flows: Path):
        win = create_window(list(flows), theme_name="light")
        win.resize(1200, 800)
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win

    yield make
    for win in made:
        for editor in win.editors():
            editor.undo.setClean()
        win.close()
        win.deleteLater()


def session_of(window) -> SessionFeature:
    feature = feature_of(window)
    assert feature is not None
    return feature


def rename_flow(editor, name: str) -> None:
    editor.scene.push(SetFlowInfo(name=name), "Rename")


# ----- recent files ---------------------------------------------------------------------------


def test_open_adds_to_recent_menu_most_recent_first(window, flow_file: Path, tmp_path: Path) -> None:
    other = flow_file.with_name("second.loom")
    shutil.copy(flow_file, other)
    window.open_path(flow_file)
    window.open_path(other)
    session = session_of(window)
    assert session.recent.paths()[:2] == [other.resolve(), flow_file.resolve()]
    gone = tmp_path / "gone.loom"
    session.recent.add(gone)  # a file deleted since: pruned when the menu is shown
    session.recent_list.rebuild()
    texts = [a.text() for a in session.recent_menu.actions()]
    assert texts[0].startswith("&1  second.loom") and texts[1].startswith("&2  approval_routing.loom")
    assert not any("gone.loom" in t for t in texts)
    session.recent_menu.actions()[1].trigger()
    assert window.current_editor().path == flow_file.resolve()
    clear = next(a for a in session.recent_menu.actions() if a.text() == "&Clear recent")
    clear.trigger()
    assert session.recent.paths() == []


def test_recent_list_is_kept_across_windows_in_the_data_home(make_window, flow_file: Path,
                                                              home: Path) -> None:
    first = make_window(flow_file)
    first.close()
    second = make_window()
    assert session_of(second).recent.paths() == [flow_file.resolve()]
    assert (home / "studio.ini").is_file()


def test_save_as_records_the_new_file(window, tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "new_flow.loom"
    monkeypatch.setattr("studio.main_window.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    editor = window.current_editor()
    editor.add_node("core.constant", QPointF(0, 0))
    assert window.save_current()
    assert session_of(window).recent.paths()[0] == target.resolve()


# ----- autosave and crash recovery ----------------------------------------------------------


def test_autosave_writes_a_recovery_file_and_save_removes_it(make_window, flow_file: Path, home: Path,
                                                              qtbot, monkeypatch) -> None:
    monkeypatch.setattr(autosave, "AUTOSAVE_INTERVAL_MS", 30)
    window = make_window(flow_file)
    editor = window.current_editor()
    rename_flow(editor, "Autosaved name")
    recovery = home / "recovery"
    qtbot.waitUntil(lambda: len(list(recovery.glob("*.loom"))) == 1, timeout=3000)
    (flow_copy,) = recovery.glob("*.loom")
    meta = json.loads(flow_copy.with_suffix(".json").read_text())
    assert meta["path"] == str(flow_file.resolve()) and meta["title"] == "approval_routing.loom"
    assert load_flow(flow_copy).name == "Autosaved name"
    assert load_flow(flow_file).name != "Autosaved name"  # the real file is untouched
    assert window.save_current()
    assert list(recovery.iterdir()) == []
    assert load_flow(flow_file).name == "Autosaved name"


def test_undo_to_clean_or_discarding_on_close_removes_recovery(window, home: Path, monkeypatch) -> None:
    session = session_of(window)
    editor = window.current_editor()  # untitled
    editor.add_node("core.constant", QPointF(0, 0))
    assert session.autosaver.save_now() == 1
    assert session.autosaver.save_now() == 0  # nothing changed since
    recovery = home / "recovery"
    assert [p.name for p in recovery.glob("untitled-*.loom")]
    editor.undo.undo()
    assert list(recovery.iterdir()) == []
    editor.undo.redo()
    session.autosaver.save_now()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert window.close_tab(window.tabs.indexOf(editor))
    assert list(recovery.iterdir()) == []


def _crashed_session(home: Path, flow_file: Path) -> Flow:
    """What a studio that crashed left behind: a modified copy of `flow_file` and an untitled flow."""
    store = RecoveryStore(home / "recovery")
    flow = load_flow(flow_file)
    flow.name = "Changed before the crash"
    store.write(store.key_for(flow_file.resolve(), "x"), flow, path=flow_file.resolve(),
                title=flow_file.name)
    store.write(store.key_for(None, "abc123"), Flow(name="Scratch"), path=None, title="Scratch")
    return flow


def test_crashed_session_offers_restore_and_restores_modified_flows(make_window, flow_file: Path,
                                                                    home: Path, qtbot, monkeypatch) -> None:
    _crashed_session(home, flow_file)
    asked = []

    def answer(parent, entries):
        asked.append(sorted(e.title for e in entries))
        return "restore"

    monkeypatch.setattr(session_feature, "ask_restore", answer)
    window = make_window()
    qtbot.waitUntil(lambda: len(window.editors()) == 2, timeout=3000)
    assert asked == [["Scratch", "approval_routing.loom"]]
    by_path = {e.path: e for e in window.editors()}
    assert set(by_path) == {flow_file.resolve(), None}  # the blank start-up tab went away
    restored = by_path[flow_file.resolve()]
    assert restored.modified and restored.document.flow.name == "Changed before the crash"
    assert window.tabs.tabText(window.tabs.indexOf(restored)) == "approval_routing.loom •"
    window.tabs.setCurrentWidget(restored)
    assert window.save_current()  # writes to the original file
    assert load_flow(flow_file).name == "Changed before the crash"
    remaining = sorted(p.name for p in (home / "recovery").iterdir())
    assert remaining == ["untitled-abc123.json", "untitled-abc123.loom"]  # still unsaved


def test_recovery_can_be_discarded_or_kept_for_later(make_window, flow_file: Path, home: Path,
                                                     qtbot, monkeypatch) -> None:
    _crashed_session(home, flow_file)
    answers = iter(["later", "discard"])
    monkeypatch.setattr(session_feature, "ask_restore", lambda parent, entries: next(answers))
    first = make_window()
    qtbot.wait(20)
    assert len(list((home / "recovery").glob("*.loom"))) == 2 and len(first.editors()) == 1
    first.close()
    make_window()
    qtbot.waitUntil(lambda: not list((home / "recovery").iterdir()), timeout=3000)


def test_restore_into_a_tab_already_open_from_the_command_line(make_window, flow_file: Path, home: Path,
                                                               qtbot, monkeypatch) -> None:
    _crashed_session(home, flow_file)
    monkeypatch.setattr(session_feature, "ask_restore", lambda parent, entries: "restore")
    window = make_window(flow_file)
    qtbot.waitUntil(lambda: len(window.editors()) == 2, timeout=3000)
    editors = [e for e in window.editors() if e.path == flow_file.resolve()]
    assert len(editors) == 1 and editors[0].modified
    assert editors[0].document.flow.name == "Changed before the crash"


# ----- changes on disk ----------------------------------------------------------------------


def _change_on_disk(path: Path, name: str) -> None:
    flow = load_flow(path)
    flow.name = name
    save_flow(flow, path)


def test_external_change_of_a_clean_file_offers_reload(window, flow_file: Path, qtbot) -> None:
    editor = window.open_path(flow_file)
    index = window.tabs.indexOf(editor)
    session = session_of(window)
    _change_on_disk(flow_file, "Changed by git pull")
    qtbot.waitUntil(lambda: editor in session.bars and session.bars[editor].isVisible(), timeout=3000)
    bar = session.bars[editor]
    assert "changed on disk" in bar.label.text() and bar.reload_button.text() == "&Reload"
    qtbot.mouseClick(bar.reload_button, Qt.MouseButton.LeftButton)
    fresh = window.tabs.widget(index)
    assert fresh is not editor and fresh.path == flow_file.resolve()
    assert fresh.document.flow.name == "Changed by git pull" and not fresh.modified
    assert window.current_editor() is fresh and window.editors() == [fresh]  # the blank tab made way
    # the watch survives the atomic replace: a second change is noticed too
    _change_on_disk(flow_file, "Changed again")
    qtbot.waitUntil(lambda: fresh in session.bars and session.bars[fresh].isVisible(), timeout=3000)


def test_our_own_save_does_not_offer_reload(window, flow_file: Path, qtbot) -> None:
    editor = window.open_path(flow_file)
    session = session_of(window)
    for name in ("First", "Second"):
        rename_flow(editor, name)
        assert window.save_current()
        qtbot.wait(CHECK_DELAY_MS * 3)
    assert editor not in session.bars or not session.bars[editor].isVisible()
    _change_on_disk(flow_file, "Someone else")  # still watched after our atomic saves
    qtbot.waitUntil(lambda: editor in session.bars and session.bars[editor].isVisible(), timeout=3000)


def test_external_change_of_a_modified_file_warns_and_dismiss_keeps_edits(window, flow_file: Path,
                                                                          qtbot) -> None:
    editor = window.open_path(flow_file)
    session = session_of(window)
    rename_flow(editor, "My edit")
    _change_on_disk(flow_file, "Their edit")
    qtbot.waitUntil(lambda: editor in session.bars and session.bars[editor].isVisible(), timeout=3000)
    bar = session.bars[editor]
    assert "discard your unsaved changes" in bar.label.text()
    qtbot.mouseClick(bar.dismiss_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible() and editor.document.flow.name == "My edit"
    qtbot.wait(CHECK_DELAY_MS * 2)
    assert not bar.isVisible()
    assert window.save_current()  # saving overwrites theirs
    assert load_flow(flow_file).name == "My edit"


def test_deleted_file_is_reported_without_reload(window, flow_file: Path, qtbot) -> None:
    editor = window.open_path(flow_file)
    session = session_of(window)
    flow_file.unlink()
    qtbot.waitUntil(lambda: editor in session.bars and session.bars[editor].isVisible(), timeout=3000)
    assert "deleted" in session.bars[editor].label.text()
    assert session.bars[editor].reload_button.isHidden()


# ----- theme, window state, drops, shortcuts -------------------------------------------------


def _background(editor) -> QColor:
    """The most common colour of the empty canvas (grid lines are a minority)."""
    editor.view.resetTransform()
    editor.view.centerOn(QPointF(-20_000, -20_000))
    image = editor.view.viewport().grab().toImage()
    counts = Counter(image.pixel(x, y) for x in range(5, 200, 3) for y in range(5, 200, 3))
    return QColor.fromRgb(counts.most_common(1)[0][0])


def test_theme_switch_repaints_the_canvas_and_is_remembered(make_window, flow_file: Path, qtbot) -> None:
    window = make_window(flow_file)
    editor = window.current_editor()
    session = session_of(window)
    assert _background(editor).name() == Theme.light().canvas
    session.themes.actions["dark"].trigger()
    try:
        assert _background(editor).name() == Theme.dark().canvas
        assert window.theme.name == "dark" and editor.scene.theme.name == "dark"
        assert all(item.theme.name == "dark" for item in editor.scene.nodes.values())
        assert QApplication.palette().window().color().name() == "#2b2f37"
        window.close()
        again = make_window(flow_file)
        assert session_of(again).themes.actions["dark"].isChecked()
        assert _background(again.current_editor()).name() == Theme.dark().canvas
        new_tab = again.new_flow()
        assert new_tab.scene.theme.name == "dark"
    finally:
        for win in QApplication.topLevelWidgets():
            found = feature_of(win)
            if found is not None:
                found.themes.choose("light")
    assert QApplication.palette().window().color() != QColor("#2b2f37")


def test_dark_theme_screenshot(make_window, qtbot) -> None:
    window = make_window(EXAMPLES / "approval_routing.loom")
    window.resize(1800, 1000)
    session = session_of(window)
    session.themes.choose("dark")
    try:
        qtbot.wait(30)
        view = window.current_editor().view
        view.fit_all()
        view.set_zoom(0.68)
        view.centerOn(view.flow_scene.itemsBoundingRect().center())
        qtbot.wait(30)
        assert window.grab().save("/tmp/dark.png")
    finally:
        session.themes.choose("light")


def test_dock_layout_is_restored_in_the_next_window(make_window, qtbot) -> None:
    first = make_window()
    dock = next(d for d in first.findChildren(type(first.palette.parentWidget()))
                if d.objectName() == "dock-nodes")
    dock.hide()
    first.close()
    second = make_window()
    restored = next(d for d in second.findChildren(type(dock)) if d.objectName() == "dock-nodes")
    assert restored.isHidden()


@pytest.mark.parametrize("target", ["window", "canvas"])
def test_dropping_loom_files_opens_them(window, flow_file: Path, qtbot, target: str) -> None:
    receiver = window if target == "window" else window.current_editor().view.viewport()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(flow_file)), QUrl.fromLocalFile(str(flow_file.with_suffix(".txt")))])
    actions = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(50, 50), actions, mime, buttons, modifiers)
    QApplication.sendEvent(receiver, enter)
    move = QDragMoveEvent(QPoint(60, 60), actions, mime, buttons, modifiers)
    QApplication.sendEvent(receiver, move)
    assert enter.isAccepted() and move.isAccepted()
    drop = QDropEvent(QPointF(60, 60), actions, mime, buttons, modifiers)
    QApplication.sendEvent(receiver, drop)
    qtbot.waitUntil(lambda: any(e.path == flow_file.resolve() for e in window.editors()), timeout=3000)
    assert [e.path for e in window.editors()] == [flow_file.resolve()]  # the blank start-up tab made way


def test_reopen_closed_tab_and_shortcuts_in_menus(window, flow_file: Path) -> None:
    session = session_of(window)
    editor = window.open_path(flow_file)
    assert window.close_tab(window.tabs.indexOf(editor))
    assert session.reopen_action.shortcut() == QKeySequence("Ctrl+Shift+T")
    session.reopen_action.trigger()
    assert window.current_editor().path == flow_file.resolve()
    assert session.reload_action.shortcut() == QKeySequence("Ctrl+Shift+R")
    assert [a.shortcut().toString() for a in session.theme_menu.actions()] == \
        ["Ctrl+Alt+1", "Ctrl+Alt+2", "Ctrl+Alt+3"]
    file_texts = [a.text() for a in window.menus["file"].actions()]
    assert file_texts.index("Open &Recent") == file_texts.index("&Open…") + 1


def test_recovery_store_skips_files_of_a_running_studio(tmp_path: Path) -> None:
    store = RecoveryStore(tmp_path)
    document = FlowDocument(Flow(name="x"), registry=Registry())
    store.write("untitled-1", document.flow, path=None, title="x")
    sidecar = tmp_path / "untitled-1.json"
    meta = json.loads(sidecar.read_text())
    assert [e.key for e in store.entries()] == ["untitled-1"]  # this process: offered
    meta["pid"] = 1  # init is always running: another live studio's file
    sidecar.write_text(json.dumps(meta))
    assert store.entries() == []


def test_opening_a_file_replaces_the_untouched_start_up_tab(window, flow_file: Path) -> None:
    [blank] = window.editors()
    assert blank.path is None
    opened = window.open_path(flow_file)
    assert window.editors() == [opened]  # the empty, untouched Untitled tab made way


def test_a_start_up_tab_with_work_in_it_stays(window, flow_file: Path) -> None:
    [scratch] = window.editors()
    scratch.add_node("core.log", QPointF(0, 0))
    opened = window.open_path(flow_file)
    assert window.editors() == [scratch, opened]
    scratch.undo.setClean()  # no "save changes?" question at teardown
