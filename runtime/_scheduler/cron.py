"""Fire times: cron expressions and presets, intervals and one-off times, DST-correct.

Cron parsing comes from **croniter** (MIT; maintained under the pallets-eco organisation
since 2025, small, pure Python, one dependency). APScheduler 3's CronTrigger (also MIT)
was the other candidate, but it drags in a whole scheduler framework and its 4.x API is
different, so we would be tied to internals that are being replaced; croniter is a
focused library and is only asked one question here: "which *wall-clock* times match?".

The time-zone logic is ours and uses only `zoneinfo`: croniter enumerates naive
wall-clock times, and each is turned into an instant with these rules (those of cronie):

- a wall time that does not exist (the hour skipped in spring) fires as PEP 495's
  `fold=0` reads it, i.e. shifted forward by the gap (02:30 → 03:30 CEST);
- a wall time that happens twice (the hour repeated in autumn) fires once, at its first
  occurrence — unless the hour field is `*`, when it fires in both passes (an "every
  15 minutes" job keeps running every 15 minutes through the repeated hour);
- two wall times that land on the same instant fire once.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["CronSpec", "cron_fires", "describe_trigger", "iter_fires", "local_zone_name", "parse_cron",
           "zone_of"]

UTC = dt.UTC
_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_AT = r"(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"
_MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    "hourly": "0 * * * *", "daily": "0 0 * * *", "weekly": "0 0 * * 1", "monthly": "0 0 1 * *",
}


@dataclass(frozen=True, slots=True)
class CronSpec:
    """A parsed schedule: the 5-field expression and whether its hour field is `*`."""

    expr: str
    every_hour: bool


def _clock(hour: str, minute: str | None, ampm: str | None) -> tuple[int, int]:
    h, m = int(hour), int(minute or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise ValueError(f"{hour}{ampm} is not a time")
        h = h % 12 + (12 if ampm == "pm" else 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"{hour}:{minute or '00'} is not a time of day")
    return h, m


def _preset(text: str) -> str | None:
    """The cron expression for a plain-words schedule, or None when it is not one."""
    low = " ".join(text.lower().replace(",", " ").split())
    if low in _MACROS:
        return _MACROS[low]
    if m := re.fullmatch(r"every (\d+) minutes?", low):
        n = int(m[1])
        if not 1 <= n <= 59:
            raise ValueError("every N minutes needs N from 1 to 59")
        return f"*/{n} * * * *"
    if m := re.fullmatch(r"every (\d+) hours?", low):
        n = int(m[1])
        if not 1 <= n <= 23:
            raise ValueError("every N hours needs N from 1 to 23")
        return f"0 */{n} * * *"
    if m := re.fullmatch(r"(?:every day|daily|each day) " + _AT, low):
        h, mi = _clock(m[1], m[2], m[3])
        return f"{mi} {h} * * *"
    if m := re.fullmatch(r"(?:every )?(weekdays|weekends|workdays) " + _AT, low):
        h, mi = _clock(m[2], m[3], m[4])
        return f"{mi} {h} * * {'0,6' if m[1] == 'weekends' else '1-5'}"
    days = "|".join(_DAYS)
    if m := re.fullmatch(rf"(?:every |on )?({days})s? " + _AT, low):
        h, mi = _clock(m[2], m[3], m[4])
        return f"{mi} {h} * * {_DAYS.index(m[1])}"
    if m := re.fullmatch(r"(?:monthly|every month) on (?:the )?(\d{1,2})(?:st|nd|rd|th)? " + _AT, low):
        day = int(m[1])
        if not 1 <= day <= 31:
            raise ValueError("a day of the month is 1 to 31")
        h, mi = _clock(m[2], m[3], m[4])
        return f"{mi} {h} {day} * *"
    return None


@lru_cache(maxsize=1024)
def parse_cron(text: str) -> CronSpec:
    """Parse 5 cron fields or a preset; ValueError with a readable message otherwise."""
    from croniter import croniter

    expr = _preset(text.strip()) or " ".join(text.split())
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"{text!r} is not a schedule: give 5 cron fields (minute hour day month weekday, "
            "e.g. '0 8 * * 1-5') or a preset like 'weekdays at 8:00', 'daily at 7:30', "
            "'every monday at 9:00', 'every 15 minutes', '@hourly'")
    try:
        valid = croniter.is_valid(expr)
    except Exception:
        valid = False
    if not valid:
        raise ValueError(f"{text!r} is not a valid cron expression")
    return CronSpec(expr=expr, every_hour=fields[1] == "*")


def local_zone_name() -> str:
    """This machine's IANA time zone name (tzlocal), or "UTC" when it cannot be told."""
    try:
        import tzlocal

        name = tzlocal.get_localzone_name()
        if name:
            ZoneInfo(name)
            return name
    except Exception:
        pass
    return "UTC"


def zone_of(name: str | None) -> ZoneInfo:
    """The zone `name`, or this machine's when None."""
    return ZoneInfo(name or local_zone_name())


def _exists(naive: dt.datetime, zone: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def _instants(naive: dt.datetime, zone: ZoneInfo, every_hour: bool) -> list[dt.datetime]:
    first = naive.replace(tzinfo=zone, fold=0)
    if not _exists(naive, zone):
        return [first.astimezone(UTC)]  # in the spring gap: shifted forward by the gap
    second = naive.replace(tzinfo=zone, fold=1)
    if every_hour and second.utcoffset() != first.utcoffset():
        return [first.astimezone(UTC), second.astimezone(UTC)]
    return [first.astimezone(UTC)]


_WINDOW = dt.timedelta(hours=3)  # larger than any DST shift (Antarctica/Troll: 2 h)


def cron_fires(spec: CronSpec, zone: ZoneInfo, after: dt.datetime) -> Iterator[dt.datetime]:
    """Fire instants (aware, UTC) strictly after `after`, in order, without duplicates."""
    from croniter import CroniterBadDateError, croniter

    start = (after.astimezone(zone) - _WINDOW).replace(tzinfo=None)
    it = croniter(spec.expr, start)
    heap: list[dt.datetime] = []
    last: dt.datetime | None = None
    while True:
        try:
            wall = it.get_next(dt.datetime)
        except (CroniterBadDateError, OverflowError, ValueError):
            wall = None
        horizon = None
        if wall is not None:
            instants = _instants(wall, zone, spec.every_hour)
            for instant in instants:
                heapq.heappush(heap, instant)
            horizon = instants[0] - _WINDOW  # later wall times never land before this
        while heap and (horizon is None or heap[0] <= horizon):
            instant = heapq.heappop(heap)
            if instant > after and instant != last:
                last = instant
                yield instant
        if wall is None:
            return


def _aware(text: str, zone: ZoneInfo) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)  # fold=0: a gap time is shifted forward
    return value.astimezone(UTC)


def iter_fires(trigger: object, after: dt.datetime, *, anchor: dt.datetime | None = None
               ) -> Iterator[dt.datetime]:
    """Fire instants of a time-based trigger strictly after `after` (none for watch/startup).

    `anchor` is where an interval without its own `start` counts from (when it was enabled).
    """
    kind = getattr(trigger, "kind", None)
    if kind == "cron":
        yield from cron_fires(parse_cron(trigger.cron), zone_of(trigger.timezone), after)
    elif kind == "once":
        at = _aware(trigger.at, zone_of(trigger.timezone))
        if at > after:
            yield at
    elif kind == "interval":
        base = _aware(trigger.start, zone_of(None)) if trigger.start else anchor
        if base is None:
            return
        step = dt.timedelta(seconds=trigger.every_s)
        k = max(0, int((after - base) / step) - 1)
        t = base + k * step
        while True:
            if t > after:
                yield t
            t += step


def describe_trigger(trigger: object) -> str:
    """One line saying what the trigger does, for lists and the studio."""
    kind = getattr(trigger, "kind", "?")
    if kind == "cron":
        spec = parse_cron(trigger.cron)
        zone = trigger.timezone or f"local: {local_zone_name()}"
        shown = trigger.cron if trigger.cron.strip() == spec.expr else f"{trigger.cron} ({spec.expr})"
        return f"cron {shown} [{zone}]"
    if kind == "interval":
        return f"every {trigger.every_s:g} s" + (f" from {trigger.start}" if trigger.start else "")
    if kind == "once":
        return f"once at {trigger.at}" + (f" [{trigger.timezone}]" if trigger.timezone else "")
    if kind == "watch":
        return (f"files {trigger.pattern} {trigger.on.replace('_', ' ')} in {trigger.folder}"
                f" → input '{trigger.input}'")
    if kind == "startup":
        return "when the service starts" + (f" (+{trigger.delay_s:g} s)" if trigger.delay_s else "")
    return kind
