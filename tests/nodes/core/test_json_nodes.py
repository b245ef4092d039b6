"""core.json_parse and core.json_format."""

from __future__ import annotations

import datetime as dt

import pytest

from runtime.api import NodeState, Table


def test_parse_an_object(run_node):
    out = run_node("core.json_parse", {}, {"text": '\ufeff{"a": [1, 2.5, null], "b": "ü"}'}).ok()
    assert out == {"value": {"a": [1, 2.5, None], "b": "ü"}}


def test_parse_a_list_of_objects_into_a_table(run_node):
    out = run_node("core.json_parse", {"as_table": True}, {"text": '[{"a": 1}, {"a": 2, "b": "x"}]'}).ok()
    assert out["value"] == Table.from_records([{"a": 1, "b": None}, {"a": 2, "b": "x"}])


def test_parse_into_a_table_refuses_other_shapes(run_node):
    run = run_node("core.json_parse", {"as_table": True}, {"text": '{"a": 1}'})
    assert run.state is NodeState.FAILED
    assert "not a list of objects" in run.error


def test_invalid_json_names_line_and_column(run_node):
    run = run_node("core.json_parse", {}, {"text": '{\n  "a": 1,\n  "b": oops\n}'})
    assert run.state is NodeState.FAILED
    assert "line 3, column 8" in run.error
    assert "oops" in run.error


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_is_an_error(run_node, text):
    run = run_node("core.json_parse", {}, {"text": text})
    assert run.state is NodeState.FAILED
    assert "empty" in run.error


def test_format_with_indent_and_sorted_keys(run_node):
    out = run_node("core.json_format", {"indent": 2, "sort_keys": True}, {"value": {"b": 1, "a": "é"}}).ok()
    assert out["text"] == '{\n  "a": "é",\n  "b": 1\n}'


def test_format_compact_tables_and_dates(run_node):
    value = {"rows": Table.from_records([{"d": dt.date(2024, 1, 31)}]), "n": None}
    out = run_node("core.json_format", {"indent": 0}, {"value": value}).ok()
    assert out["text"] == '{"rows": [{"d": "2024-01-31"}], "n": null}'


def test_format_refuses_nan(run_node):
    run = run_node("core.json_format", {}, {"value": {"x": float("nan")}})
    assert run.state is NodeState.FAILED
    assert "NaN" in run.error
