"""Edits and events for a flow's triggers (its `triggers` map: schedules, folder watches, ...).

Part of the `runtime.edits` vocabulary (re-exported there); `FlowDocument` validates a
trigger with the models of `runtime.triggers` when the edit is applied. Whether a trigger
is *enabled* is per machine (`runtime.schedules`) and never an edit of the flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AddTrigger",
    "RemoveTrigger",
    "SetTrigger",
    "TriggerAdded",
    "TriggerChanged",
    "TriggerRemoved",
]


@dataclass(frozen=True, slots=True)
class AddTrigger:
    """Add a trigger: a trigger model (`CronTrigger`, ...) or its dict with `kind`."""

    trigger_id: str
    trigger: Any


@dataclass(frozen=True, slots=True)
class RemoveTrigger:
    """Remove a trigger."""

    trigger_id: str


@dataclass(frozen=True, slots=True)
class SetTrigger:
    """Replace a trigger as a whole (its kind may change)."""

    trigger_id: str
    trigger: Any


@dataclass(frozen=True, slots=True)
class TriggerAdded:
    trigger_id: str


@dataclass(frozen=True, slots=True)
class TriggerRemoved:
    trigger_id: str


@dataclass(frozen=True, slots=True)
class TriggerChanged:
    trigger_id: str
