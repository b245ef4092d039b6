"""Choose from list: picks an option of a drop-down list (a <select>)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField
from runtime.api import NodeContext


class SelectOptionConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="label"), title="List",
                            json_schema_extra=LOCATOR_WIDGET)
    option: str = Field(default="", title="Option", description="The option's visible text (or its value)")
    match: Literal["label", "value"] = Field(default="label", title="Option is its",
                                             description="label: the text shown; value: the hidden value")
    timeout_s: float = TimeoutField()


class SelectOptionInputs(PageInputs):
    option: str | None = Field(default=None, title="Option", description="Overrides the configured option")


class SelectOption(BrowserStep):
    type_id = "browser.select_option"
    title = "Choose from list"
    description = "Chooses an option of a drop-down list on the page."
    keywords = ("select", "dropdown", "drop-down", "list", "option", "choose", "combo", "browser")
    icon = "list-checks"
    verb = "used"
    Config = SelectOptionConfig
    Inputs = SelectOptionInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: SelectOptionConfig,
                  inputs: SelectOptionInputs) -> PageOutputs:
        option = inputs.option if inputs.option is not None else config.option
        choice = {"label": option} if config.match == "label" else {"value": option}
        await self.locator(page, config).select_option(**choice, timeout=config.timeout_s * 1000)
        return PageOutputs(page=session.ref(inputs.page.session, page))
