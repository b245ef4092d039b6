"""The Run history panel, with history written by an in-process Runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from runtime.api import HistoryStore, Registry, Runner, data_paths, load_flow
from studio.features.history import HistoryController, history_of, install
from studio.features.run import controller_of
from tests.studio.conftest import EXAMPLES


@pytest.fixture
def history(window) -> HistoryController:
    if history_of(window) is None:
        install(window)
    controller = history_of(window)
    assert controller is not None
    return controller


@pytest.fixture
def runner(home: Path):
    runner = Runner(Registry.from_entry_points(), data_paths())
    yield runner
    runner.close()


def _run(runner: Runner, path: Path) -> str:
    return runner.run_sync(load_flow(path), flow_path=path).run_id


def _approval(tmp_path: Path) -> Path:
    path = tmp_path / "approval.loom"
    shutil.copy(EXAMPLES / "approval_routing.loom", path)
    return path


def _reader(tmp_path: Path) -> tuple[Path, Path]:
    """A flow reading a file that does not exist yet (so it fails until it is written)."""
    data = tmp_path / "data.txt"
    path = tmp_path / "reader.loom"
    path.write_text(json.dumps({
        "format_version": 3, "name": "reader",
        "nodes": {"n_read0000": {"type": "files.read_text", "config": {"path": str(data)}},
                  "n_log00000": {"type": "core.log", "config": {"message": "x"}}},
        "edges": ["n_read0000.text -> n_log00000.value"]}))
    return path, data


def _statuses(history: HistoryController) -> list[str]:
    panel = history.panel.list
    return [panel.topLevelItem(i).text(0) for i in range(panel.topLevelItemCount())]


def test_lists_runs_newest_first_and_tabbed_with_the_log(window, history, runner, tmp_path) -> None:
    path = _approval(tmp_path)
    ids = [_run(runner, path) for _ in range(3)]
    window.open_path(path)
    assert history.panel.run_ids() == ids[::-1]
    assert _statuses(history) == ["Completed"] * 3
    dock = history.panel.parentWidget()
    assert dock.objectName() == "dock-run history"
    assert dock in window.tabifiedDockWidgets(window.findChild(type(dock), "dock-run log"))


def test_status_filter(window, history, runner, tmp_path) -> None:
    path, data = _reader(tmp_path)
    failed = _run(runner, path)
    data.write_text("hello")
    completed = _run(runner, path)
    window.open_path(path)
    assert history.panel.run_ids() == [completed, failed]
    history.panel.status_filter.setCurrentText("Failed")
    assert history.panel.run_ids() == [failed]
    assert _statuses(history) == ["Failed"]
    history.panel.status_filter.setCurrentText("Completed")
    assert history.panel.run_ids() == [completed]
    history.panel.status_filter.setCurrentText("Crashed")
    assert history.panel.run_ids() == []
    history.panel.status_filter.setCurrentText("All")
    assert len(history.panel.run_ids()) == 2


def test_opening_a_failed_run_marks_the_failing_node(window, history, runner, tmp_path, qtbot) -> None:
    path, data = _reader(tmp_path)
    failed = _run(runner, path)
    data.write_text("hello")
    _run(runner, path)
    editor = window.open_path(path)
    editor.auto_layout()  # the two nodes have no layout yet
    editor.view.fit_all()
    history.panel.parentWidget().raise_()
    history.panel.status_filter.setCurrentText("Failed")
    run_list = history.panel.list
    run_list.setFocus()
    run_list.setCurrentItem(run_list.topLevelItem(0))
    qtbot.keyClick(run_list, Qt.Key.Key_Return)
    assert history.viewing == (editor, failed)
    nodes = editor.scene.nodes
    assert nodes["n_read0000"].run.state == "FAILED" and "data.txt" in nodes["n_read0000"].run.message
    assert nodes["n_log00000"].run.state == "SKIPPED"
    assert editor.view.isInteractive()  # nodes can be selected to see what they produced
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Showing run {failed} from ") and "read-only" in message
    assert message.endswith("no nodes changed since")
    window.grab().save("/tmp/history.png")
    history.panel.back_button.click()
    assert all(item.run is None for item in nodes.values())
    assert editor.view.isInteractive() and history.viewing is None


def test_added_node_counts_as_changed(window, history, runner, tmp_path) -> None:
    path = _approval(tmp_path)
    run_id = _run(runner, path)
    editor = window.open_path(path)
    assert editor.add_node("core.log", QPointF(600, 400)) is not None
    assert history.open_run(run_id)
    assert window.statusBar().currentMessage().endswith("— 1 node changed since: 1 added")
    assert controller_of(window).overlay(editor).marks["n_rbig0001"].state == "COMPLETED"


def test_switching_tabs_switches_the_list(window, history, runner, tmp_path) -> None:
    approval = _approval(tmp_path)
    reader, _data = _reader(tmp_path)
    approval_runs = [_run(runner, approval), _run(runner, approval)]
    reader_run = _run(runner, reader)
    first = window.open_path(approval)
    window.open_path(reader)
    assert history.panel.run_ids() == [reader_run]
    window.tabs.setCurrentWidget(first)
    assert history.panel.run_ids() == approval_runs[::-1]
    window.new_flow()
    assert history.panel.run_ids() == []


def test_refreshes_when_a_run_finishes(window, history, runner, tmp_path) -> None:
    path = _approval(tmp_path)
    window.open_path(path)
    assert history.panel.run_ids() == []
    run_id = _run(runner, path)
    store = HistoryStore(data_paths().history_db)
    try:
        assert store.get_run(run_id) is not None
    finally:
        store.close()
    controller_of(window).run_finished.emit({"run_id": run_id, "status": "COMPLETED", "nodes": {}})
    assert history.panel.run_ids() == [run_id]


def test_a_past_run_reopens_with_its_outputs_and_log_after_edits(window, history, runner, tmp_path) -> None:
    path, data = _reader(tmp_path)
    data.write_text("first version")
    first = _run(runner, path)
    data.write_text("second version")
    second = _run(runner, path)
    editor = window.open_path(path)
    editor.add_node("core.log", QPointF(600, 400))  # edited since: the past run still opens
    control = controller_of(window)
    control.log.add("info", "a live line")
    editor.scene.select_nodes(["n_read0000"])
    assert history.open_run(first)
    assert control.viewer.current_port == "text" and control.viewer.current_value() == "first version"
    assert control.log.showing_past
    text = control.log.toPlainText()
    assert "run started" in text and "run COMPLETED" in text and "a live line" not in text
    editor.scene.select_nodes(["n_log00000"])
    assert control.viewer.current_value() == "first version"  # the log node passes its value on
    assert history.open_run(second)
    editor.scene.select_nodes(["n_read0000"])
    assert control.viewer.current_value() == "second version"
    history.back_to_current()
    assert not control.log.showing_past and "a live line" in control.log.toPlainText()
    assert control.past_run is None


def test_a_past_failed_run_shows_its_error_in_the_log(window, history, runner, tmp_path) -> None:
    path, _data = _reader(tmp_path)
    failed = _run(runner, path)
    window.open_path(path)
    assert history.open_run(failed)
    control = controller_of(window)
    lines = [line for line in control.log.model.lines if line.level == "error"]
    assert any("data.txt" in line.message and line.node_id == "n_read0000" for line in lines)
    assert any("run FAILED" in line.message for line in lines)


def test_switching_tabs_leaves_the_past_run(window, history, runner, tmp_path) -> None:
    from studio.canvas.items.run_mark import RunMark

    reader, _data = _reader(tmp_path)
    failed = _run(runner, reader)
    approval = window.open_path(_approval(tmp_path))
    editor = window.open_path(reader)
    control = controller_of(window)
    control.overlay(editor).set_state("n_read0000", RunMark("COMPLETED"))  # its own (live) mark
    control.log.add("info", "a live line")
    editor.scene.select_nodes(["n_read0000"])
    assert history.open_run(failed)
    assert editor.scene.nodes["n_read0000"].run.state == "FAILED"
    window.tabs.setCurrentWidget(approval)
    assert history.viewing is None and control.past_run is None
    assert not history.panel.back_button.isEnabled()
    assert not window.statusBar().currentMessage().startswith("Showing run")
    assert not control.log.showing_past and "a live line" in control.log.toPlainText()
    assert control.viewer.current_value() is None  # not the other flow's past values
    window.tabs.setCurrentWidget(editor)
    assert editor.scene.nodes["n_read0000"].run.state == "COMPLETED"  # its own marks again
    assert editor.scene.nodes["n_log00000"].run is None
    assert history.open_run(failed) and history.panel.back_button.isEnabled()
    history.panel.back_button.click()
    assert editor.scene.nodes["n_read0000"].run.state == "COMPLETED"


def test_an_edit_leaves_the_past_run_but_a_move_does_not(window, history, runner, tmp_path, qtbot) -> None:
    from runtime.api import MoveNodes
    from studio.inspector.node_page import NodePage

    reader, _data = _reader(tmp_path)
    failed = _run(runner, reader)
    editor = window.open_path(reader)
    editor.scene.select_nodes(["n_log00000"])
    assert history.open_run(failed)
    editor.scene.push(MoveNodes((("n_log00000", 300, 40),)), "Move")
    assert history.viewing == (editor, failed)
    page = window.inspector.page
    assert isinstance(page, NodePage)
    qtbot.keyClicks(page.title_edit, "Show")
    assert history.viewing is None
    assert editor.document.flow.nodes["n_log00000"].title == "Show"
    assert all(item.run is None for item in editor.scene.nodes.values())
    assert window.statusBar().currentMessage().startswith(f"Left run {failed}: the flow was edited")


def test_a_node_of_another_type_counts_as_changed(window, history, runner, tmp_path) -> None:
    reader, text = _reader(tmp_path)
    text.write_text("hello")  # every node runs (history keeps the type of nodes that ran)
    run_id = _run(runner, reader)
    data = json.loads(reader.read_text())
    data["nodes"]["n_log00000"]["type"] = "core.delay"
    data["nodes"]["n_log00000"]["config"] = {"seconds": 0}
    data["nodes"]["n_new00000"] = {"type": "core.log", "config": {"message": "y"}}
    reader.write_text(json.dumps(data))
    window.open_path(reader)
    assert history.open_run(run_id)
    assert window.statusBar().currentMessage().endswith(
        "— 2 nodes changed since: 1 added, 1 of another type")


def test_a_node_set_up_differently_counts_as_changed(window, history, runner, tmp_path) -> None:
    reader, text = _reader(tmp_path)
    text.write_text("hello")
    run_id = _run(runner, reader)
    data = json.loads(reader.read_text())
    data["nodes"]["n_log00000"]["config"] = {"message": "something else"}
    reader.write_text(json.dumps(data))
    window.open_path(reader)
    assert history.open_run(run_id)
    assert window.statusBar().currentMessage().endswith("— 1 node changed since: 1 set up differently")
