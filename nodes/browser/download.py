"""Download: clicks a link or button that downloads a file and keeps the file with the run,
under the name the server gave it."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._locator import Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField
from runtime.api import Capability, FileRef, NodeContext, NodeError, SessionRef


class DownloadConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="role", value="link"), title="Download link",
                            json_schema_extra={"widget": "locator"})
    save_as: str = Field(default="", title="Save as",
                         description="Empty: the file name the server gave; else a name for the file")
    timeout_s: float = TimeoutField(60.0)


class DownloadInputs(PageInputs):
    link_text: str | None = Field(default=None, title="Link text",
                                  description="Overrides the element's name/text (e.g. from a table row)")


class DownloadOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    file: FileRef | None = Field(default=None, title="File")


def _safe_name(name: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .")
    return name or "download"


class Download(BrowserStep):
    type_id = "browser.download"
    title = "Download"
    description = ("Clicks a link or button that downloads a file, waits for the download and keeps the "
                   "file with the run (under the server's file name).")
    keywords = ("download", "file", "save", "report", "export", "pdf", "browser")
    icon = "download"
    verb = "clicked"
    capabilities = frozenset({Capability.BROWSER, Capability.FILES_WRITE})
    Config = DownloadConfig
    Inputs = DownloadInputs
    Outputs = DownloadOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: DownloadConfig,
                  inputs: DownloadInputs) -> DownloadOutputs:
        target = config.target
        if inputs.link_text:
            field = "name" if target.by == "role" else "value"
            target = target.model_copy(update={field: inputs.link_text})
        config = config.model_copy(update={"target": target})
        element = self.locator(page, config)
        timeout = config.timeout_s * 1000
        async with page.expect_download(timeout=timeout) as waiting:
            await element.click(timeout=timeout)
        download = await waiting.value
        failure = await download.failure()
        if failure:
            raise NodeError(f"the download of {download.suggested_filename or 'the file'} failed: {failure}")
        name = _safe_name(config.save_as or download.suggested_filename)
        path = ctx.artifacts / name
        stem, dot, ext = name.rpartition(".")
        n = 2
        while path.exists():  # several downloads of one step keep distinct names
            path = ctx.artifacts / (f"{stem} ({n}){dot}{ext}" if dot else f"{name} ({n})")
            n += 1
        await download.save_as(str(path))
        ctx.log.info("downloaded %s (%d bytes)", path.name, path.stat().st_size)
        return DownloadOutputs(page=session.ref(inputs.page.session, page),
                               file=FileRef(path=str(path), name=path.name))
