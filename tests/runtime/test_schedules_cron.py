"""Fire-time rules: presets, DST gaps and folds, intervals, once; the trigger model."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from zoneinfo import ZoneInfo

import pytest

from runtime._scheduler.cron import cron_fires, iter_fires, parse_cron
from runtime.api import CronTrigger, FlowFileError, IntervalTrigger, OnceTrigger, loads_flow, next_fire_times

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("text", "expr"), [
    ("weekdays at 8:00", "0 8 * * 1-5"), ("Weekdays at 8am", "0 8 * * 1-5"), ("daily at 7:30", "30 7 * * *"),
    ("every monday at 9:15", "15 9 * * 1"), ("sundays at 6pm", "0 18 * * 0"),
    ("every 15 minutes", "*/15 * * * *"), ("every 2 hours", "0 */2 * * *"), ("@hourly", "0 * * * *"),
    ("monthly on the 1st at 6:00", "0 6 1 * *"), ("0  8 * * 1-5", "0 8 * * 1-5")])
def test_presets(text: str, expr: str) -> None:
    assert parse_cron(text).expr == expr


@pytest.mark.parametrize("text", ["every day", "61 * * * *", "daily at 25:00", "* * *", "every 0 minutes"])
def test_bad_schedules_are_refused_with_a_readable_message(text: str) -> None:
    with pytest.raises(ValueError, match=r"schedule|cron|time|N"):
        parse_cron(text)


def _local(times: list[dt.datetime], zone: ZoneInfo = BERLIN) -> list[str]:
    return [t.astimezone(zone).strftime("%d %H:%M%z") for t in times]


def _next(expr: str, after: dt.datetime, n: int, zone: ZoneInfo = BERLIN) -> list[dt.datetime]:
    it = cron_fires(parse_cron(expr), zone, after)
    return [next(it) for _ in range(n)]


def test_a_daily_time_in_the_spring_gap_fires_once_shifted_forward() -> None:
    start = dt.datetime(2026, 3, 28, 12, tzinfo=BERLIN)
    assert _local(_next("30 2 * * *", start, 3)) == ["29 03:30+0200", "30 02:30+0200", "31 02:30+0200"]


def test_a_daily_time_in_the_repeated_autumn_hour_fires_once() -> None:
    start = dt.datetime(2026, 10, 24, 12, tzinfo=BERLIN)
    assert _local(_next("30 2 * * *", start, 2)) == ["25 02:30+0200", "26 02:30+0100"]


def test_every_15_minutes_keeps_going_through_the_repeated_hour() -> None:
    start = dt.datetime(2026, 10, 25, 1, 50, tzinfo=BERLIN)
    got = _next("*/15 * * * *", start, 10)
    assert all((b - a) == dt.timedelta(minutes=15) for a, b in itertools.pairwise(got))


def test_weekday_8am_in_new_york_follows_local_time_across_dst() -> None:
    ny = ZoneInfo("America/New_York")
    got = _next("0 8 * * 1-5", dt.datetime(2026, 3, 5, 12, tzinfo=ny), 3, ny)
    assert [t.astimezone(ny).strftime("%a %H:%M") for t in got] == ["Fri 08:00", "Mon 08:00", "Tue 08:00"]
    assert [t.hour for t in got] == [13, 12, 12]  # UTC moves, local time does not


def test_interval_and_once() -> None:
    anchor = dt.datetime(2026, 1, 1, tzinfo=UTC)
    trig = IntervalTrigger(every_s=90)
    got = next_fire_times(trig, 3, after=anchor + dt.timedelta(seconds=100), anchor=anchor)
    assert [(t - anchor).total_seconds() for t in got] == [180, 270, 360]
    once = OnceTrigger(at="2026-03-29T02:30", timezone="Europe/Berlin")  # in the gap
    assert _local(list(iter_fires(once, anchor))) == ["29 03:30+0200"]
    assert list(iter_fires(once, dt.datetime(2026, 4, 1, tzinfo=UTC))) == []


def test_trigger_validation_errors_stay_flow_file_errors() -> None:
    for trig in ({"kind": "cron", "cron": "nonsense"},
                 {"kind": "cron", "cron": "* * * * *", "timezone": "Mars/Base"},
                 {"kind": "cron", "cron": "* * * * *", "timezone": "../etc"}, {"kind": "once", "at": "soon"},
                 {"kind": "teleport"}):
        with pytest.raises(FlowFileError):
            loads_flow(json.dumps({"format_version": 4, "triggers": {"tr_a": trig}}))
    with pytest.raises(FlowFileError, match="not a valid id"):
        loads_flow(json.dumps({"format_version": 4, "triggers": {"9bad": {"kind": "startup"}}}))
    assert CronTrigger(cron="weekdays at 8:00").timezone is None
