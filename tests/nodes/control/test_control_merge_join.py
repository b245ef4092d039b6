"""Merge (first, collect, append) and Join (inner, left, outer) through real runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from control_helpers import flow_in, flow_out, make_flow, node, run, save

from runtime.api import NodeState, Runner, RunResult, RunStatus, Table


def merge(runner: Runner, tmp_path: Path, mode: str, values: dict[str, Any]) -> RunResult:
    """Flow inputs wired into the named Merge inputs; 'd' gets a branch that never fires."""
    nodes = {"n_mergeaaa": node("control.merge", mode=mode), "n_outaaaaa": flow_out("result"),
             "n_ifaaaaaa": node("control.if", operator="is_true"),
             "n_falseaaa": node("core.constant", kind="text", value="")}
    edges = ["n_mergeaaa.value -> n_outaaaaa.value", "n_falseaaa.value -> n_ifaaaaaa.value",
             "n_ifaaaaaa.true -> n_mergeaaa.d"]
    for port in values:
        nid = f"n_input{port}aa"
        nodes[nid] = flow_in(port)
        edges.append(f"{nid}.value -> n_mergeaaa.{port}")
    path = save(tmp_path / "merge.loom", make_flow(nodes, edges, inputs={p: "any" for p in values},
                                                    outputs={"result": "any"}))
    return run(runner, path, **values)


def test_merge_first_takes_first_arrived_in_port_order(runner: Runner, tmp_path: Path) -> None:
    result = merge(runner, tmp_path, "first", {"c": "third", "b": "second"})
    assert result.status is RunStatus.COMPLETED
    assert result.outputs == {"result": "second"}


def test_merge_collect_lists_what_arrived(runner: Runner, tmp_path: Path) -> None:
    result = merge(runner, tmp_path, "collect", {"c": "z", "a": "x"})
    assert result.outputs == {"result": ["x", "z"]}


def test_merge_append_lists(runner: Runner, tmp_path: Path) -> None:
    result = merge(runner, tmp_path, "append", {"a": [1, 2], "b": [3], "c": "four"})
    assert result.outputs == {"result": [1, 2, 3, "four"]}


def test_merge_append_tables_unions_columns(runner: Runner, tmp_path: Path) -> None:
    jan = Table.from_records([{"invoice": "A1", "amount": 10}])
    feb = Table.from_records([{"invoice": "B1", "amount": 2.5, "note": "late"}])
    result = merge(runner, tmp_path, "append", {"a": jan, "b": feb, "c": {"invoice": "C1"}})
    table = result.outputs["result"]
    assert isinstance(table, Table)
    assert table.column_names == ["invoice", "amount", "note"]
    assert table.rows == [{"invoice": "A1", "amount": 10, "note": None},
                          {"invoice": "B1", "amount": 2.5, "note": "late"},
                          {"invoice": "C1", "amount": None, "note": None}]
    assert [c.type for c in table.columns] == ["text", "number", "text"]


def test_merge_append_refuses_text_with_tables(runner: Runner, tmp_path: Path) -> None:
    result = merge(runner, tmp_path, "append", {"a": Table.from_records([{"x": 1}]), "b": "oops"})
    assert result.status is RunStatus.FAILED
    assert "cannot append input B to a table" in (result.nodes["n_mergeaaa"].error or "")


def test_merge_with_nothing_arrived_is_skipped(runner: Runner, tmp_path: Path) -> None:
    result = merge(runner, tmp_path, "first", {})
    assert result.nodes["n_mergeaaa"].state is NodeState.SKIPPED


INVOICES = Table.from_records([
    {"id": 1, "customer": "Ada", "amount": 100},
    {"id": 2, "customer": "Bob", "amount": 50},
    {"id": 3, "customer": "Cy", "amount": 70},
])
PAYMENTS = Table.from_records([
    {"id": "1", "amount": 100, "paid_on": "2024-05-01"},
    {"id": "1", "amount": 20, "paid_on": "2024-06-01"},
    {"id": "9", "amount": 5, "paid_on": "2024-07-01"},
])


def join(runner: Runner, tmp_path: Path, left: Table, right: Table, **config: Any) -> Table:
    nodes = {"n_leftaaaa": flow_in("left"), "n_rightaaa": flow_in("right"),
             "n_joinaaaa": node("control.join", **config), "n_outaaaaa": flow_out("table")}
    edges = ["n_leftaaaa.value -> n_joinaaaa.left", "n_rightaaa.value -> n_joinaaaa.right",
             "n_joinaaaa.table -> n_outaaaaa.value"]
    path = save(tmp_path / "join.loom", make_flow(nodes, edges, inputs={"left": "table", "right": "table"},
                                                   outputs={"table": "table"}))
    result = run(runner, path, left=left, right=right)
    assert result.status is RunStatus.COMPLETED, result.error
    return result.outputs["table"]


def test_join_inner_matches_keys_that_look_alike(runner: Runner, tmp_path: Path) -> None:
    table = join(runner, tmp_path, INVOICES, PAYMENTS, left_key=["id"], how="inner")
    assert table.column_names == ["id", "customer", "amount", "amount_right", "paid_on"]
    assert [(r["id"], r["amount_right"]) for r in table.rows] == [(1, 100), (1, 20)]


def test_join_left_keeps_unmatched_left_rows(runner: Runner, tmp_path: Path) -> None:
    table = join(runner, tmp_path, INVOICES, PAYMENTS, left_key="id", how="left", suffix="_paid")
    assert [(r["id"], r["amount_paid"]) for r in table.rows] == [(1, 100), (1, 20), (2, None), (3, None)]


def test_join_outer_keeps_both_sides(runner: Runner, tmp_path: Path) -> None:
    table = join(runner, tmp_path, INVOICES, PAYMENTS, left_key=["id"], how="outer")
    assert [(r["id"], r["customer"], r["paid_on"]) for r in table.rows] == [
        (1, "Ada", "2024-05-01"), (1, "Ada", "2024-06-01"), (2, "Bob", None), (3, "Cy", None),
        ("9", None, "2024-07-01")]


def test_join_on_differently_named_keys(runner: Runner, tmp_path: Path) -> None:
    people = Table.from_records([{"name": "Ada", "city": "Leeds"}, {"name": "Bob", "city": "York"}])
    orders = Table.from_records([{"buyer": "Bob", "item": "pen"}, {"buyer": "Ada ", "item": "ink"}])
    table = join(runner, tmp_path, people, orders, left_key="name", right_key="buyer", how="inner")
    assert table.column_names == ["name", "city", "buyer", "item"]
    assert [(r["name"], r["item"]) for r in table.rows] == [("Ada", "ink"), ("Bob", "pen")]


def test_join_missing_key_column_fails_clearly(runner: Runner, tmp_path: Path) -> None:
    nodes = {"n_leftaaaa": flow_in("left"), "n_rightaaa": flow_in("right"),
             "n_joinaaaa": node("control.join", left_key=["invoice_no"])}
    edges = ["n_leftaaaa.value -> n_joinaaaa.left", "n_rightaaa.value -> n_joinaaaa.right"]
    path = save(tmp_path / "j.loom", make_flow(nodes, edges, inputs={"left": "table", "right": "table"}))
    result = run(runner, path, left=INVOICES, right=PAYMENTS)
    assert result.status is RunStatus.FAILED
    assert "the left table has no column 'invoice_no' (its columns: id, customer, amount)" in \
        (result.nodes["n_joinaaaa"].error or "")


@pytest.mark.parametrize("config", [{"left_key": []}, {"left_key": ["a", "b"], "right_key": ["x"]}])
def test_join_config_problems(config: dict[str, Any]) -> None:
    from nodes.control.join import JoinConfig

    with pytest.raises(ValueError):
        JoinConfig.model_validate(config)
