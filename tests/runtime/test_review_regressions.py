"""Regression tests for defects found in review: secrets, run-from, cancellation, files."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from runtime.api import (
    CURRENT_FORMAT_VERSION,
    CachePolicy,
    CompileError,
    CredentialStore,
    FlowFileError,
    NodeContext,
    NodeState,
    NodeType,
    Registry,
    Runner,
    RunStatus,
    atomic_write_text,
    check_flow,
    data_paths,
    loads_flow,
)
from tests.runtime.helpers import TEST_TYPES, flow, node, write_flow


class TokenOut(BaseModel):
    token: str


class LeakSecret(NodeType):
    """A careless node that puts a secret into its output."""

    type_id = "test.leak_secret"
    title = "Leak secret"
    Inputs = None
    Outputs = TokenOut

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> TokenOut:
        return TokenOut(token=f"Bearer {ctx.secret('api')}")


class CancelsItself(NodeType):
    type_id = "test.cancels_itself"
    title = "Cancels itself"
    cache = CachePolicy.NEVER
    Inputs = None

    async def run(self, ctx: NodeContext, config: Any, inputs: Any) -> None:
        raise asyncio.CancelledError()


def _registry() -> Registry:
    registry = Registry.from_entry_points()  # the core flow input/output nodes, plus test types
    for cls in (*TEST_TYPES, LeakSecret, CancelsItself):
        registry.add(cls)
    return registry


def test_secret_in_outputs_never_reaches_history_cache_or_result(home: Path, keyring_backend) -> None:
    creds = CredentialStore(home / "credentials.json", backend=keyring_backend)
    creds.set("api", 'to"k\\en-s3cret')
    runner = Runner(_registry(), data_paths(home), credentials=creds)
    f = flow({"n_leak": node("test.leak_secret"), "n_out": node("core.flow_output", {"name": "token"})},
             ["n_leak.token -> n_out.value"], outputs={"token": {"type": "text"}})
    result = runner.run_sync(f)
    assert result.status is RunStatus.COMPLETED
    assert result.outputs == {"token": "Bearer ••••••"}
    runner.close()
    for name in ("history.sqlite", "history.sqlite-wal", "cache.sqlite", "cache.sqlite-wal"):
        data = (home / name).read_bytes() if (home / name).exists() else b""
        assert b"s3cret" not in data, name
    creds.delete("api")


def test_run_from_reuses_only_when_inputs_are_unchanged(home: Path, tmp_path: Path) -> None:
    from tests.runtime.helpers import CALLS

    runner = Runner(_registry(), data_paths(home))
    chain = flow({"n_a": node("test.source", {"amount": 1}), "n_b": node("test.add", {"amount": 1}),
                  "n_c": node("test.add", {"amount": 1})},
                 ["n_a.value -> n_b.value", "n_b.value -> n_c.value"])
    path = write_flow(tmp_path / "f.loom", chain)
    runner.run_sync(chain, flow_path=path)
    changed = chain.model_copy(deep=True)
    changed.nodes["n_a"].config = {"amount": 10}
    runner.run_sync(changed, flow_path=path)
    runner.run_sync(chain, flow_path=path)  # all cache hits: last results must follow this run
    CALLS.clear()
    result = runner.run_sync(chain, flow_path=path, from_node="n_c", keep_outputs=True)
    assert result.node_outputs["n_c"]["value"] == 3
    assert CALLS == ["n_c"]
    CALLS.clear()
    result = runner.run_sync(changed, flow_path=path, from_node="n_c", keep_outputs=True)
    assert result.node_outputs["n_c"]["value"] == 12  # upstream changed: not reused blindly
    runner.close()


def test_node_raising_cancelled_error_fails_instead_of_hanging(home: Path) -> None:
    runner = Runner(_registry(), data_paths(home))
    f = flow({"n_x": node("test.cancels_itself"), "n_s": node("test.source")}, [])

    async def scenario():
        return await asyncio.wait_for(runner.run(f), timeout=5)

    result = asyncio.run(scenario())
    assert result.nodes["n_x"].state is NodeState.FAILED
    assert result.nodes["n_s"].state is NodeState.COMPLETED
    runner.close()


def test_external_timeout_propagates_and_is_recorded(home: Path) -> None:
    runner = Runner(_registry(), data_paths(home))
    f = flow({"n_sleep": node("test.sleep", {"seconds": 10})}, [])

    async def scenario():
        await asyncio.wait_for(runner.run(f), timeout=0.3)

    with pytest.raises(TimeoutError):
        asyncio.run(scenario())
    assert runner.history.list_runs()[0]["status"] == "CANCELLED"
    runner.close()


def test_atomic_write_keeps_umask_permissions_and_follows_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "new.txt"
    old = os.umask(0o022)
    try:
        atomic_write_text(target, "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


@pytest.mark.parametrize(("text", "expected"), [
    ('{"format_version": 3, "nodes": {"n_a": {"type": "a.b"}, "n_a": {"type": "c.d"}}}',
     "the key 'n_a' appears twice"),
    ('{"format_version": 3, "nodes": {"n_a": {"type": "a.b", "config": {"x": NaN}}}}', "NaN is not allowed"),
])
def test_duplicate_keys_and_nan_are_refused(text: str, expected: str) -> None:
    with pytest.raises(FlowFileError, match=expected):
        loads_flow(text)


def test_byte_order_mark_is_accepted() -> None:
    assert loads_flow('\ufeff{"format_version": 3}').format_version == CURRENT_FORMAT_VERSION


def test_no_follow_on_problem_for_an_edge_into_a_broken_node() -> None:
    f = flow({"n_s": node("test.source"), "n_a": node("test.add", {"amount": "lots"})},
             ["n_s.value -> n_a.value"])
    _plan, problems = check_flow(f, _registry())
    assert [p.field for p in problems] == ["amount"]


def test_corrupt_cache_is_recreated(home: Path) -> None:
    (home / "cache.sqlite").write_bytes(b"this is not a database" * 100)
    runner = Runner(_registry(), data_paths(home))
    assert runner.run_sync(flow({"n_a": node("test.source")}, [])).status is RunStatus.COMPLETED
    runner.close()


def test_compile_error_is_raised_before_anything_runs(home: Path) -> None:
    runner = Runner(_registry(), data_paths(home))
    with pytest.raises(CompileError):
        runner.run_sync(flow({"n_a": node("test.add")}, []))
    assert runner.history.list_runs() == []
    runner.close()


def test_run_from_sees_new_flow_inputs(home: Path, tmp_path: Path) -> None:
    runner = Runner(_registry(), data_paths(home))
    f = flow({"n_in": node("core.flow_input", {"name": "x"}), "n_b": node("test.add", {"amount": 1}),
              "n_c": node("test.add", {"amount": 1}), "n_out": node("core.flow_output", {"name": "y"})},
             ["n_in.value -> n_b.value", "n_b.value -> n_c.value", "n_c.value -> n_out.value"],
             inputs={"x": {"type": "number", "default": 1}}, outputs={"y": {"type": "number"}})
    path = write_flow(tmp_path / "f.loom", f)
    assert runner.run_sync(f, flow_path=path).outputs == {"y": 3}
    again = runner.run_sync(f, flow_path=path, from_node="n_c", inputs={"x": 10})
    assert again.outputs == {"y": 12}  # the flow output is set, and the new input is used
    runner.close()
