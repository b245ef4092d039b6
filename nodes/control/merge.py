"""Merge: brings branches back together (after an If or Switch) or gathers several values."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop, checked, offload
from runtime.api import Column, NodeContext, NodeError, NodeType, Table

_ORDER = ("a", "b", "c", "d")


class MergeConfig(BaseModel):
    mode: Literal["first", "collect", "append"] = Field(
        default="first", title="Mode",
        description="first: pass on the first input that has a value (A, then B, C, D) — use it to "
                    "join the two paths of an If. collect: a list of every value that arrived. "
                    "append: tables (or lists) one after the other, as one table (or list).")


class MergeInputs(BaseModel):
    a: Any = Field(default=None, title="A")
    b: Any = Field(default=None, title="B")
    c: Any = Field(default=None, title="C")
    d: Any = Field(default=None, title="D")


class MergeOutputs(BaseModel):
    value: Any = Field(default=None, title="Value")


class Merge(NodeType):
    type_id = "control.merge"
    title = "Merge"
    category = "Control"
    description = ("Brings paths back together: runs when at least one input has a value and passes "
                   "on the first one, a list of all of them, or them appended into one table or list.")
    keywords = ("join paths", "combine", "union", "append", "collect", "gather")
    icon = "merge"
    join = "any"
    Config = MergeConfig
    Inputs = MergeInputs
    Outputs = MergeOutputs

    async def run(self, ctx: NodeContext, config: MergeConfig, inputs: MergeInputs) -> MergeOutputs:
        named = [(name, getattr(inputs, name)) for name in _ORDER if name in inputs.model_fields_set]
        arrived = [value for _, value in named]
        if config.mode == "first":
            if not arrived:
                ctx.log.warning("no input has a value")
                return MergeOutputs()
            return MergeOutputs(value=arrived[0])
        if config.mode == "collect":
            return MergeOutputs(value=arrived)
        size = sum(len(v) for _, v in named if isinstance(v, (Table, list, tuple)))
        return MergeOutputs(value=await offload(lambda stop: append_values(named, stop), size=size))


def append_values(named: list[tuple[str, Any]], stop: Stop) -> Table | list[Any]:
    """Tables and lists one after another. With any table the result is a table (columns of
    all of them, in order of appearance); a record becomes one row. Otherwise a list."""
    if not any(isinstance(v, Table) for _, v in named):
        out: list[Any] = []
        for _, v in named:
            if isinstance(v, (list, tuple)):
                out.extend(v)
            elif v is not None:
                out.append(v)
        return out
    columns: dict[str, Column] = {}
    rows: list[dict[str, Any]] = []
    for name, v in named:
        if isinstance(v, Table):
            part = v
        elif isinstance(v, dict):
            part = Table.from_records([v])
        elif isinstance(v, (list, tuple)) and all(isinstance(r, dict) for r in v):
            part = Table.from_records(v)
        elif v is None:
            continue
        else:
            raise NodeError(f"cannot append input {name.upper()} to a table: it is not a table, a record "
                            f"or a list of records ({type(v).__name__})")
        for col in part.columns:
            known = columns.get(col.name)
            if known is None:
                columns[col.name] = col
            elif known.type != col.type:
                merged = "number" if {known.type, col.type} == {"integer", "number"} else "any"
                columns[col.name] = Column(name=col.name, type=merged)
        rows.extend(part.rows)
        stop.check()
    names = list(columns)
    return Table(list(columns.values()), [{n: r.get(n) for n in names} for r in checked(rows, stop)])
