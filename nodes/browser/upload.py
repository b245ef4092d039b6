"""Upload file: puts a file into a file field of the page (as if chosen in the file dialog)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, PageOutputs, TimeoutField
from runtime.api import Capability, FileRef, NodeContext, NodeError, PortType


class UploadConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="css", value="input[type=file]"),
                            title="File field", json_schema_extra=LOCATOR_WIDGET)
    path: str = Field(default="", title="File",
                      description="The file to upload (relative to the flow's folder)",
                      json_schema_extra={"widget": "file"})
    timeout_s: float = TimeoutField()


class UploadInputs(PageInputs):
    file: Annotated[str | FileRef | None, PortType.ANY] = Field(
        default=None, title="File", description="Overrides the configured file")


class Upload(BrowserStep):
    type_id = "browser.upload"
    title = "Upload file"
    description = "Chooses a file for a file field of the page (the upload happens when the form is sent)."
    keywords = ("upload", "attach", "file", "send", "browse", "browser")
    icon = "upload"
    verb = "used"
    capabilities = frozenset({Capability.BROWSER, Capability.FILES_READ})
    Config = UploadConfig
    Inputs = UploadInputs
    Outputs = PageOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: UploadConfig,
                  inputs: UploadInputs) -> PageOutputs:
        given = inputs.file.path if isinstance(inputs.file, FileRef) else (inputs.file or config.path)
        if not given:
            raise NodeError("File: no file given; type a path or connect the 'File' input")
        path = ctx.resolve_path(given)
        if not path.is_file():
            raise NodeError(f"File: {path} does not exist")
        await self.locator(page, config).set_input_files(str(path), timeout=config.timeout_s * 1000)
        ctx.log.info("chose %s for upload", path.name)
        return PageOutputs(page=session.ref(inputs.page.session, page))
