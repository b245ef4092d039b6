"""Wait for: waits until an element appears or goes, a text shows, the address matches, or
the network is quiet."""

from __future__ import annotations

import re
import time
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator, describe
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField, short_url
from runtime.api import NodeContext, NodeError

Until = Literal["element", "element_gone", "text", "url", "network_idle"]


class WaitForConfig(BaseModel):
    until: Until = Field(default="element", title="Wait until",
                         description="element: it is shown; element_gone: it is hidden or removed; text: the "
                                     "text shows anywhere; url: the address matches; network_idle: no "
                                     "network activity for 0.5 s")
    target: Locator = Field(default_factory=Locator, title="Element", json_schema_extra=LOCATOR_WIDGET)
    text: str = Field(default="", title="Text")
    url_pattern: str = Field(default="", title="Address pattern",
                             description="Part of the address, or a wildcard pattern like **/invoices*")
    timeout_s: float = TimeoutField(30.0)


def _url_matcher(pattern: str) -> Any:
    if "*" in pattern or "?" in pattern:
        return pattern  # Playwright's glob
    return re.compile(re.escape(pattern))


class WaitFor(BrowserStep):
    type_id = "browser.wait_for"
    title = "Wait for"
    description = ("Waits until something happens on the page: an element shows or goes, a text appears, "
                   "the address changes, or the page has finished loading data.")
    keywords = ("wait", "until", "appear", "visible", "loaded", "delay", "timeout", "browser")
    icon = "hourglass"
    verb = "waited for"
    Config = WaitForConfig
    Inputs = PageInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: WaitForConfig,
                  inputs: PageInputs) -> PageOutputs:
        timeout = config.timeout_s * 1000
        started = time.perf_counter()
        until = config.until
        try:
            if until in ("element", "element_gone"):
                state = "visible" if until == "element" else "hidden"
                await self.locator(page, config).wait_for(state=state, timeout=timeout)
            elif until == "text":
                if not config.text:
                    raise NodeError("Text: say which text to wait for")
                await page.get_by_text(config.text).first.wait_for(state="visible", timeout=timeout)
            elif until == "url":
                if not config.url_pattern:
                    raise NodeError("Address pattern: say which address to wait for")
                await page.wait_for_url(_url_matcher(config.url_pattern), timeout=timeout)
            else:
                await page.wait_for_load_state("networkidle", timeout=timeout)
        except NodeError:
            raise
        except Exception as exc:
            if type(exc).__name__ != "TimeoutError":
                raise
            what = {"element": lambda: f"{describe(config.target)} to show",
                    "element_gone": lambda: f"{describe(config.target)} to go away",
                    "text": lambda: f"the text '{config.text}'",
                    "url": lambda: f"an address matching '{config.url_pattern}'",
                    "network_idle": lambda: "the network to be quiet"}[until]()
            raise NodeError(f"waited {config.timeout_s:g} s for {what}; it did not happen "
                            f"(on {short_url(page.url)})") from None
        ctx.log.info("waited %.1f s", time.perf_counter() - started)
        return PageOutputs(page=session.ref(inputs.page.session, page))
