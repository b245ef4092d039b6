"""Collapsing a selection into a subflow and expanding it again, run for real."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.api import (
    EditError,
    Flow,
    FlowDocument,
    Registry,
    Runner,
    collapse_to_subflow,
    collapse_warnings,
    compile_flow,
    data_paths,
    expand_subflow,
    load_flow,
    save_flow,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "assets" / "examples" / "approval_routing.loom"
BRANCH = ["n_rif00001", "n_rbig0001", "n_rsml0001", "n_rmrg0001"]  # the If, both templates, the Merge


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.from_entry_points()


@pytest.fixture
def runner(registry: Registry, home: Path) -> Iterator[Runner]:
    r = Runner(registry, data_paths(home))
    yield r
    r.close()


@pytest.fixture
def flow_path(tmp_path: Path) -> Path:
    path = tmp_path / "approval_routing.loom"
    shutil.copy(EXAMPLE, path)
    return path


def _decisions(runner: Runner, flow: Flow, path: Path) -> list[object]:
    compile_flow(flow, runner.registry, flow_path=path)
    out = []
    for amount in (250, 1840.5):
        result = runner.run_sync(flow, flow_path=path, inputs={"amount": amount}, use_cache=False)
        assert result.status.value == "COMPLETED", result.error
        out.append(result.outputs.get("decision"))
    return out


def _collapse(doc: FlowDocument, selection: list[str], registry: Registry) -> tuple[Flow, str]:
    assert doc.path is not None
    subflow, batch = collapse_to_subflow(doc.flow, selection, "decide.loom", name="Decide",
                                         registry=registry, flow_path=doc.path)
    save_flow(subflow, doc.path.parent / "decide.loom")
    before = set(doc.flow.nodes)
    doc.apply(batch)
    (node_id,) = set(doc.flow.nodes) - before
    return load_flow(doc.path.parent / "decide.loom"), node_id


def _shape(flow: Flow) -> tuple[Counter, Counter]:
    """Nodes by (type, config) and edges by the (type, config) of their ends: equal up to ids."""
    def key(nid: str) -> str:
        node = flow.nodes[nid]
        return f"{node.type}{sorted(node.config.items())}"

    nodes = Counter(key(n) for n in flow.nodes)
    edges = Counter((key(e.source), e.source_port, key(e.target), e.target_port) for e in flow.edges)
    return nodes, edges


def test_collapse_then_run_gives_the_same_outputs(flow_path: Path, registry: Registry,
                                                  runner: Runner) -> None:
    doc = FlowDocument.open(flow_path, registry=registry)
    expected = _decisions(runner, doc.flow, flow_path)
    assert expected == ["Invoice of 250.0 EUR approved automatically.",
                        "Invoice of 1840.5 EUR needs a manager's approval."]
    assert collapse_warnings(doc.flow, BRANCH, registry) == []
    subflow, node_id = _collapse(doc, BRANCH, registry)

    step = doc.flow.nodes[node_id]
    assert step.type == "control.subflow" and step.config["flow"] == "decide.loom"
    assert not set(BRANCH) & set(doc.flow.nodes)
    assert sorted(map(str, doc.flow.incoming(node_id))) == [f"n_ramt0001.value -> {node_id}.value"]
    assert sorted(map(str, doc.flow.outgoing(node_id))) == [f"{node_id}.value -> n_rlog0001.value"]
    assert subflow.inputs["value"].type.value == "number" and subflow.inputs["value"].required
    assert {n.type for n in subflow.nodes.values()} >= {"core.flow_input", "core.flow_output"}
    compile_flow(subflow, registry, flow_path=flow_path.parent / "decide.loom")
    assert _decisions(runner, doc.flow, flow_path) == expected


def test_collapse_templates_and_merge_warns_about_branches(flow_path: Path, registry: Registry,
                                                           runner: Runner) -> None:
    # The two templates sit on alternative branches of the If: a subflow step waits for all of
    # its inputs, so it would never run. The studio shows this warning before collapsing.
    doc = FlowDocument.open(flow_path, registry=registry)
    selection = ["n_rbig0001", "n_rsml0001", "n_rmrg0001"]
    warnings = collapse_warnings(doc.flow, selection, registry)
    assert len(warnings) == 1 and "alternative branches" in warnings[0]
    subflow, node_id = _collapse(doc, selection, registry)
    assert sorted(subflow.inputs) == ["data", "data_2"] and sorted(subflow.outputs) == ["value"]
    assert len(doc.flow.incoming(node_id)) == 2
    result = runner.run_sync(doc.flow, flow_path=flow_path, inputs={"amount": 250}, use_cache=False)
    assert result.outputs.get("decision") is None  # the documented difference


def test_expand_restores_an_equivalent_flow(flow_path: Path, registry: Registry, runner: Runner) -> None:
    doc = FlowDocument.open(flow_path, registry=registry)
    original = doc.flow.model_copy(deep=True)
    subflow, node_id = _collapse(doc, BRANCH, registry)
    doc.apply(expand_subflow(doc.flow, node_id, subflow))
    assert _shape(doc.flow) == _shape(original)
    assert not set(BRANCH) & set(doc.flow.nodes)  # new ids
    positions = sorted((n.type, n.layout.x, n.layout.y) for n in doc.flow.nodes.values())
    assert positions == sorted((n.type, n.layout.x, n.layout.y) for n in original.nodes.values())
    assert _decisions(runner, doc.flow, flow_path) == _decisions(runner, original, flow_path)


def test_collapse_and_expand_are_each_one_undoable_edit(flow_path: Path, registry: Registry) -> None:
    doc = FlowDocument.open(flow_path, registry=registry)
    original = doc.flow.model_dump()
    subflow, batch = collapse_to_subflow(doc.flow, BRANCH, "decide.loom", name="Decide", registry=registry)
    undo = doc.apply(batch)
    node_id = next(n for n, i in doc.flow.nodes.items() if i.type == "control.subflow")
    collapsed = doc.flow.model_dump()
    undo_expand = doc.apply(expand_subflow(doc.flow, node_id, subflow))
    doc.apply(undo_expand)
    assert doc.flow.model_dump() == collapsed
    doc.apply(undo)
    assert doc.flow.model_dump() == original


def test_collapse_refuses_what_cannot_become_a_subflow(registry: Registry) -> None:
    flow = load_flow(EXAMPLE)
    with pytest.raises(EditError, match="flow input or output"):
        collapse_to_subflow(flow, ["n_ramt0001", "n_rif00001"], "x.loom", name="X")
    with pytest.raises(EditError, match="not self-contained"):  # the Merge sits between If and Log
        collapse_to_subflow(flow, ["n_rif00001", "n_rlog0001"], "x.loom", name="X")
    with pytest.raises(EditError, match="select"):
        collapse_to_subflow(flow, [], "x.loom", name="X")


def test_nested_flow_paths_are_rebased(registry: Registry) -> None:
    flow = load_flow(ROOT / "assets" / "examples" / "merge_supplier_invoices.loom")
    nested = [n for n, i in flow.nodes.items() if i.type in ("control.subflow", "control.for_each")]
    assert nested
    ref = flow.nodes[nested[0]].config["flow"]
    subflow, _batch = collapse_to_subflow(flow, nested, "steps/inner.loom", name="Inner")
    assert subflow.nodes[nested[0]].config["flow"] == f"../{ref}"
    parent = flow.model_copy(deep=True)
    parent.nodes["n_sub00001"] = parent.nodes[nested[0]].model_copy(
        update={"type": "control.subflow", "config": {"flow": "steps/inner.loom"}})
    batch = expand_subflow(parent, "n_sub00001", subflow)
    added = [e.node for e in batch.edits if type(e).__name__ == "AddNode"]
    assert [n.config["flow"] for n in added] == [ref]
