"""Write cells: puts a value, a list of rows or a table into a workbook from a given cell on.

Editing uses openpyxl (see `_edit`): only the written cells change; their styles and number
formats stay, as does everything else in the workbook. Formulas are written when allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator

from nodes._shared.offload import Stop, offload
from nodes.spreadsheet._cells import MAX_COLUMNS, MAX_ROWS, cell_name, parse_cell
from nodes.spreadsheet._common import (
    PathField,
    SheetField,
    WorkbookField,
    WorkbookInput,
    input_path,
    workbook_ref,
)
from nodes.spreadsheet._edit import EditedBook, SaveOptions, edit, get_sheet
from nodes.spreadsheet._rows import write_cell
from runtime.api import (
    CachePolicy,
    Capability,
    NodeContext,
    NodeError,
    NodeType,
    PortType,
    Table,
    WorkbookRef,
)

__all__ = ["WriteRange", "WriteRangeConfig", "as_grid"]


class WriteRangeConfig(SaveOptions):
    path: str = PathField()
    sheet: str = SheetField("The sheet's name or number (1 = first); empty: the sheet that is open when "
                            "the workbook opens")
    cell: str = Field(default="A1", title="Top-left cell", description="Where the values start, e.g. B2")
    include_header: bool = Field(default=True, title="Write column names",
                                 description="For a table: its column names go in the first row")
    allow_formulas: bool = Field(default=False, title="Write text starting with = as formulas",
                                 description="On: '=SUM(B2:B9)' becomes a formula; off: it is written "
                                             "as text")
    create: bool = Field(default=False, title="Create the workbook or sheet if missing")

    @field_validator("cell")
    @classmethod
    def _cell(cls, value: str) -> str:
        parse_cell(value)
        return value.strip().upper()


class WriteRangeInputs(BaseModel):
    values: Any = Field(title="Values", description="A single value, a list of rows (lists), a list of "
                        "records or a table", json_schema_extra={"port_type": PortType.ANY.value})
    path: WorkbookInput = WorkbookField()


class WriteRangeOutputs(BaseModel):
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")
    range: str | None = Field(default=None, title="Cells written", description="e.g. B2:F10")


def as_grid(values: Any, include_header: bool) -> list[list[Any]]:
    """Rows of values from what arrived: a table, records, lists of values, or one value."""
    if isinstance(values, Table):
        body = [[row.get(n) for n in values.column_names] for row in values.rows]
        return ([values.column_names] if include_header else []) + body  # type: ignore[list-item]
    if isinstance(values, Mapping) and "rows" in values and isinstance(values.get("rows"), list):
        return as_grid(Table.from_dict(values), include_header)
    if isinstance(values, (list, tuple)):
        if values and all(isinstance(v, Mapping) for v in values):
            return as_grid(Table.from_records(values), include_header)
        if values and all(isinstance(v, (list, tuple)) for v in values):
            return [list(v) for v in values]
        return [list(values)]
    return [[values]]


def _write(path: Path, config: WriteRangeConfig, values: Any, stop: Stop) -> tuple[str, str, list[str]]:
    grid = as_grid(values, config.include_header)
    top, left = parse_cell(config.cell)
    height, width = len(grid), max((len(r) for r in grid), default=0)
    if height == 0 or width == 0:
        raise NodeError("there is nothing to write: the values are empty")
    if top + height - 1 > MAX_ROWS or left + width - 1 > MAX_COLUMNS:
        raise NodeError(f"{height} rows × {width} columns from {config.cell} do not fit on a sheet")
    written = f"{cell_name(top, left)}:{cell_name(top + height - 1, left + width - 1)}"

    def change(edited: EditedBook) -> str:
        ws = get_sheet(edited, config.sheet, create=config.create)
        merged = [str(m) for m in ws.merged_cells.ranges
                  if m.min_row <= top + height - 1 and m.max_row >= top and m.min_col <= left + width - 1
                  and m.max_col >= left and (m.min_row, m.min_col) != (top, left)]
        for i, row in enumerate(grid):
            if not i % 1000:
                stop.check()
            for j, value in enumerate(row):
                r, c = top + i, left + j
                if any(_inside_merge(ws, r, c, m) for m in merged):
                    raise NodeError(f"cell {cell_name(r, c)} of sheet '{ws.title}' is inside a merged area; "
                                    "write to its first cell or unmerge it")
                write_cell(ws, r, c, value, formulas=config.allow_formulas)
        return ws.title

    sheet, notes = edit(path, config, change, stop, create=config.create)
    return sheet, written, notes


def _inside_merge(ws: Any, row: int, column: int, merged: str) -> bool:
    from openpyxl.utils.cell import range_boundaries

    min_col, min_row, max_col, max_row = range_boundaries(merged)
    return min_row <= row <= max_row and min_col <= column <= max_col and (row, column) != (min_row, min_col)


class WriteRange(NodeType):
    type_id = "spreadsheet.write_range"
    title = "Write cells"
    category = "Spreadsheets"
    description = ("Writes a value, a list of rows or a whole table into an Excel workbook (.xlsx, .xlsm), "
                   "starting at the cell you name (for example B2). The cells keep their formatting; the "
                   "rest of the workbook is not touched. Text starting with = becomes a formula only if you "
                   "allow it. The file is saved safely and never left half-written.")
    keywords = ("excel", "xlsx", "cell", "range", "set value", "formula", "paste", "write", "workbook")
    icon = "pen-line"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = WriteRangeConfig
    Inputs = WriteRangeInputs
    Outputs = WriteRangeOutputs

    async def run(self, ctx: NodeContext, config: WriteRangeConfig,
                  inputs: WriteRangeInputs) -> WriteRangeOutputs:
        path = input_path(ctx, config.path, inputs.path)
        sheet, written, notes = await offload(lambda stop: _write(path, config, inputs.values, stop), size=0,
                                              limit=-1)
        for note in notes:
            ctx.log.info("%s", note)
        ctx.log.info("wrote %s of sheet '%s' in %s", written, sheet, path.name)
        return WriteRangeOutputs(workbook=workbook_ref(path, sheet), range=written)
