"""Run history in SQLite (sqlite-utils, WAL): `runs`, `node_runs`, `events`.

This is the only module that touches the history database. Recording is batched: the
event loop only appends to a buffer, and a writer thread flushes it in one transaction
every quarter second (and at the end of the run), so history costs the executor little.

Node state changes (started, completed, failed, skipped) become one `node_runs` row per
node, with their times; the `events` table keeps the run's stream of everything else
(run start and end, failures, logs, progress) in order.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

import sqlite_utils

from runtime.events import (
    NodeState,
    RunStatus,
)

__all__ = ["HistoryStore", "connect"]

_SCHEMA_VERSION = 1


def connect(path: Path) -> sqlite_utils.Database:
    db = sqlite_utils.Database(path)
    db.conn.execute("PRAGMA journal_mode=WAL")
    db.conn.execute("PRAGMA synchronous=NORMAL")
    db.conn.execute("PRAGMA busy_timeout=5000")
    return db


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class HistoryStore:
    """Past and current runs. Safe to open from several processes (WAL, busy timeout)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = connect(path)
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        db = self.db
        if "runs" not in db.table_names():
            db["runs"].create(
                {"id": str, "flow_name": str, "flow_path": str, "trigger": str, "status": str,
                 "started": float, "finished": float, "duration_ms": float, "error": str,
                 "inputs": str, "outputs": str, "pid": int, "host": str, "node_count": int},
                pk="id", not_null={"status"},
            )
            db["runs"].create_index(["flow_path", "started"])
            db["runs"].create_index(["status"])
        if "node_runs" not in db.table_names():
            db["node_runs"].create(
                {"run_id": str, "node_id": str, "type_id": str, "state": str, "started": float,
                 "finished": float, "duration_ms": float, "cached": int, "pinned": int,
                 "error": str, "attempt": int, "ports": str, "items": str},
                pk=("run_id", "node_id"),
            )
        if "events" not in db.table_names():
            db["events"].create(
                {"run_id": str, "seq": int, "t": float, "kind": str, "node_id": str, "data": str},
                pk=("run_id", "seq"),
            )
        db.conn.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.conn.close()

    # ----- runs ----------------------------------------------------------------------

    def start_run(self, run_id: str, *, flow_name: str, flow_path: str, trigger: str,
                  inputs: dict[str, Any], node_count: int) -> None:
        with self.db.conn:
            self.db["runs"].insert({
                "id": run_id, "flow_name": flow_name, "flow_path": flow_path, "trigger": trigger,
                "status": RunStatus.RUNNING.value, "started": time.time(), "finished": None,
                "duration_ms": None, "error": "", "inputs": json.dumps(inputs, default=str),
                "outputs": None, "pid": os.getpid(), "host": socket.gethostname(),
                "node_count": node_count,
            })

    def mark_crashed_runs(self) -> list[str]:
        """Runs left RUNNING by a process that no longer exists become CRASHED."""
        host = socket.gethostname()
        crashed = []
        for row in self.db.query("select id, pid, host from runs where status = ?",
                                 [RunStatus.RUNNING.value]):
            if row["host"] == host and _pid_alive(row["pid"] or 0):
                continue
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

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from runs where id = ? or id like ? order by started desc",
                                  [run_id, run_id + "%"]))
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
        if runs_folder is not None:
            for run_id in doomed:
                shutil.rmtree(runs_folder / run_id, ignore_errors=True)
        return sorted(doomed)

    @staticmethod
    def _run_row(row: dict[str, Any]) -> dict[str, Any]:
        row = dict(row)
        for key in ("inputs", "outputs"):
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
        return row
