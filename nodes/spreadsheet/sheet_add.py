"""Add sheet: a new (empty or copied) sheet in a workbook, saved safely with openpyxl."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.spreadsheet._common import PathField, WorkbookField, WorkbookInput, input_path, workbook_ref
from nodes.spreadsheet._edit import EditedBook, SaveOptions, edit, get_sheet
from nodes.spreadsheet._names import check_sheet_name
from nodes.spreadsheet._rows import write_cell
from runtime.api import CachePolicy, Capability, NodeContext, NodeType, WorkbookRef

__all__ = ["SheetAdd", "SheetAddConfig"]


class SheetAddConfig(SaveOptions):
    path: str = PathField()
    name: str = Field(title="New sheet's name", min_length=1, max_length=31)
    position: int = Field(default=0, ge=0, title="Position",
                          description="1 = first, 2 = second…; 0: after the last sheet")
    copy_from: str = Field(default="", title="Copy of sheet",
                           description="Name of a sheet to copy (values, formulas, styles, widths); "
                                       "empty: a new "
                                       "empty sheet")
    if_exists: Literal["error", "keep"] = Field(
        default="error", title="If the sheet exists",
        description="error: stop with a message; keep: leave the existing sheet as it is and go on")
    headers: list[str] = Field(default_factory=list, title="Column names",
                               description="Written in row 1 of a new empty sheet")
    create: bool = Field(default=False, title="Create the workbook if missing")


class SheetAddInputs(BaseModel):
    path: WorkbookInput = WorkbookField()


class SheetAddOutputs(BaseModel):
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")
    added: bool | None = Field(default=None, title="Added", description="False when the sheet existed (keep)")


def _add(path: Path, config: SheetAddConfig, stop: Stop) -> tuple[str, bool, list[str]]:
    def change(edited: EditedBook) -> tuple[str, bool]:
        book = edited.book
        existing = next((n for n in book.sheetnames if n.casefold() == config.name.strip().casefold()), None)
        if existing is not None and config.if_exists == "keep":
            return existing, False
        if edited.new and not config.copy_from:
            sheet = get_sheet(edited, config.name, create=True)
        else:
            name = check_sheet_name(config.name, book.sheetnames, path)
            if config.copy_from.strip():
                source = get_sheet(edited, config.copy_from)
                sheet = book.copy_worksheet(source)
                sheet.title = "\u0000copy"  # openpyxl renames "X" to "X1" when "X Copy" is taken
                sheet.title = name
            else:
                sheet = book.create_sheet(name)
        if config.position:
            index = min(config.position, len(book.sheetnames)) - 1
            book.move_sheet(sheet, offset=index - book.sheetnames.index(sheet.title))
        if config.headers and not config.copy_from.strip():
            for column, header in enumerate(config.headers, 1):
                write_cell(sheet, 1, column, header, formulas=False)
        return sheet.title, True

    (title, added), notes = edit(path, config, change, stop, create=config.create)
    return title, added, notes


class SheetAdd(NodeType):
    type_id = "spreadsheet.sheet_add"
    title = "Add sheet"
    category = "Spreadsheets"
    description = ("Adds a sheet to an Excel workbook (.xlsx, .xlsm): an empty one (optionally with column "
                   "names in the first row) or a copy of an existing sheet, at the position you choose. "
                   "The rest of the workbook stays as it was.")
    keywords = ("excel", "xlsx", "new sheet", "tab", "worksheet", "copy sheet", "insert sheet")
    icon = "sheet"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = SheetAddConfig
    Inputs = SheetAddInputs
    Outputs = SheetAddOutputs

    async def run(self, ctx: NodeContext, config: SheetAddConfig, inputs: SheetAddInputs) -> SheetAddOutputs:
        path = input_path(ctx, config.path, inputs.path)
        title, added, notes = await offload(lambda stop: _add(path, config, stop), size=0, limit=-1)
        for note in notes:
            ctx.log.info("%s", note)
        ctx.log.info("%s sheet '%s' in %s", "added" if added else "kept the existing", title, path.name)
        return SheetAddOutputs(workbook=workbook_ref(path, title), added=added)
