"""Get text: reads the text (or an attribute, such as a link's address) of one or all
matching elements."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField
from runtime.api import NodeContext, NodeError, SessionRef


class ExtractTextConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="css"), title="Element",
                            json_schema_extra=LOCATOR_WIDGET)
    attribute: str = Field(default="", title="Attribute",
                           description="Empty: the visible text; or an attribute such as href, src, "
                                       "value, title")
    which: Literal["first", "all"] = Field(default="first", title="Which",
                                           description="first: one value; all: a list of every match")
    required: bool = Field(default=True, title="Fail when nothing matches",
                           description="Off: give an empty value instead")
    timeout_s: float = TimeoutField()


class ExtractTextOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    text: str | None = Field(default=None, title="Text", description="The first match's text or attribute")
    texts: list[str | None] | None = Field(default=None, title="All texts",
                                           description="Every match, in order")


class ExtractText(BrowserStep):
    type_id = "browser.extract_text"
    title = "Get text"
    description = "Reads the text of an element of the page (or an attribute such as a link's address)."
    keywords = ("extract", "read", "text", "scrape", "get", "attribute", "href", "value", "browser")
    icon = "scan-search"
    verb = "read"
    Config = ExtractTextConfig
    Inputs = PageInputs
    Outputs = ExtractTextOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: ExtractTextConfig,
                  inputs: PageInputs) -> ExtractTextOutputs:
        element = self.locator(page, config)
        timeout = config.timeout_s * 1000
        if config.required:
            await element.first.wait_for(state="attached", timeout=timeout)
        if config.which == "all":
            if config.attribute:
                values = [await e.get_attribute(config.attribute) for e in await element.all()]
            else:
                values = [" ".join(t.split()) for t in await element.all_inner_texts()]
            first = values[0] if values else None
        else:
            values = None
            if not config.required and await element.count() == 0:
                first = None
            elif config.attribute:
                first = await element.first.get_attribute(config.attribute, timeout=timeout)
                if first is None and config.required:
                    raise NodeError(f"the element has no attribute '{config.attribute}'")
            else:
                first = " ".join((await element.first.inner_text(timeout=timeout)).split())
        ref = session.ref(inputs.page.session, page)
        return ExtractTextOutputs(page=ref, text=first, texts=values if values is not None else [first])
