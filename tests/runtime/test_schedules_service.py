"""`loomwork service run` as a process: the "done when" run, the lock, SIGKILL and restart."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime._scheduler.store import ScheduleStore
from runtime.api import HistoryStore
from tests.runtime.test_cli import ROOT, loomwork

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
UTC = dt.UTC


def start_service(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LOOMWORK_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "runtime.cli.main", "service", "run", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)
    return proc.returncode, err


def serving(home: Path, proc: subprocess.Popen[str]) -> bool:
    """The service has ticked at least once (its signal handlers are in place)."""
    store = ScheduleStore(home / "scheduler.sqlite")
    try:
        return (store.service_row() or {}).get("pid") == proc.pid
    finally:
        store.close()


def fires(home: Path) -> list[dict]:
    store = ScheduleStore(home / "scheduler.sqlite")
    try:
        return store.all_fires()
    finally:
        store.close()


def test_weekday_8am_schedule_from_the_cli_runs_under_the_service(home: Path, tmp_path: Path) -> None:
    flow = tmp_path / "approval_routing.loom"
    shutil.copy(ROOT / "assets" / "examples" / "approval_routing.loom", flow)
    added = loomwork("schedules", "add", str(flow), "--cron", "weekdays at 8:00", "--tz", "Europe/Berlin",
                     "--enable", home=home)
    assert added.returncode == 0, added.stderr
    trigger_id = added.stdout.split()[2]
    assert trigger_id.startswith("tr_") and len(trigger_id) == 11
    assert loomwork("fmt", "--check", str(flow), home=home).returncode == 0
    nxt = json.loads(loomwork("schedules", "next", str(flow), "--json", home=home).stdout)[trigger_id]
    berlin = [dt.datetime.fromisoformat(t).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
              for t in nxt]
    assert len(berlin) == 5 and all((t.hour, t.minute) == (8, 0) and t.weekday() < 5 for t in berlin)
    clock_start = (berlin[0] - dt.timedelta(seconds=2)).isoformat()
    proc = start_service(home, "--clock-start", clock_start)
    try:
        wait_for(lambda: serving(home, proc) and any(f["status"] == "COMPLETED" for f in fires(home)),
                 what="the 8:00 run")
    finally:
        code, err = stop(proc)
    assert code == 0, err
    runs = json.loads(loomwork("runs", "--json", home=home).stdout)
    assert [(r["trigger"], r["status"]) for r in runs] == [
        (f"schedule:approval_routing.loom#{trigger_id}", "COMPLETED")]
    listed = json.loads(loomwork("schedules", "list", "--json", home=home).stdout)
    assert listed[0]["state"] == "enabled" and listed[0]["last_run"]["status"] == "COMPLETED"
    assert listed[0]["last_run"]["run_id"] == runs[0]["id"]


def test_a_second_service_exits_naming_the_first(home: Path) -> None:
    first = start_service(home)
    try:
        wait_for(lambda: (home / "service.lock").exists() and
                 (home / "service.lock").read_text().strip() == str(first.pid), what="the lock")
        second = subprocess.run([sys.executable, "-m", "runtime.cli.main", "service", "run"], cwd=ROOT,
                                env={**os.environ, "LOOMWORK_HOME": str(home)}, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 1
        assert f"already running here (pid {first.pid}" in second.stderr
        status = loomwork("service", "status", "--json", home=home)
        assert status.returncode == 0 and json.loads(status.stdout)["pid"] == first.pid
    finally:
        code, err = stop(first)
    assert code == 0, err
    assert "Traceback" not in err
    assert loomwork("service", "status", home=home).returncode == 1


def _constant_flow(path: Path, triggers: dict) -> Path:
    path.write_text(json.dumps({
        "format_version": 4, "name": path.stem, "outputs": {"v": {"type": "text"}},
        "nodes": {"n_const000": {"type": "core.constant", "config": {"kind": "text", "value": "hi"}},
                  "n_out00000": {"type": "core.flow_output", "config": {"name": "v"}}},
        "edges": ["n_const000.value -> n_out00000.value"], "triggers": triggers}), encoding="utf-8")
    return path


def test_sigkill_and_restart_handles_missed_runs_per_policy_without_duplicates(home: Path,
                                                                                tmp_path: Path) -> None:
    policies = {"tr_skip00001": "skip", "tr_once00001": "run_once", "tr_alll00001": "run_all"}
    flow = _constant_flow(tmp_path / "five.loom", {
        tid: {"kind": "cron", "cron": "*/5 * * * *", "timezone": "UTC", "missed": policy, "missed_limit": 3,
              "overlap": "queue"} for tid, policy in policies.items()})
    assert loomwork("schedules", "enable", str(flow), home=home).returncode == 0
    soon = dt.datetime.now(UTC) + dt.timedelta(minutes=1)  # the clock starts near the real time,
    base = soon.replace(minute=soon.minute - soon.minute % 5, second=0, microsecond=0)  # so nothing
    base += dt.timedelta(minutes=5)  # counts as missed before the first 5-minute mark it sees
    proc = start_service(home, "--clock-start", (base - dt.timedelta(seconds=20)).isoformat(),
                         "--clock-speed", "300", "--grace", "600")

    def two_each() -> bool:
        done = [f for f in fires(home) if f["status"] == "COMPLETED"]
        return all(sum(f["key"].endswith(t) for f in done) >= 2 for t in policies)

    try:
        wait_for(two_each, what="two fires of each schedule")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
    before = {t: {f["fire"] for f in fires(home) if f["key"].endswith(t)} for t in policies}
    assert not any(f["reason"] == "missed" for f in fires(home))
    restart_at = base + dt.timedelta(hours=2)  # 12:00 is within grace; everything before it was missed
    again = start_service(home, "--clock-start", (restart_at + dt.timedelta(minutes=2)).isoformat())

    def settled() -> bool:
        rows = fires(home)
        return serving(home, again) and sum(
            f["reason"] == "missed" and f["status"] == "COMPLETED" for f in rows) == 4

    try:
        wait_for(settled, what="the missed runs")
        time.sleep(0.5)
    finally:
        code, err = stop(again)
    assert code == 0, err
    rows = fires(home)
    history = HistoryStore(home / "history.sqlite")
    runs = history.list_runs(limit=1000)
    history.close()
    assert len({r["id"] for r in runs}) == len(runs)
    run_ids = [f["run_id"] for f in rows if f["run_id"]]
    assert len(run_ids) == len(set(run_ids)) == len(runs)  # one run per claimed fire, never two
    for tid, policy in policies.items():
        mine = [f for f in rows if f["key"].endswith(tid)]
        times = sorted(f["fire_time"] for f in mine)
        expected = [times[0] + 300 * i for i in range(len(times))]
        assert times == expected, tid  # every 5 minutes from 10:00, each fire time dealt with once
        assert before[tid] <= {f["fire"] for f in mine}
        missed_runs = [f for f in mine if f["reason"] == "missed" and f["status"] != "MISSED"]
        assert len(missed_runs) == {"skip": 0, "run_once": 1, "run_all": 3}[policy]
        assert all(f["status"] == "COMPLETED" for f in missed_runs)
        assert any(f["status"] == "MISSED" for f in mine)
        assert max(times) == restart_at.timestamp()  # 12:00 ran on time
