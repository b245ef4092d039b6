"""core.log and core.delay: pass-through nodes with side effects."""

from __future__ import annotations

import asyncio
import time

import pytest

from runtime.api import CompileError, NodeState, RunStatus


def test_log_renders_the_message_at_the_chosen_level_and_passes_the_value(run_node):
    run = run_node("core.log", {"message": "total is {{ total }} ({{ value.total }})", "level": "warning"},
                   {"value": {"total": 42}})
    assert run.ok() == {"value": {"total": 42}}
    assert run.logs("warning") == ["total is 42 (42)"]


def test_log_plain_message_keeps_braces(run_node):
    run = run_node("core.log", {"message": "literal {{ x }}", "placeholders": False}, {"value": 1})
    assert run.ok() == {"value": 1}
    assert run.logs("info") == ["literal {{ x }}"]


def test_log_without_message_summarises_the_value(run_node):
    run = run_node("core.log", {}, {"value": [1, 2]})
    assert run.logs("info") == ["[1, 2]"]


def test_log_is_never_cached(run_node, make_runner):
    runner = make_runner()
    for _ in range(2):
        run = run_node("core.log", {"message": "hi"}, {"value": 1}, runner=runner)
        assert not run.cached and run.logs() == ["hi"]


def test_log_bad_template_is_a_config_problem(run_node):
    with pytest.raises(CompileError) as info:
        run_node("core.log", {"message": "{{ oops"})
    assert "line 1" in str(info.value)


def test_delay_waits_and_passes_the_value(run_node):
    t0 = time.perf_counter()
    assert run_node("core.delay", {"seconds": 0.2}, {"value": "x"}).ok() == {"value": "x"}
    assert time.perf_counter() - t0 >= 0.2


def test_delay_stops_promptly_when_the_run_is_cancelled(make_runner, build_flow, tmp_path):
    runner = make_runner()
    flow = build_flow("core.delay", {"seconds": 60})

    async def main():
        task = asyncio.create_task(runner.run(flow, flow_path=tmp_path / "flow.loom"))
        await asyncio.sleep(0.3)
        runner.cancel()
        return await asyncio.wait_for(task, 5)

    t0 = time.perf_counter()
    result = asyncio.run(main())
    assert time.perf_counter() - t0 < 3
    assert result.status is RunStatus.CANCELLED
    assert result.nodes["n_target"].state is NodeState.CANCELLED
