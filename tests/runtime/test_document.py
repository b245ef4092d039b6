"""FlowDocument, edits and their inverses, connect checks, clipboard — headless, no Qt."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import runtime.edits as ed
from runtime.document import (
    FlowDocument,
    copy_selection,
    duplicate_edit,
    paste_edit,
    registry_port_lookup,
)
from runtime.edits import (
    UNCHANGED,
    AddGroup,
    AddNode,
    AddNote,
    Batch,
    Connect,
    Disconnect,
    Edit,
    EditError,
    MoveNodes,
    RemoveGroup,
    RemoveNode,
    RemoveNote,
    SetConfig,
    SetFlowInfo,
    SetNodeProps,
    UpdateGroup,
    UpdateNote,
    describe_edit,
)
from runtime.flow import Edge, Flow, FlowPort, Group, Layout, NodeInstance, NodeSettings, Note
from runtime.flowfile import dumps_flow, loads_flow
from runtime.node import NodeType
from runtime.ports import PortType
from runtime.registry import Registry
from runtime.values import Table

# ----- a tiny registry ---------------------------------------------------------------------


class TextPorts(BaseModel):
    text: str = ""


class TablePorts(BaseModel):
    rows: Table


class TextNode(NodeType):
    type_id = "test.text"
    title = "Text"
    Inputs = TextPorts
    Outputs = TextPorts


class TableNode(NodeType):
    type_id = "test.table"
    title = "Table"
    Inputs = TablePorts
    Outputs = TablePorts


REGISTRY = Registry([TextNode, TableNode])


def node(type_id: str = "test.text", title: str = "", x: float = 0, y: float = 0, **kw: Any) -> NodeInstance:
    return NodeInstance(type=type_id, title=title, layout=Layout(x=x, y=y), **kw)


edge = Edge.parse


def sample_flow() -> Flow:
    return Flow(
        name="sample",
        inputs={"city": FlowPort(type=PortType.TEXT)},
        nodes={
            "n_a": node("test.text", "Alpha", 10, 20, config={"b": 1, "a": [1, 2]}),
            "n_b": node("test.text", "Beta", 200, 20),
            "n_c": node("test.table", "Gamma", 400, 20),
            "n_d": node("vendor.missing.kind", "Delta", 600, 20),
        },
        edges=["n_a.text -> n_b.text"],
        notes={"t_one": Note(text="hello", x=5, y=5)},
        groups={"g_one": Group(title="G", nodes=["n_b", "n_a"])},
    )


@pytest.fixture
def doc() -> FlowDocument:
    return FlowDocument(sample_flow(), registry=REGISTRY)


def text(doc: FlowDocument) -> str:
    return dumps_flow(doc.flow)


def check_invariants(doc: FlowDocument) -> None:
    flow = doc.flow
    assert flow.edges == sorted(set(flow.edges))
    for group in flow.groups.values():
        assert group.nodes == sorted(set(group.nodes))
        assert all(n in flow.nodes for n in group.nodes)
    for nid in flow.nodes:
        assert doc.incoming(nid) == flow.incoming(nid)
        assert doc.outgoing(nid) == flow.outgoing(nid)
    dumped = dumps_flow(flow)
    assert dumps_flow(loads_flow(dumped)) == dumped


def assert_refused(doc: FlowDocument, edit: Edit, match: str) -> None:
    before, revision = text(doc), doc.revision
    with pytest.raises(EditError, match=match):
        doc.apply(edit)
    assert text(doc) == before
    assert doc.revision == revision


def undo_restores(doc: FlowDocument, edit: Edit) -> Edit:
    """Apply `edit`, undo it, check the bytes, redo it; returns the inverse."""
    before = text(doc)
    inverse = doc.apply(edit)
    check_invariants(doc)
    after = text(doc)
    redo = doc.apply(inverse)
    assert text(doc) == before
    doc.apply(redo)
    assert text(doc) == after
    return inverse


def test_add_and_remove_node(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    inverse = undo_restores(doc, AddNode("n_new", node(title="New")))
    assert inverse == RemoveNode("n_new")
    assert ed.NodeAdded("n_new") in events and ed.NodeRemoved("n_new") in events
    assert_refused(doc, AddNode("n_a", node()), "already a node")
    assert_refused(doc, AddNode("bad id", node()), "not a valid node id")
    assert_refused(doc, AddNode("n_x", node(config={"v": math.nan})), "finite")
    assert_refused(doc, AddNode("n_x", node(config={"v": {1, 2}})), "JSON values only")
    assert_refused(doc, RemoveNode("n_zzz"), "no node 'n_zzz'")
    instance = node(config={"k": [1]})  # the document keeps its own copy
    doc.apply(AddNode("n_copy", instance))
    instance.config["k"].append(2)
    instance.title = "changed"
    assert doc.flow.nodes["n_copy"].config == {"k": [1]}
    assert doc.flow.nodes["n_copy"].title == ""


def test_remove_node_undo_restores_edges_and_groups_exactly(doc: FlowDocument) -> None:
    doc.apply(Connect(edge("n_b.text -> n_d.x")))
    doc.apply(AddGroup("g_two", Group(nodes=["n_b", "n_c"])))
    before = text(doc)
    events: list[Any] = []
    doc.subscribe(events.append)
    inverse = doc.apply(RemoveNode("n_b"))
    assert isinstance(inverse, AddNode)
    assert inverse.edges == (edge("n_a.text -> n_b.text"), edge("n_b.text -> n_d.x"))
    assert inverse.groups == ("g_one", "g_two")
    assert "n_b" not in doc.flow.groups["g_one"].nodes
    assert all("n_b" not in (e.source, e.target) for e in doc.flow.edges)
    assert events[-1] == ed.NodeRemoved("n_b")
    assert ed.EdgeRemoved(edge("n_a.text -> n_b.text")) in events
    assert ed.GroupChanged("g_two", ("nodes",)) in events
    doc.apply(inverse)
    assert text(doc) == before
    check_invariants(doc)


def test_set_config_replaces_whole_config(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    config = {"z": {"deep": [1, 2.5, None]}}
    inverse = undo_restores(doc, SetConfig("n_a", config))
    assert inverse == SetConfig("n_a", {"b": 1, "a": [1, 2]})
    assert ed.NodeChanged("n_a", ("config",)) in events
    config["z"]["deep"].append(3)  # the document holds its own copy
    doc.apply(SetConfig("n_a", config))
    config["z"]["deep"].append(4)
    assert doc.flow.nodes["n_a"].config == {"z": {"deep": [1, 2.5, None, 3]}}
    assert_refused(doc, SetConfig("n_a", {1: "x"}), "keys must be text")
    assert_refused(doc, SetConfig("n_a", ["x"]), "config is a dict")  # type: ignore[arg-type]
    assert_refused(doc, SetConfig("n_q", {}), "no node")


def test_set_node_props_uses_a_sentinel(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    inverse = undo_restores(doc, SetNodeProps("n_a", title="Renamed", pinned={"text": "x"}))
    assert inverse == SetNodeProps("n_a", title="Alpha", pinned=None)
    assert inverse.description is UNCHANGED and inverse.settings is UNCHANGED
    assert events[0] == ed.NodeChanged("n_a", ("title", "pinned"))
    doc.apply(SetNodeProps("n_a", pinned={"text": "x"}))
    undo_restores(doc, SetNodeProps("n_a", pinned=None))
    undo_restores(doc, SetNodeProps("n_a", settings=NodeSettings(retries=3, on_error="route")))
    undo_restores(doc, SetNodeProps("n_a", settings={"timeout_s": 5}))
    assert_refused(doc, SetNodeProps("n_a", settings={"retries": -1}), "retries")
    assert_refused(doc, SetNodeProps("n_a", title=3), "expected text")  # type: ignore[arg-type]


def test_move_nodes(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    inverse = undo_restores(doc, MoveNodes((("n_a", 1.5, -2), ("n_c", 0, 0))))
    assert inverse == MoveNodes((("n_a", 10.0, 20.0), ("n_c", 400.0, 20.0)))
    assert events[0] == ed.NodesMoved(("n_a", "n_c"))
    assert_refused(doc, MoveNodes((("n_a", math.inf, 0),)), "finite")
    assert_refused(doc, MoveNodes((("n_a", 1, 1), ("n_a", 2, 2))), "moved twice")
    assert_refused(doc, MoveNodes((("n_q", 1, 1),)), "no node")
    assert_refused(doc, MoveNodes((("n_a", 1),)), "a move is")  # type: ignore[arg-type]


# ----- notes, groups, flow info --------------------------------------------------------------


def test_notes(doc: FlowDocument) -> None:
    assert undo_restores(doc, AddNote("t_two", Note(text="x"))) == RemoveNote("t_two")
    events: list[Any] = []
    doc.subscribe(events.append)
    inverse = undo_restores(doc, UpdateNote("t_one", text="bye", width=50))
    assert inverse == UpdateNote("t_one", text="hello", width=200.0)
    assert events[0] == ed.NoteChanged("t_one", ("text", "width"))
    assert_refused(doc, AddNote("t_one", Note()), "already a note")
    assert_refused(doc, UpdateNote("t_zz", text="x"), "no note")
    assert_refused(doc, UpdateNote("t_one", x=math.nan), "finite")
    assert undo_restores(doc, RemoveNote("t_one")) == AddNote("t_one", Note(text="bye", x=5, y=5, width=50))
    assert_refused(doc, RemoveNote("t_one"), "no note")


def test_groups(doc: FlowDocument) -> None:
    undo_restores(doc, AddGroup("g_two", Group(title="T", nodes=["n_c", "n_a"])))
    assert doc.flow.groups["g_two"].nodes == ["n_a", "n_c"]
    inverse = undo_restores(doc, UpdateGroup("g_one", nodes=("n_d", "n_a"), color="#000000"))
    assert inverse == UpdateGroup("g_one", nodes=("n_a", "n_b"), color="#5b8def")
    assert_refused(doc, AddGroup("g_bad", Group(nodes=["n_q"])), "no node 'n_q'")
    assert_refused(doc, UpdateGroup("g_one", nodes=("n_q",)), "no node 'n_q'")
    assert_refused(doc, UpdateGroup("g_one", nodes="n_a"), "tuple of node ids")  # type: ignore[arg-type]
    restored = AddGroup("g_one", Group(title="G", color="#000000", nodes=["n_a", "n_d"]))
    assert undo_restores(doc, RemoveGroup("g_one")) == restored
    assert_refused(doc, RemoveGroup("g_one"), "no group")


def test_set_flow_info(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    inverse = undo_restores(
        doc, SetFlowInfo(name="renamed", outputs={"result": FlowPort(type=PortType.TABLE)})
    )
    assert inverse == SetFlowInfo(name="sample", outputs={})
    assert events[0] == ed.FlowChanged(("name", "outputs"))
    undo_restores(doc, SetFlowInfo(inputs={"n": {"type": "number", "default": 3}}))
    assert_refused(doc, SetFlowInfo(inputs={"bad name": FlowPort()}), "not a valid port name")
    assert_refused(doc, SetFlowInfo(inputs={"p": {"type": "nonsense"}}), "type")


# ----- edges and connect checks ---------------------------------------------------------------


def test_connect_and_disconnect(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    e = edge("n_b.text -> n_d.anything")  # n_d's type is unknown: no port checks
    assert undo_restores(doc, Connect(e)) == Disconnect(e)
    assert events[0] == ed.EdgeAdded(e) and events[2] == ed.EdgeRemoved(e)
    assert_refused(doc, Connect(edge("n_a.text -> n_b.text")), "already connected")
    assert undo_restores(doc, Disconnect(e)) == Connect(e, restore=True)
    assert_refused(doc, Disconnect(e), "not connected")
    assert_refused(doc, Connect(edge("n_a.text -> n_q.text")), "no node 'n_q'")
    assert_refused(doc, Connect(Edge("n_a", "te xt", "n_b", "text")), "malformed edge")


def test_connect_keeps_edges_sorted(doc: FlowDocument) -> None:
    for e in ["n_c.rows -> n_d.z", "n_b.text -> n_d.a", "n_a.text -> n_d.m"]:
        doc.apply(Connect(edge(e)))
    assert doc.flow.edges == sorted(doc.flow.edges)
    check_invariants(doc)


def test_connect_refuses_a_cycle_naming_the_nodes(doc: FlowDocument) -> None:
    doc.apply(AddNode("n_e", node("test.text", "Echo")))
    doc.apply(Connect(edge("n_b.text -> n_e.text")))
    bad = edge("n_e.text -> n_a.text")
    reason = doc.can_connect(bad)
    assert reason is not None and "cycle" in reason
    for name in ("Alpha", "n_a", "Beta", "n_b", "Echo", "n_e"):
        assert name in reason
    assert_refused(doc, Connect(bad), "cycle")
    assert_refused(doc, Connect(edge("n_a.text -> n_a.text")), "cannot feed itself")


def test_connect_refuses_incompatible_and_unknown_ports(doc: FlowDocument) -> None:
    assert_refused(doc, Connect(edge("n_b.text -> n_c.rows")), "a text output cannot feed a table input")
    assert_refused(doc, Connect(edge("n_c.rows -> n_b.text")), "table output cannot feed a text input")
    assert_refused(doc, Connect(edge("n_b.nope -> n_d.x")), "'Beta' \\(n_b\\) has no output 'nope'")
    assert_refused(doc, Connect(edge("n_d.x -> n_c.nope")), "has no input 'nope' \\(its inputs: rows\\)")
    assert doc.can_connect(edge("n_d.x -> n_c.rows")) is None


def test_connect_refuses_a_fed_input(doc: FlowDocument) -> None:
    doc.apply(AddNode("n_e", node("test.text")))
    assert_refused(doc, Connect(edge("n_e.text -> n_b.text")), "already fed by 'n_a.text -> n_b.text'")


def test_routed_errors_add_an_error_output(doc: FlowDocument) -> None:
    assert doc.can_connect(edge("n_a.error -> n_d.x")) is not None
    doc.apply(SetNodeProps("n_a", settings=NodeSettings(on_error="route")))
    assert doc.can_connect(edge("n_a.error -> n_d.x")) is None


def test_without_a_registry_ports_are_not_checked() -> None:
    doc = FlowDocument(sample_flow())
    assert doc.can_connect(edge("n_b.text -> n_c.rows")) is None
    doc.use_registry(REGISTRY)
    assert doc.can_connect(edge("n_b.text -> n_c.rows")) is not None
    lookup = registry_port_lookup(lambda: doc, REGISTRY)
    ports = lookup("n_c")
    assert ports is not None and set(ports[0]) == {"rows"} and ports[0]["rows"].type is PortType.TABLE
    assert lookup("n_d") is None and lookup("n_missing") is None


def test_can_connect_changes_nothing(doc: FlowDocument) -> None:
    before, revision = text(doc), doc.revision
    assert doc.can_connect(edge("n_b.text -> n_d.x")) is None
    assert doc.can_connect(edge("n_b.text -> n_a.text")) is not None
    assert text(doc) == before and doc.revision == revision


def test_a_legacy_invalid_edge_can_be_removed_and_restored() -> None:
    flow = Flow(nodes={"n_a": node("test.text"), "n_b": node("test.table")}, edges=["n_a.text -> n_b.rows"])
    doc = FlowDocument(flow, registry=REGISTRY)
    undo_restores(doc, Disconnect(edge("n_a.text -> n_b.rows")))
    undo_restores(doc, RemoveNode("n_b"))


# ----- batches, events, dirty flag --------------------------------------------------------------


def test_failing_batch_rolls_back(doc: FlowDocument) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    batch = Batch((
        AddNode("n_e", node()),
        Connect(edge("n_e.text -> n_d.x")),
        RemoveNode("n_a"),
        Batch((MoveNodes((("n_b", 1, 1),)), SetConfig("n_b", {"q": 1}))),
        Connect(edge("n_b.text -> n_e.text")),  # fine
        Connect(edge("n_e.text -> n_c.rows")),  # incompatible: the whole batch is refused
    ))
    assert_refused(doc, batch, "text output cannot feed a table input")
    assert events == []
    check_invariants(doc)


def test_batch_inverse_is_reversed_inverses(doc: FlowDocument) -> None:
    inverse = undo_restores(doc, Batch((AddNode("n_e", node()), Connect(edge("n_e.text -> n_d.x")))))
    assert inverse == Batch((Disconnect(edge("n_e.text -> n_d.x")), RemoveNode("n_e")))
    assert describe_edit(inverse) == "2 changes"
    assert describe_edit(MoveNodes((("n_a", 0, 0),))) == "Move node"
    assert_refused(doc, "AddNode", "not an edit")  # type: ignore[arg-type]


def test_dirty_and_revision(doc: FlowDocument, tmp_path: Any) -> None:
    events: list[Any] = []
    doc.subscribe(events.append)
    assert not doc.dirty and doc.revision == 0
    doc.apply(MoveNodes((("n_a", 0, 0),)))
    assert doc.dirty and doc.revision == 1 and events[-1] == ed.DirtyChanged(True)
    doc.apply(MoveNodes((("n_a", 1, 0),)))
    assert events.count(ed.DirtyChanged(True)) == 1
    doc.save(tmp_path / "x.loom")
    assert not doc.dirty and events[-1] == ed.DirtyChanged(False) and doc.path == tmp_path / "x.loom"
    reopened = FlowDocument.open(tmp_path / "x.loom", registry=REGISTRY)
    assert text(reopened) == text(doc) and not reopened.dirty
    with pytest.raises(ValueError, match="no path"):
        FlowDocument().save()


def test_subscribers(doc: FlowDocument, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Any] = []
    errors: list[EditError] = []

    def reentrant(event: Any) -> None:
        try:
            doc.apply(MoveNodes((("n_a", 5, 5),)))
        except EditError as exc:
            errors.append(exc)

    def broken(event: Any) -> None:
        raise RuntimeError("view bug")

    doc.subscribe(reentrant)
    doc.subscribe(broken)
    unsubscribe = doc.subscribe(seen.append)
    with caplog.at_level(logging.ERROR):
        doc.apply(AddNode("n_e", node()))
    assert errors and "another" in str(errors[0])
    assert "view bug" in caplog.text
    assert seen[0] == ed.NodeAdded("n_e")
    assert doc.flow.nodes["n_a"].layout.x == 10
    unsubscribe()
    doc.apply(RemoveNode("n_e"))
    assert ed.NodeRemoved("n_e") not in seen


# ----- clipboard -------------------------------------------------------------------------------


def test_copy_and_paste_give_new_ids_and_remap_edges(doc: FlowDocument) -> None:
    doc.apply(Connect(edge("n_b.text -> n_d.x")))
    snippet = copy_selection(doc.flow, ["n_a", "n_b"], ["t_one"])
    assert snippet["edges"] == ["n_a.text -> n_b.text"]  # only edges inside the selection
    assert json.loads(json.dumps(snippet)) == snippet
    batch = paste_edit(doc.flow, json.loads(json.dumps(snippet)), offset=(100, 50))
    added = [e for e in batch.edits if isinstance(e, AddNode)]
    notes = [e for e in batch.edits if isinstance(e, AddNote)]
    connects = [e for e in batch.edits if isinstance(e, Connect)]
    assert len(added) == 2 and len(notes) == 1 and len(connects) == 1
    new_ids = {a.node.title: a.node_id for a in added}
    assert not set(new_ids.values()) & set(doc.flow.nodes)
    assert all(i.startswith("n_") and len(i) == 10 for i in new_ids.values())
    assert notes[0].note_id.startswith("t_") and notes[0].note_id not in doc.flow.notes
    assert connects[0].edge == Edge(new_ids["Alpha"], "text", new_ids["Beta"], "text")
    before = text(doc)
    inverse = doc.apply(batch)
    pasted = doc.flow.nodes[new_ids["Alpha"]]
    assert (pasted.layout.x, pasted.layout.y) == (110, 70)
    assert pasted.config == {"a": [1, 2], "b": 1}
    assert doc.flow.notes[notes[0].note_id].x == 105
    check_invariants(doc)
    doc.apply(inverse)
    assert text(doc) == before


def test_paste_accepts_json_text_and_duplicate(doc: FlowDocument) -> None:
    snippet_text = json.dumps(copy_selection(doc.flow, ["n_c"]))
    assert len(paste_edit(doc.flow, snippet_text).edits) == 1
    batch = duplicate_edit(doc.flow, ["n_a", "n_b"])
    doc.apply(batch)
    assert len(doc.flow.nodes) == 6 and len(doc.flow.edges) == 2
    with pytest.raises(EditError, match="no node"):
        copy_selection(doc.flow, ["n_nope"])


@pytest.mark.parametrize(
    "snippet",
    [
        None, 3, "not json", "[1, 2]", [], {"format": "other"}, {"version": 99},
        {"nodes": []}, {"nodes": {"n_a": 3}}, {"nodes": {"bad id": {"type": "x.y"}}},
        {"nodes": {"n_a": {"type": "x.y", "extra": 1}}}, {"nodes": {"n_a": {"type": ""}}},
        {"nodes": {"n_a": {"type": "x.y"}}, "edges": ["n_a.o -> n_b.i"]},
        {"nodes": {"n_a": {"type": "x.y"}}, "edges": ["garbage"]},
        {"nodes": {"n_a": {"type": "x.y"}}, "edges": "n_a.o -> n_a.i"},
        {"notes": {"t_a": {"x": "left"}}}, {"nodes": {"n_a": {"type": "x.y", "layout": {"x": 1e308}}}},
        '{"nodes": {"n_a": {"type": "x.y", "config": {"v": NaN}}}}',
    ],
)
def test_paste_rejects_malformed_snippets(doc: FlowDocument, snippet: Any) -> None:
    if isinstance(snippet, dict) and "layout" in json.dumps(snippet):
        batch = paste_edit(doc.flow, snippet, offset=(1e308, 0))  # overflows only on apply
        assert_refused(doc, batch, "finite")
        return
    with pytest.raises(EditError):
        paste_edit(doc.flow, snippet)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000)
    | st.floats(allow_nan=False, allow_infinity=False, width=32) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
NODE_DICTS = st.fixed_dictionaries({"type": st.sampled_from(["x.y", ""])}) | JSON
SNIPPETISH = st.fixed_dictionaries({}, optional={
    "format": st.sampled_from(["loomwork.snippet", "x"]) | JSON,
    "version": st.sampled_from([1, 2]) | JSON,
    "nodes": st.dictionaries(st.sampled_from(["n_a", "n_b", "bad id"]), NODE_DICTS, max_size=2) | JSON,
    "edges": st.lists(st.sampled_from(["n_a.o -> n_b.i", "n_b.o -> n_a.i", "x"]) | JSON, max_size=2) | JSON,
    "notes": st.dictionaries(st.sampled_from(["t_a", "?"]), JSON, max_size=2) | JSON,
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(snippet=SNIPPETISH | JSON)
def test_paste_never_raises_anything_but_edit_error(doc: FlowDocument, snippet: Any) -> None:
    try:
        doc.apply(paste_edit(doc.flow, snippet))
    except EditError:
        pass
    check_invariants(doc)


# ----- random edit sequences ---------------------------------------------------------------------

NODE_IDS = ["n_a", "n_b", "n_c", "n_d", "n_e", "n_f", "n_g"]
NOTE_IDS = ["t_one", "t_two", "t_three"]
GROUP_IDS = ["g_one", "g_two"]
PORTS = ["text", "rows", "x"]
COORD = st.floats(-5000, 5000, allow_nan=False) | st.integers(-5000, 5000)
CONFIGS = st.dictionaries(st.text(max_size=5), JSON, max_size=3)
NODES = st.builds(node, type_id=st.sampled_from(["test.text", "test.table", "vendor.missing.kind"]),
                  title=st.text(max_size=8), x=COORD, y=COORD, config=CONFIGS)
MAYBE_TEXT = st.just(UNCHANGED) | st.text(max_size=5)
SETTINGS = st.just(UNCHANGED) | st.builds(NodeSettings, retries=st.integers(0, 5),
                                          on_error=st.sampled_from(["fail", "route"]))
FLOW_PORT = st.builds(FlowPort, type=st.sampled_from(list(PortType)), default=JSON)
FLOW_PORTS = st.just(UNCHANGED) | st.dictionaries(st.sampled_from(["a", "b", "_c"]), FLOW_PORT, max_size=2)
PINNED = st.just(UNCHANGED) | st.none() | st.dictionaries(st.sampled_from(PORTS), JSON, max_size=2)


def likely_port(flow: Flow, node_id: str) -> str:
    kind = flow.nodes[node_id].type if node_id in flow.nodes else ""
    return {"test.text": "text", "test.table": "rows"}.get(kind, "x")


def draw_edit(data: st.DataObject, doc: FlowDocument, depth: int = 0) -> Edit:
    flow = doc.flow
    some_node = st.sampled_from(sorted(flow.nodes) or NODE_IDS) | st.sampled_from(NODE_IDS)
    kinds = ["add", "remove", "connect", "connect", "disconnect", "config", "props", "move", "note",
             "note", "group", "group", "flow"] + (["batch"] if depth == 0 else [])
    kind = data.draw(st.sampled_from(kinds))
    if kind == "add":
        free = [i for i in NODE_IDS if i not in flow.nodes]
        pool = st.sampled_from(free) | st.sampled_from(NODE_IDS) if free else st.sampled_from(NODE_IDS)
        return AddNode(data.draw(pool), data.draw(NODES))
    if kind == "remove":
        return RemoveNode(data.draw(some_node))
    if kind == "connect":
        source, target = data.draw(some_node), data.draw(some_node)
        ports = [likely_port(flow, source), likely_port(flow, target)]
        if data.draw(st.booleans()):
            ports = [data.draw(st.sampled_from(PORTS)) for _ in ports]
        return Connect(Edge(source, ports[0], target, ports[1]))
    if kind == "disconnect":
        other = st.builds(Edge, some_node, st.just("text"), some_node, st.just("text"))
        return Disconnect(data.draw(st.sampled_from(flow.edges) | other if flow.edges else other))
    if kind == "config":
        return SetConfig(data.draw(some_node), data.draw(CONFIGS))
    if kind == "props":
        props = st.builds(SetNodeProps, some_node, title=MAYBE_TEXT, settings=SETTINGS, pinned=PINNED)
        return data.draw(props)
    if kind == "move":
        ids = data.draw(st.lists(some_node, max_size=3))
        return MoveNodes(tuple((i, data.draw(COORD), data.draw(COORD)) for i in ids))
    if kind == "note":
        tid = data.draw(st.sampled_from(NOTE_IDS))
        note = st.builds(Note, text=st.text(max_size=5), x=COORD)
        return data.draw(st.builds(AddNote, st.just(tid), note)
                         | st.just(RemoveNote(tid))
                         | st.builds(UpdateNote, st.just(tid), text=MAYBE_TEXT, y=st.just(UNCHANGED) | COORD))
    if kind == "group":
        gid, members = data.draw(st.sampled_from(GROUP_IDS)), st.lists(some_node, max_size=3)
        group = st.builds(Group, title=st.text(max_size=4), nodes=members)
        return data.draw(st.builds(AddGroup, st.just(gid), group)
                         | st.just(RemoveGroup(gid))
                         | st.builds(UpdateGroup, st.just(gid), nodes=members.map(tuple), title=MAYBE_TEXT))
    if kind == "flow":
        return SetFlowInfo(name=data.draw(MAYBE_TEXT), inputs=data.draw(FLOW_PORTS))
    size = data.draw(st.integers(0, 3))
    return Batch(tuple(draw_edit(data, doc, depth + 1) for _ in range(size)))


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_random_edits_undone_in_reverse_restore_the_start(data: st.DataObject) -> None:
    doc = FlowDocument(sample_flow(), registry=REGISTRY)
    start = text(doc)
    inverses: list[Edit] = []
    for _ in range(data.draw(st.integers(1, 25), label="steps")):
        edit = draw_edit(data, doc)
        before, revision = text(doc), doc.revision
        try:
            inverses.append(doc.apply(edit))
        except EditError:
            assert text(doc) == before and doc.revision == revision
            continue
        check_invariants(doc)
    end = text(doc)
    redos = [doc.apply(inverse) for inverse in reversed(inverses)]
    assert text(doc) == start
    check_invariants(doc)
    for redo in reversed(redos):
        doc.apply(redo)
    assert text(doc) == end
