"""Notes, groups, the minimap, align/distribute and subflow collapse, driven like a person would."""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from runtime.api import MoveNodes
from studio.arrange import align, distribute
from studio.features.arrange import annotations_of, feature_of, minimap_of
from tests.studio.conftest import EXAMPLES

BRANCH = ["n_rif00001", "n_rbig0001", "n_rsml0001", "n_rmrg0001"]


def _drag(qtbot, editor, start: QPoint, delta: QPoint, steps: int = 5) -> None:
    viewport = editor.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, steps + 1):
        qtbot.mouseMove(viewport, pos=start + delta * step / steps)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + delta)


def _at(editor, item, x: float, y: float) -> QPoint:
    return editor.view.mapFromScene(item.mapToScene(QPointF(x, y)))


def _open_copy(window, tmp_path: Path):
    path = tmp_path / "approval_routing.loom"
    shutil.copy(EXAMPLES / "approval_routing.loom", path)
    editor = window.open_path(path)
    editor.view.resetTransform()
    editor.view.centerOn(700, 0)
    return editor


# ----- notes -------------------------------------------------------------------------------


def test_add_note_then_drag_it_is_one_undo_step(window, qtbot) -> None:
    editor = window.current_editor()
    note_id = feature_of(window).add_note()
    assert note_id in editor.document.flow.notes
    item = annotations_of(editor).notes[note_id]
    assert item.isSelected() and item.scene() is editor.scene
    center = editor.view.mapToScene(editor.view.viewport().rect().center())
    assert (item.sceneBoundingRect().center() - center).manhattanLength() < 10
    before = editor.undo.count()
    x0, y0 = editor.document.flow.notes[note_id].x, editor.document.flow.notes[note_id].y
    _drag(qtbot, editor, _at(editor, item, 60, 40), QPoint(80, 50))
    moved = editor.document.flow.notes[note_id]
    assert (moved.x, moved.y) != (x0, y0) and editor.undo.count() == before + 1
    editor.undo.undo()
    note = editor.document.flow.notes[note_id]
    assert (note.x, note.y) == (x0, y0) and (item.pos().x(), item.pos().y()) == (x0, y0)


def test_dragging_a_note_with_a_node_is_one_undo_step(window, qtbot) -> None:
    editor = window.current_editor()
    node_id = editor.add_node("core.log", QPointF(-300, 0))
    note_id = feature_of(window).add_note()
    note = annotations_of(editor).notes[note_id]
    editor.scene.nodes[node_id].setSelected(True)
    note.setSelected(True)
    before = editor.undo.count()
    _drag(qtbot, editor, _at(editor, note, 60, 40), QPoint(40, 30))
    assert editor.undo.count() == before + 1
    assert editor.document.flow.nodes[node_id].layout.x == -260
    editor.undo.undo()
    assert editor.document.flow.nodes[node_id].layout.x == -300


def test_edit_note_text_in_place(window, qtbot) -> None:
    editor = window.current_editor()
    note_id = feature_of(window).add_note()
    item = annotations_of(editor).notes[note_id]
    qtbot.mouseDClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=_at(editor, item, 60, 40))
    assert item.editing
    before = editor.undo.count()
    qtbot.keyClicks(editor.view, "Check totals!")
    qtbot.keyClick(editor.view, Qt.Key.Key_Backspace)
    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)  # edits the text; does not delete the note
    assert note_id in editor.document.flow.notes and item.editing
    qtbot.keyClick(editor.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not item.editing
    assert editor.document.flow.notes[note_id].text == "Check totals"
    assert editor.undo.count() == before + 1
    editor.undo.undo()
    assert editor.document.flow.notes[note_id].text == ""


def test_resize_note_by_its_corner(window, qtbot) -> None:
    editor = window.current_editor()
    note_id = feature_of(window).add_note()
    item = annotations_of(editor).notes[note_id]
    _drag(qtbot, editor, _at(editor, item, item.width - 4, item.height - 4), QPoint(100, 60))
    note = editor.document.flow.notes[note_id]
    assert note.width > 260 and note.height > 150
    assert (note.x, note.y) == (item.pos().x(), item.pos().y())  # resizing does not move it
    editor.undo.undo()
    assert (editor.document.flow.notes[note_id].width, item.width) == (200, 200)


def test_delete_note_with_the_delete_key_and_undo(window, qtbot) -> None:
    editor = window.current_editor()
    note_id = feature_of(window).add_note()
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)
    assert note_id not in editor.document.flow.notes
    assert note_id not in annotations_of(editor).notes
    editor.undo.undo()
    assert note_id in editor.document.flow.notes and note_id in annotations_of(editor).notes


# ----- groups ------------------------------------------------------------------------------


def test_group_drag_rename_and_ungroup(window, qtbot, tmp_path: Path) -> None:
    editor = _open_copy(window, tmp_path)
    members = ["n_rbig0001", "n_rsml0001"]
    editor.scene.select_nodes(members)
    qtbot.keyClick(editor.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    (group_id,) = editor.document.flow.groups
    assert editor.document.flow.groups[group_id].nodes == members
    controller = annotations_of(editor)
    frame = controller.groups[group_id]
    for node_id in members:
        node = editor.scene.nodes[node_id]
        assert frame.frame().contains(node.sceneBoundingRect().adjusted(5, 5, 0, 0))
    assert frame.zValue() < min(editor.scene.nodes[n].zValue() for n in members)

    before = {n: editor.document.flow.nodes[n].layout for n in members}
    count = editor.undo.count()
    _drag(qtbot, editor, _at(editor, frame, 40, 12), QPoint(60, 40))
    assert editor.undo.count() == count + 1
    after = {n: editor.document.flow.nodes[n].layout for n in members}
    shifts = {(after[n].x - before[n].x, after[n].y - before[n].y) for n in members}
    assert len(shifts) == 1 and shifts != {(0, 0)}
    assert frame.frame().contains(editor.scene.nodes[members[0]].pos())
    editor.undo.undo()
    assert {n: editor.document.flow.nodes[n].layout for n in members} == before

    controller.ask_text = lambda _title, _label, _value: "Write the decision"
    qtbot.mouseDClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=_at(editor, frame, 40, 12))
    assert editor.document.flow.groups[group_id].title == "Write the decision"

    editor.scene.select_nodes(["n_rbig0001"])
    assert feature_of(window).ungroup() == 1
    assert not editor.document.flow.groups and group_id not in controller.groups
    assert set(members) <= set(editor.document.flow.nodes)
    editor.undo.undo()
    assert group_id in controller.groups


def test_moving_a_member_node_refits_its_group(window, tmp_path: Path) -> None:
    editor = _open_copy(window, tmp_path)
    editor.scene.select_nodes(["n_rbig0001", "n_rsml0001"])
    group_id = feature_of(window).group_selection()
    frame = annotations_of(editor).groups[group_id]
    width = frame.frame().width()
    editor.scene.push(MoveNodes((("n_rsml0001", 900, 300),)))
    assert frame.frame().width() > width + 200
    assert frame.frame().contains(QPointF(910, 310))


# ----- align and distribute -----------------------------------------------------------------


def test_align_left_gives_equal_x(window, tmp_path: Path) -> None:
    editor = _open_copy(window, tmp_path)
    chosen = ["n_rif00001", "n_rbig0001", "n_rlog0001"]
    editor.scene.select_nodes(chosen)
    assert feature_of(window).align("left")
    xs = {editor.document.flow.nodes[n].layout.x for n in chosen}
    assert len(xs) == 1
    assert {editor.scene.nodes[n].pos().x() for n in chosen} == xs
    editor.undo.undo()
    assert len({editor.document.flow.nodes[n].layout.x for n in chosen}) == 3


def test_distribute_gives_equal_gaps(window, tmp_path: Path) -> None:
    editor = _open_copy(window, tmp_path)
    chosen = ["n_ramt0001", "n_rif00001", "n_rmrg0001", "n_rout0001"]
    editor.scene.push(MoveNodes((("n_rif00001", 150, 0), ("n_rmrg0001", 500, 0))))
    editor.scene.select_nodes(chosen)
    assert feature_of(window).distribute("horizontal")
    flow, items = editor.document.flow, editor.scene.nodes
    order = sorted(chosen, key=lambda n: flow.nodes[n].layout.x)
    gaps = [flow.nodes[b].layout.x - (flow.nodes[a].layout.x + items[a].width) for a, b in pairwise(order)]
    assert max(gaps) - min(gaps) < 0.05


def test_align_and_distribute_geometry() -> None:
    boxes = {"a": (0.0, 0.0, 100.0, 50.0), "b": (300.0, 40.0, 50.0, 30.0), "c": (120.0, 200.0, 80.0, 20.0)}
    right = align(boxes, "right")
    assert right is not None and {x + boxes[n][2] for n, x, _y in right.moves} == {350.0}
    middle = align(boxes, "center_y")
    assert middle is not None and {round(y + boxes[n][3] / 2, 2) for n, _x, y in middle.moves} == {110.0}
    spread = distribute(boxes, "vertical")
    assert spread is not None and dict((n, y) for n, _x, y in spread.moves) == {"b": 110.0}
    assert align({"a": boxes["a"]}, "left") is None and distribute({"a": boxes["a"], "b": boxes["b"]},
                                                                    "horizontal") is None


# ----- minimap -------------------------------------------------------------------------------


def test_minimap_shows_the_flow_and_click_pans(window, qtbot, tmp_path: Path) -> None:
    editor = _open_copy(window, tmp_path)
    minimap = minimap_of(editor)
    assert minimap is not None and minimap.isVisible()
    view = editor.view
    corner = minimap.geometry().bottomRight()
    assert view.width() - corner.x() < 30 and view.height() - corner.y() < 30
    center = view.mapToScene(view.viewport().rect().center())
    target = minimap.to_minimap(editor.scene.nodes["n_ramt0001"].sceneBoundingRect()).center()
    qtbot.mouseClick(minimap, Qt.MouseButton.LeftButton, pos=target.toPoint())
    moved = view.mapToScene(view.viewport().rect().center())
    assert (moved - center).manhattanLength() > 200
    assert editor.scene.nodes["n_ramt0001"].sceneBoundingRect().contains(moved) or \
        (moved - editor.scene.nodes["n_ramt0001"].sceneBoundingRect().center()).manhattanLength() < 60
    rebuilds = minimap.rebuilds
    editor.scene.push(MoveNodes((("n_rlog0001", 3000, 900),)))
    qtbot.waitUntil(lambda: minimap.rebuilds > rebuilds, timeout=2000)
    action = feature_of(window).minimap_action
    action.trigger()
    assert not minimap.isVisible()
    action.trigger()
    assert minimap.isVisible()


# ----- collapse and expand -------------------------------------------------------------------


def _action(window, menu: str, text: str):
    return next(a for a in window.menus[menu].actions() if text in a.text().replace("&", ""))


def test_collapse_selection_via_the_menu_then_undo(window, tmp_path: Path) -> None:
    editor = _open_copy(window, tmp_path)
    feature = feature_of(window)
    asked: list[Path] = []
    feature.ask_subflow_path = lambda _editor, suggested: asked.append(suggested) or tmp_path / "decide"
    original = editor.document.flow.model_dump()
    editor.scene.select_nodes(BRANCH)
    _action(window, "arrange", "Collapse selection into subflow").trigger()
    assert asked == [tmp_path / "subflow.loom"]
    assert (tmp_path / "decide.loom").is_file()
    flow = editor.document.flow
    (step,) = [n for n, inst in flow.nodes.items() if inst.type == "control.subflow"]
    assert not set(BRANCH) & set(flow.nodes)
    assert flow.nodes[step].config["flow"] == "decide.loom" and flow.nodes[step].title == "Decide"
    assert editor.scene.selected_node_ids() == [step]
    assert editor.scene.nodes[step].look.problem is None
    assert len(editor.scene.edges) == len(flow.edges) == 3
    editor.undo.undo()
    assert editor.document.flow.model_dump() == original
    assert (tmp_path / "decide.loom").is_file()  # undo keeps the written file
    editor.undo.redo()
    editor.scene.select_nodes([step])
    new = feature.expand_selected()
    assert len(new) == 4 and editor.scene.selected_node_ids() == new
    assert len(editor.document.flow.edges) == len(original["edges"])
    assert sorted(i.type for i in editor.document.flow.nodes.values()) == sorted(
        n["type"] for n in original["nodes"].values())


def test_collapse_asks_to_save_first_and_warns_about_branches(window, tmp_path: Path) -> None:
    editor = window.current_editor()
    feature = feature_of(window)
    told: list[str] = []
    feature.inform = lambda title, _text: told.append(title)
    editor.add_node("core.log", QPointF(0, 0))
    editor.select_all()
    assert feature.collapse_selection() is None and told == ["Save the flow first"]

    editor = _open_copy(window, tmp_path)
    questions: list[str] = []
    feature.confirm = lambda _title, text: questions.append(text) is not None
    feature.ask_subflow_path = lambda _editor, _suggested: pytest.fail("asked for a file after declining")
    editor.scene.select_nodes(["n_rbig0001", "n_rsml0001", "n_rmrg0001"])
    assert feature.collapse_selection() is None
    assert len(questions) == 1 and "alternative branches" in questions[0]
    assert set(editor.document.flow.nodes) >= {"n_rbig0001", "n_rsml0001"}


def test_clicking_empty_canvas_commits_note_text(window, qtbot) -> None:
    editor = window.current_editor()
    note_id = annotations_of(editor).add_note(QPointF(0, 0))
    item = next(i for i in editor.scene.items() if getattr(i, "note_id", None) == note_id)
    center = editor.view.mapFromScene(item.sceneBoundingRect().center())
    qtbot.mouseDClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.keyClicks(editor.view.viewport(), "hello")
    far = QPoint(5, 5) if (center - QPoint(5, 5)).manhattanLength() > 200 else QPoint(600, 400)
    qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=far)
    assert editor.document.flow.notes[note_id].text == "hello"
