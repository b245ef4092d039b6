"""The canvas as a person uses it: open, connect, delete, undo, copy/paste, screenshot."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGraphicsRectItem

from runtime.api import Edge, load_flow
from tests.studio.conftest import EXAMPLES


def _scene_point_to_viewport(editor, pos: QPointF) -> QPoint:
    return editor.view.mapFromScene(pos)


def test_pyside_does_not_drop_references_to_none(qapp) -> None:
    before = sys.getrefcount(None)
    for _ in range(10_000):
        QGraphicsRectItem().setZValue(1)
    assert sys.getrefcount(None) >= before


def test_open_example_shows_every_node_and_edge(window) -> None:
    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    flow = load_flow(EXAMPLES / "merge_supplier_invoices.loom")
    assert set(editor.scene.nodes) == set(flow.nodes)
    assert set(editor.scene.edges) == set(flow.edges)
    assert window.tabs.tabText(window.tabs.currentIndex()) == "merge_supplier_invoices.loom"


def test_drag_between_ports_connects_and_undo_disconnects(window, qtbot) -> None:
    editor = window.current_editor()
    a = editor.add_node("core.constant", QPointF(0, 0))
    b = editor.add_node("core.log", QPointF(400, 0))
    editor.view.fit_all()
    qtbot.wait(10)
    start = _scene_point_to_viewport(editor, editor.scene.nodes[a].output_pos("value"))
    end = _scene_point_to_viewport(editor, editor.scene.nodes[b].input_pos("value"))
    viewport = editor.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, pos=(start + end) / 2)
    qtbot.mouseMove(viewport, pos=end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    edge = Edge(a, "value", b, "value")
    assert edge in editor.document.flow.edges
    assert edge in editor.scene.edges
    editor.undo.undo()
    assert edge not in editor.document.flow.edges and edge not in editor.scene.edges


def test_incompatible_ports_are_refused_with_reason(window, qtbot) -> None:
    editor = window.current_editor()
    table = editor.add_node("files.csv_read", QPointF(0, 0))
    template = editor.add_node("core.json_parse", QPointF(400, 0))
    editor.view.fit_all()
    messages: list[str] = []
    editor.scene.message.connect(messages.append)
    start = _scene_point_to_viewport(editor, editor.scene.nodes[table].output_pos("table"))
    end = _scene_point_to_viewport(editor, editor.scene.nodes[template].input_pos("text"))
    viewport = editor.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, pos=end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert editor.document.flow.edges == []
    assert any("a table output cannot feed a text input" in m for m in messages)


def test_delete_node_then_undo_restores_it_with_edges(window) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    before = set(editor.document.flow.edges)
    editor.scene.select_nodes(["n_rif00001"])
    editor.delete_selection()
    assert "n_rif00001" not in editor.document.flow.nodes
    assert "n_rif00001" not in editor.scene.nodes
    editor.undo.undo()
    assert set(editor.document.flow.edges) == before
    assert set(editor.scene.edges) == before


def test_dragging_nodes_is_one_undo_step(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    editor.view.fit_all()
    item = editor.scene.nodes["n_rlog0001"]
    original = editor.document.flow.nodes["n_rlog0001"].layout.x
    start = editor.view.mapFromScene(item.mapToScene(QPointF(60, 10)))
    viewport = editor.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, pos=start + QPoint(10 * step, 8 * step))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(50, 40))
    assert editor.undo.count() == 1
    moved = editor.document.flow.nodes["n_rlog0001"].layout
    assert moved.x != original
    editor.undo.undo()
    assert (editor.document.flow.nodes["n_rlog0001"].layout.x, item.pos().x()) == (original, original)


def test_copy_paste_gives_new_ids(window) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    editor.scene.select_nodes(["n_rif00001", "n_rbig0001"])
    assert editor.copy()
    new = editor.paste()
    assert len(new) == 2 and not set(new) & {"n_rif00001", "n_rbig0001"}
    pasted_edges = [e for e in editor.document.flow.edges if e.source in new and e.target in new]
    assert len(pasted_edges) == 1


def test_paste_json_text_from_a_chat(window, qapp) -> None:
    editor = window.current_editor()
    qapp.clipboard().setText('{"format": "loomwork-snippet", "nodes": {"n_x1234567": '
                             '{"type": "core.delay", "config": {"seconds": 2}}}, "edges": []}')
    new = editor.paste()
    assert len(new) in (0, 1)  # a malformed snippet is refused with a message, never a crash


def test_save_and_reopen_is_byte_identical(window, tmp_path: Path) -> None:
    source = (EXAMPLES / "approval_routing.loom").read_text()
    copy = tmp_path / "copy.loom"
    copy.write_text(source)
    editor = window.open_path(copy)
    editor.save()
    assert copy.read_text() == source


def test_screenshot_of_example_is_not_blank(tmp_path: Path) -> None:
    from studio.app import run_studio

    out = tmp_path / "shot.png"
    assert run_studio([str(EXAMPLES / "merge_supplier_invoices.loom")], screenshot=str(out),
                      size="1200x800", theme_name="light") == 0
    image = QImage(str(out))
    assert image.width() == 1200
    colors = {image.pixel(x, y) for x in range(0, 1200, 7) for y in range(0, 800, 7)}
    assert len(colors) > 20


def test_auto_layout_leaves_no_overlapping_nodes(window) -> None:
    from runtime.api import MoveNodes

    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    editor.scene.push(MoveNodes(tuple((n, 0, 0) for n in editor.document.flow.nodes)), "pile up")
    editor.auto_layout()
    rects = [item.sceneBoundingRect() for item in editor.scene.nodes.values()]
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b), (a, b)
    edges = editor.document.flow.edges
    layout = {n: editor.document.flow.nodes[n].layout.x for n in editor.document.flow.nodes}
    assert all(layout[e.source] < layout[e.target] for e in edges)
    editor.undo.undo()
    assert {editor.document.flow.nodes[n].layout.x for n in layout} == {0}


def test_undo_and_redo_from_the_keyboard(window, qtbot) -> None:
    editor = window.current_editor()
    editor.add_node("core.sort_rows", QPointF(0, 0))
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.document.flow.nodes == {}
    qtbot.keyClick(editor.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert len(editor.document.flow.nodes) == 1
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor.view, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(editor.document.flow.nodes) == 1


def test_middle_button_drag_pans_the_view(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    view, viewport = editor.view, editor.view.viewport()
    before = view.mapToScene(viewport.rect().center())
    qtbot.mousePress(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(300, 300))
    qtbot.mouseMove(viewport, pos=QPoint(250, 280))
    qtbot.mouseMove(viewport, pos=QPoint(200, 250))
    qtbot.mouseRelease(viewport, Qt.MouseButton.MiddleButton, pos=QPoint(200, 250))
    after = view.mapToScene(viewport.rect().center())
    assert after.x() - before.x() > 50 and after.y() - before.y() > 20


def test_adding_from_the_palette_wires_after_the_selected_node(window) -> None:
    editor = window.current_editor()
    first = editor.add_node("files.csv_read", QPointF(0, 0))
    editor.scene.select_nodes([first])
    window._add_from_palette("core.filter_rows")
    second = next(n for n in editor.document.flow.nodes if n != first)
    assert Edge(first, "table", second, "table") in editor.document.flow.edges
    a, b = editor.scene.nodes[first].sceneBoundingRect(), editor.scene.nodes[second].sceneBoundingRect()
    assert not a.intersects(b) and b.left() > a.right()


def test_arrow_keys_nudge_as_one_undo_step_and_escape_clears(window, qtbot) -> None:
    editor = window.current_editor()
    node = editor.add_node("core.log", QPointF(0, 0))
    editor.scene.select_nodes([node])
    editor.view.setFocus()
    for _ in range(3):
        qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    qtbot.keyClick(editor.view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    layout = editor.document.flow.nodes[node].layout
    assert (layout.x, layout.y) == (60, 1)
    assert editor.scene.nodes[node].pos() == QPointF(60, 1)
    editor.undo.undo()
    assert editor.document.flow.nodes[node].layout.x == 0
    qtbot.keyClick(editor.view, Qt.Key.Key_Escape)
    assert editor.scene.selected_node_ids() == []


def test_paste_lands_at_the_mouse(window, qtbot) -> None:
    from PySide6.QtGui import QCursor

    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    editor.scene.select_nodes(["n_rif00001"])
    assert editor.copy()
    spot = QPoint(200, 150)
    QCursor.setPos(editor.view.viewport().mapToGlobal(spot))
    assert editor.view.viewport().mapFromGlobal(QCursor.pos()) == spot
    (new,) = editor.paste()
    target = editor.view.mapToScene(spot)
    layout = editor.document.flow.nodes[new].layout
    assert abs(layout.x - target.x()) <= 1 and abs(layout.y - target.y()) <= 1


def test_right_click_menus(window) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    editor.view.fit_all()
    item = editor.scene.nodes["n_rif00001"]
    on_node = editor.view.mapFromScene(item.mapToScene(QPointF(60, 10)))
    texts = [a.text() for a in window.context_menu(editor, on_node).actions() if a.text()]
    assert {"De&lete", "Run &from selected node", "Toggle &breakpoint"} <= set(texts)
    assert editor.scene.selected_node_ids() == ["n_rif00001"]
    empty = [a.text() for a in window.context_menu(editor, QPoint(3, 3)).actions() if a.text()]
    assert "Add &node…\tTab" in empty and "&Auto-layout flow" in empty
