"""For each: results in item order, bounded concurrency, item errors, cancellation, cache."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from control_helpers import Work, body_flow, flow_in, flow_out, make_flow, node, run, save

from runtime.api import (
    NodeProgress,
    NodeState,
    PortType,
    Registry,
    RunEvent,
    Runner,
    RunStatus,
    Table,
    check_flow,
    dumps_flow,
    load_flow,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "flows" / "control"


def loop_flow(folder: Path, body: str = "body.loom", **config: Any) -> Path:
    """items (flow input) → For each → results / table / errors (flow outputs)."""
    nodes = {"n_itemsaaa": flow_in("items"), "n_loopaaaa": node("control.for_each", flow=body, **config),
             "n_resultso": flow_out("results"), "n_tableout": flow_out("table"),
             "n_errorsou": flow_out("errors")}
    edges = ["n_itemsaaa.value -> n_loopaaaa.items", "n_loopaaaa.results -> n_resultso.value",
             "n_loopaaaa.table -> n_tableout.value", "n_loopaaaa.errors -> n_errorsou.value"]
    return save(folder / "loop.loom", make_flow(nodes, edges, inputs={"items": "list"},
                                                 outputs={"results": "list", "table": "table",
                                                          "errors": "list"}))


def test_over_a_list(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow())
    events: list[RunEvent] = []
    path = loop_flow(tmp_path)
    result = runner.run_sync(load_flow(path), flow_path=path, inputs={"items": [1, 2, 3]},
                             on_event=events.append)
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.outputs == {"results": [2, 4, 6]}  # not records: no table; no errors
    progress = [(e.fraction, e.message) for e in events
                if isinstance(e, NodeProgress) and e.node_id == "n_loopaaaa"]
    assert progress[0] == (0.0, "0 of 3") and progress[-1] == (1.0, "3 of 3")


def test_empty_list_and_no_list(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow(outputs=("a", "b")))
    path = loop_flow(tmp_path)
    empty = run(runner, path, items=[])
    assert empty.status is RunStatus.COMPLETED, empty.error
    assert empty.outputs["results"] == []
    assert empty.outputs["table"].column_names == ["a", "b"] and len(empty.outputs["table"]) == 0
    nothing = run(runner, path)
    assert "'Items' must be a list or a table, but got nothing" in (nothing.nodes["n_loopaaaa"].error or "")


def test_over_a_table_with_four_at_a_time_keeps_item_order(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow())
    rows = [{"n": i, "wait": 0.02 * (8 - i)} for i in range(8)]  # later items finish first
    started = time.perf_counter()
    result = run(runner, loop_flow(tmp_path, concurrency=4), items=Table.from_records(rows))
    elapsed = time.perf_counter() - started
    assert result.status is RunStatus.COMPLETED, result.error
    assert [r["n"] for r in result.outputs["results"]] == list(range(8))
    table = result.outputs["table"]
    assert table.column_names == ["n", "wait", "done"] and len(table) == 8
    assert Work.stats["max_in_flight"] == 4
    assert elapsed < 0.16 * 8 * 0.75  # clearly under the one-at-a-time time


def test_body_with_several_outputs_gives_records_and_index(runner: Runner, tmp_path: Path) -> None:
    nodes = {"n_itemaaaa": flow_in("item"), "n_posaaaaa": flow_in("position"),
             "n_rateaaaa": flow_in("rate"), "n_itemoutt": flow_out("item"),
             "n_posoutaa": flow_out("position"), "n_rateoutt": flow_out("rate")}
    edges = ["n_itemaaaa.value -> n_itemoutt.value", "n_posaaaaa.value -> n_posoutaa.value",
             "n_rateaaaa.value -> n_rateoutt.value"]
    save(tmp_path / "body.loom", make_flow(nodes, edges, inputs={"item": "text", "position": "integer",
                                                                 "rate": "number"},
                                           outputs={"item": "text", "position": "integer", "rate": "number"}))
    loop = {"n_itemsaaa": node("core.constant", kind="list", value=["a", "b"]),
            "n_rateaaaa": node("core.constant", kind="number", value=0.2),
            "n_loopaaaa": node("control.for_each", flow="body.loom", index_input="position", concurrency=2)}
    edges = ["n_itemsaaa.value -> n_loopaaaa.items", "n_rateaaaa.value -> n_loopaaaa.rate"]
    path = save(tmp_path / "loop.loom", make_flow(loop, edges))
    plan, problems = check_flow(load_flow(path), runner.registry, flow_path=path)
    assert plan is not None, problems
    assert [(p.id, p.type) for p in plan.nodes["n_loopaaaa"].inputs.values()] == [
        ("items", PortType.LIST), ("rate", PortType.NUMBER)]
    result = run(runner, path)
    assert result.node_outputs["n_loopaaaa"]["results"] == [
        {"item": "a", "position": 0, "rate": 0.2}, {"item": "b", "position": 1, "rate": 0.2}]
    assert result.node_outputs["n_loopaaaa"]["table"].column_names == ["item", "position", "rate"]


ITEMS = [{"n": 0}, {"n": 1, "fail": True}, {"n": 2}, {"n": 3, "fail": True}, {"n": 4}]


def test_skip_collects_errors_and_carries_on(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow())
    result = run(runner, loop_flow(tmp_path, on_item_error="skip", concurrency=2), items=ITEMS)
    assert result.status is RunStatus.COMPLETED, result.error
    assert [r["n"] for r in result.outputs["results"]] == [0, 2, 4]
    assert [r["n"] for r in result.outputs["table"].rows] == [0, 2, 4]
    errors = result.outputs["errors"]
    assert [(e["index"], e["item"]) for e in errors] == [(1, ITEMS[1]), (3, ITEMS[3])]
    assert "cannot handle 1" in errors[0]["error"]


def test_fail_stops_and_names_the_item(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow())
    result = run(runner, loop_flow(tmp_path), items=ITEMS)
    assert result.status is RunStatus.FAILED
    error = result.nodes["n_loopaaaa"].error or ""
    assert error.startswith("item 2 of 5 ('n=1, fail=True') failed:") and "cannot handle 1" in error
    assert Work.stats["started"] == 2  # nothing after the failing item was started
    assert result.nodes["n_resultso"].state is NodeState.SKIPPED


def test_cancel_stops_promptly_and_cancels_items_in_flight(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow(seconds=5.0))
    path = loop_flow(tmp_path, concurrency=2)

    async def scenario() -> tuple[Any, float]:
        task = asyncio.create_task(runner.run(load_flow(path), flow_path=path,
                                              inputs={"items": list(range(20))}))
        while Work.stats["started"] < 2:
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        runner.cancel()
        result = await asyncio.wait_for(task, 2)
        return result, time.perf_counter() - started

    result, took = asyncio.run(scenario())
    assert took < 1.0
    assert result.status is RunStatus.CANCELLED
    assert result.nodes["n_loopaaaa"].state is NodeState.CANCELLED
    assert Work.stats == {"started": 2, "finished": 0, "in_flight": 0, "max_in_flight": 2}


def test_time_limit_cancels_items_in_flight(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow(seconds=5.0))
    path = loop_flow(tmp_path, concurrency=3, settings={"timeout_s": 0.2})
    result = run(runner, path, items=[1, 2, 3, 4])
    assert result.status is RunStatus.FAILED
    assert "timed out after 0.2 s" in (result.nodes["n_loopaaaa"].error or "")
    assert Work.stats["started"] == 3 and Work.stats["in_flight"] == 0 and Work.stats["finished"] == 0


def test_reused_from_cache_until_the_body_changes(runner: Runner, tmp_path: Path) -> None:
    body = save(tmp_path / "body.loom", body_flow())
    path = loop_flow(tmp_path, reuse_results=True, concurrency=4)
    first = run(runner, path, items=[1, 2, 3])
    second = run(runner, path, items=[1, 2, 3])
    assert not first.nodes["n_loopaaaa"].cached
    assert second.nodes["n_loopaaaa"].cached
    assert second.outputs == first.outputs == {"results": [2, 4, 6]}
    assert Work.stats["started"] == 3
    changed = body_flow(outputs=("result", "original"))
    save(body, changed)
    third = run(runner, path, items=[1, 2, 3])
    assert not third.nodes["n_loopaaaa"].cached
    assert third.outputs["results"][0] == {"result": 2, "original": 1}


def test_without_reuse_the_loop_runs_again(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "body.loom", body_flow())
    path = loop_flow(tmp_path)
    run(runner, path, items=[1])
    assert not run(runner, path, items=[1]).nodes["n_loopaaaa"].cached


@pytest.mark.parametrize(("config", "message"), [
    ({"item_input": "row"}, "has no input 'row' (its inputs: item)"),
    ({"index_input": "position"}, "has no input 'position'"),
    ({"body": "missing.loom"}, "missing.loom: no such file"),
    ({"index_input": "item"}, "must go to different inputs"),
])
def test_config_problems(reg: Registry, tmp_path: Path, config: dict[str, Any], message: str) -> None:
    save(tmp_path / "body.loom", body_flow())
    path = loop_flow(tmp_path, **config)
    _, problems = check_flow(load_flow(path), reg, flow_path=path)
    assert any(p.node_id == "n_loopaaaa" and message in p.message for p in problems), problems


def test_fixture_files_are_canonical_and_run(runner: Runner) -> None:
    for name in ("flag_each.loom", "flag_large.loom"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        assert dumps_flow(load_flow(FIXTURES / name)) == text
    result = run(runner, FIXTURES / "flag_each.loom", amounts=[1.5, 2, 10])
    assert result.status is RunStatus.COMPLETED, result.error
    assert result.outputs["results"] == [{"amount": 1.5}, {"amount": 2.0}, {"amount": 10.0, "large": 10.0}]
    assert result.outputs["table"].rows[2] == {"amount": 10.0, "large": 10.0}
    assert result.outputs["table"].rows[0] == {"amount": 1.5, "large": None}


def test_for_each_appends_table_results_into_one_table(tmp_path) -> None:
    import json

    from runtime.api import Registry, Runner, RunStatus, data_paths, load_flow

    (tmp_path / "a.csv").write_text("id,amount\n1,10\n2,20\n")
    (tmp_path / "b.csv").write_text("id,amount,note\n3,30,late\n")
    body = {"format_version": 3, "name": "read one",
            "inputs": {"path": {"type": "text", "required": True}},
            "outputs": {"rows": {"type": "table"}},
            "nodes": {"n_in000000": {"type": "core.flow_input", "config": {"name": "path"}},
                      "n_read0000": {"type": "files.csv_read", "config": {"infer_types": True}},
                      "n_out00000": {"type": "core.flow_output", "config": {"name": "rows"}}},
            "edges": ["n_in000000.value -> n_read0000.path", "n_read0000.table -> n_out00000.value"]}
    main = {"format_version": 3, "name": "all",
            "nodes": {"n_list0000": {"type": "files.list_folder",
                                     "config": {"folder": ".", "pattern": "*.csv"}},
                      "n_each0000": {"type": "control.for_each",
                                     "config": {"flow": "body.loom", "item_input": "path"}}},
            "edges": ["n_list0000.paths -> n_each0000.items"]}
    (tmp_path / "body.loom").write_text(json.dumps(body))
    (tmp_path / "main.loom").write_text(json.dumps(main))
    runner = Runner(Registry.from_entry_points(), data_paths(tmp_path / "home"))
    result = runner.run_sync(load_flow(tmp_path / "main.loom"), flow_path=tmp_path / "main.loom",
                             keep_outputs=True)
    assert result.status is RunStatus.COMPLETED, result.error
    table = result.node_outputs["n_each0000"]["table"]
    assert table.column_names == ["id", "amount", "note"]
    assert [r["amount"] for r in table.rows] == [10, 20, 30]
    runner.close()
