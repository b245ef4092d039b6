"""Press keys: presses keys or shortcuts (Enter, Tab, Control+A) in the page or a field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField
from runtime.api import NodeContext


class PressKeysConfig(BaseModel):
    keys: str = Field(default="Enter", title="Keys",
                      description="One key or shortcut per line or separated by spaces, e.g. 'Tab Tab Enter' "
                                  "or 'Control+A'")
    target: Locator = Field(default_factory=lambda: Locator(by="css"), title="In element",
                            description="Empty: wherever the focus is",
                            json_schema_extra=LOCATOR_WIDGET)
    timeout_s: float = TimeoutField()

    @field_validator("keys")
    @classmethod
    def _keys(cls, value: str) -> str:
        if not value.split():
            raise ValueError("name at least one key, e.g. Enter")
        return value


class PressKeys(BrowserStep):
    type_id = "browser.press_keys"
    title = "Press keys"
    description = "Presses keys or shortcuts, in a chosen field or wherever the focus is."
    keywords = ("keyboard", "key", "press", "enter", "tab", "shortcut", "hotkey", "browser")
    icon = "keyboard"
    verb = "used"
    Config = PressKeysConfig
    Inputs = PageInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: PressKeysConfig,
                  inputs: PageInputs) -> PageOutputs:
        timeout = config.timeout_s * 1000
        for key in config.keys.split():
            if config.target.empty:
                await page.keyboard.press(key)
            else:
                await self.locator(page, config).press(key, timeout=timeout)
        return PageOutputs(page=session.ref(inputs.page.session, page))
