"""Run history in SQLite (sqlite-utils, WAL): `runs`, `node_runs`, `events`.

This is the only module that touches the history database. Recording is batched: the
event loop only appends to a buffer, and a writer thread flushes it in one transaction
every quarter second (and at the end of the run), so history costs the executor little.

Node state changes (started, completed, failed, skipped) become one `node_runs` row per
node, with their times; the `events` table keeps the run's stream of everything else
(run start and end, failures, logs, progress) in order. `outputs` keeps what each node
produced, content-addressed (a node that produced the same values in many runs is stored
once; `node_runs.output_key` points at it), as zlib-compressed tagged JSON, so a past run
can be reopened with its values. Pruning removes outputs no run points at any more and
keeps their total under a size limit (the oldest runs' outputs go first).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import time
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlite_utils

from runtime._procs import pid_alive
from runtime.events import (
    NodeState,
    RunStatus,
)
from runtime.valuecodec import loads_values

__all__ = ["HistoryStore", "connect", "ensure_schema"]

_SCHEMA_VERSION = 3


_SCHEMA = (
    "create table if not exists runs (id text primary key, flow_name text, flow_path text, "
    "trigger text, status text not null, started real, finished real, duration_ms real, error text, "
    "inputs text, outputs text, pid integer, host text, node_count integer, node_digests text)",
    "create index if not exists idx_runs_flow_path_started on runs (flow_path, started)",
    "create index if not exists idx_runs_status on runs (status)",
    "create table if not exists node_runs (run_id text, node_id text, type_id text, state text, "
    "started real, finished real, duration_ms real, cached integer, pinned integer, error text, "
    "attempt integer, ports text, items text, output_key text, primary key (run_id, node_id))",
    "create table if not exists events (run_id text, seq integer, t real, kind text, node_id text, "
    "data text, primary key (run_id, seq))",
    "create table if not exists outputs (key text primary key, created real, size integer, data blob)",
)
_UPGRADES = {  # from version → statements that bring a database of that version to the next
    1: ("alter table node_runs add column output_key text",),
    2: ("alter table runs add column node_digests text",),
}



def connect(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA busy_timeout=5000")  # first: the next statements may wait for a lock
    db.conn.execute("PRAGMA journal_mode=WAL")
    db.conn.execute("PRAGMA synchronous=NORMAL")
    return db


def ensure_schema(conn: sqlite3.Connection, version: int, schema: Sequence[str], *,
                  upgrades: Mapping[int, Sequence[str]] | None = None, table: str = "") -> None:
    """Create a database's tables once — or, when `table` exists from an older version, apply
    `upgrades` step by step first. Safe when several processes open a new database at once."""
    if conn.execute("PRAGMA user_version").fetchone()[0] == version:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have won
        existing = table and conn.execute(
            "select 1 from sqlite_master where type='table' and name=?", [table]).fetchone()
        if existing:
            for step in range(max(found, 1), version):
                for statement in (upgrades or {}).get(step, ()):
                    conn.execute(statement)
        for statement in schema:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={version}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class HistoryStore:
    """Past and current runs. Safe to open from several processes (WAL, busy timeout)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = connect(path)
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        ensure_schema(self.db.conn, _SCHEMA_VERSION, _SCHEMA, upgrades=_UPGRADES, table="runs")

    def close(self) -> None:
        self.db.conn.close()

    # ----- runs ----------------------------------------------------------------------

    def start_run(self, run_id: str, *, flow_name: str, flow_path: str, trigger: str,
                  inputs: dict[str, Any], node_count: int,
                  node_digests: dict[str, tuple[str, str]] | None = None) -> None:
        """Record a run's start; `node_digests` (node id → type id, config digest) lets a
        later look at the run tell which nodes were changed since."""
        with self.db.conn:
            self.db["runs"].insert({
                "id": run_id, "flow_name": flow_name, "flow_path": flow_path, "trigger": trigger,
                "status": RunStatus.RUNNING.value, "started": time.time(), "finished": None,
                "duration_ms": None, "error": "", "inputs": json.dumps(inputs, default=str),
                "outputs": None, "pid": os.getpid(), "host": socket.gethostname(),
                "node_count": node_count,
                "node_digests": json.dumps(node_digests) if node_digests is not None else None,
            })

    def mark_crashed_runs(self) -> list[str]:
        """Runs left RUNNING by a process that no longer exists become CRASHED."""
        host = socket.gethostname()
        crashed = []
        for row in self.db.query("select id, pid, host from runs where status = ?",
                                 [RunStatus.RUNNING.value]):
            if row["host"] != host or pid_alive(row["pid"] or 0):
                continue  # another machine's run, or still running here
            crashed.append(row["id"])
        if crashed:
            now = time.time()
            with self.db.conn:
                for run_id in crashed:
                    self.db.conn.execute(
                        "update runs set status=?, finished=?, error=? where id=?",
                        [RunStatus.CRASHED.value, now, "the process running this flow died", run_id])
                    self.db.conn.execute(
                        "update node_runs set state=?, finished=? where run_id=? and state in (?, ?)",
                        [NodeState.CRASHED.value, now, run_id, NodeState.RUNNING.value,
                         NodeState.PENDING.value])
        return crashed

    def list_runs(self, *, flow_path: str | None = None, status: str | None = None,
                  limit: int = 50) -> list[dict[str, Any]]:
        where, args = [], []
        if flow_path:
            where.append("flow_path = ?")
            args.append(flow_path)
        if status:
            where.append("status = ?")
            args.append(status.upper())
        sql = "select * from runs"
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by started desc limit ?"
        args.append(limit)
        return [self._run_row(r) for r in self.db.query(sql, args)]

    def find_runs(self, prefix: str) -> list[str]:
        """Ids of runs whose id is `prefix` exactly, else that start with it (newest first)."""
        exact = list(self.db.query("select id from runs where id = ?", [prefix]))
        if exact:
            return [prefix]
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return [r["id"] for r in self.db.query(
            "select id from runs where id like ? escape '\\' order by started desc", [pattern])]

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from runs where id = ?", [run_id]))
        if not rows:
            return None
        run = self._run_row(rows[0])
        run["nodes"] = [self._node_row(r) for r in self.db.query(
            "select * from node_runs where run_id = ? order by started", [run["id"]])]
        return run

    def events(self, run_id: str) -> list[dict[str, Any]]:
        return [
            {**json.loads(r["data"]), "kind": r["kind"], "seq": r["seq"], "node_id": r["node_id"]}
            for r in self.db.query("select * from events where run_id = ? order by seq", [run_id])
        ]

    def node_outputs(self, run_id: str, node_id: str) -> dict[str, Any] | None:
        """What `node_id` produced in `run_id` (port → value), or None when not kept."""
        row = self.db.conn.execute(
            "select o.data from node_runs n join outputs o on o.key = n.output_key "
            "where n.run_id = ? and n.node_id = ?", [run_id, node_id]).fetchone()
        if row is None:
            return None
        return loads_values(zlib.decompress(row[0]).decode())

    def outputs_size(self) -> int:
        """Bytes the kept outputs take (compressed)."""
        return self.db.conn.execute("select coalesce(sum(size), 0) from outputs").fetchone()[0]

    def prune_outputs(self, max_bytes: int) -> int:
        """Drop outputs no run points at, then the oldest runs' outputs beyond `max_bytes`."""
        conn = self.db.conn
        with conn:
            dropped = conn.execute(
                "delete from outputs where key not in "
                "(select output_key from node_runs where output_key is not null)").rowcount
        total = self.outputs_size()
        if total <= max_bytes:
            return dropped
        runs = [r[0] for r in conn.execute(
            "select distinct n.run_id from node_runs n join runs r on r.id = n.run_id "
            "where n.output_key is not null order by r.started")]
        with conn:
            for run_id in runs:
                if total <= max_bytes:
                    break
                conn.execute("update node_runs set output_key = null where run_id = ?", [run_id])
                cursor = conn.execute(
                    "delete from outputs where key not in "
                    "(select output_key from node_runs where output_key is not null) returning size")
                freed = [row[0] for row in cursor.fetchall()]
                dropped += len(freed)
                total -= sum(freed)
        return dropped

    def prune(self, *, keep_days: float | None = None, keep_runs: int | None = None,
              runs_folder: Path | None = None) -> list[str]:
        """Delete runs older than `keep_days` or beyond the newest `keep_runs`, with artifacts."""
        doomed: set[str] = set()
        if keep_days is not None:
            cutoff = time.time() - keep_days * 86400
            doomed.update(r["id"] for r in self.db.query(
                "select id from runs where started < ? and status != ?", [cutoff, "RUNNING"]))
        if keep_runs is not None:
            doomed.update(r["id"] for r in self.db.query(
                "select id from runs where status != ? order by started desc limit -1 offset ?",
                ["RUNNING", keep_runs]))
        with self.db.conn:
            for run_id in doomed:
                for table in ("events", "node_runs"):
                    self.db.conn.execute(f"delete from {table} where run_id = ?", [run_id])
                self.db.conn.execute("delete from runs where id = ?", [run_id])
            if doomed:
                self.db.conn.execute(
                    "delete from outputs where key not in "
                    "(select output_key from node_runs where output_key is not null)")
        if runs_folder is not None:
            for run_id in doomed:
                shutil.rmtree(runs_folder / run_id, ignore_errors=True)
        return sorted(doomed)

    @staticmethod
    def _run_row(row: dict[str, Any]) -> dict[str, Any]:
        row = dict(row)
        for key in ("inputs", "outputs", "node_digests"):
            if row.get(key):
                row[key] = json.loads(row[key])
        return row

    @staticmethod
    def _node_row(row: dict[str, Any]) -> dict[str, Any]:
        row = dict(row)
        row["cached"] = bool(row.get("cached"))
        row["pinned"] = bool(row.get("pinned"))
        row["ports"] = json.loads(row["ports"]) if row.get("ports") else []
        row["items"] = json.loads(row["items"]) if row.get("items") else {}
        row["has_outputs"] = bool(row.pop("output_key", None))
        return row
