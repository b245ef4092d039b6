"""Seeing why a step failed, stepping, stopping and pinning (issue 4's trial), with a real
worker process."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QDockWidget, QStyleOptionGraphicsItem

from runtime.api import SetConfig, SetNodeProps
from studio.canvas.items.node_item import _TITLE_METRICS, ICON_SPACE, PIN
from studio.canvas.items.run_mark import RunMark, pill_width
from studio.features.run import controller_of
from studio.inspector.node_page import NodePage
from studio.outputs.viewer import LOG_TAB
from studio.run.outputs_feed import ERROR_TAB
from tests.studio.conftest import EXAMPLES
from tests.studio.test_run import _run


def _node(type_id: str, config: dict, x: int, title: str = "") -> dict:
    return {"type": type_id, "config": config, "title": title, "layout": {"x": x, "y": 0}}


def _bad_json_flow(path: Path) -> Path:
    """A constant feeding text that is not JSON to a JSON parser (which fails), then a log."""
    path.write_text(json.dumps({"format_version": 3, "name": "bad json", "nodes": {
        "n_const0001": _node("core.constant", {"kind": "text", "value": "not { json"}, 0, "Reply"),
        "n_parse0001": _node("core.json_parse", {}, 280, "Parse reply"),
        "n_log000001": _node("core.log", {"message": "{{ value }}"}, 560, "Say it"),
    }, "edges": ["n_const0001.value -> n_parse0001.text", "n_parse0001.value -> n_log000001.value"]}))
    return path


def _slow_flow(path: Path, seconds: float) -> Path:
    path.write_text(json.dumps({"format_version": 3, "name": "slow", "nodes": {
        "n_const0001": _node("core.constant", {"kind": "text", "value": "hello"}, 0, "Start"),
        "n_delay0001": _node("core.delay", {"seconds": seconds}, 280, "Slow download"),
        "n_tmpl00001": _node("core.text_template", {"template": "Got {{ data }}"}, 560, "Make text"),
        "n_log000001": _node("core.log", {"message": "{{ value }}"}, 840, "Say it"),
    }, "edges": ["n_const0001.value -> n_delay0001.value", "n_delay0001.value -> n_tmpl00001.data",
                 "n_tmpl00001.text -> n_log000001.value"]}))
    return path


def _in_front(window, name: str) -> bool:
    dock = window.findChild(QDockWidget, f"dock-{name}")
    return dock is not None and dock.isVisible() and not dock.visibleRegion().isEmpty()


def test_a_failure_is_shown_in_outputs_inspector_and_status_bar(window, qtbot, tmp_path) -> None:
    editor = window.open_path(_bad_json_flow(tmp_path / "bad.loom"))
    editor.view.fit_all()
    control = controller_of(window)
    assert _run(window, qtbot)["status"] == "FAILED"
    assert editor.scene.selected_node_ids() == ["n_parse0001"]
    assert _in_front(window, "outputs") and not _in_front(window, "problems")
    viewer = control.viewer
    qtbot.waitUntil(lambda: ERROR_TAB in viewer.ports_and_log(), timeout=10000)
    assert viewer.current_port == ERROR_TAB
    error = editor.scene.nodes["n_parse0001"].run.message
    assert error and viewer.current_value() == error
    viewer.show_port("Input: JSON text")  # what it received
    assert viewer.current_value() == "not { json"
    page = window.inspector.page
    assert isinstance(page, NodePage) and page.run_error.isVisibleTo(page)
    assert error in page.run_error.text()
    status = window.statusBar().currentMessage()
    assert status.startswith("The run failed: Parse reply (n_parse0001)")
    window.grab().save(str(tmp_path / "failed.png"))
    qtbot.wait(100)
    assert window.statusBar().currentMessage() == status  # no 15 s timeout: until a run or edit
    editor.scene.push(SetConfig("n_const0001", {"kind": "text", "value": "{}"}), "fix")
    assert window.statusBar().currentMessage() == ""


def test_the_failed_nodes_log_tab_has_only_the_latest_run(window, qtbot, tmp_path) -> None:
    editor = window.open_path(_bad_json_flow(tmp_path / "bad.loom"))
    control = controller_of(window)
    for _ in range(2):
        assert _run(window, qtbot)["status"] == "FAILED"
    assert control.log.toPlainText().count("— run of bad.loom —") == 2
    editor.scene.clearSelection()
    editor.scene.select_nodes(["n_parse0001"])
    qtbot.waitUntil(lambda: LOG_TAB in control.viewer.ports_and_log(), timeout=10000)
    control.viewer.show_port(LOG_TAB)
    lines = control.viewer.current_value().splitlines()
    assert len(lines) == 1 and "error" in lines[0]


def test_run_with_problems_names_the_first_one(window, qtbot, tmp_path) -> None:
    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    config = editor.document.flow.nodes["n_mfilt001"].config
    broken = {**config, "conditions": [{**config["conditions"][0], "column": ""}]}
    editor.scene.push(SetConfig("n_mfilt001", broken), "break")
    control = controller_of(window)
    control.ask_inputs = lambda *_: {}
    assert not control.run()
    status = window.statusBar().currentMessage()
    assert status.startswith("Cannot run: Amount ≥ 500: Condition 1 › Column: "), status
    assert _in_front(window, "problems")
    tree = window.problems.tree
    fields = [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]
    assert "Condition 1 › Column" in fields


def test_breakpoint_shows_inputs_and_continue_says_running(window, qtbot, tmp_path) -> None:
    editor = window.open_path(_slow_flow(tmp_path / "slow.loom", 0))
    control = controller_of(window)
    editor.scene.select_nodes(["n_tmpl00001"])
    control.toggle_breakpoint()
    results: list[dict] = []
    control.run_finished.connect(results.append)
    assert control.run()
    qtbot.waitUntil(lambda: control.paused_at == "n_tmpl00001", timeout=20000)
    assert _in_front(window, "outputs")
    assert control.viewer.ports_and_log() == ["Input: Data"]
    assert control.viewer.current_value() == "hello"
    assert window.statusBar().currentMessage().startswith("Paused before Make text")
    control.resume()
    assert window.statusBar().currentMessage() == "Running…"
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    assert results[-1]["status"] == "COMPLETED"


def test_stop_cancels_downstream_and_logs_the_stopped_step(window, qtbot, tmp_path) -> None:
    editor = window.open_path(_slow_flow(tmp_path / "slow.loom", 60))
    editor.view.fit_all()
    control = controller_of(window)
    results: list[dict] = []
    control.run_finished.connect(results.append)
    assert control.run()
    overlay = control.overlay(editor)
    qtbot.waitUntil(lambda: overlay.marks.get("n_delay0001") is not None
                    and overlay.marks["n_delay0001"].state == "RUNNING", timeout=20000)
    control.stop()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    states = {n: item.run.state if item.run else "" for n, item in editor.scene.nodes.items()}
    assert states == {"n_const0001": "COMPLETED", "n_delay0001": "CANCELLED",
                      "n_tmpl00001": "CANCELLED", "n_log000001": "CANCELLED"}
    log = control.log.toPlainText()
    assert "Slow download (n_delay0001): stopped while it ran" in log
    assert "the run was stopped while Slow download (n_delay0001) ran" in log
    assert window.statusBar().currentMessage() == "Run stopped while Slow download (n_delay0001) ran."
    window.grab().save(str(tmp_path / "stopped.png"))


def test_pinning_says_so_and_the_run_marks_pinned_data(window, qtbot, tmp_path) -> None:
    editor = window.open_path(_slow_flow(tmp_path / "slow.loom", 0))
    control = controller_of(window)
    assert _run(window, qtbot)["status"] == "COMPLETED"
    editor.scene.select_nodes(["n_delay0001"])
    qtbot.waitUntil(lambda: control.viewer.current_port == "value", timeout=10000)
    assert control.pin_selected()
    assert window.statusBar().currentMessage().startswith("Pinned the outputs of Slow download")
    item = editor.scene.nodes["n_delay0001"]
    assert item.look.pinned
    result = _run(window, qtbot)
    assert result["nodes"]["n_delay0001"]["pinned"]
    assert item.run.pinned and item.run.message == "pinned data used"
    assert "Slow download (n_delay0001): pinned data used" in control.log.toPlainText()
    editor.scene.select_nodes(["n_delay0001"])
    assert control.unpin_selected()
    assert window.statusBar().currentMessage().startswith("Unpinned Slow download")


def test_switching_tabs_shows_the_current_flows_outputs(window, qtbot, tmp_path) -> None:
    first = window.open_path(_slow_flow(tmp_path / "slow.loom", 0))
    control = controller_of(window)
    assert _run(window, qtbot)["status"] == "COMPLETED"
    first.scene.select_nodes(["n_tmpl00001"])
    qtbot.waitUntil(lambda: control.viewer.current_value() == "Got hello", timeout=10000)
    window.new_flow()
    assert control.viewer.current_value() is None and control.feed.shown is None
    window.tabs.setCurrentWidget(first)
    qtbot.waitUntil(lambda: control.viewer.current_value() == "Got hello", timeout=10000)
    first.add_node("core.log", QPointF(900, 300))


def test_pills_pins_and_item_counts_leave_titles_and_ports_readable(window) -> None:
    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    item = editor.scene.nodes["n_meach001"]
    item.set_run(RunMark("COMPLETED", cached=True))
    title = item._static_texts()[0].text()
    assert title == item.look.title  # the "cached" pill leaves room for the whole title
    title_end = 10 + ICON_SPACE + _TITLE_METRICS.horizontalAdvance(title)
    assert title_end <= item._pill_right() - pill_width(item.run)
    editor.scene.push(SetNodeProps("n_meach001", pinned={"results": []}), "Pin")
    assert item.look.pinned and item._pill_right() + 4 + PIN <= item.width - 6 + 0.01  # pin right of pill
    edge = next(e for e in item.edges if e.source is item)
    edge.set_label("10 items")
    assert edge.boundingRect().contains(edge.label_rect())  # never cut off

    failed = editor.scene.nodes["n_mfilt001"]  # failed and selected: red outline and selection outline
    failed.set_run(RunMark("FAILED", message="boom"))
    failed.setSelected(True)
    rect = failed.boundingRect()
    image = QImage(int(rect.width()) * 2, int(rect.height()) * 2, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.scale(2, 2)
    painter.translate(-rect.topLeft())
    failed.paint(painter, _option(), None)
    painter.end()
    colors = {QColor(image.pixel(x, y)).name() for x in range(image.width()) for y in range(image.height())}
    assert "#dc2626" in colors and QColor(failed.theme.selection).name() in colors


def _option() -> QStyleOptionGraphicsItem:
    return QStyleOptionGraphicsItem()


def test_cli_screenshot_of_a_failing_run_says_what_failed(home, tmp_path, capsys) -> None:
    from studio.app import run_studio

    flow = _bad_json_flow(tmp_path / "bad.loom")
    out = tmp_path / "shot.png"
    assert run_studio([str(flow)], screenshot=str(out), size="1000x700", theme_name="light", run=True) == 1
    assert out.is_file()
    err = capsys.readouterr().err
    assert "the run failed: Parse reply (n_parse0001): " in err
