"""Collect all pages: reads a table (or records) page after page, clicking "Next" until
there is no next page or a page limit is reached."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.browser._extract import FieldSpec, TableOptions, finish, read_records, read_table, to_table
from nodes.browser._locator import LOCATOR_WIDGET, Locator, describe, resolve
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField, short_url
from runtime.api import NodeContext, NodeError, SessionRef, Table

POLL_S = 0.05
SETTLE_S = 0.25
"""A changed page must read the same again after this long before it counts as complete."""


class PaginateConfig(TableOptions):
    read: Literal["table", "records"] = Field(default="table", title="Read each page as",
                                              description="table: an HTML table; records: repeating elements")
    target: Locator = Field(default_factory=lambda: Locator(by="css", value="table"), title="Table or record",
                            json_schema_extra=LOCATOR_WIDGET)
    fields: list[FieldSpec] = Field(default_factory=list, title="Fields (records)")
    next: Locator = Field(default_factory=lambda: Locator(by="role", value="button", name="Next"),
                          title="Next-page button", json_schema_extra=LOCATOR_WIDGET)
    max_pages: int = Field(default=50, ge=1, le=10_000, title="At most pages")
    add_page_column: bool = Field(default=False, title="Add a 'page' column")
    timeout_s: float = TimeoutField()


class PaginateOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    table: Table | None = Field(default=None, title="Table")
    pages: int | None = Field(default=None, title="Pages read")


class Paginate(BrowserStep):
    type_id = "browser.paginate"
    title = "Collect all pages"
    description = ("Reads a table (or repeating records) on every page of a paged list: reads, clicks "
                   "'Next', waits for the new page, until there is no next page.")
    keywords = ("paginate", "pages", "next", "paging", "all pages", "scrape", "table", "browser")
    icon = "chevrons-right"
    verb = "read"
    Config = PaginateConfig
    Inputs = PageInputs
    Outputs = PaginateOutputs

    async def _read(self, page: Any, config: PaginateConfig, timeout: float) -> list[dict[str, Any]]:
        if config.read == "table":
            return await read_table(self.locator(page, config), timeout)
        fields = config.fields or [FieldSpec(name="text")]
        return await read_records(self.locator(page, config), fields, timeout)

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: PaginateConfig,
                  inputs: PageInputs) -> PaginateOutputs:
        timeout = config.timeout_s * 1000
        warnings: list[str] = []
        names: list[str] = []
        rows: list[dict[str, Any]] = []
        number = 0
        raw = await self._read(page, config, timeout)
        while True:
            number += 1
            if config.read == "table":
                page_names, page_rows = to_table(raw, config, warnings)
            else:
                page_names = [f.name for f in config.fields] or ["text"]
                page_rows = raw
            for name in page_names:
                if name not in names:
                    names.append(name)
            if config.add_page_column:  # new dicts: `raw` is compared with the next page's read
                page_rows = [{**row, "page": number} for row in page_rows]
            rows.extend(page_rows)
            ctx.progress(None, f"page {number}: {len(rows)} rows")
            if number >= config.max_pages:
                ctx.log.warning("stopped after %d pages (the limit set on this step)", number)
                break
            button = resolve(page, config.next)
            if not await self._can_go_on(button):
                break
            await button.first.click(timeout=timeout)
            raw = await self._next_page(page, config, raw, timeout)
        if config.add_page_column:
            names.append("page")
        rows = [{n: row.get(n) for n in names} for row in rows]
        table = finish(names, rows, config.infer_types, warnings)
        for warning in dict.fromkeys(warnings):
            ctx.log.warning("%s", warning)
        ctx.log.info("read %d rows from %d pages", len(table), number)
        return PaginateOutputs(page=session.ref(inputs.page.session, page), table=table, pages=number)

    @staticmethod
    async def _can_go_on(button: Any) -> bool:
        """A next page exists: the button is there, shown and enabled."""
        if await button.count() == 0:
            return False
        first = button.first
        return await first.is_visible() and await first.is_enabled() and \
            (await first.get_attribute("aria-disabled")) != "true"

    async def _next_page(self, page: Any, config: PaginateConfig, before: list[dict[str, Any]],
                         timeout: float) -> list[dict[str, Any]]:
        """Wait until the content differs from the page before and then holds still (a page
        that fills in row by row is read only once it is complete)."""
        deadline = time.monotonic() + config.timeout_s
        changed: list[dict[str, Any]] | None = None
        while True:
            try:
                now = await self._read(page, config, timeout)
            except Exception:  # the page is navigating: the old content is gone
                now = None
            if now is not None and now != before:
                if now == changed:  # the same twice in a row: the new page is complete
                    return now
                changed = now
                await asyncio.sleep(SETTLE_S)
                continue
            if time.monotonic() > deadline:
                raise NodeError(f"clicked {describe(config.next)} but the content did not change within "
                                f"{config.timeout_s:g} s on {short_url(page.url)}")
            await asyncio.sleep(POLL_S)
