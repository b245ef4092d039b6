"""core.filter_rows: conditions on columns, kept and rejected rows."""

from __future__ import annotations

import datetime as dt

import pytest

from runtime.api import CompileError, NodeState, Table

ROWS = Table.from_records([
    {"id": "00123", "name": "Acme GmbH", "amount": "900", "due": "2024-03-01", "note": ""},
    {"id": "123", "name": "acme ltd", "amount": "1500.50", "due": "2024-01-15", "note": "late"},
    {"id": "7", "name": "Bolt AG", "amount": "10", "due": dt.date(2024, 2, 1), "note": None},
    {"id": "8", "name": "Crane", "amount": "n/a", "due": "", "note": "check"},
])


def ids(table: Table) -> list[str]:
    return [r["id"] for r in table.rows]


def run_filter(run_node, conditions, **extra):
    return run_node("core.filter_rows", {"conditions": conditions, **extra}, {"table": ROWS})


def test_numbers_written_as_text_compare_as_numbers(run_node):
    run = run_filter(run_node, [{"column": "amount", "op": ">", "value": "100"}])
    out = run.ok()
    assert ids(out["table"]) == ["00123", "123"]
    assert ids(out["rejected"]) == ["7", "8"]
    assert out["table"].columns == ROWS.columns
    assert any("could not be compared" in m for m in run.logs("warning"))


def test_codes_with_leading_zeros_stay_text_for_equality(run_node):
    out = run_filter(run_node, [{"column": "id", "op": "=", "value": "123"}]).ok()
    assert ids(out["table"]) == ["123"]


def test_dates_compare_as_dates_whether_text_or_date(run_node):
    out = run_filter(run_node, [{"column": "due", "op": "<", "value": "2024-02-15"}]).ok()
    assert ids(out["table"]) == ["123", "7"]


@pytest.mark.parametrize(("condition", "expected"), [
    ({"column": "name", "op": "contains", "value": "ACME"}, ["00123", "123"]),
    ({"column": "name", "op": "starts_with", "value": "b"}, ["7"]),
    ({"column": "name", "op": "ends_with", "value": "gmbh"}, ["00123"]),
    ({"column": "note", "op": "is_empty"}, ["00123", "7"]),
    ({"column": "note", "op": "not_empty"}, ["123", "8"]),
    ({"column": "name", "op": "matches", "value": r"^(acme|crane)\b"}, ["00123", "123", "8"]),
    ({"column": "name", "op": "!=", "value": "crane"}, ["00123", "123", "7"]),
])
def test_text_operators_ignoring_case(run_node, condition, expected):
    assert ids(run_filter(run_node, [condition], ignore_case=True).ok()["table"]) == expected


def test_case_matters_by_default(run_node):
    out = run_filter(run_node, [{"column": "name", "op": "contains", "value": "acme"}]).ok()
    assert ids(out["table"]) == ["123"]


def test_all_and_any(run_node):
    conditions = [{"column": "note", "op": "not_empty"}, {"column": "amount", "op": "<", "value": 1000}]
    assert ids(run_filter(run_node, conditions).ok()["table"]) == []
    assert ids(run_filter(run_node, conditions, combine="any").ok()["table"]) == ["00123", "123", "7", "8"]


def test_a_missing_column_is_named(run_node):
    run = run_filter(run_node, [{"column": "total", "op": ">", "value": 1}])
    assert run.state is NodeState.FAILED
    assert "'total'" in run.error and "'amount'" in run.error


def test_an_invalid_pattern_is_a_config_problem(run_node):
    with pytest.raises(CompileError) as info:
        run_filter(run_node, [{"column": "name", "op": "matches", "value": "(unclosed"}])
    assert "not a valid pattern" in str(info.value)


def test_at_least_one_condition_is_needed(run_node):
    with pytest.raises(CompileError):
        run_filter(run_node, [])
