"""The run worker protocol, through a real subprocess (as the studio uses it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "assets" / "examples" / "approval_routing.loom"


class WorkerProcess:
    def __init__(self, home: Path):
        env = {**os.environ, "LOOMWORK_HOME": str(home)}
        self.proc = subprocess.Popen([sys.executable, "-m", "runtime.worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        assert self.read()["type"] == "ready"

    def send(self, **command: Any) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the worker closed its output"
        return json.loads(line)

    def until(self, kind: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        seen = []
        while True:
            message = self.read()
            seen.append(message)
            if message["type"] == kind:
                return message, seen

    def close(self) -> None:
        self.send(op="quit")
        self.proc.wait(timeout=20)


@pytest.fixture
def worker(home: Path):
    process = WorkerProcess(home)
    yield process
    process.close()


def test_run_streams_events_and_finishes(worker: WorkerProcess) -> None:
    worker.send(op="run", flow=EXAMPLE.read_text(), flow_path=str(EXAMPLE), inputs={"amount": 250})
    finished, seen = worker.until("finished")
    result = finished["result"]
    assert result["status"] == "COMPLETED"
    assert result["outputs"] == {"decision": "Invoice of 250.0 EUR approved automatically."}
    kinds = [m["event"]["kind"] for m in seen if m["type"] == "event"]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert result["nodes"]["n_rbig0001"]["state"] == "SKIPPED"
    worker.send(op="outputs", node_id="n_rif00001")
    outputs, _ = worker.until("outputs")
    assert outputs["values"] == {"false": 250.0}


def test_breakpoint_pauses_with_inputs_then_continues(worker: WorkerProcess) -> None:
    worker.send(op="run", flow=EXAMPLE.read_text(), flow_path=str(EXAMPLE), breakpoints=["n_rmrg0001"])
    paused, seen = worker.until("paused")
    assert paused["node_id"] == "n_rmrg0001"
    assert paused["inputs"] == {"a": "Invoice of 1840.5 EUR needs a manager's approval."}
    started = {m["event"]["node_id"] for m in seen if m["type"] == "event"
               and m["event"]["kind"] == "node_started"}
    assert "n_rmrg0001" not in started
    worker.send(op="step")
    paused, _ = worker.until("paused")
    assert paused["node_id"] == "n_rlog0001"  # step: pause before the next node
    worker.send(op="continue")
    finished, _ = worker.until("finished")
    assert finished["result"]["status"] == "COMPLETED"


def test_cancel_while_paused(worker: WorkerProcess) -> None:
    worker.send(op="run", flow=EXAMPLE.read_text(), flow_path=str(EXAMPLE), breakpoints=["n_rif00001"])
    worker.until("paused")
    worker.send(op="cancel")
    finished, _ = worker.until("finished")
    assert finished["result"]["status"] == "CANCELLED"


def test_only_node_runs_one_node_with_last_results(worker: WorkerProcess) -> None:
    worker.send(op="run", flow=EXAMPLE.read_text(), flow_path=str(EXAMPLE))
    worker.until("finished")
    worker.send(op="run", flow=EXAMPLE.read_text(), flow_path=str(EXAMPLE), only_node="n_rmrg0001")
    finished, _ = worker.until("finished")
    nodes = finished["result"]["nodes"]
    assert nodes["n_rmrg0001"]["state"] == "COMPLETED" and not nodes["n_rmrg0001"]["cached"]
    assert nodes["n_rif00001"]["cached"]
    assert nodes["n_rlog0001"]["state"] == "SKIPPED"


def test_invalid_flow_is_reported_not_fatal(worker: WorkerProcess) -> None:
    worker.send(op="run", flow='{"format_version": 3, "nodes": {"n_a": {"type": "core.delay", '
                               '"config": {"seconds": -1}}}}', flow_path=None)
    invalid, _ = worker.until("invalid")
    assert "node n_a" in invalid["message"]
    worker.send(op="run", flow=EXAMPLE.read_text(), flow_path=str(EXAMPLE))
    finished, _ = worker.until("finished")
    assert finished["result"]["status"] == "COMPLETED"
