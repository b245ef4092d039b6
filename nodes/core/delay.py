"""Delay: waits a number of seconds, then passes its input on unchanged."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pydantic import BaseModel, Field

from runtime.api import CachePolicy, NodeContext, NodeType

_TICK_S = 0.25
_PROGRESS_EVERY_S = 1.0


class DelayConfig(BaseModel):
    seconds: float = Field(default=1.0, ge=0, le=86400, title="Seconds",
                           description="How long to wait (at most one day)")


class DelayInputs(BaseModel):
    value: Any = Field(default=None, title="Value")


class DelayOutputs(BaseModel):
    value: Any = Field(default=None, title="Value")


class Delay(NodeType):
    type_id = "core.delay"
    title = "Wait"
    category = "Flow"
    description = ("Waits for some seconds before passing the value on, for example to go easy on "
                   "a website or to give another program time to finish.")
    keywords = ("sleep", "pause", "delay", "wait", "throttle")
    icon = "timer"
    cache = CachePolicy.NEVER
    Config = DelayConfig
    Inputs = DelayInputs
    Outputs = DelayOutputs

    async def run(self, ctx: NodeContext, config: DelayConfig, inputs: DelayInputs) -> DelayOutputs:
        total = config.seconds
        deadline = time.monotonic() + total
        next_report = 0.0
        while (left := deadline - time.monotonic()) > 0:
            ctx.check_cancelled()
            if total >= 2 and time.monotonic() >= next_report:
                ctx.progress(1 - left / total, f"{left:.0f} s left")
                next_report = time.monotonic() + _PROGRESS_EVERY_S
            await asyncio.sleep(min(left, _TICK_S))
        return DelayOutputs(value=inputs.value)
