"""CSV details shared by the CSV reader and writer: delimiters, sniffing, type inference."""

from __future__ import annotations

import csv
import re
from typing import Any

__all__ = ["check_delimiter", "infer_columns", "sniff_delimiter"]

_NAMED = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
_CANDIDATES = ",;\t|"
_INT = re.compile(r"[+-]?(?:0|[1-9]\d*)")
_NUMBER = re.compile(r"[+-]?(?:0|[1-9]\d*)?\.\d+(?:[eE][+-]?\d+)?|[+-]?(?:0|[1-9]\d*)(?:[eE][+-]?\d+)")
_BOOLEANS = {"true": True, "false": False}


def check_delimiter(value: str, *, allow_auto: bool) -> str:
    """Config validator: one character, a name such as "tab", or "auto"."""
    if allow_auto and value.strip().lower() in ("", "auto"):
        return "auto"
    value = _NAMED.get(value.strip().lower(), value)
    if len(value) != 1 or value in "\r\n\"":
        raise ValueError(f"{value!r} cannot separate values: use one character such as , ; | or 'tab'")
    return value


def sniff_delimiter(text: str) -> str:
    """Guess the delimiter from the start of the text (comma when there is no evidence)."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_CANDIDATES).delimiter
    except csv.Error:
        pass
    first = next((line for line in sample.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {c: unquoted.count(c) for c in _CANDIDATES}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


_DECIMAL_COMMA = re.compile(r"[+-]?(?:0|[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d*),\d+|[+-]?[1-9]\d{0,2}(?:\.\d{3})+")


def _convert(values: list[str], decimal: str = ".") -> tuple[str, list[Any]] | None:
    present = [v.strip() for v in values if v.strip()]
    if not present:
        return None
    if decimal == "," and any(_DECIMAL_COMMA.fullmatch(v) for v in present) and all(
            _INT.fullmatch(v) or _DECIMAL_COMMA.fullmatch(v) for v in present):
        # 1.234,50 and 830,50: points group thousands, the comma marks decimals
        return "number", [float(v.strip().replace(".", "").replace(",", ".")) if v.strip() else None
                          for v in values]
    if all(_INT.fullmatch(v) for v in present):
        return "integer", [int(v) if v.strip() else None for v in values]
    if all(_INT.fullmatch(v) or _NUMBER.fullmatch(v) for v in present):
        return "number", [float(v) if v.strip() else None for v in values]
    if all(v.lower() in _BOOLEANS for v in present):
        return "boolean", [_BOOLEANS[v.strip().lower()] if v.strip() else None for v in values]
    return None


def infer_columns(names: list[str], rows: list[dict[str, Any]], decimal: str = ".") -> dict[str, str]:
    """Convert, in place, each column whose every non-empty cell is an int, number or true/false.

    Text with leading zeros ("00123") or thousands separators stays text, except that with
    `decimal=","` European numbers ("1.234,50", "830,50") are read. Returns the column
    types ("text" for columns left alone).
    """
    types: dict[str, str] = {}
    for name in names:
        converted = _convert([r[name] for r in rows], decimal)
        if converted is None:
            types[name] = "text"
            continue
        types[name], values = converted
        for row, value in zip(rows, values, strict=True):
            row[name] = value
    return types
