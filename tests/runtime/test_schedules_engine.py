"""The scheduler on a simulated clock: exact fire times over DST, claims, policies."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runtime._scheduler.resolve import schedule_key
from runtime._scheduler.store import ScheduleStore
from runtime.api import Flow, ScheduleManager, data_paths, load_flow, save_flow
from tests.runtime.helpers import node
from tests.runtime.schedules_helpers import UTC, Rig, enable, flow_with_triggers

# ----- 100 schedules over 24 hours across each DST change -----------------------------


def _expressions(rng: random.Random) -> list[str]:
    exprs = [f"*/{rng.choice([10, 15, 20, 30])} * * * *" for _ in range(10)]
    exprs += [f"{rng.randrange(60)} * * * *" for _ in range(10)]
    exprs += [f"{rng.choice([0, 15, 30, 45])} {h} * * *" for h in [0, 1, 2, 2, 2, 3, 3, 4, 8, 12] * 4]
    exprs += [f"{rng.randrange(60)} {rng.randrange(24)} * * 1-5" for _ in range(20)]
    exprs += [f"{rng.randrange(60)} {rng.randrange(12)},{rng.randrange(12, 24)} * * 0,6" for _ in range(20)]
    return exprs


def _field(spec: str, size: int) -> frozenset[int]:
    if spec == "*":
        return frozenset(range(size))
    if spec.startswith("*/"):
        return frozenset(range(0, size, int(spec[2:])))
    out: set[int] = set()
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


class _Matcher:
    """A tiny independent cron matcher for the expression shapes above."""

    def __init__(self, expr: str):
        m, h, _dom, _mon, dow = expr.split()
        self.minutes, self.hours, self.days = _field(m, 60), _field(h, 24), _field(dow, 7)
        self.every_hour = h == "*"

    def __call__(self, wall: dt.datetime) -> bool:
        return (wall.minute in self.minutes and wall.hour in self.hours
                and (wall.weekday() + 1) % 7 in self.days)


def _oracle(exprs: list[str], zone: ZoneInfo, start: dt.datetime, end: dt.datetime
            ) -> list[set[dt.datetime]]:
    """Expected instants per expression, by walking every UTC minute and every wall minute
    that does not exist (the spring gap), with the rules of `runtime/_scheduler/cron.py`."""
    matchers = [_Matcher(e) for e in exprs]
    found: list[set[dt.datetime]] = [set() for _ in exprs]
    t = start + dt.timedelta(minutes=1)
    while t <= end:
        local = t.astimezone(zone)
        for i, match in enumerate(matchers):
            if match(local) and (local.fold == 0 or match.every_hour):
                found[i].add(t)
        t += dt.timedelta(minutes=1)
    wall = start.astimezone(zone).replace(tzinfo=None) - dt.timedelta(hours=3)
    while wall <= end.astimezone(zone).replace(tzinfo=None) + dt.timedelta(hours=3):
        aware = wall.replace(tzinfo=zone)
        instant = aware.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) != wall and start < instant <= end:  # the gap
            for i, match in enumerate(matchers):
                if match(wall):
                    found[i].add(instant)
        wall += dt.timedelta(minutes=1)
    return found


async def _instant(req: object) -> tuple[str, str]:
    return "COMPLETED", ""


@pytest.mark.parametrize(("zone_name", "day", "real_runs"), [
    ("Europe/Berlin", dt.date(2026, 3, 29), True), ("Europe/Berlin", dt.date(2026, 10, 25), False),
    ("America/New_York", dt.date(2026, 3, 8), False), ("America/New_York", dt.date(2026, 11, 1), True),
])
def test_100_schedules_fire_every_expected_time_exactly_once(tmp_path: Path, zone_name: str,
                                                             day: dt.date, real_runs: bool) -> None:
    """Two of the four days run real flows through the Runner; the others only launch."""
    zone = ZoneInfo(zone_name)
    start = dt.datetime.combine(day, dt.time(0, 0), zone).astimezone(UTC) - dt.timedelta(minutes=1)
    end = start + dt.timedelta(hours=24)
    exprs = _expressions(random.Random(day.toordinal()))
    assert len(exprs) == 100
    rig = Rig(tmp_path / "home", start, launch=None if real_runs else _instant)
    oracle = _oracle(exprs, zone, start, end)
    expected: dict[str, set[dt.datetime]] = {}
    for f in range(10):  # 10 flow files with 10 triggers each
        triggers = {f"tr_{f:02d}{i:06d}": {"kind": "cron", "cron": exprs[f * 10 + i], "timezone": zone_name}
                    for i in range(10)}
        path = flow_with_triggers(tmp_path / f"flow{f}.loom", triggers)
        for tid, trig in triggers.items():
            key = enable(rig.store, path, tid, start)
            expected[key] = oracle[exprs.index(trig["cron"])]
    asyncio.run(rig.run_until(end))
    fires = rig.store.all_fires()
    got: dict[str, list[dt.datetime]] = {}
    for row in fires:
        assert row["status"] == "COMPLETED", row
        got.setdefault(row["key"], []).append(dt.datetime.fromtimestamp(row["fire_time"], UTC))
    for key, times in expected.items():
        assert sorted(got.get(key, [])) == sorted(times), key
    total = sum(len(t) for t in expected.values())
    assert len(rig.requests) == total == len(fires)
    assert len({r.run_id for r in rig.requests}) == total
    if real_runs:
        history = rig.runner.history.list_runs(limit=10_000)
        assert len(history) == total and {r["status"] for r in history} == {"COMPLETED"}
    rig.close()


# ----- claims, missed runs, overlap ---------------------------------------------------

T0 = dt.datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_two_schedulers_on_one_database_run_each_fire_once(tmp_path: Path) -> None:
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_every0001": {
        "kind": "cron", "cron": "* * * * *", "timezone": "UTC", "overlap": "parallel"}})
    a, b = Rig(tmp_path / "home", T0), Rig(tmp_path / "home", T0)
    enable(a.store, path, "tr_every0001", T0)

    async def both() -> None:
        for minute in range(1, 31):
            for rig in (a, b) if minute % 2 else (b, a):
                rig.clock.set(T0 + dt.timedelta(minutes=minute))
                await rig.scheduler.tick()
        await asyncio.gather(a.scheduler.drain(), b.scheduler.drain())

    asyncio.run(both())
    assert len(a.requests) + len(b.requests) == 30
    assert a.requests and b.requests
    assert len(a.store.all_fires()) == 30
    a.close()
    b.close()


@pytest.mark.parametrize(("policy", "runs_after_gap"), [("skip", 0), ("run_once", 1), ("run_all", 3)])
def test_missed_runs_follow_the_policy_after_a_stop(tmp_path: Path, policy: str, runs_after_gap: int) -> None:
    trig = {"kind": "cron", "cron": "*/5 * * * *", "timezone": "UTC", "missed": policy, "missed_limit": 3}
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_five00001": trig})
    rig = Rig(tmp_path / "home", T0)
    key = enable(rig.store, path, "tr_five00001", T0)
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=12)))  # 10:05, 10:10
    assert len(rig.requests) == 2
    rig.close()
    later = Rig(tmp_path / "home", T0 + dt.timedelta(hours=1, minutes=3))  # stopped for ~50 minutes
    asyncio.run(later.scheduler.start())
    asyncio.run(later.run_until(T0 + dt.timedelta(hours=1, minutes=4)))
    assert len(later.requests) == runs_after_gap
    fires = later.store.fires(key, limit=100)
    assert len(fires) == len({f["fire"] for f in fires}) == 2 + 10  # 10:15 … 11:00, each dealt with once
    missed = [f for f in fires if f["status"] == "MISSED"]
    assert len(missed) == 10 - runs_after_gap
    ran = [f for f in fires if f["reason"] == "missed" and f["status"] == "COMPLETED"]
    assert len(ran) == runs_after_gap
    if ran:
        assert max(f["fire_time"] for f in ran) == (T0 + dt.timedelta(hours=1)).timestamp()
    later.close()


@pytest.mark.parametrize(("overlap", "statuses"), [
    ("skip", ["COMPLETED", "SKIPPED", "SKIPPED"]), ("queue", ["COMPLETED"] * 3),
    ("parallel", ["COMPLETED"] * 3)])
def test_overlapping_runs_follow_the_policy(tmp_path: Path, overlap: str, statuses: list[str]) -> None:
    trig = {"kind": "interval", "every_s": 60, "start": "2026-06-01T10:00:00+00:00", "overlap": overlap}
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_slow00001": trig}, sleep_s=0.4)
    rig = Rig(tmp_path / "home", T0)
    key = enable(rig.store, path, "tr_slow00001", T0)
    most_at_once = 0

    async def go() -> None:
        nonlocal most_at_once
        for minute in (1, 2, 3):  # a fire every minute while the 0.4 s run is still going
            rig.clock.set(T0 + dt.timedelta(minutes=minute))
            await rig.scheduler.tick()
            most_at_once = max(most_at_once, rig.scheduler.active_runs())
        await rig.scheduler.drain()

    asyncio.run(go())
    fires = sorted(rig.store.fires(key), key=lambda f: f["fire_time"])
    assert [f["status"] for f in fires] == statuses
    assert most_at_once == (3 if overlap == "parallel" else 1)
    if overlap == "queue":  # one after another
        assert all(a["finished"] <= b["started"] for a, b in itertools.pairwise(fires))
    rig.close()


def test_a_changed_flow_file_needs_re_enabling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_min000001": {"kind": "cron", "cron": "* * * * *",
                                                                      "timezone": "UTC"}})
    home = tmp_path / "home"
    rig = Rig(home, T0)
    enable(rig.store, path, "tr_min000001", T0)
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=2)))
    assert len(rig.requests) == 2
    flow = load_flow(path)  # moving a node is not a change of logic
    moved = flow.model_copy(update={"nodes": {k: n.model_copy(update={"layout": n.layout.model_copy(
        update={"x": 500})}) for k, n in flow.nodes.items()}})
    save_flow(moved, path)
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=3)))
    assert len(rig.requests) == 3
    changed = moved.model_copy(update={"nodes": {k: n.model_copy(update={"config": {"amount": 7}})
                                                 for k, n in moved.nodes.items()}})
    save_flow(changed, path)  # a git pull changed what it does
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=6)))
    assert len(rig.requests) == 3
    with ScheduleManager(data_paths(home)) as manager:
        info = manager.list()[0]
        assert info.state == "needs_reenable" and "enable it again" in info.problem
        assert info.last_run is not None and info.last_run.status == "COMPLETED"
    rig.store.enable(schedule_key(path, "tr_min000001"), str(path.resolve()), "tr_min000001",
                     __import__("runtime._scheduler.resolve", fromlist=["x"]).flow_fingerprint(changed),
                     (T0 + dt.timedelta(minutes=6)).timestamp())
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=8)))
    assert len(rig.requests) == 5  # 10:07, 10:08; nothing caught up from while it was blocked
    rig.close()


def test_pause_resume_and_run_now(tmp_path: Path) -> None:
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_min000001": {
        "kind": "cron", "cron": "* * * * *", "timezone": "UTC", "inputs": {}}})
    home = tmp_path / "home"
    rig = Rig(home, T0)
    key = enable(rig.store, path, "tr_min000001", T0)
    rig.store.set_paused(key, True, T0.timestamp())
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=5)))
    assert rig.requests == []
    rig.store.set_paused(key, False, (T0 + dt.timedelta(minutes=5)).timestamp())
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=7)))
    assert len(rig.requests) == 2
    with ScheduleManager(data_paths(home)) as manager:
        manager.run_now(path, "tr_min000001")
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=7, seconds=10)))
    assert len(rig.requests) == 3
    assert rig.requests[-1].trigger == "schedule:f.loom#tr_min000001"
    assert rig.store.last_outcome(key)["reason"] == "manual"
    run = rig.runner.history.get_run(rig.requests[-1].run_id)
    assert run["status"] == "COMPLETED" and run["trigger"] == "schedule:f.loom#tr_min000001"
    rig.close()


def test_a_failing_launch_never_stops_the_scheduler(tmp_path: Path) -> None:
    path = flow_with_triggers(tmp_path / "f.loom", {"tr_min000001": {"kind": "cron", "cron": "* * * * *",
                                                                      "timezone": "UTC"}})

    async def broken(req: object) -> tuple[str, str]:
        raise RuntimeError("the engine broke")

    rig = Rig(tmp_path / "home", T0, launch=broken)
    key = enable(rig.store, path, "tr_min000001", T0)
    asyncio.run(rig.run_until(T0 + dt.timedelta(minutes=3)))
    fires = rig.store.fires(key)
    assert [f["status"] for f in fires] == ["FAILED"] * 3
    assert "the engine broke" in fires[0]["error"]
    rig.close()


def test_store_claims_are_exclusive(tmp_path: Path) -> None:
    one, two = ScheduleStore(tmp_path / "s.sqlite"), ScheduleStore(tmp_path / "s.sqlite")
    assert one.claim("k", "2026-01-01T00:00:00Z", 0.0, "scheduled")
    assert not two.claim("k", "2026-01-01T00:00:00Z", 0.0, "scheduled")
    one.close()
    two.close()


def test_a_change_in_a_called_flow_asks_for_re_enabling(tmp_path: Path) -> None:
    from runtime._scheduler.resolve import FlowCache, resolve

    steps = tmp_path / "steps" / "check.loom"
    steps.parent.mkdir()
    save_flow(Flow.model_validate({"name": "check", "nodes": {"n_src00001": node("test.source")}}), steps)
    path = tmp_path / "main.loom"
    save_flow(Flow.model_validate({
        "name": "main", "nodes": {"n_sub00001": node("control.subflow", {"flow": "steps/check.loom"})},
        "triggers": {"tr_min000001": {"kind": "cron", "cron": "* * * * *", "timezone": "UTC"}}}), path)
    store = ScheduleStore(tmp_path / "scheduler.sqlite")
    key = enable(store, path, "tr_min000001", T0)
    cache = FlowCache()
    assert resolve(store.get(key), cache).state == "enabled"
    called = load_flow(steps)
    moved = called.model_copy(update={"nodes": {k: n.model_copy(update={"layout": n.layout.model_copy(
        update={"x": 300})}) for k, n in called.nodes.items()}})
    save_flow(moved, steps)  # only a box moved in the called flow: still enabled
    assert resolve(store.get(key), cache).state == "enabled"
    changed = moved.model_copy(update={"nodes": {k: n.model_copy(update={"config": {"amount": 7}})
                                                 for k, n in moved.nodes.items()}})
    save_flow(changed, steps)  # what the called flow does changed: the schedule stops until re-enabled
    blocked = resolve(store.get(key), cache)
    assert blocked.state == "needs_reenable" and "or a flow it calls" in blocked.problem
    enable(store, path, "tr_min000001", T0)
    assert resolve(store.get(key), cache).state == "enabled"
    steps.unlink()  # a called flow that is gone also changes the fingerprint
    assert resolve(store.get(key), cache).state == "needs_reenable"
    store.close()


def test_a_schedule_enabled_before_subflows_counted_keeps_running(tmp_path: Path) -> None:
    from runtime._scheduler.resolve import FlowCache, _semantic_digest, resolve

    steps = tmp_path / "check.loom"
    own = {"tr_own000001": {"kind": "cron", "cron": "0 9 * * *"}}
    save_flow(Flow.model_validate({"name": "check", "nodes": {"n_src00001": node("test.source")},
                                   "triggers": own}), steps)
    path = tmp_path / "main.loom"
    save_flow(Flow.model_validate({
        "name": "main", "nodes": {"n_sub00001": node("control.subflow", {"flow": "check.loom"})},
        "triggers": {"tr_min000001": {"kind": "cron", "cron": "* * * * *", "timezone": "UTC"}}}), path)
    store = ScheduleStore(tmp_path / "scheduler.sqlite")
    key = schedule_key(path, "tr_min000001")
    old_hash = _semantic_digest(load_flow(path))  # what an older version recorded
    store.enable(key, str(path.resolve()), "tr_min000001", old_hash, T0.timestamp())
    res = resolve(store.get(key), FlowCache())
    assert res.state == "enabled" and res.legacy
    store.rehash(key, old_hash, res.fingerprint)  # the scheduler does this on its next tick
    assert not resolve(store.get(key), FlowCache()).legacy
    called = load_flow(steps)
    called.triggers = {}
    save_flow(called, steps)  # the called flow's own schedules do not count
    assert resolve(store.get(key), FlowCache()).state == "enabled"
    store.close()
