"""Adding nodes as a person does: palette search and drag, Tab / double-click quick-add,
and the quick-add popup after a connection dropped on empty canvas."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication

from runtime.api import Edge, Registry
from studio import icons
from studio.palette import NODE_TYPE_MIME, TYPE_ROLE, PaletteWidget, search
from studio.quick_add import QuickAddPopup


def _palette(window) -> PaletteWidget:
    return window.findChild(PaletteWidget)


def _popup(window) -> QuickAddPopup:
    return window.findChild(QuickAddPopup)


def _types(editor) -> list[str]:
    return sorted(node.type for node in editor.document.flow.nodes.values())


def _scene_rect(editor, node_id: str):
    item = editor.scene.nodes[node_id]
    return item.mapRectToScene(0, 0, item.width, item.height)


# ----- icons ---------------------------------------------------------------------------------

def test_every_node_type_and_category_has_a_shipped_icon(qapp) -> None:
    specs = Registry.from_entry_points().specs()
    for spec in specs:
        name = icons.spec_icon_name(spec)
        assert icons.has_icon(name), (spec["id"], name)
        assert not icons.icon(name, "#336699").isNull()
    for category, name in icons.CATEGORY_ICONS.items():
        assert icons.has_icon(name), category
    assert set(icons.TYPE_ICONS.values()) <= set(icons.available_icons())
    assert icons.spec_icon_name({"id": "x.y", "category": "Web", "icon": "mail"}) == "mail"
    assert icons.spec_icon_name({"id": "x.y", "category": "Nope", "icon": "no-such"}) == icons.DEFAULT_ICON
    assert "ISC License" in (icons.ICON_DIR / "LICENSE").read_text()
    image = icons.pixmap("globe", 24, "#ff0000").toImage()
    assert any(image.pixelColor(x, 12).red() > 200 for x in range(24))  # tinted, not black


# ----- palette -------------------------------------------------------------------------------

def test_search_ranks_title_matches_first_and_needs_every_word(window) -> None:
    palette = _palette(window)
    palette.search.setText("csv")
    assert palette.visible_type_ids()[:2] == ["files.csv_read", "files.csv_write"]
    palette.search.setText("write csv")
    assert palette.visible_type_ids() == ["files.csv_write"]
    palette.search.setText("re")
    shown = palette.visible_type_ids()
    titles = {spec["id"]: spec["title"] for spec in palette.specs}
    prefixed = [type_id for type_id in shown if titles[type_id].lower().startswith("re")]
    assert shown[:len(prefixed)] == prefixed  # title prefix first
    assert {"files.csv_read", "files.read_text"} <= set(prefixed)
    palette.search.setText("loop")  # a keyword only
    assert palette.visible_type_ids() == ["control.for_each"]
    palette.search.setText("zzz nothing")
    assert palette.visible_type_ids() == [] and palette.empty.isVisibleTo(palette)
    palette.search.clear()
    assert len(palette.visible_type_ids()) == len(palette.specs)
    assert [s["id"] for s in search(palette.specs, "json")][:2] == ["core.json_format", "core.json_parse"]


def test_enter_in_search_adds_the_first_match_undoably(window, qtbot) -> None:
    editor = window.current_editor()
    palette = _palette(window)
    qtbot.keyClicks(palette.search, "filter ro")
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    assert _types(editor) == ["core.filter_rows"]
    editor.undo.undo()
    assert _types(editor) == []


def test_down_from_search_moves_into_results_and_enter_adds(window, qtbot) -> None:
    editor = window.current_editor()
    palette = _palette(window)
    palette.search.setFocus()
    qtbot.keyClicks(palette.search, "csv")
    qtbot.keyClick(palette.search, Qt.Key.Key_Down)
    assert palette.tree.currentItem().data(0, TYPE_ROLE) == "files.csv_read"
    qtbot.keyClick(palette.tree, Qt.Key.Key_Down)
    assert palette.tree.currentItem().data(0, TYPE_ROLE) == "files.csv_write"
    qtbot.keyClick(palette.tree, Qt.Key.Key_Return)
    assert _types(editor) == ["files.csv_write"]


def test_drop_from_palette_creates_the_node_at_the_drop_point(window, qtbot) -> None:
    editor = window.current_editor()
    palette = _palette(window)
    palette.search.setText("read csv")
    mime = palette.tree.mimeData([palette.tree.topLevelItem(0)])
    assert bytes(mime.data(NODE_TYPE_MIME).data()) == b"files.csv_read"
    viewport = editor.view.viewport()
    point = QPointF(500, 300)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDragMoveEvent(point.toPoint(), actions, mime, buttons, mods))
    drop = QDropEvent(point, actions, mime, buttons, mods)
    QApplication.sendEvent(viewport, drop)
    assert drop.isAccepted()
    (node_id,) = editor.document.flow.nodes
    assert editor.document.flow.nodes[node_id].type == "files.csv_read"
    assert _scene_rect(editor, node_id).contains(editor.view.mapToScene(point.toPoint()))
    editor.undo.undo()
    assert editor.document.flow.nodes == {}
    other = QMimeData()
    other.setText("hello")
    QApplication.sendEvent(viewport, QDragEnterEvent(point.toPoint(), actions, other, buttons, mods))
    QApplication.sendEvent(viewport, QDropEvent(point, actions, other, buttons, mods))
    assert editor.document.flow.nodes == {}  # only node types make nodes


# ----- quick-add ---------------------------------------------------------------------------

def test_tab_opens_quick_add_typing_filters_enter_adds_at_the_cursor(window, qtbot) -> None:
    editor = window.current_editor()
    view, viewport = editor.view, editor.view.viewport()
    cursor = QPoint(250, 150)  # clear of the minimap in the corner
    qtbot.waitUntil(lambda: viewport.rect().contains(cursor))  # the window is laid out (slow machines)
    qtbot.mouseMove(viewport, pos=cursor)
    qtbot.wait(20)
    qtbot.mouseMove(viewport, pos=cursor)  # delivered even when the first move came before the layout
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    popup = _popup(window)
    assert popup.isVisible()
    assert len(popup.type_ids()) == len(window.registry.specs())
    qtbot.keyClicks(popup.search, "wait")
    assert popup.type_ids()[0] == "core.delay"
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert not popup.isVisible()
    (node_id,) = editor.document.flow.nodes
    assert editor.document.flow.nodes[node_id].type == "core.delay"
    assert _scene_rect(editor, node_id).contains(view.mapToScene(cursor))
    editor.undo.undo()
    assert editor.document.flow.nodes == {}


def test_arrow_keys_move_the_choice(window, qtbot) -> None:
    editor = window.current_editor()
    qtbot.mouseDClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(400, 300))
    popup = _popup(window)
    assert popup.isVisible()
    qtbot.keyClicks(popup.search, "csv")
    qtbot.keyClick(popup.search, Qt.Key.Key_Down)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    assert _types(editor) == ["files.csv_write"]


def test_escape_closes_quick_add_without_changes(window, qtbot) -> None:
    editor = window.current_editor()
    qtbot.mouseDClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(400, 300))
    popup = _popup(window)
    assert popup.isVisible()
    qtbot.keyClicks(popup.search, "log")
    qtbot.keyClick(popup.search, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert editor.document.flow.nodes == {} and editor.undo.count() == 0


def test_connection_dropped_on_empty_canvas_offers_only_compatible_types(window, qtbot) -> None:
    editor = window.current_editor()
    source = editor.add_node("files.csv_read", QPointF(0, 0))
    editor.view.fit_all()
    editor.view.set_zoom(1.0)
    editor.view.centerOn(QPointF(250, 60))
    viewport = editor.view.viewport()
    start = editor.view.mapFromScene(editor.scene.nodes[source].output_pos("table"))
    end = start + QPoint(220, 40)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, pos=end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    popup = _popup(window)
    assert popup.isVisible()
    offered = popup.type_ids()
    assert "core.filter_rows" in offered and "files.csv_write" in offered
    assert "core.json_parse" not in offered and "core.constant" not in offered
    assert offered.index("core.filter_rows") < offered.index("core.log")  # same type before "any"
    assert "table" in popup.hint.text()
    qtbot.keyClicks(popup.search, "filter")
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)
    new = next(n for n in editor.document.flow.nodes if n != source)
    assert editor.document.flow.nodes[new].type == "core.filter_rows"
    assert Edge(source, "table", new, "table") in editor.document.flow.edges
    port = editor.scene.nodes[new].input_pos("table")
    assert (port - editor.view.mapToScene(end)).manhattanLength() < 30  # its port lands at the drop
    editor.undo.undo()
    assert list(editor.document.flow.nodes) == [source] and editor.document.flow.edges == []


def test_popup_stays_on_screen(window) -> None:
    popup = _popup(window)
    area = QGuiApplication.primaryScreen().availableGeometry()
    popup.open_at(area.bottomRight() - QPoint(5, 5), window.registry.specs())
    assert area.contains(popup.frameGeometry())
    popup.close()
