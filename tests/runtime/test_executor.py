"""The executor through the real Runner: states, concurrency, policies, caching, history."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from runtime.api import (
    CredentialStore,
    NodeState,
    Runner,
    RunStatus,
    Table,
    data_paths,
)
from tests.runtime.helpers import CALLS, flow, make_registry, node, write_flow


@pytest.fixture
def runner(home: Path) -> Runner:
    CALLS.clear()
    r = Runner(make_registry(), data_paths(home))
    yield r
    r.close()


def test_chain_runs_in_order_and_records_history(runner: Runner) -> None:
    f = flow({"n_a": node("test.source", {"amount": 2}), "n_b": node("test.add", {"amount": 3}),
              "n_c": node("test.add", {"amount": 4})},
             ["n_a.value -> n_b.value", "n_b.value -> n_c.value"])
    result = runner.run_sync(f, keep_outputs=True)
    assert result.status is RunStatus.COMPLETED
    assert CALLS == ["n_a", "n_b", "n_c"]
    assert result.node_outputs["n_c"]["value"] == 9
    run = runner.history.get_run(result.run_id)
    assert run["status"] == "COMPLETED"
    assert {n["node_id"]: n["state"] for n in run["nodes"]} == dict.fromkeys(["n_a", "n_b", "n_c"],
                                                                             "COMPLETED")
    kinds = [e["kind"] for e in runner.history.events(result.run_id)]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished"
    assert all(n["started"] <= n["finished"] and n["duration_ms"] >= 0 for n in run["nodes"])


def test_independent_branches_run_in_parallel(runner: Runner) -> None:
    nodes = {f"n_s{i}": node("test.sleep", {"seconds": 0.3}) for i in range(4)}
    started = time.perf_counter()
    result = runner.run_sync(flow(nodes, []))
    elapsed = time.perf_counter() - started
    assert result.status is RunStatus.COMPLETED
    assert elapsed < 0.9, f"four 0.3 s branches took {elapsed:.2f} s: not parallel"


def test_concurrency_limit_is_respected(home: Path) -> None:
    runner = Runner(make_registry(), data_paths(home), max_concurrency=2)
    nodes = {f"n_s{i}": node("test.sleep", {"seconds": 0.2}) for i in range(4)}
    started = time.perf_counter()
    runner.run_sync(flow(nodes, []))
    assert time.perf_counter() - started >= 0.38
    runner.close()


def test_failure_skips_downstream_and_fails_run(runner: Runner) -> None:
    f = flow({"n_a": node("test.crash"), "n_b": node("test.add"), "n_c": node("test.source")},
             ["n_a.value -> n_b.value"])
    result = runner.run_sync(f)
    assert result.status is RunStatus.FAILED
    assert result.nodes["n_a"].state is NodeState.FAILED
    assert "ZeroDivisionError: division by zero" in result.nodes["n_a"].error
    assert result.nodes["n_b"].state is NodeState.SKIPPED
    assert "Crash (n_a)" in result.error


def test_on_error_continue_keeps_run_completed(runner: Runner) -> None:
    f = flow({"n_a": node("test.flaky", {"fail_times": 5}, on_error="continue"),
              "n_b": node("test.add"), "n_c": node("test.source")},
             ["n_a.value -> n_b.value"])
    result = runner.run_sync(f)
    assert result.status is RunStatus.COMPLETED
    assert result.nodes["n_a"].state is NodeState.FAILED
    assert result.nodes["n_b"].state is NodeState.SKIPPED
    assert result.nodes["n_c"].state is NodeState.COMPLETED


def test_on_error_route_feeds_error_output(runner: Runner) -> None:
    f = flow({"n_a": node("test.flaky", {"fail_times": 5, "message": "portal down"}, on_error="route"),
              "n_b": node("test.add"), "n_log": node("test.sleep", {"seconds": 0})},
             ["n_a.value -> n_b.value", "n_a.error -> n_log.value"])
    # error is a record; feeding it into a number input is refused at compile time
    from runtime.api import CompileError

    with pytest.raises(CompileError, match="record output cannot feed a number input"):
        runner.run_sync(f)


def test_retries_with_backoff_then_success(runner: Runner) -> None:
    f = flow({"n_a": node("test.flaky", {"fail_times": 2}, retries=2, retry_delay_s=0.01)}, [])
    result = runner.run_sync(f)
    assert result.status is RunStatus.COMPLETED
    logs = [e for e in runner.history.events(result.run_id) if e["kind"] == "node_log"]
    assert sum("retrying" in e["message"] for e in logs) == 2


def test_timeout_fails_node_with_clear_message(runner: Runner) -> None:
    f = flow({"n_a": node("test.sleep", {"seconds": 5}, timeout_s=0.1)}, [])
    started = time.perf_counter()
    result = runner.run_sync(f)
    assert time.perf_counter() - started < 2
    assert result.nodes["n_a"].state is NodeState.FAILED
    assert result.nodes["n_a"].error == "timed out after 0.1 s"


def test_branch_not_taken_is_skipped(runner: Runner) -> None:
    f = flow({"n_a": node("test.source", {"amount": 3}), "n_br": node("test.branch"),
              "n_lo": node("test.add"), "n_hi": node("test.add"), "n_after": node("test.add")},
             ["n_a.value -> n_br.value", "n_br.low -> n_lo.value", "n_br.high -> n_hi.value",
              "n_hi.value -> n_after.value"])
    result = runner.run_sync(f)
    assert result.status is RunStatus.COMPLETED
    assert result.nodes["n_lo"].state is NodeState.COMPLETED
    assert result.nodes["n_hi"].state is NodeState.SKIPPED
    assert result.nodes["n_after"].state is NodeState.SKIPPED


def test_cache_reuses_pure_results_and_reruns_after_config_change(runner: Runner) -> None:
    nodes = {"n_a": node("test.source", {"amount": 1}), "n_b": node("test.add", {"amount": 1})}
    f = flow(nodes, ["n_a.value -> n_b.value"])
    runner.run_sync(f)
    CALLS.clear()
    second = runner.run_sync(f)
    assert CALLS == []
    assert all(o.cached for o in second.nodes.values())
    nodes["n_b"] = node("test.add", {"amount": 2})
    CALLS.clear()
    third = runner.run_sync(flow(nodes, ["n_a.value -> n_b.value"]), keep_outputs=True)
    assert CALLS == ["n_b"]
    assert third.nodes["n_a"].cached and not third.nodes["n_b"].cached
    assert third.node_outputs["n_b"]["value"] == 3
    CALLS.clear()
    runner.run_sync(f, use_cache=False)
    assert CALLS == ["n_a", "n_b"]


def test_layout_change_keeps_cache(runner: Runner) -> None:
    f = flow({"n_a": node("test.make_table")}, [])
    runner.run_sync(f)
    moved = f.model_copy(deep=True)
    moved.nodes["n_a"].layout.x = 500
    CALLS.clear()
    result = runner.run_sync(moved, keep_outputs=True)
    assert CALLS == [] and result.nodes["n_a"].cached
    assert isinstance(result.node_outputs["n_a"]["table"], Table)


def test_fingerprinted_reader_reruns_when_file_changes(runner: Runner, tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("abc")
    f = flow({"n_r": node("test.read_count", {"path": str(data)})}, [])
    assert runner.run_sync(f, keep_outputs=True).node_outputs["n_r"]["value"] == 3
    CALLS.clear()
    assert runner.run_sync(f).nodes["n_r"].cached
    data.write_text("abcdef")
    result = runner.run_sync(f, keep_outputs=True)
    assert not result.nodes["n_r"].cached and result.node_outputs["n_r"]["value"] == 6


def test_run_from_node_reuses_upstream_results(runner: Runner, tmp_path: Path) -> None:
    f = flow({"n_slow": node("test.sleep", {"seconds": 0.3}), "n_b": node("test.add", {"amount": 1}),
              "n_c": node("test.add", {"amount": 1})},
             ["n_slow.value -> n_b.value", "n_b.value -> n_c.value"])
    path = write_flow(tmp_path / "f.loom", f)
    runner.run_sync(f, flow_path=path)
    CALLS.clear()
    started = time.perf_counter()
    result = runner.run_sync(f, flow_path=path, from_node="n_b")
    assert time.perf_counter() - started < 0.25
    assert CALLS == ["n_b", "n_c"]
    assert result.nodes["n_slow"].cached
    assert not result.nodes["n_b"].cached


def test_pinned_node_does_not_run(runner: Runner) -> None:
    pinned = node("test.source", {"amount": 1})
    pinned.pinned = {"value": 41.0}
    f = flow({"n_a": pinned, "n_b": node("test.add", {"amount": 1})}, ["n_a.value -> n_b.value"])
    result = runner.run_sync(f, keep_outputs=True)
    assert "n_a" not in CALLS
    assert result.nodes["n_a"].pinned
    assert result.node_outputs["n_b"]["value"] == 42


def test_cancel_stops_running_nodes_promptly(runner: Runner) -> None:
    f = flow({"n_a": node("test.sleep", {"seconds": 10}), "n_b": node("test.add")},
             ["n_a.value -> n_b.value"])

    async def scenario():
        task = asyncio.create_task(runner.run(f))
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        runner.cancel()
        result = await task
        return result, time.perf_counter() - started

    result, took = asyncio.run(scenario())
    assert took < 1.0
    assert result.status is RunStatus.CANCELLED
    assert result.nodes["n_a"].state is NodeState.CANCELLED
    assert result.nodes["n_b"].state is NodeState.CANCELLED
    assert runner.history.get_run(result.run_id)["status"] == "CANCELLED"


def test_secrets_are_redacted_everywhere(home: Path, keyring_backend) -> None:
    creds = CredentialStore(home / "credentials.json", backend=keyring_backend)
    creds.set("portal", "bad-hunter2-secret")
    runner = Runner(make_registry(), data_paths(home), credentials=creds)
    result = runner.run_sync(flow({"n_s": node("test.use_secret", {"credential": "portal"})}, []))
    assert result.status is RunStatus.FAILED
    assert "hunter2" not in result.nodes["n_s"].error
    assert "••••••" in result.nodes["n_s"].error
    events = runner.history.events(result.run_id)
    dump = repr(events) + repr(runner.history.get_run(result.run_id))
    assert "hunter2" not in dump
    raw = (home / "history.sqlite").read_bytes() + (home / "history.sqlite-wal").read_bytes() \
        if (home / "history.sqlite-wal").exists() else (home / "history.sqlite").read_bytes()
    assert b"hunter2" not in raw
    creds.delete("portal")
    runner.close()


def test_missing_credential_names_how_to_add(home: Path, keyring_backend) -> None:
    creds = CredentialStore(home / "credentials.json", backend=keyring_backend)
    runner = Runner(make_registry(), data_paths(home), credentials=creds)
    result = runner.run_sync(flow({"n_s": node("test.use_secret", {"credential": "nope"})}, []))
    assert "loomwork credentials set nope" in result.nodes["n_s"].error
    runner.close()


def test_run_left_running_by_dead_process_is_marked_crashed(home: Path) -> None:
    runner = Runner(make_registry(), data_paths(home))
    runner.history.start_run("r-dead", flow_name="x", flow_path="x", trigger="cli", inputs={},
                             node_count=1)
    runner.history.db.conn.execute("update runs set pid = 999999999 where id = 'r-dead'")
    runner.history.db.conn.commit()
    runner.close()
    again = Runner(make_registry(), data_paths(home))
    assert again.history.get_run("r-dead")["status"] == "CRASHED"
    again.close()


def test_artifacts_folder_per_run(runner: Runner) -> None:
    result = runner.run_sync(flow({"n_w": node("test.write_artifact")}, []), keep_outputs=True)
    written = Path(result.node_outputs["n_w"]["file"].path)
    assert written.read_text() == "hello"
    assert written.parent == runner.paths.runs / result.run_id / "n_w"
    quiet = runner.run_sync(flow({"n_a": node("test.source")}, []))
    assert not (runner.paths.runs / quiet.run_id).exists()  # no empty folders


def test_retention_prunes_old_runs_and_their_artifacts(home: Path) -> None:
    (home / "settings.json").write_text('{"history": {"keep_runs": 2, "keep_days": 30}}')
    runner = Runner(make_registry(), data_paths(home))
    ids = [runner.run_sync(flow({"n_w": node("test.write_artifact")}, [])).run_id for _ in range(4)]
    runner.close()
    again = Runner(make_registry(), data_paths(home))
    kept = [r["id"] for r in again.history.list_runs()]
    assert kept == ids[:-3:-1]
    assert not (home / "runs" / ids[0]).exists() and (home / "runs" / ids[-1]).exists()
    again.close()
