"""Tagged JSON for port values, so tables, references and dates survive a round trip.

Used by the cache, run history and anything that moves values between processes.
Plain JSON values encode as themselves; others as one-key objects whose key is a tag:
`{"$table": {"columns", "rows"}}`, `{"$ref": …}`, `{"$datetime": …}`, `{"$date": …}`,
`{"$float": "nan"}`. A dict of the data that happens to look like a tag is escaped as
`{"$dict": [[key, value], …]}`. Encoding and decoding run in json's C code, calling
back into Python only for the tagged values.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import weakref
from itertools import islice
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel

from runtime.values import Column, DocumentRef, FileRef, ImageRef, SessionRef, Table, WorkbookRef

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
    "session": SessionRef,
}
_TAGS = ("$table", "$ref", "$datetime", "$date", "$float", "$dict")
_TAG_SET = frozenset(_TAGS)
_REFS = (FileRef, ImageRef, DocumentRef, WorkbookRef, SessionRef)
_PATH_REFS = (FileRef, ImageRef, DocumentRef, WorkbookRef)


def _tag(value: Any) -> dict[str, Any]:
    """The tagged form of one non-JSON value (children are left to the encoder)."""
    kind = type(value)  # the common ones first: a table's dates and date-times
    if kind is dt.datetime:
        return {"$datetime": value.isoformat()}
    if kind is dt.date:
        return {"$date": value.isoformat()}
    if isinstance(value, Table):
        return {"$table": {"columns": [{"name": c.name, "type": c.type} for c in value.columns],
                           "rows": list(value.rows)}}
    if isinstance(value, _REFS):
        return {"$ref": value.model_dump(mode="json")}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, float):
        return {"$float": repr(value)}
    raise TypeError(f"a {type(value).__name__} value cannot travel on an edge")


def _plain(value: Any) -> Any:
    """Other values that have an obvious JSON form."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        raise TypeError("bytes cannot travel on an edge: write them to an artifact file")
    raise TypeError(f"a {type(value).__name__} value cannot travel on an edge")


def encode_value(value: Any) -> Any:
    """A JSON-able (tagged) form of a port value, built in Python (see `dumps_values`)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else _tag(value)
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _TAG_SET:
            return {"$dict": [[k, encode_value(v)] for k, v in value.items()]}
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    if isinstance(value, Table):
        tagged = _tag(value)
        tagged["$table"]["rows"] = [encode_value(r) for r in value.rows]
        return tagged
    if isinstance(value, (_REFS, dt.date)):
        return _tag(value)
    return encode_value(_plain(value))


class _Encoder(json.JSONEncoder):
    def __init__(self) -> None:
        super().__init__(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        self.tags = 0

    def default(self, o: Any) -> Any:
        try:
            tagged = _tag(o)
        except TypeError:
            return _plain(o)
        self.tags += 1
        return tagged


_ROWS_AT_ONCE = 2_000


def dumps_values(values: dict[str, Any]) -> str:
    """Compact tagged JSON text of a port → value mapping.

    A large table is written a few thousand rows at a time, so that encoding it never holds
    every row as a dict at once (a table stored by column makes its row dicts on demand).
    """
    large = {k for k, v in values.items() if isinstance(v, Table) and len(v) > _ROWS_AT_ONCE}
    if not large or any(k in _TAG_SET for k in values):
        return _dumps(values)
    parts = [json.dumps(str(k), ensure_ascii=False) + ":" + (_dumps_table(v) if k in large else _dumps(v))
             for k, v in values.items()]
    return "{" + ",".join(parts) + "}"


_TEXTS: dict[int, tuple[weakref.ref[Table], tuple[Any, ...], str]] = {}
"""The JSON text of read-only tables, by id: a run writes a large table to its history, the
cache and its outputs, often through several nodes; it is encoded once. The runner forgets
them when a run ends (`forget_encoded`)."""
_TEXTS_LOCK = threading.Lock()


def _dumps_table(table: Table) -> str:
    if table.read_only:
        known = _TEXTS.get(id(table))
        if known is not None and known[0]() is table and known[1] is table.columns:
            return known[2]
    text = _encode_table(table)
    if table.read_only and len(text) <= _REMEMBERED_CHARS:
        with _TEXTS_LOCK:
            if id(table) not in _TEXTS:
                weakref.finalize(table, _TEXTS.pop, id(table), None)
            _TEXTS[id(table)] = (weakref.ref(table), table.columns, text)
    return text


_REMEMBERED_CHARS = 64 * 1024 * 1024
"""Longer texts are not kept: the stores that would reuse them refuse them anyway."""


def forget_encoded() -> None:
    """Drop the remembered JSON texts (called when a run ends)."""
    with _TEXTS_LOCK:
        _TEXTS.clear()


def _encode_table(table: Table) -> str:
    columns = json.dumps([{"name": c.name, "type": c.type} for c in table.columns], ensure_ascii=False,
                         separators=(",", ":"))
    rows = iter(table.rows)
    pieces = []
    while chunk := list(islice(rows, _ROWS_AT_ONCE)):
        pieces.append(_dumps(chunk)[1:-1])
    return '{"$table":{"columns":' + columns + ',"rows":[' + ",".join(pieces) + "]}}"


def _dumps(values: Any) -> str:
    encoder = _Encoder()
    try:
        text = encoder.encode(values)
    except ValueError:  # NaN or infinity inside: tag them in Python
        text = None
    # A dict of the data that looks like a tag needs escaping; the C encoder cannot do
    # that, so count tag-looking objects: more than we produced means there is one.
    if text is not None and sum(text.count('{"' + t + '":') for t in _TAGS) == encoder.tags:
        return text
    return json.dumps(encode_value(values), ensure_ascii=False, separators=(",", ":"))


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) != 1:
        return obj
    (tag, inner), = obj.items()
    if tag not in _TAG_SET:
        return obj
    if tag == "$table":
        return Table([Column(name=c["name"], type=c.get("type", "any")) for c in inner["columns"]],
                     inner["rows"])
    if tag == "$ref":
        return _REF_KINDS[inner.get("kind", "file")].model_validate(inner)
    if tag == "$datetime":
        return dt.datetime.fromisoformat(inner)
    if tag == "$date":
        return dt.date.fromisoformat(inner)
    if tag == "$float":
        return float(inner)
    return {k: v for k, v in inner}  # "$dict": an escaped dict of the data


def loads_values(text: str) -> Any:
    """The inverse of `dumps_values`."""
    return json.loads(text, object_hook=_hook)


def decode_value(data: Any) -> Any:
    """The inverse of `encode_value` for already-parsed JSON."""
    if isinstance(data, (dict, list)):
        return loads_values(json.dumps(data))
    return data


def summarize_value(value: Any, limit: int = 200) -> str:
    """A one-line human summary of a value (for progress displays and logs)."""
    if isinstance(value, Table):
        return repr(value)
    if isinstance(value, _PATH_REFS):
        return f"{value.kind}: {value.path}"
    if isinstance(value, SessionRef):
        return f"browser page: {value.url or 'blank'}"
    text = json.dumps(to_plain_json(value), ensure_ascii=False, default=str)
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
