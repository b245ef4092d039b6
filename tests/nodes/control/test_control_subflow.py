"""Subflow: ports mirror the other flow, it runs through the same engine, problems are clear."""

from __future__ import annotations

from pathlib import Path

from control_helpers import Tag, Work, flow_in, flow_out, make_flow, node, run, save

from runtime.api import NodeState, PortType, Registry, Runner, RunStatus, check_flow, load_flow


def child_flow(folder: Path) -> Path:
    """amount → Work (doubles) → 'doubled'; amount → If(> 100) → Tag(note) → 'label'."""
    nodes = {
        "n_amountaa": flow_in("amount"), "n_noteaaaa": flow_in("note"),
        "n_workaaaa": node("ctltest.work"), "n_doubledo": flow_out("doubled"),
        "n_ifaaaaaa": node("control.if", operator=">", value=100),
        "n_tagaaaaa": node("ctltest.tag", label="big"), "n_labelout": flow_out("label"),
    }
    edges = ["n_amountaa.value -> n_workaaaa.value", "n_workaaaa.value -> n_doubledo.value",
             "n_amountaa.value -> n_ifaaaaaa.value", "n_ifaaaaaa.true -> n_tagaaaaa.value",
             "n_tagaaaaa.value -> n_labelout.value"]
    inputs = {"amount": {"type": "number", "required": True, "description": "invoice amount"},
              "note": {"type": "text", "default": "n/a"}}
    return save(folder / "steps" / "child.loom",
                make_flow(nodes, edges, inputs=inputs, outputs={"doubled": "number", "label": "text"},
                          name="child"))


def parent_flow(folder: Path, target: str = "steps/child.loom", **config: object) -> Path:
    nodes = {"n_amountaa": flow_in("amount"), "n_subaaaaa": node("control.subflow", flow=target, **config),
             "n_doubledo": flow_out("doubled"), "n_labelout": flow_out("label"),
             "n_afteraaa": node("ctltest.tag", label="after")}
    edges = ["n_amountaa.value -> n_subaaaaa.amount", "n_subaaaaa.doubled -> n_doubledo.value",
             "n_subaaaaa.label -> n_afteraaa.value", "n_afteraaa.value -> n_labelout.value"]
    return save(folder / "parent.loom", make_flow(nodes, edges, inputs={"amount": "number"},
                                                   outputs={"doubled": "number", "label": "text"}))


def test_flow_end_callbacks_run_when_the_subflow_call_returns_with_its_outputs(runner: Runner,
                                                                               tmp_path: Path) -> None:
    child_flow(tmp_path)
    Tag.ended.clear()
    result = run(runner, parent_flow(tmp_path), amount=150)
    assert result.status is RunStatus.COMPLETED, result.error
    assert Tag.ended == [("big", {"doubled": 300.0, "label": "big:150.0"}),  # when the subflow returned
                         ("after", {"doubled": 300.0, "label": "after:big:150.0"})]  # when the run ended
    failing = {"n_amountaa": flow_in("amount"), "n_tagaaaaa": node("ctltest.tag", label="opened"),
               "n_workaaaa": node("ctltest.work"), "n_doubledo": flow_out("doubled"),
               "n_labelout": flow_out("label")}
    save(tmp_path / "steps" / "child.loom", make_flow(
        failing, ["n_amountaa.value -> n_tagaaaaa.value", "n_amountaa.value -> n_workaaaa.value",
                  "n_workaaaa.value -> n_doubledo.value", "n_tagaaaaa.value -> n_labelout.value"],
        inputs={"amount": "number"}, outputs={"doubled": "number", "label": "text"}, name="child"))
    Tag.ended.clear()
    failed = run(runner, parent_flow(tmp_path), amount=-5)
    assert failed.status is RunStatus.FAILED
    assert Tag.ended == [("opened", {})]  # a failed call returns nothing to keep


def test_ports_come_from_the_other_flow(reg: Registry, tmp_path: Path) -> None:
    child_flow(tmp_path)
    path = parent_flow(tmp_path)
    plan, problems = check_flow(load_flow(path), reg, flow_path=path)
    assert plan is not None, problems
    sub = plan.nodes["n_subaaaaa"]
    assert [(p.id, p.type, p.required) for p in sub.inputs.values()] == [
        ("amount", PortType.NUMBER, True), ("note", PortType.TEXT, False)]
    assert sub.inputs["amount"].description == "invoice amount"
    assert [(p.id, p.type) for p in sub.outputs.values()] == [
        ("doubled", PortType.NUMBER), ("label", PortType.TEXT)]


def test_runs_the_other_flow_and_fires_only_outputs_it_set(runner: Runner, tmp_path: Path) -> None:
    child_flow(tmp_path)
    path = parent_flow(tmp_path)
    big = run(runner, path, amount=150)
    assert big.status is RunStatus.COMPLETED, big.error
    assert big.outputs == {"doubled": 300.0, "label": "after:big:150.0"}
    small = run(runner, path, amount=20)
    assert small.status is RunStatus.COMPLETED, small.error
    assert small.node_outputs["n_subaaaaa"] == {"doubled": 40.0}
    assert small.nodes["n_afteraaa"].state is NodeState.SKIPPED
    assert small.outputs == {"doubled": 40.0}


def test_missing_file_is_a_compile_problem(reg: Registry, tmp_path: Path) -> None:
    path = parent_flow(tmp_path, target="steps/nowhere.loom")
    plan, problems = check_flow(load_flow(path), reg, flow_path=path)
    assert plan is None
    mine = [p for p in problems if p.node_id == "n_subaaaaa"]
    assert mine and "nowhere.loom: no such file" in mine[0].message


def test_no_file_chosen_is_a_compile_problem(reg: Registry, tmp_path: Path) -> None:
    path = parent_flow(tmp_path, target="")
    _, problems = check_flow(load_flow(path), reg, flow_path=path)
    assert any(p.node_id == "n_subaaaaa" and p.message == "choose the flow file to run" for p in problems)


def test_flow_that_runs_itself_is_a_compile_problem(reg: Registry, tmp_path: Path) -> None:
    nodes = {"n_subaaaaa": node("control.subflow", flow="self.loom")}
    path = save(tmp_path / "self.loom", make_flow(nodes, []))
    _, problems = check_flow(load_flow(path), reg, flow_path=path)
    assert any(p.node_id == "n_subaaaaa" and "includes itself" in p.message for p in problems)


def test_flows_running_each_other_fail_clearly(runner: Runner, tmp_path: Path) -> None:
    save(tmp_path / "a.loom", make_flow({"n_subaaaaa": node("control.subflow", flow="b.loom")}, []))
    save(tmp_path / "b.loom", make_flow({"n_subaaaaa": node("control.subflow", flow="a.loom")}, []))
    result = run(runner, tmp_path / "a.loom")
    assert result.status is RunStatus.FAILED
    assert "run each other in a loop: b.loom → a.loom → b.loom" in (result.nodes["n_subaaaaa"].error or "")


def test_wrong_input_type_is_reported_on_the_node(runner: Runner, tmp_path: Path) -> None:
    child_flow(tmp_path)
    nodes = {"n_textaaaa": node("core.constant", kind="text", value="lots"),
             "n_subaaaaa": node("control.subflow", flow="steps/child.loom")}
    path = save(tmp_path / "p.loom", make_flow(nodes, ["n_textaaaa.value -> n_subaaaaa.amount"]))
    _, problems = check_flow(load_flow(path), runner.registry, flow_path=path)
    assert any("a text output cannot feed a number input" in p.message for p in problems)


def test_reuse_results_follows_the_flow_file(runner: Runner, tmp_path: Path) -> None:
    child = child_flow(tmp_path)
    path = parent_flow(tmp_path, reuse_results=True)
    assert not run(runner, path, amount=150).nodes["n_subaaaaa"].cached
    assert run(runner, path, amount=150).nodes["n_subaaaaa"].cached
    assert not run(runner, path, amount=151).nodes["n_subaaaaa"].cached
    edited = load_flow(child)
    edited.nodes["n_tagaaaaa"].config["label"] = "large"
    save(child, edited)
    again = run(runner, path, amount=150)
    assert not again.nodes["n_subaaaaa"].cached
    assert again.outputs["label"] == "after:large:150.0"


def test_without_reuse_the_subflow_runs_every_time(runner: Runner, tmp_path: Path) -> None:
    child_flow(tmp_path)
    path = parent_flow(tmp_path)
    run(runner, path, amount=5)
    second = run(runner, path, amount=5)
    assert not second.nodes["n_subaaaaa"].cached
    assert Work.stats["started"] == 1  # the pure step inside was reused from the cache
