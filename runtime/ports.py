"""Port types: a small lattice checked when two ports are connected.

Port types come from the annotations of a node's `Inputs`/`Outputs` pydantic models.
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from pydantic import BaseModel

from runtime.values import DocumentRef, FileRef, ImageRef, SessionRef, Table, WorkbookRef

__all__ = ["PortSpec", "PortType", "compatible", "incompatibility_reason", "port_type_of"]


class PortType(StrEnum):
    """The kinds of value a port carries."""

    ANY = "any"
    TEXT = "text"
    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    RECORD = "record"
    LIST = "list"
    TABLE = "table"
    FILE = "file"
    IMAGE = "image"
    DOCUMENT = "document"
    WORKBOOK = "workbook"
    SESSION = "session"

    def __str__(self) -> str:
        return self.value


# Widening conversions: a value of the key type may flow into a port of each listed type.
_WIDENS_TO: dict[PortType, frozenset[PortType]] = {
    PortType.INTEGER: frozenset({PortType.NUMBER, PortType.TEXT}),
    PortType.NUMBER: frozenset({PortType.TEXT}),
    PortType.BOOLEAN: frozenset({PortType.TEXT}),
    PortType.DATETIME: frozenset({PortType.TEXT}),
    PortType.TABLE: frozenset({PortType.LIST}),
    PortType.IMAGE: frozenset({PortType.FILE, PortType.DOCUMENT}),
    PortType.DOCUMENT: frozenset({PortType.FILE}),
    PortType.WORKBOOK: frozenset({PortType.FILE}),
}


def compatible(source: PortType, target: PortType) -> bool:
    """True when a value from a `source` port may be delivered to a `target` port."""
    if source == target or PortType.ANY in (source, target):
        return True
    return target in _WIDENS_TO.get(source, frozenset())


def incompatibility_reason(source: PortType, target: PortType) -> str | None:
    """A sentence explaining why the connection is refused, or None when it is fine."""
    if compatible(source, target):
        return None
    return f"a {source.value} output cannot feed a {target.value} input"


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One port of a node type, as shown in the editor and checked on connect."""

    id: str
    title: str
    type: PortType
    required: bool = False
    description: str = ""
    is_list: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type.value,
            "required": self.required,
            "description": self.description,
        }


_SIMPLE: dict[Any, PortType] = {
    str: PortType.TEXT,
    int: PortType.INTEGER,
    float: PortType.NUMBER,
    bool: PortType.BOOLEAN,
    dict: PortType.RECORD,
    list: PortType.LIST,
    tuple: PortType.LIST,
    _dt.datetime: PortType.DATETIME,
    _dt.date: PortType.DATETIME,
    Table: PortType.TABLE,
    FileRef: PortType.FILE,
    ImageRef: PortType.IMAGE,
    DocumentRef: PortType.DOCUMENT,
    WorkbookRef: PortType.WORKBOOK,
    SessionRef: PortType.SESSION,
    Any: PortType.ANY,
    object: PortType.ANY,
}


def port_type_of(annotation: Any) -> PortType:
    """Map a pydantic field annotation to a port type.

    `Annotated[X, PortType.Y]` overrides the mapping; `X | None` maps like `X`;
    other unions map to `any`.
    """
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        args = typing.get_args(annotation)
        for meta in args[1:]:
            if isinstance(meta, PortType):
                return meta
        return port_type_of(args[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return port_type_of(members[0])
        kinds = {port_type_of(m) for m in members}
        return kinds.pop() if len(kinds) == 1 else PortType.ANY
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        return port_type_of(type(values[0])) if values else PortType.ANY
    if origin is not None:
        return _SIMPLE.get(origin, PortType.ANY)
    if annotation in _SIMPLE:
        return _SIMPLE[annotation]
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return PortType.BOOLEAN
        if issubclass(annotation, Enum):
            return PortType.TEXT
        if issubclass(annotation, BaseModel):
            return PortType.RECORD
        for base, kind in _SIMPLE.items():
            if isinstance(base, type) and base is not object and issubclass(annotation, base):
                return kind
    return PortType.ANY
