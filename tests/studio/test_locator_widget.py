"""The locator editor of browser steps: its fields, undo, and Pick element with a fake picker
program that speaks the picker's JSON lines."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QPointF, Qt

from runtime.api import Flow, FlowDocument, SessionRef
from studio.inspector.node_page import NodePage
from studio.inspector.widgets.locator import LocatorField, matches_text

FAKE_PICKER = textwrap.dedent("""
    import json, sys
    log = open(sys.argv[1], "a")
    def say(**m):
        sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
    say(type="ready")
    for line in sys.stdin:
        command = json.loads(line)
        log.write(line); log.flush()
        op = command["op"]
        if op == "open":
            say(type="opened", url=command["url"], title="Sign in")
        elif op == "pick":
            say(type="picking", url="")
            say(type="picked", matches=1, description="button 'Sign in'", candidates=[],
                locator={"by": "role", "value": "button", "name": "Sign in", "exact": False, "nth": 0,
                         "frame": ""})
        elif op == "count":
            loc = command["locator"]
            say(type="count", matches=1 if loc.get("name") else 3, nth=loc.get("nth", 0))
        elif op == "quit":
            break
    log.write("bye\\n")
""")


def _select_click(window, flow: Flow | None = None, path: Path | None = None) -> tuple[str, LocatorField]:
    if flow is not None:
        assert path is not None
        FlowDocument(flow, path=path).save()
        editor = window.open_path(path)
        node_id = next(n for n, inst in flow.nodes.items() if inst.type == "browser.click")
    else:
        editor = window.current_editor()
        node_id = editor.add_node("browser.click", QPointF(0, 0))
    editor.scene.select_nodes([node_id])
    page = window.inspector.page
    assert isinstance(page, NodePage) and page.node_id == node_id
    widget = page.form.widget("target")
    assert isinstance(widget, LocatorField)
    return node_id, widget


def _fake_picker(widget: LocatorField, tmp_path: Path) -> Path:
    script, log = tmp_path / "fake_picker.py", tmp_path / "picker.log"
    script.write_text(FAKE_PICKER)
    widget.picker_program = (sys.executable, [str(script), str(log)])
    widget.ask_url = lambda _parent: "http://127.0.0.1:9/asked"
    return log


def _commands(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]


def test_a_click_step_shows_a_locator_editor(window) -> None:
    node_id, widget = _select_click(window)
    assert widget.picker_module == "nodes.browser.picker"
    assert widget.pick.isVisibleTo(widget)
    assert widget.value() == {"by": "role", "value": "", "name": "", "exact": False, "nth": 0, "frame": ""}
    assert widget.name_edit.isVisibleTo(widget)
    widget.by.setCurrentIndex(widget.by.findData("css"))
    assert not widget.name_edit.isVisibleTo(widget)
    assert widget.value_label.text() == "Selector"
    assert window.current_editor().document.flow.nodes[node_id].config["target"]["by"] == "css"


def test_edits_of_the_locator_are_undo_steps(window, qtbot) -> None:
    node_id, widget = _select_click(window)
    editor = window.current_editor()
    steps = editor.undo.count()
    qtbot.keyClicks(widget.value_edit, "button")
    assert editor.document.flow.nodes[node_id].config["target"]["value"] == "button"
    assert editor.undo.count() == steps + 1  # typing merges into one step
    assert editor.undo.undoText() == "Edit “Element”"
    widget.name_edit.setFocus()
    qtbot.keyClicks(widget.name_edit, "Next")
    widget.exact.setChecked(True)
    assert editor.document.flow.nodes[node_id].config["target"] == {
        "by": "role", "value": "button", "name": "Next", "exact": True, "nth": 0, "frame": ""}
    assert editor.undo.count() == steps + 3
    editor.undo.undo()
    editor.undo.undo()
    assert widget.name_edit.text() == "" and not widget.exact.isChecked()
    assert widget.value_edit.text() == "button"
    qtbot.keyClicks(widget.value_edit, "x")  # not a role: the step says so
    assert "is not a role" in window.inspector.page.form.messages()["target"]


def test_pick_element_writes_the_locator_back_as_one_undo_step(window, qtbot, tmp_path: Path) -> None:
    node_id, widget = _select_click(window)
    editor = window.current_editor()
    log = _fake_picker(widget, tmp_path)
    steps = editor.undo.count()
    qtbot.mouseClick(widget.pick, Qt.MouseButton.LeftButton)
    expected = {"by": "role", "value": "button", "name": "Sign in", "exact": False, "nth": 0, "frame": ""}
    qtbot.waitUntil(lambda: editor.document.flow.nodes[node_id].config["target"] == expected, timeout=10_000)
    assert editor.undo.count() == steps + 1
    assert widget.status.text() == "matches 1 element"
    assert widget.name_edit.text() == "Sign in"
    commands = _commands(log)
    assert commands[:2] == [{"op": "open", "url": "http://127.0.0.1:9/asked"}, {"op": "pick"}]

    widget.name_edit.clear()  # the live check: the picker counts on its page
    qtbot.waitUntil(lambda: widget.status.text() == "matches 3 elements — set Match number", timeout=10_000)
    assert _commands(log)[-1]["op"] == "count"

    qtbot.mouseClick(widget.pick, Qt.MouseButton.LeftButton)  # picking again: the open browser stays
    qtbot.waitUntil(lambda: widget.name_edit.text() == "Sign in", timeout=10_000)
    assert [c["op"] for c in _commands(log)].count("open") == 1
    assert _commands(log)[-1] == {"op": "pick"}

    editor.undo.undo()
    editor.undo.undo()
    editor.undo.undo()
    assert editor.document.flow.nodes[node_id].config["target"]["value"] == ""

    process = widget.client.process
    assert process is not None
    editor.scene.select_nodes([])  # deselected: the picker is asked to quit
    qtbot.waitUntil(lambda: "bye" in log.read_text(), timeout=10_000)
    assert _commands(log)[-1] == {"op": "quit"}


def test_the_page_comes_from_the_last_run_else_the_open_browser_step(window, tmp_path: Path) -> None:
    flow = Flow.model_validate({"name": "pick", "nodes": {
        "n_open0001": {"type": "browser.open", "config": {"url": "portal/login.html"}},
        "n_wait0001": {"type": "browser.wait_for", "config": {}},
        "n_click001": {"type": "browser.click", "config": {}}},
        "edges": ["n_open0001.page -> n_wait0001.page", "n_wait0001.page -> n_click001.page"]})
    (tmp_path / "flows").mkdir()
    path = tmp_path / "flows" / "pick.loom"
    runs: dict[str, dict] = {}
    window.inspector.run_outputs = lambda _editor: runs.get
    _node, widget = _select_click(window, flow, path)
    assert widget.ctx.page_url() == (tmp_path / "flows" / "portal" / "login.html").resolve().as_uri()
    runs["n_wait0001"] = {"page": SessionRef(run_id="r1", session="n_open0001", url="http://127.0.0.1:9/list")}
    assert widget.ctx.page_url() == "http://127.0.0.1:9/list"


def test_the_page_address_is_asked_when_the_flow_does_not_say(window, qtbot, tmp_path: Path) -> None:
    _node, widget = _select_click(window)
    log = _fake_picker(widget, tmp_path)
    asked: list[bool] = []
    widget.ask_url = lambda _parent: asked.append(True) or ""
    qtbot.mouseClick(widget.pick, Qt.MouseButton.LeftButton)
    assert asked == [True]
    assert widget.status.text() == "Pick element needs the page's web address"
    assert not widget.client.running and not log.exists()


def test_matches_text() -> None:
    assert matches_text(0) == "matches no element"
    assert matches_text(1) == "matches 1 element"
    assert matches_text(3) == "matches 3 elements — set Match number"
    assert matches_text(3, 2) == "match 2 of 3 elements"
    assert matches_text(1, 2) == "matches 1 element — there is no match 2"
