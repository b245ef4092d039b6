"""Executor overhead: Loomwork runs of no-op flows against a bare asyncio loop, same run.

Measures, with history recording on (every node executes; `--no-cache`):
  - a 1,000-node chain and a 1,000-node fan-out (one source feeding 999 nodes),
    per-node overhead = (Loomwork time − bare loop time) / nodes; goal ≤ 20 µs;
  - a cached re-run of a 100-node chain; goal ≤ 5 ms.
The bare baseline awaits the same node functions in a plain loop.

Run: .venv/bin/python bench/executor_overhead.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from runtime.api import (
    Flow,
    NodeContext,
    NodeInstance,
    NodeType,
    Registry,
    Runner,
    RunStatus,
    data_paths,
)


class Value(BaseModel):
    value: int = 0


class MaybeValue(BaseModel):
    value: int | None = None


class NoOp(NodeType):
    type_id = "bench.noop"
    title = "No-op"
    Inputs = MaybeValue
    Outputs = Value

    async def run(self, ctx: NodeContext, config: Any, inputs: MaybeValue) -> Value:
        return Value(value=(inputs.value or 0) + 1)


def chain(n: int) -> Flow:
    ids = [f"n_{i:08d}" for i in range(n)]
    return Flow(name=f"chain {n}", nodes={i: NodeInstance(type="bench.noop") for i in ids},
                edges=[f"{a}.value -> {b}.value" for a, b in itertools.pairwise(ids)])


def fan_out(n: int) -> Flow:
    ids = [f"n_{i:08d}" for i in range(n)]
    return Flow(name=f"fan-out {n}", nodes={i: NodeInstance(type="bench.noop") for i in ids},
                edges=[f"{ids[0]}.value -> {b}.value" for b in ids[1:]])


async def bare_loop(n: int) -> None:
    node = NoOp()
    value = None
    for _ in range(n):
        out = await node.run(None, None, MaybeValue(value=value))  # type: ignore[arg-type]
        value = out.value


async def timed(coro_factory, repeats: int) -> tuple[float, float]:
    """Best and median seconds of `repeats` awaits, all in one event loop."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        await coro_factory()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


async def measure(runner: Runner) -> bool:
    ok = True
    n = 1000
    base_best, base_med = await timed(lambda: bare_loop(n), 15)
    print(f"bare asyncio loop, {n} calls: best {base_best * 1e3:.2f} ms, median {base_med * 1e3:.2f} ms")
    for name, build in (("chain", chain), ("fan-out", fan_out)):
        flow = build(n)
        plan = runner.compile(flow)
        t0 = time.perf_counter()
        runner.compile(flow)
        compile_ms = (time.perf_counter() - t0) * 1e3

        async def run(flow: Flow = flow, plan=plan) -> None:
            result = await runner.run(flow, plan=plan, use_cache=False)
            assert result.status is RunStatus.COMPLETED, result.error

        best, med = await timed(run, 15)
        per_node = (best - base_best) / n * 1e6
        print(f"loomwork {name:8s} {n} nodes: best {best * 1e3:.1f} ms, median {med * 1e3:.1f} ms; "
              f"ratio vs bare {best / base_best:.1f}x; overhead {per_node:.1f} µs/node "
              f"(goal ≤ 20) {'OK' if per_node <= 20 else 'OVER'}; compile {compile_ms:.1f} ms "
              f"({compile_ms / n * 1e3:.1f} µs/node, once per edit)")
        ok &= per_node <= 20
    small = chain(100)
    small_plan = runner.compile(small)
    await runner.run(small, plan=small_plan)
    bare100, _ = await timed(lambda: bare_loop(100), 9)

    async def cached(with_compile: bool = False) -> None:
        result = await runner.run(small, plan=None if with_compile else small_plan)
        assert all(o.cached for o in result.nodes.values())

    best, med = await timed(cached, 15)
    best_c, _ = await timed(lambda: cached(True), 15)
    print(f"cached re-run, 100 nodes: best {best * 1e3:.2f} ms, median {med * 1e3:.2f} ms "
          f"(goal ≤ 5 ms) {'OK' if best <= 0.005 else 'OVER'}; with compiling: {best_c * 1e3:.2f} ms; "
          f"ratio vs bare loop of 100 calls {best / bare100:.1f}x")
    ok &= best <= 0.005
    return ok


def main() -> int:
    registry = Registry([NoOp])
    with tempfile.TemporaryDirectory() as tmp:
        runner = Runner(registry, data_paths(Path(tmp) / "home"))
        ok = asyncio.run(measure(runner))
        runner.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
