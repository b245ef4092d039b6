"""Append rows: adds the rows of a table below the data of a sheet, matching columns by name.

Editing uses openpyxl (see `_edit`); new rows take the styles, number formats and height of
the last data row, formulas of that row are filled down into columns the input leaves
empty, and Excel tables and filters on the sheet grow to cover the new rows.
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.spreadsheet._common import (
    PathField,
    SheetField,
    WorkbookField,
    WorkbookInput,
    input_path,
    workbook_ref,
)
from nodes.spreadsheet._edit import EditedBook, SaveOptions, edit, get_sheet
from nodes.spreadsheet._rows import (
    column_looks,
    copy_row_look,
    fill_formula,
    grow_tables,
    layout,
    match_columns,
    write_cell,
)
from runtime.api import CachePolicy, Capability, NodeContext, NodeType, Table, WorkbookRef

__all__ = ["AppendRows", "AppendRowsConfig", "Appended", "append_table"]


class AppendRowsConfig(SaveOptions):
    path: str = PathField()
    sheet: str = SheetField("The sheet's name or number (1 = first); empty: the sheet that is open when "
                            "the workbook opens")
    header_row: int = Field(default=0, ge=0, le=1_048_576, title="Row of column names",
                            description="0: found automatically (as Read sheet does)")
    add_missing_columns: bool = Field(
        default=False, title="Add missing columns",
        description="Input columns the sheet does not have are added after its last column; off: the node "
                    "stops and lists them")
    fill_formulas: bool = Field(default=True, title="Fill formulas down",
                                description="Columns the input does not fill get the formula of the row "
                                            "above")
    allow_formulas: bool = Field(default=False, title="Write text starting with = as formulas",
                                 description="Off: such text is written as text, as it arrived")
    create: bool = Field(default=False, title="Create the workbook or sheet if missing",
                         description="A new workbook or sheet starts with the input's column names")


class AppendRowsInputs(BaseModel):
    rows: Table = Field(title="Rows")
    path: WorkbookInput = WorkbookField()


class AppendRowsOutputs(BaseModel):
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")
    count: int | None = Field(default=None, title="Rows added")
    first_row: int | None = Field(default=None, title="First new row", description="Its row number in "
                                                                                   "the sheet")


@dataclass
class Appended:
    sheet: str
    count: int
    first_row: int
    notes: list[str] = field(default_factory=list)


def append_table(ws: object, table: Table, config: AppendRowsConfig, stop: Stop) -> tuple[int, list[str]]:
    """Append `table` to the open worksheet; returns the first new row and notes."""
    notes: list[str] = []
    sheet_layout = layout(ws, config.header_row)
    if sheet_layout.header_row is None and not sheet_layout.columns and sheet_layout.last_row == 0:
        for i, name in enumerate(table.column_names, 1):  # an empty sheet: write the column names first
            ws.cell(1, i, name)  # type: ignore[attr-defined]
        sheet_layout = layout(ws, 1)
        notes.append(f"the sheet was empty: wrote the column names in row 1 ({len(table.columns)} columns)")
    added = [n for n in table.column_names if n not in sheet_layout.columns
             and n.strip().casefold() not in {c.strip().casefold() for c in sheet_layout.columns}]
    mapping = match_columns(table, sheet_layout, ws.title, add_missing=config.add_missing_columns, ws=ws)  # type: ignore[attr-defined]
    if added:
        notes.append(f"added the column(s) {', '.join(repr(n) for n in added)}")
    template = sheet_layout.last_row if sheet_layout.last_row > (sheet_layout.header_row or 0) else None
    all_columns = sorted(set(sheet_layout.columns.values()))
    first = sheet_layout.last_row + 1
    filled = set(mapping.values())
    looks = column_looks(ws, sorted(filled | set(all_columns))) if template is None else {}
    for i, record in enumerate(table.rows):
        if not i % 1000:
            stop.check()
        row = first + i
        if template is not None:
            copy_row_look(ws, template, row, all_columns)
        for column, look in looks.items():
            cell = ws.cell(row, column)  # type: ignore[attr-defined]
            if not cell.has_style:  # a cell formatted on its own keeps its look
                cell._style = copy(look)
        for name, column in mapping.items():
            write_cell(ws, row, column, record.get(name), formulas=config.allow_formulas)
        if template is not None and config.fill_formulas:
            for column in all_columns:
                if column not in filled:
                    fill_formula(ws, template, row, column)
    if table.rows:
        grown = grow_tables(ws, sheet_layout.header_row, first + len(table.rows) - 1)
        if grown:
            notes.append(f"extended the Excel table(s) {', '.join(grown)}")
    return first, notes


def _append(path: Path, config: AppendRowsConfig, table: Table, stop: Stop) -> Appended:
    def change(edited: EditedBook) -> Appended:
        ws = get_sheet(edited, config.sheet, create=config.create)
        first, notes = append_table(ws, table, config, stop)
        return Appended(ws.title, len(table), first, notes)

    done, notes = edit(path, config, change, stop, create=config.create)
    done.notes = notes + done.notes
    return done


class AppendRows(NodeType):
    type_id = "spreadsheet.append_rows"
    title = "Append rows"
    category = "Spreadsheets"
    description = ("Adds the rows of a table at the bottom of a sheet in an Excel workbook (.xlsx, .xlsm), "
                   "putting each value under the column with the same name. New rows look like the last "
                   "row (fonts, colours, number formats), formulas are filled down, and everything else "
                   "in the workbook stays as it was. The file is saved safely: it is never left "
                   "half-written, "
                   "and a workbook open in Excel is not touched.")
    keywords = ("excel", "xlsx", "add rows", "insert", "log", "record", "write", "workbook")
    icon = "file-spreadsheet"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = AppendRowsConfig
    Inputs = AppendRowsInputs
    Outputs = AppendRowsOutputs

    async def run(self, ctx: NodeContext, config: AppendRowsConfig,
                  inputs: AppendRowsInputs) -> AppendRowsOutputs:
        path = input_path(ctx, config.path, inputs.path)
        table = inputs.rows
        done = await offload(lambda stop: _append(path, config, table, stop), size=0, limit=-1)
        for note in done.notes:
            ctx.log.info("%s", note)
        ctx.log.info("appended %d row(s) to %s, sheet '%s', from row %d", done.count, path.name, done.sheet,
                     done.first_row)
        return AppendRowsOutputs(workbook=workbook_ref(path, done.sheet), count=done.count,
                                 first_row=done.first_row)
