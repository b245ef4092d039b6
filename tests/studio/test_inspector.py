"""The inspector as a person uses it: select a node, type, pick, toggle, undo."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage

from runtime.api import Flow, FlowDocument, NodeInstance, SetConfig
from studio.inspector.flow_page import FlowPage
from studio.inspector.node_page import NodePage
from studio.inspector.schema import object_fields, parse_field
from studio.inspector.widgets.json_text import parse_json_or_text, show_json_or_text
from studio.inspector.widgets.path import relative_to_flow


def _node_page(window) -> NodePage:
    page = window.inspector.page
    assert isinstance(page, NodePage)
    return page


def _add(window, type_id: str, x: float = 0) -> str:
    if type_id not in window.registry:  # node packs move between modules while the studio grows
        for module in ("nodes.net", "nodes.files"):
            try:
                types = importlib.import_module(module).NODE_TYPES
            except (ImportError, AttributeError):
                continue
            for node_type in types:
                if node_type.type_id == type_id:
                    window.registry.add(node_type)
    editor = window.current_editor()
    node_id = editor.add_node(type_id, QPointF(x, 0))
    assert node_id is not None
    editor.scene.select_nodes([node_id])
    return node_id


def test_selecting_a_node_shows_its_config(window) -> None:
    node_id = _add(window, "files.csv_read")
    page = _node_page(window)
    assert page.node_id == node_id
    form = page.form
    assert form.field_value("delimiter") == "auto"
    assert form.field_value("header") is True
    assert form.field_value("decimal_separator") == "auto"
    assert form.rows["path"].help.text() == "The CSV file (relative to the flow's folder)"
    assert form.widget("path").edit.toolTip() == "The CSV file (relative to the flow's folder)"
    assert page.type_title.text() == "Read CSV"


def test_typing_is_one_undo_step_and_undo_restores(window, qtbot) -> None:
    node_id = _add(window, "files.csv_read")
    editor = window.current_editor()
    steps = editor.undo.count()
    edit = _node_page(window).form.widget("path").edit
    qtbot.keyClicks(edit, "abc")
    assert editor.document.flow.nodes[node_id].config["path"] == "abc"
    assert editor.undo.count() == steps + 1
    assert editor.undo.undoText() == "Edit “File”"
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the document's undo
    assert editor.document.flow.nodes[node_id].config["path"] == ""
    assert edit.text() == ""
    editor.undo.redo()
    assert edit.text() == "abc"


def test_focus_change_starts_a_new_undo_step(window, qtbot) -> None:
    _add(window, "files.csv_read")
    editor = window.current_editor()
    steps = editor.undo.count()
    form = _node_page(window).form
    qtbot.keyClicks(form.widget("path").edit, "a")
    form.widget("encoding").edit.setFocus()
    form.widget("path").edit.setFocus()
    qtbot.keyClicks(form.widget("path").edit, "b")
    assert editor.undo.count() == steps + 2


def test_refresh_keeps_the_cursor_and_pushes_nothing(window, qtbot) -> None:
    node_id = _add(window, "files.csv_read")
    editor = window.current_editor()
    edit = _node_page(window).form.widget("encoding").edit
    window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=1000)
    edit.setCursorPosition(2)
    steps = editor.undo.count()
    config = {**editor.document.flow.nodes[node_id].config, "encoding": "autumn"}
    editor.scene.push(SetConfig(node_id, config), "elsewhere")
    assert edit.text() == "autumn" and edit.cursorPosition() == 2
    assert editor.undo.count() == steps + 1


def test_tab_order_follows_the_form(window) -> None:
    _add(window, "files.csv_read")
    page = _node_page(window)
    order = [page.title_edit]
    widget = page.title_edit
    while len(order) < 6:
        widget = widget.nextInFocusChain()
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(window):
            order.append(widget)
    form = page.form
    assert order[1:] == [page.description_edit, page.config_section.header, form.widget("path").edit,
                         form.widget("path").button, form.widget("header").box]


def test_invalid_number_shows_pydantic_message_and_is_kept(window, qtbot) -> None:
    node_id = _add(window, "core.delay")
    editor = window.current_editor()
    page = _node_page(window)
    line = page.form.widget("seconds").box.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, "-5")
    assert page.form.messages() == {"seconds": "⚠ Input should be greater than or equal to 0"}
    assert editor.document.flow.nodes[node_id].config["seconds"] == -5.0  # what was typed is kept
    line.selectAll()
    qtbot.keyClicks(line, "2,5")  # a decimal comma is a number too
    assert editor.document.flow.nodes[node_id].config["seconds"] == 2.5
    assert page.form.messages() == {}


def test_step_buttons_respect_bounds(window) -> None:
    _add(window, "core.json_format")
    box = _node_page(window).form.widget("indent").box
    box.lineEdit().setText("7")
    box.stepBy(5)
    assert box.lineEdit().text() == "8"  # maximum 8


def test_enum_change_and_bool_toggle(window, qtbot) -> None:
    node_id = _add(window, "files.csv_read")
    editor = window.current_editor()
    form = _node_page(window).form
    steps = editor.undo.count()
    combo = form.widget("decimal_separator").combo
    combo.setCurrentIndex(combo.findText(","))
    assert editor.document.flow.nodes[node_id].config["decimal_separator"] == ","
    box = form.widget("header").box
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert editor.document.flow.nodes[node_id].config["header"] is False
    assert editor.undo.count() == steps + 2  # choices never merge
    editor.undo.undo()
    assert box.isChecked()
    editor.undo.undo()
    assert combo.currentText() == "auto"


def test_list_of_objects_add_edit_remove(window, qtbot) -> None:
    node_id = _add(window, "core.sort_rows")
    editor = window.current_editor()
    form = _node_page(window).form
    keys = form.widget("keys")
    assert "keys" in form.messages()  # required, and empty
    qtbot.mouseClick(keys.add_button, Qt.MouseButton.LeftButton)
    assert editor.document.flow.nodes[node_id].config["keys"] == [{"column": "", "descending": False}]
    item = keys.rows[0].widget
    assert "String should have at least 1 character" in item.form.messages()["column"]
    qtbot.keyClicks(item.form.widget("column").edit, "Amount")
    assert editor.document.flow.nodes[node_id].config["keys"] == [{"column": "Amount", "descending": False}]
    assert item.form.messages() == {} and "keys" not in form.messages()
    qtbot.mouseClick(keys.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(keys.rows[1].widget.form.widget("column").edit, "Date")
    qtbot.mouseClick(keys.rows[1].up, Qt.MouseButton.LeftButton)
    assert [k["column"] for k in editor.document.flow.nodes[node_id].config["keys"]] == ["Date", "Amount"]
    qtbot.mouseClick(keys.rows[0].remove, Qt.MouseButton.LeftButton)
    assert editor.document.flow.nodes[node_id].config["keys"] == [{"column": "Amount", "descending": False}]
    editor.undo.undo()
    assert len(keys.rows) == 2 and keys.rows[0].widget.value()["column"] == "Date"


def test_list_of_text_add_and_remove(window, qtbot) -> None:
    node_id = _add(window, "control.join")
    editor = window.current_editor()
    left = _node_page(window).form.widget("left_key")
    qtbot.mouseClick(left.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(left.rows[0].widget.edit, "Invoice no")
    assert editor.document.flow.nodes[node_id].config["left_key"] == ["Invoice no"]
    qtbot.mouseClick(left.rows[0].remove, Qt.MouseButton.LeftButton)
    assert editor.document.flow.nodes[node_id].config["left_key"] == []


def test_switch_case_gets_a_stable_id(window, qtbot) -> None:
    node_id = _add(window, "control.switch")
    editor = window.current_editor()
    cases = _node_page(window).form.widget("cases")
    qtbot.mouseClick(cases.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(cases.add_button, Qt.MouseButton.LeftButton)
    assert [c["id"] for c in editor.document.flow.nodes[node_id].config["cases"]] == ["case_1", "case_2"]
    qtbot.mouseClick(cases.rows[1].up, Qt.MouseButton.LeftButton)
    assert [c["id"] for c in editor.document.flow.nodes[node_id].config["cases"]] == ["case_2", "case_1"]


def test_key_value_table(window) -> None:
    node_id = _add(window, "http.request")
    editor = window.current_editor()
    headers = _node_page(window).form.widget("headers")
    headers.add_row()
    headers.table.item(0, 0).setText("X-Client")
    headers.table.item(0, 1).setText("loomwork")
    assert editor.document.flow.nodes[node_id].config["headers"] == {"X-Client": "loomwork"}
    headers.table.item(0, 0).setText("Authorization")
    assert "Authorization" in _node_page(window).form.messages()["headers"]  # refused, shown inline


def test_credential_combo_lists_saved_names(window, home: Path) -> None:
    (home / "credentials.json").write_text(json.dumps({"names": ["portal_login", "erp_token"]}))
    _add(window, "http.request")
    combo = _node_page(window).form.widget("credential").combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["erp_token", "portal_login"]
    assert "loomwork credentials set" in combo.toolTip()


def test_title_edit_updates_the_canvas(window, qtbot) -> None:
    node_id = _add(window, "files.csv_read")
    editor = window.current_editor()
    page = _node_page(window)
    qtbot.keyClicks(page.title_edit, "Suppliers")
    assert editor.scene.nodes[node_id].look.title == "Suppliers"
    assert editor.document.flow.nodes[node_id].title == "Suppliers"
    editor.undo.undo()
    assert editor.scene.nodes[node_id].look.title == "Read CSV"
    assert page.title_edit.text() == ""


def test_run_settings_store_only_valid_values(window, qtbot) -> None:
    node_id = _add(window, "files.csv_read")
    editor = window.current_editor()
    page = _node_page(window)
    page.run_section.set_expanded(True)
    line = page.settings_form.widget("timeout_s").box.lineEdit()
    qtbot.keyClicks(line, "0")
    assert page.settings_form.messages() == {"timeout_s": "⚠ Input should be greater than 0"}
    assert editor.document.flow.nodes[node_id].settings.timeout_s is None
    qtbot.keyClicks(line, ".5")
    assert editor.document.flow.nodes[node_id].settings.timeout_s == 0.5
    combo = page.settings_form.widget("on_error").combo
    combo.setCurrentIndex(combo.findText("route"))
    assert "error" in [spec.id for is_out, spec in page.ports.rows if is_out]


def test_flow_inputs_table_adds_a_declared_input(window, qtbot) -> None:
    editor = window.current_editor()
    page = window.inspector.page
    assert isinstance(page, FlowPage)
    qtbot.mouseClick(page.inputs.add_button, Qt.MouseButton.LeftButton)
    assert list(editor.document.flow.inputs) == ["input_1"]
    page.inputs.table.item(0, 0).setText("amount")
    page.inputs.table.cellWidget(0, 1).setCurrentText("number")
    flow_inputs = editor.document.flow.inputs
    assert list(flow_inputs) == ["amount"] and flow_inputs["amount"].type.value == "number"
    page.inputs.table.item(0, 0).setText("two words")
    assert "not a valid name" in page.inputs.error.text()
    assert list(editor.document.flow.inputs) == ["amount"]
    qtbot.keyClicks(page.name_edit, " report")
    assert editor.document.flow.name == "Untitled report"
    node_id = _add(window, "core.flow_input")
    combo = _node_page(window).form.widget("name").combo
    combo.showPopup()
    combo.hidePopup()
    assert combo.itemText(0) == "amount"
    assert node_id in editor.document.flow.nodes


def test_several_selected_and_missing_type(window) -> None:
    a = _add(window, "files.csv_read")
    b = _add(window, "core.log", 300)
    window.current_editor().scene.select_nodes([a, b])
    assert window.inspector.message_title.text() == "2 nodes selected"
    flow = Flow(name="old", nodes={"n_missing1": NodeInstance(type="acme.tools.frobnicate",
                                                               config={"level": 3, "mode": "fast"})})
    editor = window.add_editor(FlowDocument(flow, registry=window.registry))
    editor.scene.select_nodes(["n_missing1"])
    page = _node_page(window)
    assert json.loads(page.raw_view.toPlainText()) == {"level": 3, "mode": "fast"}
    assert page.raw_view.isReadOnly()


def test_schema_helpers() -> None:
    root = {"$defs": {"Kind": {"enum": ["a", "b"], "type": "string"}},
            "properties": {"kind": {"anyOf": [{"$ref": "#/$defs/Kind"}, {"type": "null"}], "default": None},
                           "limit": {"anyOf": [{"exclusiveMinimum": 0, "type": "number"}, {"type": "null"}]},
                           "code": {"type": "string", "widget": "code"}},
            "required": ["code"]}
    kind, limit, code = object_fields(root)
    assert (kind.kind, kind.nullable, kind.enum) == ("enum", True, ["a", "b"])
    assert (limit.kind, limit.minimum, limit.exclusive_minimum) == ("number", 0.0, True)
    assert (code.kind, code.required) == ("code", True)
    assert parse_field("x", {"type": "array", "items": {"type": "array"}}, {}).kind == "json"
    for value in ("abc", "123", "", "true", 42, [1, 2], {"a": 1}, None):
        assert parse_json_or_text(show_json_or_text(value)) == value
    assert relative_to_flow("/data/flows/in/a.csv", Path("/data/flows")) == "in/a.csv"
    assert relative_to_flow("/data/a.csv", None) == "/data/a.csv"


def test_screenshots_of_csv_and_http_nodes(window, qtbot) -> None:
    window.resize(1500, 940)
    csv = _add(window, "files.csv_read")
    http = _add(window, "http.request", 320)
    editor = window.current_editor()
    for name, node_id in (("csv_read", csv), ("http_request", http)):
        editor.scene.select_nodes([node_id])
        editor.view.fit_all()
        qtbot.wait(20)
        path = Path(f"/tmp/inspector_{name}.png")
        assert window.grab().save(str(path))
        image = QImage(str(path))
        assert image.width() >= 1400
    page = _node_page(window)
    assert page.form is not None and not page.banner.isVisible()


@pytest.fixture(autouse=True)
def _no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "exec", lambda self: 0)


def test_generated_form_covers_nested_objects_and_hints(qtbot) -> None:
    from typing import Any, Literal

    from pydantic import BaseModel, Field

    from studio.inspector.form import SchemaForm, form_context
    from studio.inspector.schema import validation_issues
    from studio.inspector.widgets.json_text import JsonTextField
    from studio.inspector.widgets.multiline import MultilineField
    from studio.inspector.widgets.object_field import ObjectField

    class Retry(BaseModel):
        attempts: int = Field(default=3, ge=1, le=10, title="Attempts")
        mode: Literal["fast", "slow"] | None = None

    class Config(BaseModel):
        script: str = Field(default="", json_schema_extra={"widget": "code"})
        retry: Retry = Field(default_factory=Retry, title="Retry")
        extra: Any = None

    form = SchemaForm(object_fields(Config.model_json_schema()), form_context())
    qtbot.addWidget(form)
    assert isinstance(form.widget("script"), MultilineField)
    assert isinstance(form.widget("retry"), ObjectField) and isinstance(form.widget("extra"), JsonTextField)
    form.set_value({"script": "print(1)", "retry": {"attempts": 0, "mode": None}, "kept": True})
    assert form.value() == {"script": "print(1)", "retry": {"attempts": 0, "mode": None}, "extra": None,
                            "kept": True}
    general = form.show_issues(validation_issues(Config, form.value()))
    assert general == []
    nested = form.widget("retry").form
    assert nested.messages() == {"attempts": "⚠ Input should be greater than or equal to 1"}
    edits: list[str] = []
    form.edited.connect(lambda path, _merge: edits.append(path))
    nested.widget("mode").combo.setCurrentIndex(2)
    assert edits == ["retry.mode"] and form.value()["retry"]["mode"] == "slow"


def test_inspector_text_follows_a_live_theme_switch(window, qtbot) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication, QToolButton

    from studio.features.session import SessionFeature
    from studio.inspector.style import MutedLabel
    from studio.session.theme_switch import resolve_theme
    from tests.studio.conftest import EXAMPLES

    editor = window.open_path(EXAMPLES / "merge_supplier_invoices.loom")
    editor.scene.select_nodes(["n_mfilt001"])
    window.findChild(SessionFeature).themes.apply(resolve_theme("dark"))
    qtbot.wait(50)
    app = QApplication.palette()
    muted = [w for w in window.findChildren(MutedLabel) if w.isVisible()]
    assert muted and all(w.palette().color(QPalette.ColorRole.WindowText)
                         == app.color(QPalette.ColorRole.PlaceholderText) for w in muted)
    headers = [b for b in window.findChildren(QToolButton) if b.text() == "SETTINGS" and b.isVisible()]
    assert headers and headers[0].palette().color(QPalette.ColorRole.ButtonText) == \
        app.color(QPalette.ColorRole.ButtonText)
