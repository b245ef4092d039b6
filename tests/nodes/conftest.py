"""Shared fixtures for node tests: run one node through the real runner, in a tiny flow.

Each input value is handed to the node through a declared flow input (type `any`) and a
`core.flow_input` node, so the node under test is validated, run, cached and recorded
exactly as in a real flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from runtime.api import (
    CredentialStore,
    Flow,
    FlowPort,
    NodeInstance,
    NodeLog,
    NodeSettings,
    NodeState,
    PortType,
    Registry,
    RunEvent,
    Runner,
    RunResult,
    data_paths,
)

NODE_ID = "n_target"


@dataclass
class NodeRun:
    """The outcome of running one node in a tiny flow."""

    result: RunResult
    runner: Runner
    live: list[RunEvent] = field(default_factory=list)
    """The events as the run emitted them (the history keeps them too)."""
    node_id: str = NODE_ID

    @property
    def state(self) -> NodeState:
        return self.result.nodes[self.node_id].state

    @property
    def error(self) -> str:
        return self.result.nodes[self.node_id].error or ""

    @property
    def cached(self) -> bool:
        return self.result.nodes[self.node_id].cached

    @property
    def outputs(self) -> dict[str, Any]:
        return self.result.node_outputs.get(self.node_id, {})

    def events(self) -> list[dict[str, Any]]:
        """The run's events as stored in the run history."""
        return self.runner.history.events(self.result.run_id)

    def logs(self, level: str | None = None) -> list[str]:
        """This node's log lines (at `level`)."""
        return [e.message for e in self.live if isinstance(e, NodeLog) and e.node_id == self.node_id
                and (level is None or e.level == level)]

    def ok(self) -> dict[str, Any]:
        """The outputs, after asserting the node completed."""
        assert self.state is NodeState.COMPLETED, self.error
        return self.outputs


def node_flow(type_id: str, config: Mapping[str, Any] | None = None,
              inputs: Mapping[str, Any] | None = None, settings: Mapping[str, Any] | None = None) -> Flow:
    """A flow feeding each of `inputs` (names only) into one node of `type_id`."""
    names = sorted(inputs or {})
    nodes = {f"n_in_{n}": NodeInstance(type="core.flow_input", config={"name": n}) for n in names}
    nodes[NODE_ID] = NodeInstance(type=type_id, config=dict(config or {}),
                                  settings=NodeSettings(**(settings or {})))
    return Flow(name="test", inputs={n: FlowPort(type=PortType.ANY) for n in names}, nodes=nodes,
                edges=[f"n_in_{n}.value -> {NODE_ID}.{n}" for n in names])


@pytest.fixture(scope="session")
def registry() -> Registry:
    registry = Registry.from_entry_points()
    assert not registry.broken, [b.error for b in registry.broken]
    return registry


@pytest.fixture
def make_runner(tmp_path: Path, registry: Registry) -> Iterator[Callable[..., Runner]]:
    runners: list[Runner] = []

    def make(credentials: CredentialStore | None = None) -> Runner:
        runner = Runner(registry, data_paths(tmp_path / "home"), credentials=credentials)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.close()


@pytest.fixture
def run_node(tmp_path: Path, make_runner: Callable[..., Runner]) -> Callable[..., NodeRun]:
    """`run_node(type_id, config, inputs)`: run one node (the flow file sits in tmp_path)."""

    def run(type_id: str, config: Mapping[str, Any] | None = None, inputs: Mapping[str, Any] | None = None,
            *, runner: Runner | None = None, settings: Mapping[str, Any] | None = None) -> NodeRun:
        runner = runner or make_runner()
        flow = node_flow(type_id, config, inputs, settings)
        live: list[RunEvent] = []
        result = runner.run_sync(flow, flow_path=tmp_path / "flow.loom", inputs=dict(inputs or {}),
                                 keep_outputs=True, on_event=live.append)
        return NodeRun(result, runner, live)

    return run


@pytest.fixture
def build_flow() -> Callable[..., Flow]:
    """`build_flow(type_id, config, inputs)`: the flow `run_node` runs, to run it yourself."""
    return node_flow
