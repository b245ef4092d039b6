"""Set fields: sets, copies, renames and picks fields of a record or of every table row."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from nodes._shared.offload import Stop, checked, offload
from nodes.core._common import table_from_rows
from runtime.api import Column, NodeContext, NodeError, NodeType, Table


class FieldValue(BaseModel):
    field: str = Field(min_length=1, title="Field")
    value: Any = Field(default="", title="Value", json_schema_extra={"widget": "json_or_text"})


class FieldRename(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(min_length=1, alias="from", title="From")
    to: str = Field(min_length=1, title="To")
    mode: Literal["rename", "copy"] = Field(
        default="rename", title="Mode", description="rename the field, or copy it and keep the original")


class SetFieldsConfig(BaseModel):
    renames: list[FieldRename] = Field(
        default_factory=list, title="Rename or copy",
        description="Done first: each field is renamed (or copied) to a new name.")
    set: list[FieldValue] = Field(
        default_factory=list, title="Set fields",
        description="Then each field is set to a fixed value (added when it is missing).")
    keep_only: list[str] = Field(
        default_factory=list, title="Keep only",
        description="Last: keep just these fields, in this order (empty keeps every field).")


class SetFieldsInputs(BaseModel):
    data: dict[str, Any] | Table = Field(title="Data", description="A record or a table")


class SetFieldsOutputs(BaseModel):
    data: dict[str, Any] | Table | None = Field(default=None, title="Data")


def _apply(config: SetFieldsConfig, names: list[str], rows: list[dict[str, Any]], stop: Stop) -> list[str]:
    """Change `rows` in place; return the new field order. Raise ValueError on a bad name."""
    names = list(names)
    for i, item in enumerate(config.renames, 1):
        if item.from_ not in names:
            listed = ", ".join(f"'{n}'" for n in names) or "none"
            raise ValueError(f"Rename or copy, entry {i}: there is no field '{item.from_}' "
                             f"(fields: {listed})")
        if item.to == item.from_:
            continue
        for row in checked(rows, stop):
            value = row[item.from_] if item.mode == "copy" else row.pop(item.from_, None)
            row[item.to] = value
        if item.mode == "rename":
            at = names.index(item.from_)
            if item.to in names:
                names.remove(item.from_)
            else:
                names[at] = item.to
        elif item.to not in names:
            names.append(item.to)
    for item in config.set:
        for row in checked(rows, stop):
            row[item.field] = item.value
        if item.field not in names:
            names.append(item.field)
    if config.keep_only:
        missing = [n for n in config.keep_only if n not in names]
        if missing:
            listed = ", ".join(f"'{n}'" for n in names) or "none"
            raise ValueError(f"Keep only: there is no field '{missing[0]}' (fields: {listed})")
        names = list(dict.fromkeys(config.keep_only))
    return names


def _apply_to_table(config: SetFieldsConfig, table: Table, stop: Stop) -> Table:
    rows = [dict(r) for r in checked(table.rows, stop)]
    names = _apply(config, table.column_names, rows, stop)
    touched = {r.to for r in config.renames} | {s.field for s in config.set}
    keep: dict[str, Column] = {c.name: c for c in table.columns if c.name not in touched}
    stop.check()
    return table_from_rows(names, rows, keep)


class SetFields(NodeType):
    type_id = "core.set_fields"
    title = "Set fields"
    category = "Data"
    description = ("Adds, changes, renames or copies fields of a record, or of every row of "
                   "a table, and can keep only the fields you list.")
    keywords = ("rename", "column", "add field", "select columns", "map", "assign")
    icon = "edit"
    Config = SetFieldsConfig
    Inputs = SetFieldsInputs
    Outputs = SetFieldsOutputs

    async def run(self, ctx: NodeContext, config: SetFieldsConfig,
                  inputs: SetFieldsInputs) -> SetFieldsOutputs:
        data = inputs.data
        try:
            if isinstance(data, Table):
                table = data
                return SetFieldsOutputs(data=await offload(lambda stop: _apply_to_table(config, table, stop),
                                                           size=len(table)))
            record = dict(data)
            names = _apply(config, list(record), [record], Stop())
            return SetFieldsOutputs(data={n: record[n] for n in names})
        except ValueError as exc:
            raise NodeError(str(exc)) from None
