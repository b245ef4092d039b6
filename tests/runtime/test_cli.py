"""The `loomwork` CLI contract, exercised as a user (or another tool) would: subprocesses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "assets" / "examples").glob("*.loom"))


def loomwork(*args: str, home: Path, stdin: str | None = None, timeout: float = 120,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "LOOMWORK_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "runtime.cli.main", *args], capture_output=True,
                          text=True, cwd=ROOT, env=full_env, input=stdin, timeout=timeout)


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _adder_flow(tmp_path: Path) -> Path:
    return write(tmp_path / "adder.loom", {
        "format_version": 3, "name": "adder",
        "inputs": {"x": {"type": "number", "required": True}},
        "outputs": {"y": {"type": "number"}},
        "nodes": {
            "n_in000000": {"type": "core.flow_input", "config": {"name": "x"}},
            "n_out00000": {"type": "core.flow_output", "config": {"name": "y"}},
        },
        "edges": ["n_in000000.value -> n_out00000.value"],
    })


def test_version(home: Path) -> None:
    out = loomwork("--version", home=home)
    assert out.returncode == 0 and out.stdout.startswith("loomwork ")


def test_run_json_contract(home: Path, tmp_path: Path) -> None:
    out = loomwork("run", str(_adder_flow(tmp_path)), "-i", "x=41.5", "--json", home=home)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert set(result) >= {"run_id", "status", "nodes", "outputs"}
    assert result["status"] == "COMPLETED"
    assert result["outputs"] == {"y": 41.5}
    assert set(result["nodes"]["n_in000000"]) >= {"state", "duration_ms", "cached", "error"}
    constant = write(tmp_path / "constant.loom", {
        "format_version": 3, "name": "constant", "outputs": {"v": {"type": "text"}},
        "nodes": {"n_const000": {"type": "core.constant", "config": {"kind": "text", "value": "hi"}},
                  "n_out00000": {"type": "core.flow_output", "config": {"name": "v"}}},
        "edges": ["n_const000.value -> n_out00000.value"]})
    first = json.loads(loomwork("run", str(constant), "--json", home=home).stdout)
    again = json.loads(loomwork("run", str(constant), "--json", home=home).stdout)
    fresh = json.loads(loomwork("run", str(constant), "--json", "--no-cache", home=home).stdout)
    assert first["nodes"]["n_const000"]["cached"] is False
    assert again["nodes"]["n_const000"]["cached"] is True and again["outputs"] == {"v": "hi"}
    assert fresh["nodes"]["n_const000"]["cached"] is False


def test_run_history_commands(home: Path, tmp_path: Path) -> None:
    run_id = json.loads(loomwork("run", str(_adder_flow(tmp_path)), "-i", "x=1", "--json",
                                 home=home).stdout)["run_id"]
    runs = json.loads(loomwork("runs", "--json", home=home).stdout)
    assert runs[0]["id"] == run_id and runs[0]["status"] == "COMPLETED"
    shown = loomwork("runs", "show", run_id, home=home)
    assert shown.returncode == 0 and "n_in000000" in shown.stdout
    detail = json.loads(loomwork("runs", "show", run_id, "--json", home=home).stdout)
    assert {n["node_id"] for n in detail["nodes"]} == {"n_in000000", "n_out00000"}
    missing = loomwork("runs", "show", "r-nope", home=home)
    assert missing.returncode == 2 and "no run with id" in missing.stderr
    values = loomwork("runs", "show", run_id, "--outputs", "n_in000000", home=home)
    assert values.returncode == 0 and json.loads(values.stdout) == {"value": 1}
    nothing = loomwork("runs", "show", run_id, "--outputs", "n_zzz", home=home)
    assert nothing.returncode == 2 and "has no node 'n_zzz'" in nothing.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-i", "x=abc"], "flow input 'x' (number): 'abc' is not a number"),
        (["-i", "x=nan"], "'nan' is not a finite number"),
        ([], "flow input 'x' is required"),
        (["-i", "zzz=1", "-i", "x=1"], "unknown flow input(s) zzz"),
        (["-i", "novalue"], "-i expects NAME=VALUE"),
        (["-i", "x=1", "--from", "n_nothere0"], "there is no node 'n_nothere0'"),
    ],
)
def test_bad_inputs_exit_2_with_one_clear_paragraph(home: Path, tmp_path: Path, args: list[str],
                                                    expected: str) -> None:
    out = loomwork("run", str(_adder_flow(tmp_path)), *args, home=home)
    assert out.returncode == 2
    assert expected in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format_version": 3, "nodes": {', "not valid JSON at line 1, column 33"),
        ('{"format_version": 7}', "uses flow format version 7"),
        ('{"format_version": 3, "nodes": {"n_a": {"type": "acme.nope.node"}}}',
         "node n_a: unknown node type 'acme.nope.node'"),
        ('{"format_version": 3, "nodes": {"n_a": {"type": "core.constant", '
         '"config": {"kind": "number", "value": "ten"}}}}', "node n_a: value 'ten' is not a valid number"),
        ('{"format_version": 3, "nodes": {"n_a": {"type": "core.flow_output", "config": {"name": "y"}}}}',
         "flow output 'y' is not declared"),
    ],
)
def test_bad_flows_exit_2_for_run_and_validate(home: Path, tmp_path: Path, content: str,
                                               expected: str) -> None:
    path = tmp_path / "bad.loom"
    path.write_text(content)
    for command in ("run", "validate"):
        out = loomwork(command, str(path), home=home)
        assert out.returncode == 2, (command, out.stdout, out.stderr)
        assert expected in out.stderr
        assert "Traceback" not in out.stderr


def test_missing_file(home: Path, tmp_path: Path) -> None:
    out = loomwork("run", str(tmp_path / "nope.loom"), home=home)
    assert out.returncode == 2 and "nope.loom: no such file" in out.stderr


def test_failed_flow_exits_1(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "fails.loom", {
        "format_version": 3, "name": "fails",
        "nodes": {"n_read0000": {"type": "files.read_text", "config": {"path": "missing.txt"}}},
    })
    out = loomwork("run", str(path), "--json", home=home)
    assert out.returncode == 1
    result = json.loads(out.stdout)
    assert result["status"] == "FAILED"
    assert "missing.txt" in result["nodes"]["n_read0000"]["error"]


def test_fmt_and_validate(home: Path, tmp_path: Path) -> None:
    path = _adder_flow(tmp_path)
    assert loomwork("fmt", "--check", str(path), home=home).returncode == 1
    assert loomwork("fmt", str(path), home=home).returncode == 0
    assert loomwork("fmt", "--check", str(path), home=home).returncode == 0
    out = loomwork("validate", str(path), home=home)
    assert out.returncode == 0 and "ok (2 nodes)" in out.stdout


def test_nodes_json_lists_every_type_with_schemas(home: Path) -> None:
    out = loomwork("nodes", "--json", home=home)
    assert out.returncode == 0
    specs = json.loads(out.stdout)
    ids = {s["id"] for s in specs}
    assert {"core.flow_input", "core.flow_output", "core.constant"} <= ids
    for spec in specs:
        assert {"id", "version", "title", "category", "description", "config_schema", "inputs",
                "outputs", "capabilities"} <= set(spec)
        assert spec["config_schema"]["type"] == "object"


def test_schema_command_matches_shipped_schema(home: Path) -> None:
    out = loomwork("schema", home=home)
    shipped = json.loads((ROOT / "assets" / "schema" / "loom.schema.json").read_text())
    assert json.loads(out.stdout) == shipped


def test_credentials_set_list_delete(home: Path, keyring_backend) -> None:
    env = _keyring_env(keyring_backend)
    out = loomwork("credentials", "set", "portal_login", "--stdin", home=home, stdin="s3cr3t-value\n",
                   env=env)
    assert out.returncode == 0, out.stderr
    assert "s3cr3t" not in out.stdout + out.stderr
    listed = loomwork("credentials", "list", "--json", home=home, env=env)
    assert json.loads(listed.stdout) == ["portal_login"]
    assert b"s3cr3t" not in (home / "credentials.json").read_bytes()
    assert loomwork("credentials", "delete", "portal_login", home=home, env=env).returncode == 0
    assert json.loads(loomwork("credentials", "list", "--json", home=home, env=env).stdout) == []
    bad = loomwork("credentials", "delete", "portal_login", home=home, env=env)
    assert bad.returncode == 2 and "does not exist" in bad.stderr


def test_credentials_without_keyring_say_how_to_enable_one(home: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    out = loomwork("credentials", "set", "x", "--stdin", home=home, stdin="v\n", env=env)
    assert out.returncode == 2
    assert "No usable OS keyring" in out.stderr and "plain text" in out.stderr


def test_ctrl_c_stops_cleanly(home: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "slow.loom", {
        "format_version": 3, "name": "slow",
        "nodes": {"n_wait0000": {"type": "core.delay", "config": {"seconds": 60}}},
    })
    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "run", str(path), "--json"],
                            cwd=ROOT, env={**os.environ, "LOOMWORK_HOME": str(home)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    history = home / "history.sqlite"
    while time.monotonic() < deadline and not history.exists():
        time.sleep(0.1)
    time.sleep(1.0)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=20)
    assert time.monotonic() - started < 5
    assert proc.returncode == 130, stderr
    assert json.loads(stdout)["status"] == "CANCELLED"
    assert "Traceback" not in stderr
    runs = json.loads(loomwork("runs", "--json", home=home).stdout)
    assert runs[0]["status"] == "CANCELLED"


def _keyring_env(keyring_backend) -> dict[str, str]:
    """Environment for a CLI subprocess to use the test's keyring backend."""
    env = {"PYTHON_KEYRING_BACKEND": f"{type(keyring_backend).__module__}.{type(keyring_backend).__name__}"}
    if hasattr(keyring_backend, "file_path"):
        # keyrings.alt's file backend takes its folder from the XDG data home
        env["XDG_DATA_HOME"] = str(Path(keyring_backend.file_path).parent)
    return env


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate_are_canonical_and_run(example: Path, home: Path, keyring_backend) -> None:
    assert loomwork("validate", str(example), home=home).returncode == 0
    assert loomwork("fmt", "--check", str(example), home=home).returncode == 0
    env = _keyring_env(keyring_backend)
    if "credential" in example.read_text(encoding="utf-8"):  # the portal's demo password, from the keyring
        stored = loomwork("credentials", "set", "northwind_portal", "--stdin", home=home,
                          stdin="northwind-demo\n", env=env)
        assert stored.returncode == 0, stored.stderr
    if '"ai.' in example.read_text(encoding="utf-8"):  # the project's tiny multimodal model pack
        added = loomwork("models", "add", str(ROOT / "tests" / "fixtures" / "models" / "tiny-moe-vision"),
                         home=home)
        assert added.returncode == 0, added.stderr
    out = loomwork("run", str(example), "--json", home=home, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout)
    assert result["status"] == "COMPLETED"
    assert all(n["state"] in ("COMPLETED", "SKIPPED") for n in result["nodes"].values())
