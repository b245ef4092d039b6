"""Fill in: types text into a field — or a password from the OS keyring, never stored or logged."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField
from runtime.api import Capability, NodeContext, NodeError


class FillConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="label"), title="Field",
                            json_schema_extra=LOCATOR_WIDGET)
    text: str = Field(default="", title="Text", description="What to type (ignored when a credential is set)")
    credential: str = Field(
        default="", title="Or a credential",
        description="The name of a credential stored in the OS keyring (loomwork credentials set NAME): "
                    "its secret is typed, and never written to the flow, the log or the history",
        json_schema_extra={"widget": "credential"})
    press_enter: bool = Field(default=False, title="Press Enter afterwards")
    timeout_s: float = TimeoutField()


class FillInputs(PageInputs):
    text: str | None = Field(default=None, title="Text", description="Overrides the configured text")


class Fill(BrowserStep):
    type_id = "browser.fill"
    title = "Fill in"
    description = ("Types text into a field of the page, replacing what is there. For passwords, choose a "
                   "credential: the secret comes from the computer's keyring and is never shown.")
    keywords = ("type", "fill", "enter", "input", "field", "form", "password", "login", "browser")
    icon = "text-cursor-input"
    verb = "filled in"
    capabilities = frozenset({Capability.BROWSER, Capability.CREDENTIALS})
    Config = FillConfig
    Inputs = FillInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: FillConfig,
                  inputs: FillInputs) -> PageOutputs:
        element = self.locator(page, config)
        if config.credential:
            value = ctx.secret(config.credential)  # redacted from every log, event and error
        elif inputs.text is not None:
            value = str(inputs.text)
        else:
            value = config.text
        if value is None:
            raise NodeError("nothing to type")
        timeout = config.timeout_s * 1000
        await element.fill(value, timeout=timeout)
        if config.press_enter:
            await element.press("Enter", timeout=timeout)
        return PageOutputs(page=session.ref(inputs.page.session, page))
