"""Read sheet: a sheet, a range or a named table of a workbook into a table.

.xlsx/.xlsm files are streamed by our own reader into compact typed columns (see
`_ooxml_book` for why not calamine there: peak memory); .xlsb, .xls and .ods are read by
calamine (python-calamine, MIT). Both are many times faster than openpyxl. Formula results
come from the file; see `_load` for cells without one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from nodes._shared.offload import BYTES_INLINE, offload
from nodes.files._common import file_fingerprint, file_size
from nodes.spreadsheet._cells import parse_area
from nodes.spreadsheet._common import (
    PathField,
    SheetField,
    WorkbookField,
    WorkbookInput,
    given_path,
    input_path,
    workbook_ref,
)
from nodes.spreadsheet._load import ReadRequest, load_table
from runtime.api import CachePolicy, Capability, NodeContext, NodeType, Table, WorkbookRef

__all__ = ["ReadSheet", "ReadSheetConfig", "check_range"]


def check_range(value: str) -> str:
    """Config validator for a range: empty, or a valid A1 range."""
    value = value.strip()
    if value:
        parse_area(value)
    return value


class ReadSheetConfig(BaseModel):
    path: str = PathField()
    sheet: str = SheetField()
    range: str = Field(default="", title="Cells",
                       description="Only these cells, e.g. B2:F100, A:D or B5: (to the end); empty: all "
                                   "cells in use")
    table: str = Field(default="", title="Named table or range",
                       description="An Excel table or a named range (Formulas › Name Manager) instead of "
                                   "sheet and cells")
    header: Literal["auto", "first_row", "none"] = Field(
        default="auto", title="Column names",
        description="auto: finds the row of column names, skipping empty rows and title rows above it; "
                    "first_row: the first row holds the names; none: columns are named A, B, C…")
    merged: Literal["first_cell", "fill"] = Field(
        default="first_cell", title="Merged cells",
        description="first_cell: the value sits in the first cell only, as Excel stores it; fill: every "
                    "cell of a merged area gets its value (for grouped labels)")
    formulas: Literal["cached", "recalculate"] = Field(
        default="cached", title="Formula results",
        description="cached: the results saved in the file (fails, naming the cells, when a formula has "
                    "none); recalculate: LibreOffice recalculates a copy first (it must be installed)")
    skip_empty_rows: bool = Field(default=True, title="Skip empty rows")
    dates_as_text: bool = Field(default=False, title="Dates as text",
                                description="Give dates as text such as 2024-03-31 instead of date values")

    @field_validator("range")
    @classmethod
    def _range(cls, value: str) -> str:
        return check_range(value)

    @model_validator(mode="after")
    def _one_target(self) -> ReadSheetConfig:
        if self.table.strip() and (self.range.strip() or self.sheet.strip()):
            raise ValueError("give either a named table/range or a sheet and cells, not both")
        return self

    def request(self) -> ReadRequest:
        return ReadRequest(sheet=self.sheet, range=self.range, table=self.table, header=self.header,
                           merged=self.merged, formulas=self.formulas, skip_empty_rows=self.skip_empty_rows,
                           dates_as_text=self.dates_as_text)


class ReadSheetInputs(BaseModel):
    path: WorkbookInput = WorkbookField()


class ReadSheetOutputs(BaseModel):
    table: Table | None = Field(default=None, title="Table")
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")
    sheets: list[str] | None = Field(default=None, title="Sheet names")


class ReadSheet(NodeType):
    type_id = "spreadsheet.read"
    title = "Read sheet"
    category = "Spreadsheets"
    description = ("Reads a sheet of an Excel or LibreOffice workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) "
                   "into a table: the whole sheet, a range of cells such as B2:F100, or a named table. "
                   "The row of column names is found automatically (title rows above it are skipped); "
                   "numbers, dates and true/false keep their type and empty cells are empty. If a "
                   "formula has no saved result, the node says which cells, or recalculates them with "
                   "LibreOffice when you choose so.")
    keywords = ("excel", "xlsx", "xls", "ods", "workbook", "spreadsheet", "import", "load", "sheet",
                "calamine")
    icon = "sheet"
    capabilities = frozenset({Capability.FILES_READ})
    cache = CachePolicy.FINGERPRINT
    Config = ReadSheetConfig
    Inputs = ReadSheetInputs
    Outputs = ReadSheetOutputs

    def fingerprint(self, ctx: NodeContext, config: ReadSheetConfig, inputs: ReadSheetInputs) -> str | None:
        return file_fingerprint(ctx, config.path, given_path(inputs.path))

    async def run(self, ctx: NodeContext, config: ReadSheetConfig,
                  inputs: ReadSheetInputs) -> ReadSheetOutputs:
        path = input_path(ctx, config.path, inputs.path)
        request = config.request()
        loaded = await offload(lambda stop: load_table(path, request, stop), size=file_size(path),
                               limit=0 if config.formulas == "recalculate" else BYTES_INLINE)
        for line in loaded.notes:
            ctx.log.info("%s", line)
        for line in loaded.warnings:
            ctx.log.warning("%s", line)
        result = loaded.result
        if result.skipped:
            ctx.log.info("skipped %d row(s) above the column names (row %s)", len(result.skipped),
                         ", ".join(map(str, result.skipped[:5])))
        table = result.table
        where = f"row {result.header_row}" if result.header_row else "none"
        ctx.log.info("read %d rows × %d columns from %s, sheet '%s' (column names: %s)", len(table),
                     len(table.columns), path.name, loaded.sheet, where)
        return ReadSheetOutputs(table=table, workbook=workbook_ref(path, loaded.sheet), sheets=loaded.sheets)
