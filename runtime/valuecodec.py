"""Tagged JSON for port values, so tables, references and dates survive a round trip.

Used by the cache, run history and anything that moves values between processes.
Plain JSON values encode as themselves; others as `{"$table": …}`, `{"$ref": …}`,
`{"$datetime": …}`, `{"$date": …}`, `{"$model": …}` (pydantic models as plain data).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from runtime.values import Column, DocumentRef, FileRef, ImageRef, Table, WorkbookRef

__all__ = [
    "decode_value",
    "dumps_values",
    "encode_value",
    "loads_values",
    "summarize_value",
    "to_plain_json",
]

_REF_KINDS: dict[str, type[BaseModel]] = {
    "file": FileRef,
    "image": ImageRef,
    "document": DocumentRef,
    "workbook": WorkbookRef,
}


def encode_value(value: Any) -> Any:
    """A JSON-able form of a port value."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return {"$float": repr(value)}
        return value
    if isinstance(value, Table):
        return {"$table": {"columns": [c.model_dump() for c in value.columns],
                           "rows": [encode_value(r) for r in value.rows]}}
    if isinstance(value, (FileRef, ImageRef, DocumentRef, WorkbookRef)):
        return {"$ref": value.model_dump(mode="json")}
    if isinstance(value, dict):
        if any(isinstance(k, str) and k.startswith("$") for k in value):
            return {"$dict": {str(k): encode_value(v) for k, v in value.items()}}
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, BaseModel):
        return encode_value(value.model_dump())
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return [encode_value(v) for v in sorted(value, key=repr)]
    if isinstance(value, bytes):
        raise TypeError("bytes cannot travel on an edge: write them to an artifact file")
    raise TypeError(f"a {type(value).__name__} value cannot travel on an edge")


def decode_value(data: Any) -> Any:
    """The inverse of `encode_value`."""
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if not isinstance(data, dict):
        return data
    if len(data) == 1:
        (tag, inner), = data.items()
        if tag == "$table":
            columns = [Column.model_validate(c) for c in inner["columns"]]
            rows = [decode_value(r) for r in inner["rows"]]
            return Table(columns, rows)
        if tag == "$ref":
            return _REF_KINDS[inner.get("kind", "file")].model_validate(inner)
        if tag == "$datetime":
            return dt.datetime.fromisoformat(inner)
        if tag == "$date":
            return dt.date.fromisoformat(inner)
        if tag == "$float":
            return float(inner)
        if tag == "$dict":
            return {k: decode_value(v) for k, v in inner.items()}
    return {k: decode_value(v) for k, v in data.items()}


def _untaggable(value: Any) -> Any:
    raise TypeError("not plain JSON")


_PLAIN = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                          default=_untaggable)
_TAGGED = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps_values(values: dict[str, Any]) -> str:
    """Compact tagged JSON text of a port → value mapping."""
    try:  # fast path: plain JSON values with no "$" keys encode as themselves
        text = _PLAIN.encode(values)
        if '"$' not in text:
            return text
    except (TypeError, ValueError):  # tables, refs, dates, NaN: tagged below
        pass
    return _TAGGED.encode(encode_value(values))


def loads_values(text: str) -> dict[str, Any]:
    return decode_value(json.loads(text))


def summarize_value(value: Any, limit: int = 200) -> str:
    """A one-line human summary of a value (for progress displays and logs)."""
    if isinstance(value, Table):
        return repr(value)
    if isinstance(value, (FileRef, ImageRef, DocumentRef, WorkbookRef)):
        return f"{value.kind}: {value.path}"
    text = json.dumps(encode_value(value), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_plain_json(value: Any) -> Any:
    """A plain JSON form for people and other tools (tables as columns + rows, no tags)."""
    if isinstance(value, Table):
        return {"columns": value.column_names,
                "rows": [{k: to_plain_json(v) for k, v in r.items()} for r in value.rows]}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): to_plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
