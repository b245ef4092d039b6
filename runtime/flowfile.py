"""Reading and writing `.loom` files: one loader with a migration chain, one canonical writer.

The canonical form is deterministic JSON: nodes, notes, groups and triggers sorted by id, config
keys sorted, one edge string per line, defaults written out, and each node's layout on
a single line so that moving a node is a one-line diff. Load → save is byte-identical.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from runtime._format.migrations import migrate
from runtime.flow import CURRENT_FORMAT_VERSION, Flow
from runtime.fsutil import atomic_write_text
from runtime.messages import validation_items
from runtime.triggers import TriggerBase

__all__ = ["FlowFileError", "dumps_flow", "load_flow", "loads_flow", "save_flow"]


class FlowFileError(Exception):
    """A flow file could not be read: the message names the file and the reason."""

    def __init__(self, source: str, reason: str):
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


def _describe_validation(error: ValidationError) -> str:
    lines = [f"{where}: {msg}" if where else msg for where, msg in validation_items(error)]
    more = error.error_count() - len(lines)
    if more > 0:
        lines.append(f"... and {more} more problem(s)")
    return "; ".join(lines)


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in a flow file (JSON has no such number)")


def loads_flow(text: str, source: str = "<flow>") -> Flow:
    """Parse flow-file text (any known format version) into a current `Flow`.

    Raises `FlowFileError` for anything wrong with the text; never anything else.
    """
    if text.startswith("\ufeff"):  # a byte-order mark some editors add
        text = text[1:]
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FlowFileError(
            source, f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except _DuplicateKey as exc:
        raise FlowFileError(
            source, f"the key '{exc.args[0]}' appears twice in one object (a merge conflict?); "
                    "keep one of them") from None
    except (RecursionError, ValueError) as exc:
        raise FlowFileError(source, f"not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise FlowFileError(source, "a flow file must hold a JSON object at the top level")
    version = raw.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FlowFileError(source, "missing or invalid 'format_version' (an integer)")
    if version > CURRENT_FORMAT_VERSION:
        raise FlowFileError(
            source,
            f"this file uses flow format version {version}, but this Loomwork reads up to "
            f"version {CURRENT_FORMAT_VERSION}. Update Loomwork to open it.",
        )
    if version < 1:
        raise FlowFileError(source, f"unknown flow format version {version}")
    try:
        current = migrate(raw, CURRENT_FORMAT_VERSION) if version < CURRENT_FORMAT_VERSION else raw
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise FlowFileError(
            source, f"could not upgrade from format version {version}: malformed {exc}"
        ) from None
    try:
        return Flow.model_validate(current)
    except ValidationError as exc:
        raise FlowFileError(source, _describe_validation(exc)) from None
    except RecursionError:
        raise FlowFileError(source, "the document is nested too deeply") from None


def load_flow(path: str | os.PathLike[str]) -> Flow:
    """Read and parse a `.loom` file."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowFileError(source, "no such file") from None
    except IsADirectoryError:
        raise FlowFileError(source, "is a folder, not a flow file") from None
    except PermissionError:
        raise FlowFileError(source, "permission denied") from None
    except UnicodeDecodeError as exc:
        raise FlowFileError(source, f"not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise FlowFileError(source, f"cannot read: {exc.strerror or exc}") from None
    return loads_flow(text, source)


# ----- canonical writer -------------------------------------------------------------

_RAW_VALUE_KEYS = frozenset({"config", "pinned", "default"})
_TRIGGER_RAW_KEYS = frozenset({"inputs"})  # a trigger's fixed input values are user values


def _raw_value(key: str, value: Any) -> Any:
    if key == "config" and isinstance(value, dict):
        return {k: value[k] for k in sorted(value)}
    return value


def _normalize_numbers(value: Any) -> Any:
    """Integral floats of the format's own fields (layout, sizes) are written as ints.

    User values (config, pinned data, defaults) are kept as they are, except that a
    config's own keys are sorted; order inside values (e.g. table columns) is meaningful.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {
            k: (_raw_value(k, v) if k in _RAW_VALUE_KEYS else _normalize_numbers(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_normalize_numbers(v) for v in value]
    return value


def _scalar(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _render(value: Any, indent: int, inline: bool) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        if inline:
            return "{" + ", ".join(f"{_scalar(k)}: {_render(v, 0, True)}" for k, v in value.items()) + "}"
        pad = "  " * (indent + 1)
        items = [
            f"{pad}{_scalar(k)}: {_render(v, indent + 1, k == 'layout')}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if inline:
            return "[" + ", ".join(_render(v, 0, True) for v in value) + "]"
        pad = "  " * (indent + 1)
        body = ",\n".join(pad + _render(v, indent + 1, False) for v in value)
        return "[\n" + body + "\n" + "  " * indent + "]"
    return _scalar(value)


_POLICY_FIELDS = tuple(f for f in TriggerBase.model_fields if f != "title")


def _trigger_fields(trig: dict[str, Any]) -> dict[str, Any]:
    """A trigger's keys in reading order: kind, title, what it watches, then the policies."""
    order = ["kind", "title", *(k for k in trig if k not in _POLICY_FIELDS and k not in ("kind", "title")),
             *_POLICY_FIELDS]
    return {k: (trig[k] if k in _TRIGGER_RAW_KEYS else _normalize_numbers(trig[k])) for k in order}


def dumps_flow(flow: Flow) -> str:
    """The canonical text of a flow (ends with a newline)."""
    data = flow.model_dump(mode="json")
    for key in ("inputs", "outputs", "nodes", "notes", "groups", "triggers"):
        data[key] = {k: data[key][k] for k in sorted(data[key])}
    data["edges"] = sorted(data["edges"])
    triggers = data.pop("triggers")
    data = _normalize_numbers(data)
    data["triggers"] = {tid: _trigger_fields(trig) for tid, trig in triggers.items()}
    return _render(data, 0, False) + "\n"


def save_flow(flow: Flow, path: str | os.PathLike[str]) -> None:
    """Write the canonical text of `flow` to `path` atomically."""
    atomic_write_text(path, dumps_flow(flow))
