"""Hover: moves the mouse over an element (to open a menu or show a tooltip)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField
from runtime.api import NodeContext


class HoverConfig(BaseModel):
    target: Locator = Field(default_factory=Locator, title="Element", json_schema_extra=LOCATOR_WIDGET)
    timeout_s: float = TimeoutField()


class Hover(BrowserStep):
    type_id = "browser.hover"
    title = "Hover"
    description = "Moves the mouse over an element, e.g. to open a menu that appears on hover."
    keywords = ("hover", "mouse", "menu", "tooltip", "over", "browser")
    icon = "pointer"
    verb = "hovered over"
    Config = HoverConfig
    Inputs = PageInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: HoverConfig,
                  inputs: PageInputs) -> PageOutputs:
        await self.locator(page, config).hover(timeout=config.timeout_s * 1000)
        return PageOutputs(page=session.ref(inputs.page.session, page))
