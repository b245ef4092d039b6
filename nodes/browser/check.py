"""Tick box: checks or unchecks a checkbox or a radio button."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField
from runtime.api import NodeContext


class CheckConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="label"), title="Box",
                            json_schema_extra=LOCATOR_WIDGET)
    checked: bool = Field(default=True, title="Ticked", description="On: tick it; off: clear it")
    timeout_s: float = TimeoutField()


class Check(BrowserStep):
    type_id = "browser.check"
    title = "Tick box"
    description = "Ticks or clears a checkbox (or picks a radio button) on the page."
    keywords = ("check", "uncheck", "tick", "checkbox", "radio", "toggle", "browser")
    icon = "square-check"
    verb = "ticked"
    Config = CheckConfig
    Inputs = PageInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: CheckConfig,
                  inputs: PageInputs) -> PageOutputs:
        await self.locator(page, config).set_checked(config.checked, timeout=config.timeout_s * 1000)
        return PageOutputs(page=session.ref(inputs.page.session, page))
