"""Compile a flow against a registry into an executable `Plan`, or report every problem.

Problems are reported by node id (and field, where there is one): unknown node types,
invalid configs, unknown ports, type-mismatched edges, missing required inputs, cycles.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from runtime.flow import Edge, Flow, FlowSignature, NodeSettings
from runtime.flowfile import FlowFileError, load_flow
from runtime.messages import validation_items
from runtime.node import NodeType
from runtime.ports import PortSpec, PortType, incompatibility_reason
from runtime.registry import Registry

__all__ = [
    "CompileError",
    "NodePorts",
    "Plan",
    "PlannedNode",
    "Problem",
    "check_flow",
    "compile_flow",
    "resolve_node_ports",
]

ERROR_PORT = "error"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a flow, located by node id and config field when known."""

    message: str
    node_id: str | None = None
    field: str | None = None
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = []
        if self.node_id:
            where.append(f"node {self.node_id}")
        if self.field:
            where.append(f"field '{self.field}'")
        return (", ".join(where) + ": " if where else "") + self.message

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "node_id": self.node_id, "field": self.field,
                "severity": self.severity}


class CompileError(Exception):
    """The flow cannot run; `problems` lists every reason."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = problems
        self.source = source
        head = f"{source}: " if source else ""
        count = len(problems)
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{head}the flow cannot run ({count} problem{'s' if count != 1 else ''}):\n{body}")


@dataclass(slots=True)
class PlannedNode:
    """A node ready to execute: its type, validated config, ports and wiring."""

    id: str
    title: str
    node_type: NodeType
    config: BaseModel
    config_digest: str
    settings: NodeSettings
    inputs: dict[str, PortSpec]
    outputs: dict[str, PortSpec]
    in_edges: list[Edge] = field(default_factory=list)
    out_edges: list[Edge] = field(default_factory=list)
    pinned: dict[str, Any] | None = None
    converters: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    """Input port → conversion for widening edges (a number into a text input)."""
    upstream: tuple[str, ...] = ()
    downstream: tuple[str, ...] = ()


@dataclass(slots=True)
class Plan:
    """A compiled flow: nodes in a topological order plus what the runner needs."""

    flow: Flow
    nodes: dict[str, PlannedNode]
    order: list[str]
    flow_dir: Path
    source: str
    saved: bool = True
    """False for a flow that has no file yet: relative paths cannot be resolved."""

    def descendants(self, node_id: str) -> set[str]:
        """`node_id` and every node downstream of it."""
        seen = {node_id}
        todo = [node_id]
        while todo:
            for nxt in self.nodes[todo.pop()].downstream:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


class _Environment:
    """Port environment: this flow's signature and, on demand, subflow signatures."""

    def __init__(self, signature: FlowSignature, flow_dir: Path, visiting: tuple[str, ...]):
        self._signature = signature
        self._flow_dir = flow_dir
        self._visiting = visiting

    @property
    def signature(self) -> FlowSignature:
        return self._signature

    def subflow_signature(self, path: str) -> FlowSignature:
        target = (self._flow_dir / path).resolve()
        if str(target) in self._visiting:
            raise ValueError(f"subflow '{path}' includes itself")
        return load_flow(target).signature


_TO_TEXT = frozenset({PortType.INTEGER, PortType.NUMBER, PortType.BOOLEAN, PortType.DATETIME})


def _as_text(value: Any) -> Any:
    """How a number, true/false or date reads when it flows into a text input."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _validation_problems(node_id: str, exc: ValidationError) -> list[Problem]:
    return [Problem(message=msg, node_id=node_id, field=loc or None)
            for loc, msg in validation_items(exc, limit=20)]


def _migrated_config(node_type: NodeType, from_version: int, raw: dict[str, Any]) -> dict[str, Any]:
    version = from_version
    data = dict(raw)
    while version < node_type.version:
        data = node_type.migrate_config(version, data)
        version += 1
    return data


def check_flow(
    flow: Flow,
    registry: Registry,
    *,
    flow_path: str | os.PathLike[str] | None = None,
    _visiting: tuple[str, ...] = (),
) -> tuple[Plan | None, list[Problem]]:
    """Compile `flow`; return the plan (None when there are errors) and all problems."""
    source = str(flow_path) if flow_path else (flow.name or "<flow>")
    flow_dir = Path(flow_path).resolve().parent if flow_path else Path.cwd()
    visiting = _visiting + ((str(Path(flow_path).resolve()),) if flow_path else ())
    env = _Environment(flow.signature, flow_dir, visiting)
    problems: list[Problem] = []
    planned: dict[str, PlannedNode] = {}

    for node_id, inst in flow.nodes.items():
        node_type = registry.get(inst.type)
        if node_type is None:
            problems.append(Problem(f"unknown node type '{inst.type}' (is its node pack installed?)",
                                    node_id=node_id))
            continue
        if inst.type_version > node_type.version:
            problems.append(Problem(
                f"written by version {inst.type_version} of '{node_type.type_id}', but this "
                f"install has version {node_type.version}; update the node pack", node_id=node_id))
            continue
        try:
            raw = _migrated_config(node_type, inst.type_version, inst.config)
            config = node_type.Config.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_validation_problems(node_id, exc))
            continue
        except Exception as exc:  # a migrate_config that fails on this data
            problems.append(Problem(f"cannot upgrade its config: {exc}", node_id=node_id))
            continue
        fields = node_type.Config.model_fields
        aliases = {f.alias for f in fields.values() if f.alias}
        for key in sorted(set(raw) - set(fields) - aliases):
            problems.append(Problem("unknown setting (ignored)", node_id=node_id, field=key,
                                    severity="warning"))
        try:
            in_ports, out_ports = node_type.ports(config, env)
        except (FlowFileError, CompileError, ValueError, OSError) as exc:
            problems.append(Problem(str(exc), node_id=node_id))
            continue
        outputs = {p.id: p for p in out_ports}
        if inst.settings.on_error == "route":
            outputs[ERROR_PORT] = PortSpec(ERROR_PORT, "Error", PortType.RECORD,
                                           description="the error, when this node fails")
        planned[node_id] = PlannedNode(
            id=node_id,
            title=inst.title or node_type.title,
            node_type=node_type,
            config=config,
            config_digest=_digest([node_type.type_id, node_type.version, raw]),
            settings=inst.settings,
            inputs={p.id: p for p in in_ports},
            outputs=outputs,
            pinned=inst.pinned,
        )

    fed: dict[tuple[str, str], Edge] = {}
    for edge in flow.edges:
        src, dst = planned.get(edge.source), planned.get(edge.target)
        if src is None or dst is None:
            fed.setdefault((edge.target, edge.target_port), edge)  # no follow-on "not connected"
            continue  # the node's own problem is reported already
        out_port = src.outputs.get(edge.source_port)
        in_port = dst.inputs.get(edge.target_port)
        if out_port is None:
            problems.append(Problem(f"edge '{edge}': {src.title} has no output '{edge.source_port}'",
                                    node_id=edge.source))
            continue
        if in_port is None:
            problems.append(Problem(f"edge '{edge}': {dst.title} has no input '{edge.target_port}'",
                                    node_id=edge.target))
            continue
        reason = incompatibility_reason(out_port.type, in_port.type)
        if reason:
            problems.append(Problem(f"edge '{edge}': {reason}", node_id=edge.target,
                                    field=edge.target_port))
            fed.setdefault((edge.target, edge.target_port), edge)
            continue
        key = (edge.target, edge.target_port)
        if key in fed:
            problems.append(Problem(
                f"input '{edge.target_port}' is fed by two edges ('{fed[key]}' and '{edge}')",
                node_id=edge.target, field=edge.target_port))
            continue
        fed[key] = edge
        if in_port.type is PortType.TEXT and out_port.type in _TO_TEXT:
            dst.converters[edge.target_port] = _as_text
        src.out_edges.append(edge)
        dst.in_edges.append(edge)

    for node in planned.values():
        for port in node.inputs.values():
            if port.required and node.pinned is None and (node.id, port.id) not in fed:
                problems.append(Problem(f"required input '{port.title}' ({port.id}) is not connected",
                                        node_id=node.id, field=port.id))
        node.upstream = tuple(sorted({e.source for e in node.in_edges}))
        node.downstream = tuple(sorted({e.target for e in node.out_edges}))

    order = _topological_order(planned, problems)
    plan = Plan(flow=flow, nodes=planned, order=order, flow_dir=flow_dir, source=source,
                saved=flow_path is not None)
    has_errors = any(p.severity == "error" for p in problems)
    return (None if has_errors else plan), problems


def _topological_order(nodes: dict[str, PlannedNode], problems: list[Problem]) -> list[str]:
    indegree = {nid: len(n.upstream) for nid, n in nodes.items()}
    ready = deque(sorted(nid for nid, d in indegree.items() if d == 0))
    order: list[str] = []
    while ready:
        nid = ready.popleft()
        order.append(nid)
        for nxt in nodes[nid].downstream:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                ready.append(nxt)
    if len(order) < len(nodes):
        stuck = sorted(nid for nid, d in indegree.items() if d > 0)
        names = ", ".join(f"{nodes[n].title} ({n})" for n in stuck)
        problems.append(Problem(f"the flow has a cycle through: {names}"))
    return order


@dataclass(frozen=True, slots=True)
class NodePorts:
    """A node's ports as the editor shows them; `problem` says why they may be incomplete."""

    inputs: dict[str, PortSpec]
    outputs: dict[str, PortSpec]
    problem: str | None = None


@functools.lru_cache(maxsize=64)
def _resolved(path: str) -> Path:
    return Path(path).resolve()


def resolve_node_ports(
    flow: Flow,
    node_id: str,
    registry: Registry,
    *,
    flow_path: str | os.PathLike[str] | None = None,
) -> NodePorts | None:
    """The ports of one node for its current config (None when its type is unknown).

    Ports that depend on config (flow inputs, switch cases, subflows) are resolved; when
    the config is invalid the type's static ports are returned with the problem.
    """
    inst = flow.nodes.get(node_id)
    node_type = registry.get(inst.type) if inst is not None else None
    if inst is None or node_type is None:
        return None
    if flow_path:
        resolved = _resolved(str(flow_path))
        env = _Environment(flow.signature, resolved.parent, (str(resolved),))
    else:
        env = _Environment(flow.signature, Path.cwd(), ())
    problem = None
    try:
        config = node_type.Config.model_validate(_migrated_config(node_type, inst.type_version, inst.config))
        ins, outs = node_type.ports(config, env)
    except ValidationError as exc:
        problem = "; ".join(str(p) for p in _validation_problems(node_id, exc))
        ins, outs = node_type.static_ports()
    except Exception as exc:  # a subflow that cannot be read, an undeclared flow input, ...
        problem = str(exc)
        ins, outs = node_type.static_ports()
    outputs = {p.id: p for p in outs}
    if inst.settings.on_error == "route":
        outputs[ERROR_PORT] = PortSpec(ERROR_PORT, "Error", PortType.RECORD,
                                       description="the error, when this node fails")
    return NodePorts({p.id: p for p in ins}, outputs, problem)


def compile_flow(
    flow: Flow, registry: Registry, *, flow_path: str | os.PathLike[str] | None = None
) -> Plan:
    """Compile `flow` or raise `CompileError` naming every problem."""
    plan, problems = check_flow(flow, registry, flow_path=flow_path)
    if plan is None:
        raise CompileError([p for p in problems if p.severity == "error"],
                           str(flow_path) if flow_path else flow.name)
    return plan
