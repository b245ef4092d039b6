"""core.set_fields: set, rename, copy and pick fields of records and table rows."""

from __future__ import annotations

from runtime.api import NodeState, Table

CONFIG = {
    "renames": [{"from": "amt", "to": "amount"}, {"from": "id", "to": "ref", "mode": "copy"}],
    "set": [{"field": "currency", "value": "EUR"}, {"field": "checked", "value": True}],
}


def test_record_renames_copies_and_sets(run_node):
    out = run_node("core.set_fields", CONFIG, {"data": {"id": "A1", "amt": 10, "note": "x"}}).ok()
    assert out["data"] == {"id": "A1", "amount": 10, "note": "x", "ref": "A1", "currency": "EUR",
                           "checked": True}
    assert list(out["data"]) == ["id", "amount", "note", "ref", "currency", "checked"]


def test_table_rows_change_and_column_types_follow(run_node):
    table = Table.from_records([{"id": "A1", "amt": 10}, {"id": "A2", "amt": 20}])
    out = run_node("core.set_fields", {**CONFIG, "keep_only": ["ref", "amount", "currency"]},
                   {"data": table}).ok()
    result = out["data"]
    assert isinstance(result, Table)
    assert result.column_names == ["ref", "amount", "currency"]
    assert result.rows == [{"ref": "A1", "amount": 10, "currency": "EUR"},
                           {"ref": "A2", "amount": 20, "currency": "EUR"}]
    assert [c.type for c in result.columns] == ["text", "integer", "text"]


def test_renaming_a_missing_field_names_it(run_node):
    run = run_node("core.set_fields", {"renames": [{"from": "total", "to": "sum"}]}, {"data": {"amount": 1}})
    assert run.state is NodeState.FAILED
    assert "'total'" in run.error and "'amount'" in run.error


def test_keep_only_a_missing_field_is_an_error_not_an_empty_column(run_node):
    table = Table.from_records([{"a": 1}])
    run = run_node("core.set_fields", {"keep_only": ["a", "b"]}, {"data": table})
    assert run.state is NodeState.FAILED
    assert "Keep only" in run.error and "'b'" in run.error


def test_list_of_records_is_treated_as_a_table(run_node):
    out = run_node("core.set_fields", {"set": [{"field": "x", "value": 0}]}, {"data": [{"a": 1}]}).ok()
    assert out["data"] == Table.from_records([{"a": 1, "x": 0}])
