"""Get table: reads an HTML table of the page into a table."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from nodes.browser._extract import TableOptions, finish, read_table, to_table
from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField
from runtime.api import NodeContext, SessionRef, Table


class ExtractTableConfig(TableOptions):
    target: Locator = Field(default_factory=lambda: Locator(by="css", value="table"), title="Table",
                            json_schema_extra=LOCATOR_WIDGET)
    timeout_s: float = TimeoutField()


class TableOutputs(BaseModel):
    page: SessionRef | None = Field(default=None, title="Page")
    table: Table | None = Field(default=None, title="Table")


class ExtractTable(BrowserStep):
    type_id = "browser.extract_table"
    title = "Get table"
    description = "Reads a table shown on the page (an HTML table) into a table, with its column names."
    keywords = ("extract", "table", "scrape", "grid", "rows", "columns", "html", "browser")
    icon = "table-properties"
    verb = "read"
    Config = ExtractTableConfig
    Inputs = PageInputs
    Outputs = TableOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: ExtractTableConfig,
                  inputs: PageInputs) -> TableOutputs:
        raw = await read_table(self.locator(page, config), config.timeout_s * 1000)
        warnings: list[str] = []
        names, rows = to_table(raw, config, warnings)
        table = finish(names, rows, config.infer_types, warnings)
        for warning in warnings:
            ctx.log.warning("%s", warning)
        ctx.log.info("read %d rows × %d columns", len(table), len(names))
        return TableOutputs(page=session.ref(inputs.page.session, page), table=table)
