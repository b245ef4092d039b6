"""Compiling flows (problems by node id) and the registry (plugins, versions, specs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from runtime.api import (
    CompileError,
    NodeType,
    PortType,
    Registry,
    RegistryError,
    check_flow,
    compatible,
    compile_flow,
    node_spec,
)
from tests.runtime.helpers import flow, make_registry, node

ROOT = Path(__file__).resolve().parents[2]


def _problems(f) -> list[str]:
    _plan, problems = check_flow(f, make_registry())
    return [str(p) for p in problems]


def test_unknown_type_is_named_with_its_node() -> None:
    assert _problems(flow({"n_x": node("vendor.magic.thing")}, [])) == [
        "node n_x: unknown node type 'vendor.magic.thing' (is its node pack installed?)"]


def test_invalid_config_names_node_field_and_reason() -> None:
    problems = _problems(flow({"n_a": node("test.add", {"amount": "lots"})}, []))
    assert problems[0] == "node n_a, field 'amount': must be a number"


def test_unknown_config_field_is_a_warning() -> None:
    plan, problems = check_flow(flow({"n_s": node("test.source", {"amonut": 1})}, []), make_registry())
    assert plan is not None
    assert [(p.severity, str(p)) for p in problems] == [
        ("warning", "node n_s, field 'amonut': unknown setting (ignored)")]


def test_cycle_names_the_nodes() -> None:
    f = flow({"n_a": node("test.add"), "n_b": node("test.add"), "n_c": node("test.source")},
             ["n_a.value -> n_b.value", "n_b.value -> n_a.value"])
    assert _problems(f) == ["the flow has a cycle through: Add (n_a), Add (n_b)"]


def test_type_mismatched_edge_is_refused() -> None:
    f = flow({"n_t": node("test.make_table"), "n_a": node("test.add")}, ["n_t.table -> n_a.value"])
    assert "a table output cannot feed a number input" in _problems(f)[0]


def test_missing_required_input() -> None:
    assert _problems(flow({"n_a": node("test.add")}, [])) == [
        "node n_a, field 'value': required input 'Value' (value) is not connected"]


def test_unknown_ports_and_doubly_fed_inputs() -> None:
    f = flow({"n_s": node("test.source"), "n_t": node("test.source"), "n_a": node("test.add")},
             ["n_s.nope -> n_a.value", "n_s.value -> n_a.value", "n_t.value -> n_a.value"])
    problems = _problems(f)
    assert any("Source has no output 'nope'" in p for p in problems)
    assert any("is fed by two edges" in p for p in problems)


def test_compile_error_lists_every_problem() -> None:
    f = flow({"n_x": node("nope.nope"), "n_a": node("test.add")}, [])
    with pytest.raises(CompileError) as info:
        compile_flow(f, make_registry())
    assert len(info.value.problems) == 2
    assert "the flow cannot run (2 problems)" in str(info.value)


def test_port_lattice() -> None:
    assert compatible(PortType.INTEGER, PortType.NUMBER)
    assert not compatible(PortType.NUMBER, PortType.INTEGER)
    assert compatible(PortType.TABLE, PortType.LIST)
    assert compatible(PortType.ANY, PortType.TABLE) and compatible(PortType.TEXT, PortType.ANY)
    assert not compatible(PortType.TEXT, PortType.TABLE)


class _V2Config(BaseModel):
    amount_cents: int = 0


class _Versioned(NodeType):
    type_id = "test.versioned"
    version = 2
    title = "Versioned"
    legacy_ids = ("test.old_name",)
    Config = _V2Config
    Inputs = None

    @classmethod
    def migrate_config(cls, from_version: int, raw: dict[str, Any]) -> dict[str, Any]:
        if from_version == 1:
            return {"amount_cents": round(raw.pop("amount", 0) * 100)}
        return raw


def test_legacy_ids_and_config_migration() -> None:
    registry = Registry([_Versioned])
    old = node("test.old_name", {"amount": 1.25})
    old.type_version = 1
    plan = compile_flow(flow({"n_v": old}, []), registry)
    assert plan.nodes["n_v"].config.amount_cents == 125
    newer = node("test.versioned")
    newer.type_version = 3
    with pytest.raises(CompileError, match="written by version 3"):
        compile_flow(flow({"n_v": newer}, []), registry)


def test_registry_refuses_bad_declarations() -> None:
    class NoId(NodeType):
        title = "x"

    class BadId(NodeType):
        type_id = "NotValid"
        title = "x"

    for cls in (NoId, BadId):
        with pytest.raises(RegistryError):
            Registry([cls])


def test_specs_export_schemas_ports_and_capabilities() -> None:
    spec = node_spec(make_registry().get("test.add"))
    assert spec["config_schema"]["properties"]["amount"]["type"] == "number"
    assert spec["inputs"] == [{"id": "value", "title": "Value", "type": "number", "required": True,
                               "description": ""}]
    assert spec["capabilities"] == [] and spec["cache"] == "pure"
    json.dumps(make_registry().specs())


def test_broken_plugin_is_reported_and_the_rest_still_load(tmp_path: Path) -> None:
    dist = tmp_path / "brokenpack-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: brokenpack\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[loomwork.nodes]\nbroken = brokenpack:NODE_TYPES\n")
    (tmp_path / "brokenpack.py").write_text("import does_not_exist_anywhere\n")
    code = ("import json; from runtime.api import Registry; r = Registry.from_entry_points(); "
            "print(json.dumps({'n': len(r), 'broken': [[b.name, b.error] for b in r.broken]}))")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60, check=True)
    report = json.loads(out.stdout)
    assert report["broken"] == [["broken", "ModuleNotFoundError: No module named 'does_not_exist_anywhere'"]]
    assert report["n"] > 3
