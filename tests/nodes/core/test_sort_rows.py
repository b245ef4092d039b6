"""core.sort_rows: stable multi-key sorting, empty cells last, mixed values safe."""

from __future__ import annotations

import datetime as dt

from runtime.api import NodeState, Table


def sort(run_node, rows, keys):
    return run_node("core.sort_rows", {"keys": keys}, {"table": Table.from_records(rows)})


def test_numbers_written_as_text_sort_as_numbers_and_empty_cells_go_last(run_node):
    rows = [{"v": "10"}, {"v": None}, {"v": "9"}, {"v": ""}, {"v": "100"}]
    up = sort(run_node, rows, [{"column": "v"}]).ok()["table"]
    assert [r["v"] for r in up.rows] == ["9", "10", "100", None, ""]
    down = sort(run_node, rows, [{"column": "v", "descending": True}]).ok()["table"]
    assert [r["v"] for r in down.rows] == ["100", "10", "9", None, ""]


def test_stable_with_several_keys(run_node):
    rows = [{"k": "b", "n": 1, "i": 0}, {"k": "a", "n": 2, "i": 1}, {"k": "b", "n": 2, "i": 2},
            {"k": "a", "n": 2, "i": 3}, {"k": "A", "n": 1, "i": 4}]
    out = sort(run_node, rows, [{"column": "n", "descending": True}, {"column": "k"}]).ok()["table"]
    assert [r["i"] for r in out.rows] == [1, 3, 2, 4, 0]


def test_mixed_values_do_not_crash(run_node):
    rows = [{"v": "pear"}, {"v": 3}, {"v": dt.date(2024, 1, 2)}, {"v": True}, {"v": 1.5},
            {"v": "Apple"}, {"v": {"x": 1}}, {"v": dt.datetime(2023, 5, 1, tzinfo=dt.UTC)}]
    out = sort(run_node, rows, [{"column": "v"}]).ok()["table"]
    assert [r["v"] for r in out.rows][:6] == [1.5, 3, dt.datetime(2023, 5, 1, tzinfo=dt.UTC),
                                              dt.date(2024, 1, 2), "Apple", "pear"]
    assert len(out) == len(rows)


def test_a_missing_column_is_named(run_node):
    run = sort(run_node, [{"a": 1}], [{"column": "b"}])
    assert run.state is NodeState.FAILED
    assert "'b'" in run.error
