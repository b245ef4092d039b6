"""Triggers: what starts a flow on its own (format v4 `triggers` map, id → trigger).

A trigger travels with the flow file; whether it is *enabled* is a per-machine decision
kept in the scheduler's database (see `runtime.schedules`), never in the file.

Kinds: `cron` (5 fields or a preset such as "weekdays at 8:00", in an IANA time zone),
`interval`, `once` (a local date-time), `watch` (new or changed files in a folder) and
`startup` (when the background service starts, i.e. at login once it is installed).
Every kind shares the policies: missed runs, overlap, jitter and fixed input values.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "TRIGGER_PREFIX",
    "CronTrigger",
    "IntervalTrigger",
    "OnceTrigger",
    "StartupTrigger",
    "Trigger",
    "TriggerBase",
    "WatchTrigger",
    "check_timezone",
]

TRIGGER_PREFIX = "tr"
"""Trigger ids are `tr_` + 8 base32 characters (`runtime.flow.new_id(TRIGGER_PREFIX)`)."""


def check_timezone(name: str) -> str:
    """`name` if it is a known IANA time zone, else ValueError (never KeyError)."""
    try:
        ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError is a KeyError; bad paths are ValueErrors
        raise ValueError(f"unknown time zone {name!r} (use an IANA name like 'Europe/Berlin')") from None
    return name


class TriggerBase(BaseModel):
    """Policies every trigger has."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", title="Title")
    inputs: dict[str, Any] = Field(
        default_factory=dict, title="Input values",
        description="fixed values for the flow's inputs when this trigger starts it")
    missed: Literal["skip", "run_once", "run_all"] = Field(
        default="run_once", title="Missed runs",
        description="after sleep, shutdown or a stopped service: skip them, run once, "
                    "or run each (up to the limit)")
    missed_limit: int = Field(default=10, ge=1, le=1000, title="Most missed runs to catch up")
    overlap: Literal["skip", "queue", "parallel"] = Field(
        default="skip", title="If still running",
        description="when the previous run has not finished: skip, queue, or run in parallel")
    jitter_s: float = Field(default=0, ge=0, le=86400, title="Jitter (s)",
                            description="start up to this many seconds late, spread evenly")


class CronTrigger(TriggerBase):
    """A cron schedule: 5 fields (`0 8 * * 1-5`) or a preset (`weekdays at 8:00`)."""

    kind: Literal["cron"] = "cron"
    cron: str = Field(min_length=1, title="Schedule")
    timezone: str | None = Field(default=None, title="Time zone",
                                 description="IANA name; empty means this machine's zone")

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from runtime._scheduler.cron import parse_cron

        parse_cron(value)  # raises ValueError with a readable message
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class IntervalTrigger(TriggerBase):
    """Every N seconds, counted from `start` (or from when it was enabled)."""

    kind: Literal["interval"] = "interval"
    every_s: float = Field(ge=1, le=366 * 86400, title="Every (s)")
    start: str | None = Field(default=None, title="Counted from",
                              description="ISO date-time; empty means when it was enabled")

    @field_validator("start")
    @classmethod
    def _valid_start(cls, value: str | None) -> str | None:
        if value is not None:
            _parse_datetime(value)
        return value


class OnceTrigger(TriggerBase):
    """Once, at a date-time (local to `timezone` unless it carries an offset)."""

    kind: Literal["once"] = "once"
    at: str = Field(title="At", description="ISO date-time, e.g. 2026-03-02T08:00")
    timezone: str | None = Field(default=None, title="Time zone")

    @field_validator("at")
    @classmethod
    def _valid_at(cls, value: str) -> str:
        _parse_datetime(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class WatchTrigger(TriggerBase):
    """New or changed files in a folder; the file's path goes to the flow input `input`.

    Files that arrive while the service is stopped run when it starts (each once), unless
    `missed` is "skip" (they are recorded as missed)."""

    kind: Literal["watch"] = "watch"
    folder: str = Field(min_length=1, title="Folder",
                        description="absolute, or relative to the flow file's folder")
    pattern: str = Field(default="*", min_length=1, title="File name pattern")
    recursive: bool = Field(default=False, title="Include subfolders")
    on: Literal["created", "created_or_modified"] = Field(default="created_or_modified",
                                                          title="Fire on")
    input: str = Field(min_length=1, title="Flow input for the file path")
    debounce_ms: int = Field(default=1000, ge=0, le=600_000, title="Quiet time (ms)",
                             description="fire once a file has not changed for this long")
    poll: bool = Field(default=False, title="Poll",
                       description="check the folder periodically (network drives)")

    def matches(self, name: str) -> bool:
        return fnmatch.fnmatch(name, self.pattern)


class StartupTrigger(TriggerBase):
    """When the background service starts (at login, once the service is installed)."""

    kind: Literal["startup"] = "startup"
    delay_s: float = Field(default=0, ge=0, le=86400, title="Delay (s)")


Trigger = Annotated[
    CronTrigger | IntervalTrigger | OnceTrigger | WatchTrigger | StartupTrigger,
    Field(discriminator="kind"),
]


def _parse_datetime(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not an ISO date-time like 2026-03-02T08:00") from None
