"""Screenshot: saves a picture of the page (or of one element) as an image of the run."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField
from runtime.api import ImageRef, NodeContext, SessionRef


class ScreenshotConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="css"), title="Only this element",
                            description="Empty: the page", json_schema_extra=LOCATOR_WIDGET)
    full_page: bool = Field(default=False, title="Whole page",
                            description="The whole length, not only the window")
    name: str = Field(default="screenshot", title="File name")
    timeout_s: float = TimeoutField()


class ScreenshotOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    image: ImageRef | None = Field(default=None, title="Image")


def _file_name(name: str) -> str:
    stem = re.sub(r"[^\w\-. ]+", "_", name).strip(" .") or "screenshot"
    return stem if stem.lower().endswith(".png") else stem + ".png"


class Screenshot(BrowserStep):
    type_id = "browser.screenshot"
    title = "Screenshot"
    description = "Takes a picture of the page, or of one element, and keeps it with the run."
    keywords = ("screenshot", "capture", "picture", "image", "evidence", "browser")
    icon = "camera"
    verb = "captured"
    Config = ScreenshotConfig
    Inputs = PageInputs
    Outputs = ScreenshotOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: ScreenshotConfig,
                  inputs: PageInputs) -> ScreenshotOutputs:
        path = ctx.artifacts / _file_name(config.name)
        timeout = config.timeout_s * 1000
        if config.target.empty:
            await page.screenshot(path=str(path), full_page=config.full_page, timeout=timeout)
        else:
            await self.locator(page, config).screenshot(path=str(path), timeout=timeout)
        from nodes.browser._images import png_size

        width, height = png_size(path)
        image = ImageRef(path=str(path), name=path.name, media_type="image/png", width=width, height=height)
        return ScreenshotOutputs(page=session.ref(inputs.page.session, page), image=image)
