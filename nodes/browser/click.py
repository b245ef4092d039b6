"""Click: clicks a button, link or any element of the page."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField
from runtime.api import NodeContext


class ClickConfig(BaseModel):
    target: Locator = Field(default_factory=Locator, title="Element",
                            json_schema_extra=LOCATOR_WIDGET)
    button: Literal["left", "right", "middle"] = Field(default="left", title="Mouse button")
    double: bool = Field(default=False, title="Double-click")
    wait_for_navigation: bool = Field(
        default=False, title="Wait for the next page",
        description="After clicking a link or a submit button, wait until the new page has loaded")
    timeout_s: float = TimeoutField()


class Click(BrowserStep):
    type_id = "browser.click"
    title = "Click"
    description = "Clicks a button, a link or another element of the page."
    keywords = ("click", "press", "button", "link", "submit", "browser", "tap")
    icon = "mouse-pointer-click"
    verb = "clicked"
    Config = ClickConfig
    Inputs = PageInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: ClickConfig,
                  inputs: PageInputs) -> PageOutputs:
        element = self.locator(page, config)
        timeout = config.timeout_s * 1000
        if config.wait_for_navigation:
            async with page.expect_navigation(timeout=timeout):
                await self._click(element, config, timeout)
        else:
            await self._click(element, config, timeout)
        return PageOutputs(page=session.ref(inputs.page.session, page))

    @staticmethod
    async def _click(element: Any, config: ClickConfig, timeout: float) -> None:
        if config.double:
            await element.dblclick(button=config.button, timeout=timeout)
        else:
            await element.click(button=config.button, timeout=timeout)
