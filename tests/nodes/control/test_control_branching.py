"""If and Switch: one output fires, the paths not taken are skipped, Merge joins them again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from control_helpers import flow_in, flow_out, make_flow, node, run, save

from nodes._shared.compare import evaluate, get_path
from nodes.control.switch import SwitchConfig
from runtime.api import NodeState, Registry, Runner, RunStatus, check_flow


def if_flow(tmp_path: Path, **condition: object) -> Path:
    """value → If → (true: Tag 'yes' | false: Tag 'no') → Merge(first) → Tag 'after' → output."""
    nodes = {
        "n_inputaaa": flow_in("value"),
        "n_ifaaaaaa": node("control.if", **condition),
        "n_yesaaaaa": node("ctltest.tag", label="yes"),
        "n_noaaaaaa": node("ctltest.tag", label="no"),
        "n_mergeaaa": node("control.merge", mode="first"),
        "n_afteraaa": node("ctltest.tag", label="after"),
        "n_outaaaaa": flow_out("result"),
    }
    edges = [
        "n_inputaaa.value -> n_ifaaaaaa.value",
        "n_ifaaaaaa.true -> n_yesaaaaa.value",
        "n_ifaaaaaa.false -> n_noaaaaaa.value",
        "n_yesaaaaa.value -> n_mergeaaa.a",
        "n_noaaaaaa.value -> n_mergeaaa.b",
        "n_mergeaaa.value -> n_afteraaa.value",
        "n_afteraaa.value -> n_outaaaaa.value",
    ]
    return save(tmp_path / "if.loom", make_flow(nodes, edges, inputs={"value": "any"},
                                                 outputs={"result": "any"}))


@pytest.mark.parametrize(("value", "taken", "skipped"), [(150, "yes", "no"), (20, "no", "yes")])
def test_if_takes_one_path_and_merge_joins_them(runner: Runner, tmp_path: Path, value: int,
                                                taken: str, skipped: str) -> None:
    path = if_flow(tmp_path, field="amount", operator=">", value="100")
    result = run(runner, path, value={"amount": value})
    assert result.status is RunStatus.COMPLETED
    states = {nid: o.state for nid, o in result.nodes.items()}
    ids = {"yes": "n_yesaaaaa", "no": "n_noaaaaaa"}
    assert states[ids[taken]] is NodeState.COMPLETED
    assert states[ids[skipped]] is NodeState.SKIPPED
    assert states["n_mergeaaa"] is NodeState.COMPLETED
    assert states["n_afteraaa"] is NodeState.COMPLETED
    fired = result.node_outputs["n_ifaaaaaa"]
    assert list(fired) == (["true"] if taken == "yes" else ["false"])
    assert result.outputs == {"result": f"after:{taken}:{ {'amount': value} }"}


def test_if_truthy_default(runner: Runner, tmp_path: Path) -> None:
    path = if_flow(tmp_path)
    assert run(runner, path, value="no").node_outputs["n_ifaaaaaa"] == {"false": "no"}
    assert run(runner, path, value=[1]).node_outputs["n_ifaaaaaa"] == {"true": [1]}


def test_if_bad_pattern_is_a_compile_problem(reg: Registry, tmp_path: Path) -> None:
    path = if_flow(tmp_path, operator="matches", value="(unclosed")
    from runtime.api import load_flow

    plan, problems = check_flow(load_flow(path), reg, flow_path=path)
    assert plan is None
    assert any(p.node_id == "n_ifaaaaaa" and "not a valid pattern" in p.message for p in problems)


@pytest.mark.parametrize(("value", "op", "constant", "expected"), [
    ("100", "=", 100, True),
    (" Paid ", "=", "Paid", True),
    ("paid", "=", "Paid", False),
    (100.0, "!=", "100", False),
    ("10", ">", "9", True),
    ("1,250.50", ">=", 1000, True),
    (None, "<", 5, False),
    ("2024-03-01", "<", "2024-10-01", True),
    (dt.date(2024, 3, 1), "<", "2024-10-01", True),
    ("Invoice INV-7 overdue", "contains", "INV-7", True),
    (["a", "b"], "contains", "b", True),
    ({"x": 1}, "contains", "y", False),
    ("", "is_empty", None, True),
    ([], "not_empty", None, False),
    ("INV-2024-001", "matches", r"^INV-\d{4}-", True),
    ("false", "is_true", None, False),
    (0, "is_true", None, False),
    ("yes", "is_true", None, True),
    (True, "=", "true", True),
])
def test_conditions(value: object, op: str, constant: object, expected: bool) -> None:
    assert evaluate(value, op, constant) is expected  # type: ignore[arg-type]


def test_condition_ignore_case_and_incomparable() -> None:
    assert evaluate("PAID", "=", "paid", ignore_case=True)
    assert evaluate("Overdue", "matches", "^over", ignore_case=True)
    assert evaluate("abc", ">", 5) is None  # cannot be compared: the caller treats it as no match


def test_if_with_values_that_cannot_be_compared_takes_false_and_warns(run_node) -> None:
    run = run_node("control.if", {"field": "amount", "operator": ">", "value": 100},
                   {"value": {"amount": "n/a"}})
    assert run.ok() == {"false": {"amount": "n/a"}}
    [warning] = run.logs("warning")
    assert "'amount'" in warning and "text 'n/a'" in warning and "number 100" in warning


def test_get_path() -> None:
    record = {"customer": {"name": "Ada", "lines": [{"amount": 5}]}}
    assert get_path(record, "customer.name") == "Ada"
    assert get_path(record, "customer.lines.0.amount") == 5
    assert get_path(record, "") is record
    assert get_path(record, "customer.missing") is not None  # MISSING, tested as empty
    assert evaluate(get_path(record, "customer.missing"), "is_empty", None)


def switch_flow(tmp_path: Path, cases: list[dict[str, object]]) -> Path:
    nodes = {"n_inputaaa": flow_in("value"),
             "n_switchaa": node("control.switch", field="status", cases=cases)}
    edges = ["n_inputaaa.value -> n_switchaa.value"]
    for case_id in [c["id"] for c in cases] + ["default"]:
        nid = f"n_{case_id.replace('_', '')[:8]:a<8}"
        nodes[nid] = node("ctltest.tag", label=str(case_id))
        edges.append(f"n_switchaa.{case_id} -> {nid}.value")
    return save(tmp_path / "switch.loom", make_flow(nodes, edges, inputs={"value": "any"}))


CASES = [
    {"id": "case_1", "label": "Paid", "match": "equals", "value": "paid"},
    {"id": "case_3", "label": "Late", "match": "matches", "value": "^late|overdue"},
    {"id": "case_2", "label": "Also paid", "match": "equals", "value": "paid"},
]


@pytest.mark.parametrize(("status", "port"), [("paid", "case_1"), ("overdue", "case_3"),
                                              ("late-2", "case_3"), ("open", "default")])
def test_switch_routes_first_match(runner: Runner, tmp_path: Path, status: str, port: str) -> None:
    result = run(runner, switch_flow(tmp_path, CASES), value={"status": status})
    assert result.status is RunStatus.COMPLETED
    assert list(result.node_outputs["n_switchaa"]) == [port]
    taken = f"n_{port.replace('_', '')[:8]:a<8}"
    for nid, outcome in result.nodes.items():
        if nid.startswith("n_case") or nid.startswith("n_defa"):
            assert outcome.state is (NodeState.COMPLETED if nid == taken else NodeState.SKIPPED), nid


def test_switch_ports_follow_case_ids(reg: Registry, tmp_path: Path) -> None:
    from runtime.api import load_flow

    plan, problems = check_flow(load_flow(switch_flow(tmp_path, CASES)), reg,
                                flow_path=tmp_path / "switch.loom")
    assert plan is not None, problems
    outs = plan.nodes["n_switchaa"].outputs
    assert list(outs) == ["case_1", "case_3", "case_2", "default"]
    assert [p.title for p in outs.values()] == ["Paid", "Late", "Also paid", "Default"]


def test_switch_case_ids_are_stable() -> None:
    config = SwitchConfig.model_validate({"cases": [{"value": "a"}, {"value": "b"}]})
    assert [c.id for c in config.cases] == ["case_1", "case_2"]
    # Reordered and renamed, the ids travel with their cases.
    dumped = config.model_dump()
    dumped["cases"].reverse()
    dumped["cases"][0]["label"] = "Bee"
    again = SwitchConfig.model_validate(dumped)
    assert [(c.id, c.value, c.title(i)) for i, c in enumerate(again.cases, 1)] == [
        ("case_2", "b", "Bee"), ("case_1", "a", "= a")]
    # A new case never takes the id of a deleted one.
    dumped = again.model_dump()
    dumped["cases"] = [c for c in dumped["cases"] if c["id"] == "case_2"] + [{"value": "c"}]
    assert [c.id for c in SwitchConfig.model_validate(dumped).cases] == ["case_2", "case_3"]
    with pytest.raises(ValueError, match="two cases"):
        SwitchConfig.model_validate({"cases": [{"id": "case_1"}, {"id": "case_1"}]})
    with pytest.raises(ValueError, match="must look like"):
        SwitchConfig.model_validate({"cases": [{"id": "paid"}]})
