"""Update rows by key: rows whose key matches an input row get its values; others are appended.

Keys compare as Filter rows compares values ("100" = 100, " Paid" = "Paid", dates as dates,
codes with leading zeros stay text). Editing uses openpyxl (see `_edit`): updated cells keep
their styles; new rows are appended as Append rows does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from nodes._shared.compare import equality_key
from nodes._shared.offload import Stop, offload
from nodes.spreadsheet._common import WorkbookField, WorkbookInput, input_path, workbook_ref
from nodes.spreadsheet._edit import EditedBook, edit, get_sheet
from nodes.spreadsheet._rows import cell_value, layout, match_columns, write_cell
from nodes.spreadsheet.append_rows import AppendRowsConfig, append_table
from runtime.api import CachePolicy, Capability, NodeContext, NodeError, NodeType, Table, WorkbookRef

__all__ = ["UpsertRows", "UpsertRowsConfig"]


class UpsertRowsConfig(AppendRowsConfig):
    keys: list[str] = Field(min_length=1, title="Key columns",
                            description="The column(s) that identify a row, e.g. Invoice number")
    insert_missing: bool = Field(default=True, title="Append rows with a new key",
                                 description="Off: input rows whose key is not in the sheet are left out")
    ignore_case: bool = Field(default=False, title="Ignore upper/lower case in keys")
    clear_with_empty: bool = Field(
        default=False, title="Empty input values clear cells",
        description="Off: an empty value in the input leaves the sheet's cell as it is; on: it empties "
                    "the cell")


class UpsertRowsInputs(BaseModel):
    rows: Table = Field(title="Rows")
    path: WorkbookInput = WorkbookField()


class UpsertRowsOutputs(BaseModel):
    workbook: WorkbookRef | None = Field(default=None, title="Workbook")
    updated: int | None = Field(default=None, title="Rows updated")
    inserted: int | None = Field(default=None, title="Rows added")


@dataclass
class _Done:
    sheet: str
    updated: int = 0
    inserted: int = 0
    notes: list[str] = field(default_factory=list)


def _key(values: list[Any], ignore_case: bool) -> tuple[Any, ...] | None:
    key = tuple(equality_key(v, ignore_case) for v in values)
    return None if all(k is None for k in key) else key


def _upsert(path: Path, config: UpsertRowsConfig, table: Table, stop: Stop) -> _Done:
    missing = [k for k in config.keys if k not in table.column_names]
    if missing:
        raise NodeError(f"the input has no key column {', '.join(repr(k) for k in missing)}; its "
                        "columns are: "
                        f"{', '.join(repr(c) for c in table.column_names)}")

    def change(edited: EditedBook) -> _Done:
        ws = get_sheet(edited, config.sheet, create=config.create)
        done = _Done(ws.title)
        sheet_layout = layout(ws, config.header_row)
        if sheet_layout.header_row is None and sheet_layout.last_row == 0:  # an empty sheet: add them all
            if config.insert_missing and table.rows:
                append_table(ws, table, config, stop)
                done.inserted = len(table)
            return done
        if sheet_layout.header_row is None:
            raise NodeError(f"sheet '{ws.title}' of {path.name} has no row of column names to match keys in")
        mapping = match_columns(table, sheet_layout, ws.title, add_missing=config.add_missing_columns, ws=ws)
        key_columns = [mapping[k] for k in config.keys]
        where: dict[tuple[Any, ...], int] = {}
        repeated = 0
        for row in sheet_layout.data_rows:
            key = _key([cell_value(ws.cell(row, c).value) for c in key_columns], config.ignore_case)
            if key is None:
                continue
            if key in where:
                repeated += 1
                continue
            where[key] = row
        new_rows: list[dict[str, Any]] = []
        for i, record in enumerate(table.rows):
            if not i % 1000:
                stop.check()
            key = _key([record.get(k) for k in config.keys], config.ignore_case)
            row = where.get(key) if key is not None else None
            if row is None:
                if config.insert_missing:
                    new_rows.append(record)
                continue
            for name, column in mapping.items():
                value = record.get(name)
                if value is None or value == "":
                    if not config.clear_with_empty:
                        continue
                    value = None
                write_cell(ws, row, column, value, formulas=config.allow_formulas)
            done.updated += 1
        if new_rows:
            adding = config.model_copy(update={"add_missing_columns": True})
            append_table(ws, Table(table.columns, new_rows), adding, stop)
            done.inserted = len(new_rows)
        if repeated:
            done.notes.append(f"{repeated} row(s) of the sheet repeat a key; only the first of each was "
                              "updated")
        skipped = len(table) - done.updated - done.inserted
        if skipped:
            done.notes.append(f"{skipped} input row(s) matched no row and were left out")
        return done

    done, notes = edit(path, config, change, stop, create=config.create)
    done.notes = notes + done.notes
    return done


class UpsertRows(NodeType):
    type_id = "spreadsheet.upsert_rows"
    title = "Update rows by key"
    category = "Spreadsheets"
    description = ("Updates rows of a sheet in an Excel workbook (.xlsx, .xlsm) from a table: a row "
                   "whose key "
                   "(for example the invoice number) matches an input row gets that row's values; input rows "
                   "with a new key are added at the bottom. Columns the input does not have are left as they "
                   "are, and cells keep their formatting.")
    keywords = ("excel", "xlsx", "upsert", "update", "merge", "sync", "lookup", "key", "match", "workbook")
    icon = "file-pen-line"
    capabilities = frozenset({Capability.FILES_READ, Capability.FILES_WRITE})
    cache = CachePolicy.NEVER
    Config = UpsertRowsConfig
    Inputs = UpsertRowsInputs
    Outputs = UpsertRowsOutputs

    async def run(self, ctx: NodeContext, config: UpsertRowsConfig,
                  inputs: UpsertRowsInputs) -> UpsertRowsOutputs:
        path = input_path(ctx, config.path, inputs.path)
        done = await offload(lambda stop: _upsert(path, config, inputs.rows, stop), size=0, limit=-1)
        for note in done.notes:
            ctx.log.info("%s", note)
        ctx.log.info("updated %d and added %d row(s) in %s, sheet '%s'", done.updated, done.inserted,
                     path.name, done.sheet)
        return UpsertRowsOutputs(workbook=workbook_ref(path, done.sheet), updated=done.updated,
                                 inserted=done.inserted)
