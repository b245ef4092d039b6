"""Get records: turns repeating elements of a page (cards, list items, grid rows) into a
table, one column per field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from nodes.browser._extract import FieldSpec, finish, read_records
from nodes.browser._locator import LOCATOR_WIDGET, Locator
from nodes.browser._session import BrowserSession
from nodes.browser._step import BrowserStep, PageInputs, TimeoutField
from nodes.browser.extract_table import TableOutputs
from runtime.api import NodeContext


class ExtractRecordsConfig(BaseModel):
    target: Locator = Field(default_factory=lambda: Locator(by="css"), title="Each record",
                            description="The element repeated once per record, e.g. .invoice-card",
                            json_schema_extra=LOCATOR_WIDGET)
    fields: list[FieldSpec] = Field(default_factory=list, title="Fields",
                                    description="One column per field: where its value is inside each record")
    infer_types: bool = Field(default=False, title="Detect numbers and true/false")
    required: bool = Field(default=True, title="Fail when there are none")
    timeout_s: float = TimeoutField()

    @field_validator("fields")
    @classmethod
    def _fields(cls, value: list[FieldSpec]) -> list[FieldSpec]:
        names = [f.name for f in value]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"two fields are called {', '.join(doubled)}")
        return value


class ExtractRecords(BrowserStep):
    type_id = "browser.extract_records"
    title = "Get records"
    description = ("Reads repeating parts of a page — result cards, list items, rows of a grid — into a "
                   "table, with one column per field you define.")
    keywords = ("extract", "scrape", "records", "cards", "list", "items", "repeat", "browser")
    icon = "list"
    verb = "read"
    Config = ExtractRecordsConfig
    Inputs = PageInputs
    Outputs = TableOutputs

    async def act(self, ctx: NodeContext, session: BrowserSession, page: Any, config: ExtractRecordsConfig,
                  inputs: PageInputs) -> TableOutputs:
        fields = config.fields or [FieldSpec(name="text")]
        rows = await read_records(self.locator(page, config), fields, config.timeout_s * 1000,
                                  wait=config.required)
        warnings: list[str] = []
        table = finish([f.name for f in fields], rows, config.infer_types, warnings)
        for warning in warnings:
            ctx.log.warning("%s", warning)
        ctx.log.info("read %d records", len(table))
        return TableOutputs(page=session.ref(inputs.page.session, page), table=table)
