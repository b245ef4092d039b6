"""Node result cache in SQLite: results by cache key, and each flow node's last result.

Reads go straight to SQLite (a primary-key lookup); writes are collected during the run
and written in one transaction by `flush()`. Values are stored as tagged JSON
(`runtime.valuecodec`), never pickled.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from runtime.valuecodec import dumps_values, loads_values

__all__ = ["CacheStore"]


class CacheStore:
    """Implements the executor's `ResultCache` protocol."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(path)
        conn = self.db.conn
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=5000")
        conn.execute("create table if not exists results (key text primary key, type_id text, "
                     "created real, outputs text)")
        conn.execute("create table if not exists last_results (flow text, node_id text, key text, "
                     "created real, outputs text, primary key (flow, node_id))")
        conn.commit()
        self._pending: dict[str, tuple[str, dict[str, Any]]] = {}
        self._pending_last: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        pending = self._pending.get(key)
        if pending is not None:
            return pending[1]
        row = self.db.conn.execute("select outputs from results where key = ?", (key,)).fetchone()
        return loads_values(row[0]) if row else None

    def put(self, key: str, type_id: str, outputs: dict[str, Any]) -> None:
        self._pending[key] = (type_id, outputs)

    def last(self, flow_key: str, node_id: str) -> tuple[str, dict[str, Any]] | None:
        pending = self._pending_last.get((flow_key, node_id))
        if pending is not None:
            return pending
        row = self.db.conn.execute(
            "select key, outputs from last_results where flow = ? and node_id = ?",
            (flow_key, node_id)).fetchone()
        return (row[0], loads_values(row[1])) if row else None

    def put_last(self, flow_key: str, node_id: str, key: str, outputs: dict[str, Any]) -> None:
        self._pending_last[(flow_key, node_id)] = (key, outputs)

    def flush(self, redact: Callable[[str], str] | None = None) -> None:
        """Write what this run produced. Values that cannot be stored, or that hold a
        secret (`redact` changes them), are skipped."""
        now = time.time()
        results = []
        for key, (type_id, outputs) in self._pending.items():
            text = self._encode(outputs, redact)
            if text is not None:
                results.append((key, type_id, now, text))
        last = []
        for (flow_key, node_id), (key, outputs) in self._pending_last.items():
            text = self._encode(outputs, redact)
            if text is not None:
                last.append((flow_key, node_id, key, now, text))
        with self.db.conn:
            self.db.conn.executemany(
                "insert or replace into results (key, type_id, created, outputs) values (?, ?, ?, ?)",
                results)
            self.db.conn.executemany(
                "insert or replace into last_results (flow, node_id, key, created, outputs) "
                "values (?, ?, ?, ?, ?)", last)
        self._pending.clear()
        self._pending_last.clear()

    @staticmethod
    def _encode(outputs: dict[str, Any], redact: Callable[[str], str] | None) -> str | None:
        try:
            text = dumps_values(outputs)
        except (TypeError, ValueError):
            return None
        if redact is not None and redact(text) != text:
            return None  # never persist a secret value
        return text

    def prune(self, older_than_days: float) -> None:
        cutoff = time.time() - older_than_days * 86400
        with self.db.conn:
            self.db.conn.execute("delete from results where created < ?", (cutoff,))

    def close(self) -> None:
        self.db.conn.close()
