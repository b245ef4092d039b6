"""Rename sheet: renames a sheet and every formula, named range and validation that points at it."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, offload
from nodes.spreadsheet._common import PathField, WorkbookField, WorkbookInput, input_path, workbook_ref
from nodes.spreadsheet._edit import EditedBook, SaveOptions, edit, get_sheet
from nodes.spreadsheet._names import check_sheet_name, rename_references
from runtime.api import CachePolicy, Capability, NodeContext, NodeType, WorkbookRef

__all__ = ["SheetRename", "SheetRenameConfig"]


class SheetRenameConfig(SaveOptions):
    path: str = PathField()
    sheet: str = Field(title="Sheet", min_length=1, description="The sheet's current name, or its number")
    new_name: str = Field(title="New name", min_length=1, max_length=31)


class SheetRenameInputs(BaseModel):
    path: WorkbookInput = WorkbookField()


class SheetRenameOutputs(BaseModel):
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")


def _rename(path: Path, config: SheetRenameConfig, stop: Stop) -> tuple[str, str, int, list[str]]:
    def change(edited: EditedBook) -> tuple[str, int]:
        ws = get_sheet(edited, config.sheet)
        old = ws.title
        others = [n for n in edited.book.sheetnames if n != old]
        new = check_sheet_name(config.new_name, others, path)
        ws.title = new
        return old, rename_references(edited.book, old, new) if old != new else 0

    (old, changed), notes = edit(path, config, change, stop)
    return old, config.new_name.strip(), changed, notes


class SheetRename(NodeType):
    type_id = "spreadsheet.sheet_rename"
    title = "Rename sheet"
    category = "Spreadsheets"
    description = ("Renames a sheet of an Excel workbook (.xlsx, .xlsm). Formulas on other sheets, named "
                   "ranges and drop-down lists that refer to the sheet are updated to the new name, so "
                   "nothing breaks.")
    keywords = ("excel", "xlsx", "rename", "tab", "worksheet", "sheet name")
    icon = "pen-line"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = SheetRenameConfig
    Inputs = SheetRenameInputs
    Outputs = SheetRenameOutputs

    async def run(self, ctx: NodeContext, config: SheetRenameConfig,
                  inputs: SheetRenameInputs) -> SheetRenameOutputs:
        path = input_path(ctx, config.path, inputs.path)
        old, new, changed, notes = await offload(lambda stop: _rename(path, config, stop), size=0, limit=-1)
        for note in notes:
            ctx.log.info("%s", note)
        ctx.log.info("renamed sheet '%s' to '%s' in %s (%d reference(s) updated)", old, new, path.name,
                     changed)
        return SheetRenameOutputs(workbook=workbook_ref(path, new))
