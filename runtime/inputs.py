"""Flow inputs: checking and converting the values given for a flow's declared inputs."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.flow import FlowPort
from runtime.ports import PortType
from runtime.values import DocumentRef, FileRef, ImageRef, Table, WorkbookRef

__all__ = ["FlowInputError", "coerce_flow_inputs"]


class FlowInputError(ValueError):
    """A value given for a flow input is missing, unknown or of the wrong type."""


_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n"}
_REF_TYPES = {PortType.FILE: FileRef, PortType.IMAGE: ImageRef, PortType.DOCUMENT: DocumentRef,
              PortType.WORKBOOK: WorkbookRef}


def _coerce(name: str, port: FlowPort, value: Any, from_text: bool, base: Path) -> Any:
    kind = port.type
    try:
        if kind in _REF_TYPES:
            if isinstance(value, str):
                path = Path(value).expanduser()
                path = path if path.is_absolute() else (base / path)
                return _REF_TYPES[kind](path=str(path.resolve()), name=path.name)
            return _REF_TYPES[kind].model_validate(value)
        if from_text and isinstance(value, str):
            if kind is PortType.TEXT:
                return value
            if kind is PortType.BOOLEAN:
                low = value.strip().lower()
                if low in _TRUE or low in _FALSE:
                    return low in _TRUE
                raise ValueError("expected true or false")
            if kind is PortType.INTEGER:
                if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
                    raise ValueError(f"{value!r} is not a whole number")
                return int(value)
            if kind is PortType.NUMBER:
                try:
                    number = float(value)
                except ValueError:
                    raise ValueError(f"{value!r} is not a number") from None
                if not math.isfinite(number):
                    raise ValueError(f"{value!r} is not a finite number")
                return number
            if kind in (PortType.RECORD, PortType.LIST, PortType.TABLE):
                try:
                    value = json.loads(value)
                except ValueError as exc:
                    raise ValueError(f"not valid JSON ({exc.args[0].split(':')[0]})") from None
            elif kind is PortType.ANY:
                try:
                    return json.loads(value)
                except ValueError:
                    return value
        if kind is PortType.TEXT and not isinstance(value, str):
            raise ValueError("expected text")
        if kind is PortType.INTEGER and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError("expected a whole number")
        if kind is PortType.NUMBER:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError("expected a number")
            return float(value)
        if kind is PortType.BOOLEAN and not isinstance(value, bool):
            raise ValueError("expected true or false")
        if kind is PortType.RECORD and not isinstance(value, dict):
            raise ValueError("expected a JSON object")
        if kind is PortType.LIST and not isinstance(value, (list, Table)):
            raise ValueError("expected a JSON list")
        if kind is PortType.TABLE and not isinstance(value, Table):
            if isinstance(value, list) and all(isinstance(r, dict) for r in value):
                return Table.from_records(value)
            if isinstance(value, dict):
                return Table.from_dict(value)
            raise ValueError("expected a table (a JSON list of objects)")
        return value
    except (ValueError, TypeError) as exc:
        raise FlowInputError(f"flow input '{name}' ({kind.value}): {exc}") from None


def coerce_flow_inputs(
    declared: Mapping[str, FlowPort],
    given: Mapping[str, Any],
    *,
    from_text: bool = False,
    base: Path | None = None,
    defaults_base: Path | None = None,
) -> dict[str, Any]:
    """Check `given` against the flow's declared inputs; fill defaults; convert types.

    With `from_text`, values are command-line strings parsed by their declared type.
    Relative file paths given resolve against `base` (the current folder); those in the
    flow's defaults against `defaults_base` (the flow's folder).
    """
    unknown = sorted(set(given) - set(declared))
    if unknown:
        known = ", ".join(sorted(declared)) or "none"
        raise FlowInputError(f"unknown flow input(s) {', '.join(unknown)}; the flow declares: {known}")
    values: dict[str, Any] = {}
    base = base or Path.cwd()
    for name, port in declared.items():
        if name in given:
            values[name] = _coerce(name, port, given[name], from_text, base)
        elif port.default is not None:
            values[name] = _coerce(name, port, port.default, False, defaults_base or base)
        elif port.required:
            raise FlowInputError(f"flow input '{name}' is required ({port.type.value})"
                                 + (f": {port.description}" if port.description else ""))
        else:
            values[name] = None
    return values
