"""Go to address: loads another web address in the page."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField, short_url
from nodes.browser.open_browser import WaitUntil
from runtime.api import NodeContext, NodeError


class GotoConfig(BaseModel):
    url: str = Field(default="", title="Web address",
                     description="An address, or a path relative to the current page (e.g. /invoices)")
    wait_until: WaitUntil = Field(default="load", title="Wait until")
    timeout_s: float = TimeoutField(30.0)


class GotoInputs(PageInputs):
    url: str | None = Field(default=None, title="Web address", description="Overrides the configured address")


class Goto(BrowserStep):
    type_id = "browser.goto"
    title = "Go to address"
    description = "Loads a web address in the browser page (like typing it in the address bar)."
    keywords = ("navigate", "url", "address", "link", "load", "browser")
    icon = "globe"
    target_field = None
    Config = GotoConfig
    Inputs = GotoInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: GotoConfig,
                  inputs: GotoInputs) -> PageOutputs:
        url = (inputs.url or config.url).strip()
        if not url:
            raise NodeError("no web address given")
        if url.startswith("/") and "://" in page.url:
            scheme, rest = page.url.split("://", 1)
            url = f"{scheme}://{rest.split('/', 1)[0]}{url}"
        await page.goto(url, wait_until=config.wait_until, timeout=config.timeout_s * 1000)
        ctx.log.info("opened %s", short_url(page.url))
        return PageOutputs(page=session.ref(inputs.page.session, page, title=await page.title()))
