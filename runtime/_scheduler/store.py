"""The scheduler's database (SQLite via sqlite-utils, WAL): per-machine schedule state.

- `schedules`: one row per (flow file, trigger id) that was ever enabled here — whether
  it is enabled or paused, the flow's fingerprint when it was enabled, and `cursor`, the
  latest fire time dealt with.
- `fires`: every fire time, CLAIMED by inserting (schedule key, fire id) under a primary
  key before its run starts. A fire id is claimed once, by one process, ever: that is
  what keeps a fire time from running twice across restarts or with two processes.
- `service`: the running service's pid and heartbeat.

This is the only module that touches the scheduler database.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from typing import Any

from runtime._store.history import connect, ensure_schema

__all__ = ["FINAL", "ScheduleStore"]

_SCHEMA_VERSION = 1
_SCHEMA = (
    "create table if not exists schedules (key text primary key, flow_path text not null, "
    "trigger_id text not null, enabled integer not null, paused integer not null default 0, "
    "flow_hash text, enabled_at real, cursor real, updated real)",
    "create table if not exists fires (key text not null, fire text not null, fire_time real, "
    "reason text, status text not null, run_id text, claimed real, started real, finished real, "
    "pid integer, host text, error text, primary key (key, fire))",
    "create index if not exists idx_fires_key_claimed on fires (key, claimed)",
    "create index if not exists idx_fires_status on fires (status)",
    "create table if not exists service (id integer primary key check (id = 1), pid integer, "
    "host text, started real, heartbeat real, version text)",
)
PENDING = ("CLAIMED", "QUEUED", "RUNNING")
FINAL = ("COMPLETED", "FAILED", "CANCELLED", "CRASHED", "INVALID", "SKIPPED", "MISSED", "LOST")


class ScheduleStore:
    """Schedule state and fire claims. Safe to open from several processes."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = connect(path)
        self.conn = self.db.conn
        self.host = socket.gethostname()
        self._ensure_schema()

    def _ensure_schema(self) -> None:
        ensure_schema(self.conn, _SCHEMA_VERSION, _SCHEMA)

    def close(self) -> None:
        self.conn.close()

    # ----- schedules -----------------------------------------------------------------

    def enable(self, key: str, flow_path: str, trigger_id: str, flow_hash: str, now: float) -> None:
        """Enable (or re-enable) a schedule: fire times from `now` on count."""
        with self.conn:
            self.conn.execute(
                "insert into schedules (key, flow_path, trigger_id, enabled, paused, flow_hash, "
                "enabled_at, cursor, updated) values (?, ?, ?, 1, 0, ?, ?, ?, ?) on conflict(key) do "
                "update set enabled=1, paused=0, flow_hash=excluded.flow_hash, "
                "enabled_at=excluded.enabled_at, cursor=max(coalesce(cursor, 0), excluded.cursor), "
                "updated=excluded.updated",
                [key, flow_path, trigger_id, flow_hash, now, now, now])

    def disable(self, key: str, now: float) -> bool:
        with self.conn:
            return self.conn.execute("update schedules set enabled=0, updated=? where key=?",
                                     [now, key]).rowcount == 1

    def set_paused(self, key: str, paused: bool, now: float) -> bool:
        """Pause or resume; resuming moves the cursor to `now` (no catch-up of the pause)."""
        with self.conn:
            sql = ("update schedules set paused=?, updated=?" + ("" if paused else
                   ", cursor=max(coalesce(cursor, 0), ?)") + " where key=?")
            args = [int(paused), now, key] if paused else [0, now, now, key]
            return self.conn.execute(sql, args).rowcount == 1

    def schedules(self, *, enabled_only: bool = False) -> list[dict[str, Any]]:
        sql = "select * from schedules" + (" where enabled=1" if enabled_only else "") + " order by key"
        return [dict(r) for r in self.db.query(sql)]

    def get(self, key: str) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from schedules where key=?", [key]))
        return dict(rows[0]) if rows else None

    def rehash(self, key: str, old: str, new: str) -> None:
        """Record a schedule's newer fingerprint (only while it still has `old`)."""
        with self.conn:
            self.conn.execute("update schedules set flow_hash=? where key=? and flow_hash=?", [new, key, old])

    def advance(self, key: str, cursor: float) -> None:
        with self.conn:
            self.conn.execute("update schedules set cursor=max(coalesce(cursor, 0), ?) where key=?",
                              [cursor, key])

    # ----- fires ---------------------------------------------------------------------

    def claim(self, key: str, fire: str, fire_time: float | None, reason: str, *,
              status: str = "CLAIMED", error: str = "", run_id: str | None = None) -> bool:
        """Claim one fire; False when it was claimed before (by anyone, ever)."""
        with self.conn:
            cursor = self.conn.execute(
                "insert or ignore into fires (key, fire, fire_time, reason, status, run_id, claimed, "
                "pid, host, error) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [key, fire, fire_time, reason, status, run_id, time.time(), os.getpid(), self.host, error])
            return cursor.rowcount == 1

    def has_fire_like(self, key: str, prefix: str) -> bool:
        """Whether a fire of `key` whose id starts with `prefix` (exactly, case too) was ever claimed."""
        row = self.conn.execute("select 1 from fires where key=? and fire>=? and fire<? limit 1",
                                [key, prefix, prefix + "\U0010ffff"]).fetchone()  # (the primary key's range)
        return row is not None

    def update_fire(self, key: str, fire: str, **fields: Any) -> None:
        names = sorted(fields)
        with self.conn:
            self.conn.execute(
                f"update fires set {', '.join(f'{n}=?' for n in names)} where key=? and fire=?",
                [fields[n] for n in names] + [key, fire])

    def request(self, key: str, now: float) -> str:
        """Ask the service to run a schedule now; returns the fire id."""
        fire = f"manual:{now:.6f}"
        with self.conn:
            self.conn.execute(
                "insert into fires (key, fire, fire_time, reason, status, claimed, pid, host, error) "
                "values (?, ?, ?, 'manual', 'REQUESTED', ?, null, ?, '')", [key, fire, now, now, self.host])
        return fire

    def take_requests(self) -> list[dict[str, Any]]:
        """Requested runs, each taken by exactly one process."""
        taken = []
        for row in self.db.query("select key, fire from fires where status='REQUESTED' order by claimed"):
            with self.conn:
                got = self.conn.execute(
                    "update fires set status='CLAIMED', pid=?, host=? where key=? and fire=? "
                    "and status='REQUESTED'", [os.getpid(), self.host, row["key"], row["fire"]]).rowcount
            if got:
                taken.append(dict(row))
        return taken

    def recover(self, alive: Any) -> list[dict[str, Any]]:
        """Fires left pending by a dead process on this host; the caller settles them."""
        rows = [dict(r) for r in self.db.query(
            f"select * from fires where status in ({', '.join('?' * len(PENDING))}) and host=?",
            [*PENDING, self.host])]
        return [r for r in rows if r["pid"] != os.getpid() and not alive(r["pid"] or 0)]

    def fires(self, key: str, *, limit: int = 50, statuses: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        sql, args = "select * from fires where key=?", [key]
        if statuses:
            sql += f" and status in ({', '.join('?' * len(statuses))})"
            args += list(statuses)
        sql += " order by coalesce(fire_time, claimed) desc, claimed desc limit ?"
        return [dict(r) for r in self.db.query(sql, [*args, limit])]

    def all_fires(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query("select * from fires order by key, fire_time")]

    def last_outcome(self, key: str) -> dict[str, Any] | None:
        """The latest fire that ran or tried to (not skipped, missed or only requested)."""
        rows = list(self.db.query(
            "select * from fires where key=? and status not in ('MISSED', 'SKIPPED', 'REQUESTED') "
            "order by claimed desc limit 1", [key]))
        return dict(rows[0]) if rows else None

    def missed(self, key: str) -> tuple[int, float | None]:
        row = self.conn.execute("select count(*), max(fire_time) from fires where key=? and status='MISSED'",
                                [key]).fetchone()
        return int(row[0]), row[1]

    # ----- service -------------------------------------------------------------------

    def heartbeat(self, started: float, version: str = "") -> None:
        with self.conn:
            self.conn.execute(
                "insert into service (id, pid, host, started, heartbeat, version) values (1, ?, ?, ?, ?, ?) "
                "on conflict(id) do update set pid=excluded.pid, host=excluded.host, "
                "started=excluded.started, heartbeat=excluded.heartbeat, version=excluded.version",
                [os.getpid(), self.host, started, time.time(), version])

    def service_row(self) -> dict[str, Any] | None:
        rows = list(self.db.query("select * from service where id=1"))
        return dict(rows[0]) if rows else None
