"""Running flows from the studio, with a real worker process."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QPointF

from runtime.api import HistoryStore, data_paths
from studio.features.run import controller_of
from studio.outputs.viewer import LOG_TAB
from tests.studio.conftest import EXAMPLES


def _marks(editor) -> dict[str, str]:
    return {nid: (item.run.state if item.run else "") for nid, item in editor.scene.nodes.items()}


def _run(window, qtbot, timeout: int = 30000, **kwargs) -> dict:
    controller = controller_of(window)
    if controller.ask_inputs.__name__ == "ask_flow_inputs":  # never a modal dialog in tests
        controller.ask_inputs = lambda _parent, _declared, last: dict(last)
    results: list[dict] = []
    controller.run_finished.connect(results.append)
    assert controller.run(**kwargs)
    qtbot.waitUntil(lambda: bool(results), timeout=timeout)
    for overlay in controller.overlays.values():
        overlay.apply()
    return results[-1]


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_run_example_marks_every_node(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    controller_of(window).ask_inputs = lambda *_: {"amount": "250"}
    result = _run(window, qtbot)
    assert result["status"] == "COMPLETED"
    marks = _marks(editor)
    assert marks["n_rsml0001"] == "COMPLETED" and marks["n_rbig0001"] == "SKIPPED"
    assert all(state in ("COMPLETED", "SKIPPED") for state in marks.values())
    assert result["outputs"] == {"decision": "Invoice of 250.0 EUR approved automatically."}


def test_failing_node_is_marked_and_downstream_skipped(window, qtbot, tmp_path: Path) -> None:
    flow = _write(tmp_path / "fails.loom", {
        "format_version": 3, "name": "fails",
        "nodes": {"n_read0000": {"type": "files.read_text", "config": {"path": "missing.txt"}},
                  "n_log00000": {"type": "core.log", "config": {"message": "x"}}},
        "edges": ["n_read0000.text -> n_log00000.value"]})
    editor = window.open_path(flow)
    result = _run(window, qtbot)
    assert result["status"] == "FAILED"
    marks = _marks(editor)
    assert marks == {"n_read0000": "FAILED", "n_log00000": "SKIPPED"}
    assert "missing.txt" in editor.scene.nodes["n_read0000"].run.message
    assert editor.scene.selected_node_ids() == ["n_read0000"]  # the failing node is one click away
    assert "missing.txt" in controller_of(window).log.toPlainText()


def test_outputs_panel_has_the_nodes_log_lines(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    assert _run(window, qtbot)["status"] == "COMPLETED"
    controller = controller_of(window)
    editor.scene.select_nodes(["n_mwrit001"])
    qtbot.waitUntil(lambda: LOG_TAB in controller.viewer.ports_and_log(), timeout=10000)
    controller.viewer.show_port(LOG_TAB)
    assert "large_invoices.csv" in controller.viewer.current_value()
    assert controller.viewer.copy() == controller.viewer.current_value()  # plain lines, not JSON


def test_stop_cancels_a_long_node_within_a_second(window, qtbot, tmp_path: Path) -> None:
    flow = _write(tmp_path / "slow.loom", {"format_version": 3, "name": "slow", "nodes": {
        "n_wait0000": {"type": "core.delay", "config": {"seconds": 60}}}})
    editor = window.open_path(flow)
    controller = controller_of(window)
    results: list[dict] = []
    controller.run_finished.connect(results.append)
    controller.run()
    qtbot.waitUntil(lambda: _marks(editor)["n_wait0000"] == "RUNNING" or
                    (controller.overlays[editor].apply() or False), timeout=20000)
    started = time.monotonic()
    controller.stop()
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert time.monotonic() - started < 1.0
    assert results[-1]["status"] == "CANCELLED"


def test_run_from_node_reuses_cached_upstream(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    assert _run(window, qtbot)["status"] == "COMPLETED"
    editor.scene.select_nodes(["n_msort001"])
    result = _run(window, qtbot, from_node="n_msort001")
    assert result["status"] == "COMPLETED"
    assert result["nodes"]["n_mfilt001"]["cached"] and result["nodes"]["n_meach001"]["cached"]
    assert not result["nodes"]["n_msort001"]["cached"]
    assert editor.scene.nodes["n_mfilt001"].run.cached


def test_breakpoint_pauses_and_step_continues(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    controller = controller_of(window)
    controller.ask_inputs = lambda *_: {}
    editor.scene.select_nodes(["n_rmrg0001"])
    controller.toggle_breakpoint()
    assert editor.scene.nodes["n_rmrg0001"].breakpoint
    results: list[dict] = []
    controller.run_finished.connect(results.append)
    controller.run()
    qtbot.waitUntil(lambda: controller.paused_at == "n_rmrg0001", timeout=20000)
    assert editor.scene.nodes["n_rmrg0001"].run.state == "PAUSED"
    assert "needs a manager's approval" in controller.log.toPlainText()  # its inputs are shown
    controller.resume(step=True)
    qtbot.waitUntil(lambda: controller.paused_at == "n_rlog0001", timeout=10000)
    controller.resume()
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    assert results[-1]["status"] == "COMPLETED"


def test_killing_the_worker_marks_crashed_and_the_studio_goes_on(window, qtbot, tmp_path: Path) -> None:
    flow = _write(tmp_path / "slow.loom", {"format_version": 3, "name": "slow", "nodes": {
        "n_wait0000": {"type": "core.delay", "config": {"seconds": 60}}}})
    editor = window.open_path(flow)
    controller = controller_of(window)
    results: list[dict] = []
    controller.run_finished.connect(results.append)
    controller.run()
    qtbot.waitUntil(lambda: controller.overlays[editor].marks.get("n_wait0000") is not None and
                    controller.overlays[editor].marks["n_wait0000"].state == "RUNNING", timeout=20000)
    controller.client.kill()
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    assert results[-1]["status"] == "CRASHED"
    assert editor.scene.nodes["n_wait0000"].run.state == "CRASHED"
    store = HistoryStore(data_paths().history_db)  # in history at once, not at the next start
    try:
        crashed = store.list_runs(limit=1)[0]
    finally:
        store.close()
    assert crashed["status"] == "CRASHED" and crashed["flow_name"] == "slow"
    editor.add_node("core.constant", QPointF(300, 0))  # still usable
    other = window.open_path(EXAMPLES / "approval_routing.loom")
    controller.ask_inputs = lambda *_: {}
    assert _run(window, qtbot)["status"] == "COMPLETED"
    assert other is window.current_editor()


def test_selecting_a_node_after_a_run_shows_its_outputs(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    assert _run(window, qtbot)["status"] == "COMPLETED"
    controller = controller_of(window)
    editor.scene.select_nodes(["n_msort001"])
    qtbot.waitUntil(lambda: controller.viewer.current_port == "table", timeout=10000)
    table = controller.viewer.current_value()
    assert len(table) == 7 and table.rows[0]["amount"] == 5200.0
    window.grab().save(str(Path("/tmp") / "loomwork_outputs_dock.png"))


def test_pinned_outputs_are_used_and_the_node_does_not_run(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "approval_routing.loom")
    controller = controller_of(window)
    controller.ask_inputs = lambda *_: {"amount": "250"}
    assert _run(window, qtbot)["status"] == "COMPLETED"
    editor.scene.select_nodes(["n_rmrg0001"])
    qtbot.waitUntil(lambda: controller.viewer.current_port == "value", timeout=10000)
    assert controller.pin_selected()
    assert editor.document.flow.nodes["n_rmrg0001"].pinned == {
        "value": "Invoice of 250.0 EUR approved automatically."}
    controller.ask_inputs = lambda *_: {"amount": "5000"}
    result = _run(window, qtbot)
    assert result["nodes"]["n_rmrg0001"]["pinned"]
    assert result["outputs"] == {"decision": "Invoice of 250.0 EUR approved automatically."}
    editor.scene.select_nodes(["n_rmrg0001"])
    assert controller.unpin_selected()
    assert editor.document.flow.nodes["n_rmrg0001"].pinned is None


def test_log_panel_filters_by_level_and_selected_node(window, qtbot) -> None:
    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    assert _run(window, qtbot)["status"] == "COMPLETED"
    log = controller_of(window).log
    everything = log.model.rowCount()
    assert any("kept 7 of 10 rows" in line.message for line in log.model.lines)
    log.level.setCurrentIndex(3)  # errors only
    assert log.model.rowCount() == 0
    log.level.setCurrentIndex(1)
    log.only_selected.setChecked(True)
    editor.scene.select_nodes(["n_mfilt001"])
    assert 0 < log.model.rowCount() < everything
    assert all(line.node_id == "n_mfilt001" for line in log.model.lines)
