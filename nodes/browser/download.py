"""Download: keeps files the page offers with the run, under the names the server gave them.

Three ways: click a link or button that downloads; give a link's address; or give a table
with a column of link addresses (from 'Get table' or 'Collect all pages' with links) to
download every one of them, adding a column with each saved file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlparse
from urllib.request import url2pathname

from pydantic import BaseModel, Field

from nodes.browser._locator import LOCATOR_WIDGET, Locator, describe
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField, short_url
from runtime.api import Capability, Column, FileRef, NodeContext, NodeError, SessionRef, Table

_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'[^']*')?"?([^";]+)"?""", re.IGNORECASE)


def _disposition_name(header: str) -> str:
    """The file name a server gives in Content-Disposition (filename* wins), or ""."""
    found = _FILENAME.findall(header)
    return unquote(found[-1]).strip() if found else ""


class DownloadConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="role", value="link"), title="Download link",
                            description="What to click (not used when links come in on an input)",
                            json_schema_extra=LOCATOR_WIDGET)
    link_column: str = Field(default="link", title="Link column",
                             description="With a table on the Links input: the column holding the addresses")
    save_as: str = Field(default="", title="Save as",
                         description="Empty: the file name the server gave; else a name for the file")
    timeout_s: float = TimeoutField(60.0)


class DownloadInputs(PageInputs):
    url: str | None = Field(default=None, title="Link address", description="Download this address")
    links: Table | None = Field(default=None, title="Links",
                                description="A table with a column of addresses: download each")


class DownloadOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    file: FileRef | None = Field(default=None, title="File", description="The (first) file downloaded")
    files: list[FileRef] | None = Field(default=None, title="All files")
    table: Table | None = Field(default=None, title="Table",
                                description="The Links table with a 'file' column (the saved file's path)")


def _safe_name(name: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" .")
    return name or "download"


def _free_path(folder: Path, name: str) -> Path:
    path = folder / name
    stem, dot, ext = name.rpartition(".")
    n = 2
    while path.exists():  # several downloads of one step keep distinct names
        path = folder / (f"{stem} ({n}){dot}{ext}" if dot else f"{name} ({n})")
        n += 1
    return path


class Download(BrowserStep):
    type_id = "browser.download"
    title = "Download"
    description = ("Downloads files the page offers — by clicking a link or button, or from link "
                   "addresses (one, or a whole column of a table) — and keeps them with the run under "
                   "the server's file names.")
    keywords = ("download", "file", "save", "report", "export", "pdf", "links", "browser")
    icon = "download"
    verb = "clicked"
    capabilities = frozenset({Capability.BROWSER, Capability.FILES_WRITE})
    Config = DownloadConfig
    Inputs = DownloadInputs
    Outputs = DownloadOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: DownloadConfig,
                  inputs: DownloadInputs) -> DownloadOutputs:
        timeout = config.timeout_s * 1000
        ref = session.ref(inputs.page.session, page)
        if inputs.links is not None:
            table = inputs.links
            if config.link_column not in table.column_names:
                raise NodeError(f"Link column: the Links table has no column '{config.link_column}' (its "
                                f"columns: {', '.join(repr(c) for c in table.column_names)})")
            rows, files = [], []
            for i, row in enumerate(table.rows, 1):
                ctx.check_cancelled()
                url = row.get(config.link_column)
                saved = await self._fetch(ctx, page, str(url), "", timeout) if url else None
                files += [saved] if saved else []
                rows.append({**row, "file": saved.path if saved else None})
                ctx.progress(i / max(1, len(table)), f"{i} of {len(table)}")
            ctx.log.info("downloaded %d files", len(files))
            columns = [*[c for c in table.columns if c.name != "file"], Column(name="file", type="text")]
            return DownloadOutputs(page=ref, file=files[0] if files else None, files=files,
                                   table=Table(columns, rows))
        if inputs.url:
            saved = await self._fetch(ctx, page, inputs.url, config.save_as, timeout)
        else:
            element = self.locator(page, config)
            await element.wait_for(state="visible", timeout=timeout)  # "not found" is said by the base
            try:
                async with page.expect_download(timeout=timeout) as waiting:
                    await element.click(timeout=timeout)
                download = await waiting.value
            except Exception as exc:
                if type(exc).__name__ != "TimeoutError":
                    raise
                raise NodeError(f"clicked {describe(config.target)} but no download started within "
                                f"{config.timeout_s:g} s (it may have opened in the page instead; give the "
                                "link's address on the Link address input)") from None
            saved = await self._save(ctx, download, config.save_as)
        return DownloadOutputs(page=ref, file=saved, files=[saved])

    async def _fetch(self, ctx: NodeContext, page: Any, url: str, save_as: str, timeout: float) -> FileRef:
        """Fetch a link the way the page would (with its cookies), without showing it."""
        address = urljoin(page.url, url)
        scheme = urlparse(address).scheme
        if scheme == "file":
            if urlparse(page.url).scheme != "file":  # a web page must not make us copy local files
                raise NodeError(f"the link {short_url(address)} points at a file on this computer, but the "
                                "page is a web page; only pages opened from files may link to local files")
            source = Path(url2pathname(urlparse(address).path))
            if not source.is_file():
                raise NodeError(f"the linked file {source} does not exist")
            path = _free_path(ctx.artifacts, _safe_name(save_as or source.name))
            shutil.copyfile(source, path)
        elif scheme in ("http", "https"):
            response = await page.context.request.get(address, timeout=timeout)
            if not response.ok:
                raise NodeError(f"{short_url(address)} answered {response.status} {response.status_text}")
            name = save_as or _disposition_name(response.headers.get("content-disposition", "")) \
                or unquote(Path(urlparse(address).path).name)
            path = _free_path(ctx.artifacts, _safe_name(name))
            path.write_bytes(await response.body())
        else:
            raise NodeError(f"cannot download '{short_url(address)}': not a web or file address")
        ctx.log.info("downloaded %s (%d bytes)", path.name, path.stat().st_size)
        return FileRef(path=str(path), name=path.name)

    @staticmethod
    async def _save(ctx: NodeContext, download: Any, save_as: str) -> FileRef:
        failure = await download.failure()
        if failure:
            raise NodeError(f"the download of {download.suggested_filename or 'the file'} failed: {failure}")
        path = _free_path(ctx.artifacts, _safe_name(save_as or download.suggested_filename))
        await download.save_as(str(path))
        ctx.log.info("downloaded %s (%d bytes)", path.name, path.stat().st_size)
        return FileRef(path=str(path), name=path.name)
