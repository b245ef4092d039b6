"""Delete rows: removes the rows of a sheet that match keys or conditions.

Rows below go up to close the gap, as when deleting rows in Excel, but only within the data
block under the header: whatever lies below the data (a totals row after an empty row)
stays where it is, so formulas pointing at it keep working. Moved formulas are adjusted to
their new row. Editing uses openpyxl (see `_edit`).
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes._shared.compare import condition, equality_key
from nodes._shared.offload import Stop, offload
from nodes.core.filter_rows import RowCondition
from nodes.spreadsheet._common import (
    PathField,
    SheetField,
    WorkbookField,
    WorkbookInput,
    input_path,
    workbook_ref,
)
from nodes.spreadsheet._edit import EditedBook, SaveOptions, edit, get_sheet
from nodes.spreadsheet._rows import SheetLayout, cell_value, grow_tables, layout
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

__all__ = ["DeleteRows", "DeleteRowsConfig"]


class DeleteRowsConfig(SaveOptions):
    path: str = PathField()
    sheet: str = SheetField()
    header_row: int = Field(default=0, ge=0, le=1_048_576, title="Row of column names",
                            description="0: found automatically (as Read sheet does)")
    match: Literal["keys", "conditions"] = Field(
        default="conditions", title="Delete rows by",
        description="keys: rows whose key column holds one of the input keys; conditions: rows that pass the "
                    "conditions")
    key_column: str = Field(default="", title="Key column", description="For 'keys': the column to look in")
    conditions: list[RowCondition] = Field(default_factory=list, title="Conditions")
    combine: Literal["all", "any"] = Field(default="all", title="Delete rows that pass",
                                           description="all: every condition must hold; any: one is enough")
    ignore_case: bool = Field(default=False, title="Ignore upper/lower case")


class DeleteRowsInputs(BaseModel):
    keys: Any = Field(default=None, title="Keys", description="For 'keys': a list of keys, or a table "
                                                              "with the "
                      "key column", json_schema_extra={"port_type": PortType.ANY.value})
    path: WorkbookInput = WorkbookField()


class DeleteRowsOutputs(BaseModel):
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")
    deleted: Table | None = Field(default=None, title="Deleted rows")
    count: int | None = Field(default=None, title="Rows deleted")


def _key_values(config: DeleteRowsConfig, keys: Any) -> set[Any]:
    if keys is None:
        raise NodeError("connect the 'Keys' input (a list of keys or a table), or delete by conditions")
    if isinstance(keys, Table):
        if config.key_column not in keys.column_names:
            raise NodeError(f"the keys table has no column '{config.key_column}'; its columns are: "
                            f"{', '.join(repr(c) for c in keys.column_names)}")
        values = [row.get(config.key_column) for row in keys.rows]
    elif isinstance(keys, (list, tuple, set)):
        values = list(keys)
    else:
        values = [keys]
    return {equality_key(v, config.ignore_case) for v in values} - {None}


def _doomed(ws: Any, sheet_layout: SheetLayout, config: DeleteRowsConfig, keys: Any,
            stop: Stop) -> tuple[list[int], list[dict[str, Any]]]:
    names = list(sheet_layout.columns)
    if config.match == "keys":
        if not config.key_column.strip():
            raise NodeError("choose the key column to delete rows by keys")
        wanted = [config.key_column] if config.key_column in names else \
            [n for n in names if n.casefold() == config.key_column.strip().casefold()]
        if not wanted:
            raise NodeError(f"sheet '{ws.title}' has no column '{config.key_column}'; its columns are: "
                            f"{', '.join(repr(n) for n in names)}")
        targets = _key_values(config, keys)
        tests = [(wanted[0], lambda v: equality_key(v, config.ignore_case) in targets)]
        combine = all
    else:
        if not config.conditions:
            raise NodeError("add at least one condition (deleting every row is not done by accident)")
        unknown = [c.column for c in config.conditions if c.column not in names]
        if unknown:
            raise NodeError(f"sheet '{ws.title}' has no column {', '.join(repr(u) for u in unknown)}; "
                            "its columns "
                            f"are: {', '.join(repr(n) for n in names)}")
        tests = [(c.column, condition(c.op, c.value, config.ignore_case)) for c in config.conditions]
        combine = all if config.combine == "all" else any
    rows, records = [], []
    for i, row in enumerate(sheet_layout.data_rows):
        if not i % 5000:
            stop.check()
        record = {n: cell_value(ws.cell(row, c).value) for n, c in sheet_layout.columns.items()}
        if any(v is not None for v in record.values()) and combine(bool(t(record[n])) for n, t in tests):
            rows.append(row)
            records.append(record)
    return rows, records


def _close_gaps(ws: Any, sheet_layout: SheetLayout, doomed: list[int], stop: Stop) -> None:
    """Move the kept rows of the data block up over the deleted ones; empty the freed rows."""
    from openpyxl.formula.translate import Translator

    region = sheet_layout.data_rows
    gone = set(doomed)
    for merged in ws.merged_cells.ranges:
        if merged.max_row >= doomed[0] and merged.min_row <= region.stop - 1:
            raise NodeError(f"sheet '{ws.title}' has merged cells ({merged.coord}) among the rows to move; "
                            "unmerge them first. Nothing was changed")
    width = ws.max_column
    kept = [r for r in region if r >= doomed[0] and r not in gone]
    for offset, source in enumerate(kept):
        if not offset % 2000:
            stop.check()
        target = doomed[0] + offset
        for column in range(1, width + 1):
            origin, cell = ws.cell(source, column), ws.cell(target, column)
            value = origin.value
            if origin.data_type == "f" and isinstance(value, str):
                value = Translator(value, origin=origin.coordinate).translate_formula(cell.coordinate)
            cell.value = value
            cell._style = copy(origin._style)
            cell.hyperlink = copy(origin.hyperlink) if origin.hyperlink else None
            cell.comment = copy(origin.comment) if origin.comment else None
        ws.row_dimensions[target].height = ws.row_dimensions[source].height
    for row in range(region.stop - len(doomed), region.stop):
        for column in range(1, width + 1):
            ws._cells.pop((row, column), None)
        if row in ws.row_dimensions:
            del ws.row_dimensions[row]


def _delete(path: Path, config: DeleteRowsConfig, keys: Any, stop: Stop) -> tuple[str, Table, list[str]]:
    def change(edited: EditedBook) -> tuple[str, Table]:
        ws = get_sheet(edited, config.sheet)
        sheet_layout = layout(ws, config.header_row)
        if sheet_layout.header_row is None:
            raise NodeError(f"sheet '{ws.title}' of {path.name} has no row of column names")
        doomed, records = _doomed(ws, sheet_layout, config, keys, stop)
        if doomed:
            _close_gaps(ws, sheet_layout, doomed, stop)
            grow_tables(ws, sheet_layout.header_row, max(sheet_layout.last_row - len(doomed),
                                                         sheet_layout.header_row + 1))
        return ws.title, Table.from_records(records, list(sheet_layout.columns))

    (sheet, deleted), notes = edit(path, config, change, stop)
    return sheet, deleted, notes


class DeleteRows(NodeType):
    type_id = "spreadsheet.delete_rows"
    title = "Delete rows"
    category = "Spreadsheets"
    description = ("Deletes rows from a sheet of an Excel workbook (.xlsx, .xlsm): the rows whose key (for "
                   "example the invoice number) is in a list you give, or the rows that pass conditions such "
                   "as status = cancelled. The rows below move up; totals below the data stay where "
                   "they are. "
                   "The deleted rows come out as a table, so you can keep a record of them.")
    keywords = ("excel", "xlsx", "remove", "delete", "clean up", "purge", "workbook")
    icon = "trash-2"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = DeleteRowsConfig
    Inputs = DeleteRowsInputs
    Outputs = DeleteRowsOutputs

    async def run(self, ctx: NodeContext, config: DeleteRowsConfig,
                  inputs: DeleteRowsInputs) -> DeleteRowsOutputs:
        path = input_path(ctx, config.path, inputs.path)
        sheet, deleted, notes = await offload(lambda stop: _delete(path, config, inputs.keys, stop), size=0,
                                              limit=-1)
        for note in notes:
            ctx.log.info("%s", note)
        ctx.log.info("deleted %d row(s) from %s, sheet '%s'", len(deleted), path.name, sheet)
        return DeleteRowsOutputs(workbook=workbook_ref(path, sheet), deleted=deleted, count=len(deleted))
