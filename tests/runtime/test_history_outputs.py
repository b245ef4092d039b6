"""Each run keeps its nodes' outputs in history: reopened later, stored once, pruned by size."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from runtime.api import HistoryStore, Runner, Table, data_paths
from tests.runtime.helpers import flow, make_registry, node


@pytest.fixture
def runner(home: Path) -> Runner:
    r = Runner(make_registry(), data_paths(home))
    yield r
    r.close()


def _chain(amount: float) -> object:
    return flow({"n_a": node("test.source", {"amount": amount}), "n_b": node("test.add", {"amount": 3})},
                ["n_a.value -> n_b.value"])


def test_a_past_run_reopens_with_each_nodes_outputs(runner: Runner) -> None:
    first = runner.run_sync(_chain(2))
    second = runner.run_sync(_chain(10))
    assert first.node_outputs == {}  # not asked for: the result stays small
    history = runner.history
    assert history.node_outputs(first.run_id, "n_b") == {"value": 5}
    assert history.node_outputs(second.run_id, "n_b") == {"value": 13}
    assert history.node_outputs(first.run_id, "n_missing") is None
    nodes = {n["node_id"]: n for n in history.get_run(first.run_id)["nodes"]}
    assert nodes["n_a"]["has_outputs"] and nodes["n_b"]["has_outputs"]


def test_identical_outputs_are_stored_once(runner: Runner) -> None:
    ids = [runner.run_sync(_chain(2), use_cache=False).run_id for _ in range(3)]
    assert all(runner.history.node_outputs(i, "n_b") == {"value": 5} for i in ids)
    count = runner.history.db.conn.execute("select count(*) from outputs").fetchone()[0]
    assert count == 2  # one per distinct value, not one per run


def test_tables_and_failed_runs_keep_what_was_produced(runner: Runner) -> None:
    result = runner.run_sync(flow({"n_t": node("test.big_table", {"rows": 500})}, []))
    table = runner.history.node_outputs(result.run_id, "n_t")["table"]
    assert isinstance(table, Table) and len(table) == 500 and table.rows[499]["n"] == 499
    failed = runner.run_sync(flow({"n_a": node("test.source", {"amount": 7}), "n_f": node("test.crash")},
                                  ["n_a.value -> n_f.value"]))
    assert failed.status.value == "FAILED"
    assert runner.history.node_outputs(failed.run_id, "n_a") == {"value": 7}
    assert runner.history.node_outputs(failed.run_id, "n_f") is None


def test_keep_outputs_can_be_switched_off(home: Path) -> None:
    (home / "settings.json").write_text('{"history": {"keep_outputs": false}}')
    runner = Runner(make_registry(), data_paths(home))
    result = runner.run_sync(_chain(1))
    assert runner.history.node_outputs(result.run_id, "n_b") is None
    runner.close()


def test_outputs_beyond_the_size_limit_go_oldest_first(home: Path) -> None:
    runner = Runner(make_registry(), data_paths(home))
    ids = [runner.run_sync(flow({"n_t": node("test.big_table", {"rows": 2000, "seed": i})}, [])).run_id
           for i in range(4)]
    one_run = runner.history.outputs_size() / 4
    runner.close()
    (home / "settings.json").write_text(
        '{"history": {"outputs_mb": %f}}' % (2.5 * one_run / 1024 / 1024))
    again = Runner(make_registry(), data_paths(home))
    kept = [i for i in ids if again.history.node_outputs(i, "n_t") is not None]
    assert kept == ids[2:]
    assert again.history.outputs_size() <= 2.5 * one_run
    assert [r["id"] for r in again.history.list_runs()] == ids[::-1]  # the runs themselves stay
    again.close()


def test_pruned_runs_take_their_outputs_along(home: Path) -> None:
    (home / "settings.json").write_text('{"history": {"keep_runs": 1}}')
    runner = Runner(make_registry(), data_paths(home))
    for amount in (1, 2, 3):
        runner.run_sync(_chain(amount))
    runner.close()
    again = Runner(make_registry(), data_paths(home))
    assert again.history.db.conn.execute("select count(*) from outputs").fetchone()[0] == 2
    again.close()


def test_a_history_database_of_version_1_is_upgraded_in_place(home: Path) -> None:
    db_path = data_paths(home).history_db
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(
        "create table runs (id text primary key, flow_name text, flow_path text, trigger text, "
        "status text not null, started real, finished real, duration_ms real, error text, inputs text, "
        "outputs text, pid integer, host text, node_count integer);"
        "create table node_runs (run_id text, node_id text, type_id text, state text, started real, "
        "finished real, duration_ms real, cached integer, pinned integer, error text, attempt integer, "
        "ports text, items text, primary key (run_id, node_id));"
        "create table events (run_id text, seq integer, t real, kind text, node_id text, data text, "
        "primary key (run_id, seq));"
        "insert into runs (id, status, started) values ('r-old', 'COMPLETED', 1);"
        "insert into node_runs (run_id, node_id, state) values ('r-old', 'n_a', 'COMPLETED');"
        "pragma user_version=1;")
    conn.close()
    store = HistoryStore(db_path)
    run = store.get_run("r-old")
    assert run["nodes"][0]["state"] == "COMPLETED" and not run["nodes"][0]["has_outputs"]
    assert store.node_outputs("r-old", "n_a") is None
    store.close()
    runner = Runner(make_registry(), data_paths(home))
    result = runner.run_sync(_chain(1))
    assert runner.history.node_outputs(result.run_id, "n_b") == {"value": 4}
    runner.close()


def test_a_cached_result_whose_file_is_gone_runs_again(runner: Runner) -> None:
    from pathlib import Path as _Path

    from tests.runtime.helpers import CALLS

    CALLS.clear()
    f = flow({"n_art": node("test.cached_artifact")}, [])
    first = runner.run_sync(f, keep_outputs=True)
    again = runner.run_sync(f, keep_outputs=True)
    assert again.nodes["n_art"].cached and CALLS == ["n_art"]
    _Path(first.node_outputs["n_art"]["file"].path).unlink()  # e.g. that run was pruned
    third = runner.run_sync(f, keep_outputs=True)
    assert not third.nodes["n_art"].cached and CALLS == ["n_art", "n_art"]
    assert _Path(third.node_outputs["n_art"]["file"].path).exists()
