"""Switch tab: continues in a pop-up window or another tab — one that a click opens, a tab by
number, or the tab whose address contains a text."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField, short_url
from runtime.api import NodeContext, NodeError


class SwitchPageConfig(BaseModel):
    to: Literal["opened_by_click", "tab_number", "address_contains"] = Field(
        default="opened_by_click", title="Switch to",
        description="opened_by_click: the pop-up or tab a click opens; tab_number: a tab by its number; "
                    "address_contains: the tab whose address contains a text")
    target: Locator = Field(default_factory=lambda: Locator(by="role", value="link"), title="Click this",
                            json_schema_extra=LOCATOR_WIDGET)
    tab_number: int = Field(default=1, ge=1, title="Tab number", description="1: the first tab")
    address: str = Field(default="", title="Address contains")
    wait_until: Literal["load", "domcontentloaded", "networkidle", "commit"] = Field(default="load",
                                                                                   title="Wait until")
    timeout_s: float = TimeoutField()


class SwitchPage(BrowserStep):
    type_id = "browser.switch_page"
    title = "Switch tab"
    description = "Continues in another tab or a pop-up window: the one a click opens, or one already open."
    keywords = ("popup", "pop-up", "tab", "window", "switch", "new window", "browser")
    icon = "app-window"
    verb = "clicked"
    Config = SwitchPageConfig
    Inputs = PageInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: SwitchPageConfig,
                  inputs: PageInputs) -> PageOutputs:
        state = session.context_of(inputs.page)
        timeout = config.timeout_s * 1000
        if config.to == "opened_by_click":
            async with state.context.expect_page(timeout=timeout) as opened:
                await self.locator(page, config).click(timeout=timeout)
            target = await opened.value
        elif config.to == "tab_number":
            open_tabs = [p for p in state.pages if not p.is_closed()]  # as the user counts them
            if config.tab_number > len(open_tabs):
                raise NodeError(f"there is no tab number {config.tab_number}; {len(open_tabs)} are open")
            target = open_tabs[config.tab_number - 1]
        else:
            target = await self._by_address(state.pages, config)
        await target.wait_for_load_state(config.wait_until, timeout=timeout)
        target.set_default_timeout(timeout)
        await target.bring_to_front()
        number = [p for p in state.pages if not p.is_closed()].index(target) + 1
        ctx.log.info("now on tab %d: %s", number, short_url(target.url))
        return PageOutputs(page=session.ref(inputs.page.session, target, title=await target.title()))

    @staticmethod
    async def _by_address(pages: list[Any], config: SwitchPageConfig) -> Any:
        if not config.address:
            raise NodeError("Address contains: say which text the tab's address has")
        deadline = asyncio.get_running_loop().time() + config.timeout_s
        while True:
            for candidate in pages:
                if not candidate.is_closed() and config.address in candidate.url:
                    return candidate
            if asyncio.get_running_loop().time() > deadline:
                shown = ", ".join(short_url(p.url, 60) for p in pages if not p.is_closed())
                raise NodeError(f"no tab has '{config.address}' in its address after {config.timeout_s:g} s "
                                f"(open: {shown})")
            await asyncio.sleep(0.1)
