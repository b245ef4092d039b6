"""Validation as you edit: the Problems panel and the marks on the canvas, driven like a person would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QTreeWidgetItem

from runtime.api import Disconnect, Edge, Flow, FlowDocument, Problem, Registry, SetConfig, data_paths
from studio.problems.checker import ProblemChecker, credential_fields, problem_line
from studio.problems.watcher import ProblemWatcher, watcher_for
from tests.studio.conftest import EXAMPLES

IF_NODE = "n_rif00001"
AMOUNT_EDGE = Edge("n_ramt0001", "value", IF_NODE, "value")


@pytest.fixture
def win(window) -> Iterator:
    """The main window with the problems feature (installed here until it is in FEATURES)."""
    if not hasattr(window, "problems"):
        from studio.features import problems

        problems.install(window)
    yield window


def _watcher(window) -> ProblemWatcher:
    return watcher_for(window.current_editor())


def _rows(window) -> list[QTreeWidgetItem]:
    tree = window.problems.tree
    return [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]


def _settle(qtbot, window) -> None:
    """Wait for the debounced check."""
    qtbot.waitUntil(lambda: not _watcher(window).pending, timeout=3000)


def test_a_valid_example_has_no_problems(win) -> None:
    editor = win.open_path(EXAMPLES / "approval_routing.loom")
    assert _watcher(win).problems == []
    assert win.problems.count() == 0 and _rows(win) == []
    assert win.problems_dock.windowTitle() == "Problems"
    assert win.problems.empty.isVisibleTo(win.problems)
    assert all(item.problem_severity is None for item in editor.scene.nodes.values())
    assert win.dockWidgetArea(win.problems_dock) == Qt.DockWidgetArea.BottomDockWidgetArea


def test_deleting_an_edge_into_a_required_input_shows_a_problem_until_undo(win, qtbot) -> None:
    editor = win.open_path(EXAMPLES / "approval_routing.loom")
    editor.scene.clearSelection()
    editor.scene.edges[AMOUNT_EDGE].setSelected(True)
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)
    assert AMOUNT_EDGE not in editor.document.flow.edges
    assert _watcher(win).pending and win.problems.count() == 0  # debounced, not at once
    _settle(qtbot, win)
    rows = _rows(win)
    assert len(rows) == 1 and win.problems_dock.windowTitle() == "Problems (1)"
    assert (rows[0].text(0), rows[0].text(1)) == ("1,000 or more?", "Value (input)")  # not config 'value'
    assert "required input 'Value' (value) is not connected" in rows[0].text(2)
    item = editor.scene.nodes[IF_NODE]
    assert item.problem_severity == "error"
    assert "is not connected" in item.toolTip()
    assert all(i.problem_severity is None for n, i in editor.scene.nodes.items() if n != IF_NODE)

    editor.undo.undo()
    _settle(qtbot, win)
    assert _rows(win) == [] and win.problems_dock.windowTitle() == "Problems"
    assert item.problem_severity is None and "not connected" not in item.toolTip()


def test_an_invalid_value_typed_in_the_inspector_shows_up(win, qtbot) -> None:
    editor = win.current_editor()
    node_id = editor.add_node("http.request", QPointF(0, 0))
    editor.scene.select_nodes([node_id])
    _settle(qtbot, win)
    assert win.problems.count() == 0
    edit = win.inspector.page.form.widget("url").edit
    qtbot.keyClicks(edit, "ftp://x")
    assert editor.document.flow.nodes[node_id].config["url"] == "ftp://x"
    _settle(qtbot, win)
    [row] = _rows(win)
    assert (row.text(0), row.text(1)) == ("HTTP request", "Web address")
    assert "is not a web address" in row.text(2)
    assert editor.scene.nodes[node_id].problem_severity == "error"
    assert "Web address: 'ftp://x' is not a web address" in editor.scene.nodes[node_id].toolTip()


def test_an_unknown_credential_is_a_problem_until_it_is_saved(win, qtbot) -> None:
    editor = win.current_editor()
    node_id = editor.add_node("http.request", QPointF(0, 0))
    config = {**editor.document.flow.nodes[node_id].config, "url": "https://example.com",
              "auth": "bearer", "credential": "nope"}
    editor.scene.push(SetConfig(node_id, config), "Sign in")
    _settle(qtbot, win)
    [row] = _rows(win)
    assert (row.text(1), row.data(0, Qt.ItemDataRole.UserRole)) == ("Credential", node_id)
    assert "unknown credential 'nope'" in row.text(2)
    assert "unknown credential" in editor.scene.nodes[node_id].toolTip()

    index = data_paths().credentials_index
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(json.dumps({"names": ["nope"]}), encoding="utf-8")
    _watcher(win).check_now()  # e.g. after the next edit
    assert _rows(win) == [] and editor.scene.nodes[node_id].problem_severity is None


def test_double_click_on_a_problem_selects_and_centres_its_node(win, qtbot) -> None:
    editor = win.open_path(EXAMPLES / "approval_routing.loom")
    editor.scene.push(Disconnect(AMOUNT_EDGE), "Disconnect")
    _settle(qtbot, win)
    editor.scene.clearSelection()
    editor.view.centerOn(QPointF(-3000, -3000))
    tree = win.problems.tree
    rect = tree.visualItemRect(_rows(win)[0])
    assert tree.viewport().rect().contains(rect.center())
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert editor.scene.selected_node_ids() == [IF_NODE]
    centre = editor.view.viewport().rect().center()  # in screen pixels, whatever the zoom
    node_centre = editor.view.mapFromScene(editor.scene.nodes[IF_NODE].sceneBoundingRect().center())
    assert (centre - node_centre).manhattanLength() <= 3


def test_the_panel_follows_the_current_tab(win, qtbot) -> None:
    broken = win.open_path(EXAMPLES / "approval_routing.loom")
    broken.scene.push(Disconnect(AMOUNT_EDGE), "Disconnect")
    _settle(qtbot, win)
    assert win.problems.count() == 1
    win.new_flow()
    assert win.problems.count() == 0 and win.problems_dock.windowTitle() == "Problems"
    win.tabs.setCurrentWidget(broken)
    assert win.problems.count() == 1
    assert len(broken.findChildren(ProblemWatcher)) == 1  # one watcher per editor, made on opening
    broken.undo.setClean()
    win.close_tab(win.tabs.indexOf(broken))
    assert win.problems.count() == 0 and win.problems.editor is win.current_editor()


def test_node_marks_warnings_amber_and_errors_red(win, qtbot) -> None:
    editor = win.current_editor()
    node_id = editor.add_node("core.constant", QPointF(0, 0))
    config = {**editor.document.flow.nodes[node_id].config, "colour": "blue"}
    editor.scene.push(SetConfig(node_id, config), "Odd setting")
    _settle(qtbot, win)
    [row] = _rows(win)
    assert row.text(2) == "unknown setting (ignored)"
    assert editor.scene.nodes[node_id].problem_severity == "warning"
    image = win.grab().toImage()
    assert not image.isNull()


# ----- the checker without Qt ---------------------------------------------------------------


def test_checker_lists_compile_problems_and_unknown_credentials_errors_first(qapp) -> None:
    registry = Registry.from_entry_points()
    flow = Flow.model_validate({"nodes": {
        "a": {"type": "core.constant", "config": {"bogus": 1}},
        "b": {"type": "http.request", "config": {"auth": "bearer", "credential": "nope"}},
        "c": {"type": "http.request", "config": {"auth": "bearer", "credential": "known"}},
        "d": {"type": "no.such_type"},
    }})
    checker = ProblemChecker(registry, credential_names=lambda: ["known"])
    problems = checker.check(FlowDocument(flow))
    assert [(p.severity, p.node_id, p.field) for p in problems] == [
        ("error", "b", "credential"), ("error", "d", None), ("warning", "a", "bogus")]
    assert checker.last_ms > 0
    assert credential_fields(registry, "http.request") == ("credential",)
    assert ProblemChecker(registry, credential_names=lambda: None).check(FlowDocument(flow))[0].node_id == "d"


def test_problem_lines_name_the_field_once() -> None:
    assert problem_line(Problem("must be greater than 0", "n", "timeout_s"), "Time limit (s)") == \
        "Time limit (s): must be greater than 0"
    assert problem_line(Problem("required input 'Value' (value) is not connected", "n", "value")) == \
        "required input 'Value' (value) is not connected"
