"""Refactorings that restructure a flow: collapse a selection into a subflow, expand one back.

Both are headless and pure: they read a `Flow` and return the edits (a `Batch`, one undo
step in the studio) plus, for a collapse, the new subflow's `Flow`, which the caller
writes next to the parent flow *before* applying the batch (the new `control.subflow`
node takes its ports from that file).

A subflow step runs only when every one of its connected inputs has a value (the engine's
"all" join), whereas the steps it replaces each ran as soon as their own inputs had
values. `collapse_warnings` names selections where that difference can matter (inputs
that may come from alternative branches of an If or Switch).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable
from pathlib import Path

from runtime.compile import ERROR_PORT, resolve_node_ports
from runtime.edits import AddNode, Batch, Connect, Edit, EditError, RemoveNode
from runtime.flow import Edge, Flow, FlowPort, Layout, NodeInstance, new_id
from runtime.ports import PortType
from runtime.registry import Registry

__all__ = ["collapse_to_subflow", "collapse_warnings", "expand_subflow"]

SUBFLOW_TYPE = "control.subflow"
FLOW_INPUT_TYPE = "core.flow_input"
FLOW_OUTPUT_TYPE = "core.flow_output"
CONSTANT_TYPE = "core.constant"
_CONSTANT_KINDS = {PortType.TEXT: "text", PortType.NUMBER: "number", PortType.INTEGER: "integer",
                   PortType.BOOLEAN: "boolean", PortType.RECORD: "record", PortType.LIST: "list"}
NESTING_TYPES = frozenset({SUBFLOW_TYPE, "control.for_each"})
"""Node types whose `flow` config is a path relative to the flow's folder (see nodes/control)."""

_COLUMN = 300.0  # horizontal room for a flow input/output node inside a new subflow
_ROW = 110.0


def _unique(base: str, taken: set[str]) -> str:
    name = base if base[:1].isalpha() or base.startswith("_") else f"port_{base}"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _fresh_id(prefix: str, taken: set[str]) -> str:
    while True:
        candidate = new_id(prefix)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _rebase(ref: str, old_dir: str, new_dir: str) -> str:
    """A flow path relative to `old_dir`, made relative to `new_dir` (both relative, posix)."""
    if not ref.strip() or os.path.isabs(ref.strip()):
        return ref
    if os.path.isabs(old_dir):
        return posixpath.normpath(posixpath.join(old_dir, ref.strip()))
    target = posixpath.normpath(posixpath.join(old_dir or ".", ref.strip()))
    return posixpath.relpath(target, new_dir or ".")


def _rebased_node(node: NodeInstance, old_dir: str, new_dir: str) -> NodeInstance:
    node = node.model_copy(deep=True)
    ref = node.config.get("flow")
    if node.type in NESTING_TYPES and isinstance(ref, str) and old_dir != new_dir:
        node.config["flow"] = _rebase(ref, old_dir, new_dir)
    return node


def _port_types(flow: Flow, node_id: str, registry: Registry | None,
                flow_path: str | os.PathLike[str] | None) -> tuple[dict, dict]:
    if registry is None:
        return {}, {}
    ports = resolve_node_ports(flow, node_id, registry, flow_path=flow_path)
    return (ports.inputs, ports.outputs) if ports is not None else ({}, {})


def _check_selection(flow: Flow, node_ids: Iterable[str]) -> list[str]:
    chosen = sorted(set(node_ids))
    if not chosen:
        raise EditError("select the steps to put into the subflow")
    for nid in chosen:
        node = flow.nodes.get(nid)
        if node is None:
            raise EditError(f"there is no node {nid!r} in the flow")
        if node.type in (FLOW_INPUT_TYPE, FLOW_OUTPUT_TYPE):
            raise EditError(f"{node.title or nid}: a flow input or output cannot be moved into a subflow; "
                            "leave it out of the selection")
    inside = set(chosen)
    # an outside node both fed by the selection and feeding it would make a cycle
    targets: dict[str, list[str]] = {}
    for edge in flow.edges:
        targets.setdefault(edge.source, []).append(edge.target)
    downstream: set[str] = set()
    stack = [e.target for e in flow.edges if e.source in inside and e.target not in inside]
    while stack:
        nid = stack.pop()
        if nid in downstream or nid in inside:
            continue
        downstream.add(nid)
        stack.extend(targets.get(nid, ()))
    for edge in flow.edges:
        if edge.target in inside and edge.source in downstream:
            node = flow.nodes[edge.source]
            raise EditError(f"the selection is not self-contained: {node.title or edge.source} is fed by "
                            "selected steps and feeds selected steps; include it or leave out the steps "
                            "after it")
    return chosen


def collapse_to_subflow(
    flow: Flow,
    node_ids: Iterable[str],
    subflow_path_relative: str,
    *,
    name: str,
    registry: Registry | None = None,
    flow_path: str | os.PathLike[str] | None = None,
) -> tuple[Flow, Batch]:
    """The subflow holding the selected nodes, and the `Batch` that replaces them by one
    `control.subflow` node (config `{"flow": subflow_path_relative}`) wired to the outside.

    Every distinct outside output feeding the selection becomes one flow input; every
    distinct inside output read outside becomes one flow output. Names come from the
    ports, made unique; types from the ports when `registry` is given (else "any").
    Raises `EditError` for a selection that cannot be collapsed.
    """
    chosen = _check_selection(flow, node_ids)
    inside = set(chosen)
    rel = subflow_path_relative.replace(os.sep, "/").strip()
    if not rel:
        raise EditError("give the subflow a file name")
    new_dir = posixpath.dirname(rel)
    incoming = [e for e in flow.edges if e.target in inside and e.source not in inside]
    outgoing = [e for e in flow.edges if e.source in inside and e.target not in inside]
    internal = [e for e in flow.edges if e.source in inside and e.target in inside]

    inputs: dict[str, FlowPort] = {}
    outputs: dict[str, FlowPort] = {}
    input_of: dict[tuple[str, str], str] = {}   # outside (node, port) -> subflow input name
    output_of: dict[tuple[str, str], str] = {}  # inside (node, port) -> subflow output name
    taken_in: set[str] = set()
    taken_out: set[str] = {ERROR_PORT}
    for edge in incoming:
        key = (edge.source, edge.source_port)
        if key in input_of:
            continue
        _ins, outs = _port_types(flow, edge.source, registry, flow_path)
        targets = [e for e in incoming if (e.source, e.source_port) == key]
        specs = [_port_types(flow, e.target, registry, flow_path)[0].get(e.target_port) for e in targets]
        kind = outs[edge.source_port].type if edge.source_port in outs else PortType.ANY
        if kind is PortType.ANY and specs and specs[0] is not None:
            kind = specs[0].type
        required = any(s is not None and s.required for s in specs)
        description = next((s.description for s in specs if s is not None and s.description), "")
        port = _unique(edge.target_port, taken_in)
        input_of[key] = port
        inputs[port] = FlowPort(type=kind, required=required, description=description)
    for edge in outgoing:
        key = (edge.source, edge.source_port)
        if key in output_of:
            continue
        outs = _port_types(flow, edge.source, registry, flow_path)[1]
        spec = outs.get(edge.source_port)
        port = _unique(edge.source_port, taken_out)
        output_of[key] = port
        outputs[port] = FlowPort(type=spec.type if spec else PortType.ANY,
                                 description=spec.description if spec else "")

    xs = [flow.nodes[n].layout.x for n in chosen]
    ys = [flow.nodes[n].layout.y for n in chosen]
    dx, dy = _COLUMN - min(xs), -min(ys)
    nodes: dict[str, NodeInstance] = {}
    for nid in chosen:
        node = _rebased_node(flow.nodes[nid], "", new_dir)
        node.layout = Layout(x=node.layout.x + dx, y=node.layout.y + dy)
        nodes[nid] = node
    taken_ids = set(flow.nodes)
    edges: list[Edge] = list(internal)
    last_y = -1e9
    for (_src, _sport), port in sorted(input_of.items(), key=lambda kv: kv[1]):
        targets = [e for e in incoming if input_of[(e.source, e.source_port)] == port]
        y = max(min(nodes[e.target].layout.y for e in targets), last_y + _ROW)
        last_y = y
        nid = _fresh_id("n", taken_ids)
        nodes[nid] = NodeInstance(type=FLOW_INPUT_TYPE, title=port.replace("_", " ").capitalize(),
                                  config={"name": port}, layout=Layout(x=0, y=y))
        edges += [Edge(nid, "value", e.target, e.target_port) for e in targets]
    right = max(xs) + dx + _COLUMN
    last_y = -1e9
    for (src, sport), port in sorted(output_of.items(), key=lambda kv: kv[1]):
        y = max(nodes[src].layout.y, last_y + _ROW)
        last_y = y
        nid = _fresh_id("n", taken_ids)
        nodes[nid] = NodeInstance(type=FLOW_OUTPUT_TYPE, title=port.replace("_", " ").capitalize(),
                                  config={"name": port}, layout=Layout(x=right, y=y))
        edges.append(Edge(src, sport, nid, "value"))
    subflow = Flow(name=name, description=f"Steps collapsed from {flow.name or 'a flow'}.",
                   inputs=inputs, outputs=outputs, nodes=nodes, edges=edges)

    node_id = _fresh_id("n", taken_ids | set(flow.notes) | set(flow.groups))
    common_groups = tuple(sorted(g for g, group in flow.groups.items() if inside <= set(group.nodes)))
    step = NodeInstance(type=SUBFLOW_TYPE, title=name, config={"flow": rel, "reuse_results": False},
                        layout=Layout(x=min(xs), y=round(sum(ys) / len(ys))))
    rewired = {Edge(e.source, e.source_port, node_id, input_of[e.source, e.source_port]) for e in incoming}
    rewired |= {Edge(node_id, output_of[e.source, e.source_port], e.target, e.target_port) for e in outgoing}
    # The new edges all touch the new node and mirror edges that were valid: they go in with
    # it (structure-checked only), so the batch does not depend on reading the subflow file.
    edits: list[Edit] = [RemoveNode(nid) for nid in chosen]
    edits.append(AddNode(node_id, step, edges=tuple(sorted(rewired)), groups=common_groups))
    return subflow, Batch(tuple(edits))


def collapse_warnings(flow: Flow, node_ids: Iterable[str], registry: Registry | None = None) -> list[str]:
    """Sentences for the user when collapsing `node_ids` may change what runs.

    The subflow step waits for all its inputs; steps that ran on alternative branches
    (outputs of one If/Switch, or paths brought together by a Merge inside the
    selection) would no longer run.
    """
    inside = set(node_ids)
    sources = sorted({(e.source, e.source_port) for e in flow.edges
                      if e.target in inside and e.source not in inside})
    if len(sources) < 2:
        return []
    by_node: dict[str, set[str]] = {}
    for node, port in sources:
        by_node.setdefault(node, set()).add(port)
    branching = sorted(n for n, ports in by_node.items() if len(ports) > 1)
    joins = []
    if registry is not None:
        for nid in sorted(inside):
            node_type = registry.get(flow.nodes[nid].type) if nid in flow.nodes else None
            if node_type is not None and node_type.join == "any":
                joins.append(nid)
    if not branching and not joins:
        return []
    label = [flow.nodes[n].title or n for n in (branching or joins)]
    why = (f"several outputs of {', '.join(label)} feed the selection" if branching
           else f"{', '.join(label)} inside the selection brings paths together")
    return [f"The subflow step will run only when all of its {len(sources)} inputs have values, but "
            f"{why}. If those are alternative branches (If, Switch), include the step that branches "
            "in the selection."]


def expand_subflow(flow: Flow, node_id: str, subflow: Flow) -> Batch:
    """The `Batch` replacing the `control.subflow` node `node_id` by the steps of `subflow`.

    Its nodes (but not its flow inputs/outputs) get new ids and keep their arrangement,
    with the top-left one at the node's position; edges into and out of the node are wired
    through to the steps its flow inputs fed and its flow outputs read.
    """
    node = flow.nodes.get(node_id)
    if node is None:
        raise EditError(f"there is no node {node_id!r} in the flow")
    if node.type != SUBFLOW_TYPE:
        raise EditError(f"{node.title or node_id} is not a subflow step")
    if any(e.source == node_id and e.source_port == ERROR_PORT for e in flow.edges):
        raise EditError(f"{node.title or node_id}: its error output is connected; disconnect it "
                        "before expanding (the steps inside route their own errors)")
    ref = str(node.config.get("flow", "")).replace(os.sep, "/").strip()
    sub_dir = posixpath.dirname(ref) if not os.path.isabs(ref) else str(Path(ref).parent)
    plain = {nid: n for nid, n in subflow.nodes.items() if n.type not in (FLOW_INPUT_TYPE, FLOW_OUTPUT_TYPE)}
    inputs_by_name: dict[str, list[str]] = {}
    outputs_by_name: dict[str, list[str]] = {}
    for nid, n in subflow.nodes.items():
        if n.type == FLOW_INPUT_TYPE:
            inputs_by_name.setdefault(str(n.config.get("name", "")), []).append(nid)
        elif n.type == FLOW_OUTPUT_TYPE:
            outputs_by_name.setdefault(str(n.config.get("name", "")), []).append(nid)

    taken = set(flow.nodes) | set(flow.notes) | set(flow.groups)
    new_ids = {old: _fresh_id("n", taken) for old in sorted(plain)}
    xs = [n.layout.x for n in plain.values()] or [0.0]
    ys = [n.layout.y for n in plain.values()] or [0.0]
    dx, dy = node.layout.x - min(xs), node.layout.y - sum(ys) / len(ys)  # mirrors the collapse
    groups = tuple(sorted(g for g, group in flow.groups.items() if node_id in group.nodes))
    edits: list[Edit] = [RemoveNode(node_id)]
    for old in sorted(plain):
        inst = _rebased_node(plain[old], sub_dir, "")
        inst.layout = Layout(x=inst.layout.x + dx, y=inst.layout.y + dy)
        edits.append(AddNode(new_ids[old], inst, groups=groups))

    def feeds(input_name: str) -> list[tuple[str, str]]:  # (inner node, port) a subflow input feeds
        ends: list[tuple[str, str]] = []
        for fid in inputs_by_name.get(input_name, []):
            ends += [(e.target, e.target_port) for e in subflow.edges if e.source == fid]
        return ends

    def reads(output_name: str) -> list[tuple[str, str]]:  # (inner node, port) a subflow output reads
        starts: list[tuple[str, str]] = []
        for oid in outputs_by_name.get(output_name, []):
            starts += [(e.source, e.source_port) for e in subflow.edges if e.target == oid]
        return starts

    def outer(end: tuple[str, str]) -> tuple[str, str] | None:
        return (new_ids[end[0]], end[1]) if end[0] in new_ids else None

    wired: set[Edge] = set()
    for e in subflow.edges:
        if e.source in plain and e.target in plain:
            wired.add(Edge(new_ids[e.source], e.source_port, new_ids[e.target], e.target_port))
    into = [e for e in flow.edges if e.target == node_id]
    out_of = [e for e in flow.edges if e.source == node_id]
    for e in into:
        for end in feeds(e.target_port):
            target = outer(end)
            if target is not None:
                wired.add(Edge(e.source, e.source_port, *target))
            elif subflow.nodes[end[0]].type == FLOW_OUTPUT_TYPE:  # an input passed straight through
                name = str(subflow.nodes[end[0]].config.get("name", ""))
                wired |= {Edge(e.source, e.source_port, o.target, o.target_port)
                          for o in out_of if o.source_port == name}
    for o in out_of:
        for start in reads(o.source_port):
            source = outer(start)
            if source is not None:
                wired.add(Edge(*source, o.target, o.target_port))
    connected = {e.target_port for e in into}
    for name, port in sorted(subflow.inputs.items()):  # an unwired input with a default: keep its value
        ends = [t for end in feeds(name) if (t := outer(end)) is not None]
        kind = _CONSTANT_KINDS.get(port.type)
        if name in connected or port.default is None or kind is None or not ends:
            continue
        const_id = _fresh_id("n", taken)
        edits.append(AddNode(const_id, NodeInstance(
            type=CONSTANT_TYPE, title=name.replace("_", " ").capitalize(),
            config={"kind": kind, "value": port.default},
            layout=Layout(x=node.layout.x - _COLUMN, y=node.layout.y)), groups=groups))
        wired |= {Edge(const_id, "value", *t) for t in ends}
    # Every edge mirrors one that was valid in the subflow or the flow, and expanding cannot
    # make a cycle or feed an input twice; `restore` skips the port checks, which would read
    # nested subflow files relative to the process's folder rather than the flow's.
    edits += [Connect(e, restore=True) for e in sorted(wired)]
    return Batch(tuple(edits))
