"""Heavy node work runs in a worker thread for large inputs (inline for small ones), so that
cancelling a run and per-node time limits interrupt it; a cancelled worker stops early."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fake_context import FakeContext, run_type

from nodes._shared.offload import BYTES_INLINE, ROWS_INLINE, Stop, Stopped, checked, offload
from runtime.api import Flow, NodeInstance, NodeStarted, NodeState, Registry, RunEvent, RunStatus, Table


@pytest.fixture
def thread_hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the functions handed to `asyncio.to_thread` (recorded, then run as usual)."""
    hops: list[str] = []
    original = asyncio.to_thread

    async def spy(func: Any, /, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__qualname__", repr(func)))
        return await original(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", spy)
    return hops


def test_small_work_runs_inline_and_large_work_in_a_thread() -> None:
    def where(stop: Stop) -> int:
        return threading.get_ident()

    async def main() -> tuple[int, int]:
        return await offload(where, size=ROWS_INLINE), await offload(where, size=ROWS_INLINE + 1)

    inline, threaded = asyncio.run(main())
    assert inline == threading.get_ident()
    assert threaded != threading.get_ident()


def test_errors_of_the_work_reach_the_node() -> None:
    def fail(stop: Stop) -> None:
        raise ValueError("bad cell")

    with pytest.raises(ValueError, match="bad cell"):
        asyncio.run(offload(fail, size=10**9))


def test_checked_looks_at_the_flag_between_blocks() -> None:
    stop = Stop()
    assert list(checked(range(25_000), stop)) == list(range(25_000))
    stop.set()
    with pytest.raises(Stopped):
        next(checked(range(5), stop))


def test_cancelling_the_node_stops_the_worker_thread_early() -> None:
    finished = threading.Event()
    outcome: list[str] = []

    def long_loop(stop: Stop) -> None:
        try:
            for _ in checked(range(10**10), stop):
                pass
            outcome.append("ran to the end")
        except Stopped:
            outcome.append("stopped")
        finally:
            finished.set()

    async def main() -> float:
        task = asyncio.create_task(offload(long_loop, size=10**9))
        await asyncio.sleep(0.1)
        t0 = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.perf_counter() - t0

    assert asyncio.run(main()) < 0.5  # the node gives up at once…
    assert finished.wait(10)  # …and the thread soon after, at its next look at the flag
    assert outcome == ["stopped"]


def _table(n: int) -> Table:
    return Table.from_records([{"id": i, "code": f"C{i % 7}", "amount": str(i % 997)} for i in range(n)])


def _csv(path: Path, n: int) -> str:
    """A ';' file of about 128 bytes per `n`."""
    path.write_text("id;amount\n" + "".join(f"{i:>10};{i % 97:>6},5\n" for i in range(n * 7)),
                    encoding="utf-8")
    return path.name


CASES: list[tuple[str, dict[str, Any], Any]] = [
    ("core.filter_rows", {"conditions": [{"column": "amount", "op": ">", "value": 10}]},
     lambda n, _: {"table": _table(n)}),
    ("core.sort_rows", {"keys": [{"column": "amount", "descending": True}]},
     lambda n, _: {"table": _table(n)}),
    ("core.set_fields", {"set": [{"field": "ok", "value": True}]}, lambda n, _: {"data": _table(n)}),
    ("core.json_format", {"indent": 0}, lambda n, _: {"value": _table(n)}),
    ("core.json_parse", {"as_table": True},
     lambda n, _: {"text": json.dumps([{"pad": "x" * 120, "i": i} for i in range(n)])}),
    ("control.join", {"left_key": ["id"]}, lambda n, _: {"left": _table(n), "right": _table(n)}),
    ("control.merge", {"mode": "append"}, lambda n, _: {"a": _table(n), "b": _table(n)}),
    ("files.csv_write", {"path": "out.csv"}, lambda n, _: {"table": _table(n)}),
    ("files.csv_read", {"infer_types": True}, lambda n, folder: {"path": _csv(folder / f"in{n}.csv", n)}),
    ("files.read_text", {}, lambda n, folder: {"path": _csv(folder / f"t{n}.txt", n)}),
    ("files.write_text", {"path": "out.txt"}, lambda n, _: {"text": "x" * (n * 128)}),
]


@pytest.mark.parametrize(("type_id", "config", "make_inputs"), CASES, ids=[c[0] for c in CASES])
def test_heavy_nodes_use_a_thread_only_for_large_inputs(registry: Registry, tmp_path: Path,
                                                        thread_hops: list[str], type_id: str,
                                                        config: dict[str, Any], make_inputs: Any) -> None:
    node = registry.get(type_id)
    ctx = FakeContext(tmp_path)
    small, large = 200, max(ROWS_INLINE, BYTES_INLINE // 128) + 1
    asyncio.run(run_type(node, ctx, config, make_inputs(small, tmp_path)))
    assert thread_hops == [], "small inputs should be worked on inline"
    result = asyncio.run(run_type(node, ctx, config, make_inputs(large, tmp_path)))
    assert len(thread_hops) == 1, "large inputs should be worked on in a thread"
    assert result is not None


def test_a_time_limit_interrupts_a_large_csv_read(make_runner, build_flow, tmp_path: Path) -> None:
    rows = 400_000
    (tmp_path / "big.csv").write_text("id,amount,note\n" + "".join(f"{i},{i % 997}.5,row {i}\n"
                                                                  for i in range(rows)), encoding="utf-8")
    runner = make_runner()
    flow = build_flow("files.csv_read", {"path": "big.csv", "infer_types": True}, settings={"timeout_s": 0.2})
    t0 = time.perf_counter()
    result = runner.run_sync(flow, flow_path=tmp_path / "flow.loom")
    elapsed = time.perf_counter() - t0
    outcome = result.nodes["n_target"]
    assert outcome.state is NodeState.FAILED and "timed out after 0.2 s" in (outcome.error or "")
    assert elapsed < 2.0, f"the time limit took {elapsed:.1f} s to act"


def test_cancelling_a_run_interrupts_a_large_sort(make_runner, tmp_path: Path) -> None:
    (tmp_path / "big.csv").write_text("v\n" + "".join(f"{(i * 7919) % 100_003}\n" for i in range(300_000)),
                                      encoding="utf-8")
    runner = make_runner()
    flow = Flow(name="sort", nodes={
        "n_read": NodeInstance(type="files.csv_read", config={"path": "big.csv"}),
        "n_target": NodeInstance(type="core.sort_rows", config={"keys": [{"column": "v"}]})},
        edges=["n_read.table -> n_target.table"])

    async def main() -> Any:
        sorting = asyncio.Event()

        def watch(event: RunEvent) -> None:
            if isinstance(event, NodeStarted) and event.node_id == "n_target":
                sorting.set()

        task = asyncio.create_task(runner.run(flow, flow_path=tmp_path / "flow.loom", on_event=watch,
                                              use_cache=False))
        await asyncio.wait_for(sorting.wait(), 30)
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        runner.cancel()
        result = await asyncio.wait_for(task, 10)
        return result, time.perf_counter() - t0

    result, waited = asyncio.run(main())
    assert result.status is RunStatus.CANCELLED
    assert result.nodes["n_target"].state is NodeState.CANCELLED
    assert waited < 1.0, f"cancelling took {waited:.1f} s"
