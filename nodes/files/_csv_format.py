"""CSV details shared by the CSV reader and writer: delimiters, sniffing, parsing, type inference."""

from __future__ import annotations

import csv
import io
import math
import re
from itertools import islice
from pathlib import Path
from typing import Any

from nodes._shared.offload import CHECK_EVERY, Stop
from runtime.api import NodeError

__all__ = ["check_delimiter", "infer_columns", "parse_rows", "sniff_delimiter"]

_NAMED = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}
_CANDIDATES = ",;\t|"
_NUMBER_KINDS = re.compile(
    r"(?P<int>[+-]?(?:0|[1-9]\d*))"
    r"|(?P<grouped>[+-]?[1-9]\d{0,2}(?:\.\d{3})+)"  # 1.500: points between thousands, or a decimal point?
    r"|(?P<comma>[+-]?(?:0|[1-9]\d{0,2}(?:\.\d{3})+|[1-9]\d*),\d+)"  # 830,50 and 1.234,50
    r"|(?P<point>[+-]?(?:0|[1-9]\d*)?\.\d+(?:[eE][+-]?\d+)?|[+-]?(?:0|[1-9]\d*)[eE][+-]?\d+)")
"""How a value reads as a number (its group's name); no match: not a number (or a code like 007)."""
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


def _reader(text: str, delimiter: str) -> Any:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def parse_rows(text: str, delimiter: str, path: Path, stop: Stop) -> list[list[str]]:
    """The records of a CSV text, without blank ones. A quote that is never closed (which would
    swallow the rest of the file into one value) is a NodeError naming the line it starts on."""
    reader = _reader(text, delimiter)
    records: list[list[str]] = []
    try:
        while chunk := list(islice(reader, CHECK_EVERY)):
            records += [row for row in chunk if "".join(row).strip()]
            stop.check()
    except csv.Error as exc:
        raise _quote_error(text, delimiter, path, reader.line_num, str(exc)) from None
    return records


def _failing_record_start(text: str, delimiter: str) -> int:
    """The line on which the record that the CSV reader fails on starts (read once more)."""
    reader = _reader(text, delimiter)
    start = 1
    try:
        for _ in reader:
            start = reader.line_num + 1
    except csv.Error:
        pass
    return start


def _quote_error(text: str, delimiter: str, path: Path, end: int, reason: str) -> NodeError:
    """Explain a CSV error met on line `end`."""
    start = _failing_record_start(text, delimiter)
    lines = io.StringIO(text, newline="").readlines()
    opened = _open_quote_line(lines[start - 1:end], delimiter, start)
    where = f"cannot read {path} as CSV"
    if "end of data" in reason:
        return NodeError(f"{where}: the quote that starts a value on line {opened} is never closed, so "
                         "the rest of the file would become one value; close it, or double a quote "
                         "that belongs to the text (\"\")")
    if "field larger than field limit" in reason:
        return NodeError(f"{where}: the value that starts on line {opened} runs on for more than "
                         f"{csv.field_size_limit()} characters (to line {end}); probably its quote is never "
                         "closed: close it, or double a quote that belongs to the text (\"\")")
    if "expected after" in reason and opened < end:
        return NodeError(f"{where}: the quote that starts a value on line {opened} is not closed on that "
                         f"line, so lines {opened} to {end} ran together into one value; close it, or "
                         "double a quote that belongs to the text (\"\")")
    if "expected after" in reason:
        return NodeError(f"{where}: on line {end} a quoted value is followed by more text before the "
                         "next delimiter; a quote inside a quoted value must be doubled (\"\")")
    return NodeError(f"{where}: {reason} (line {end})")


def _open_quote_line(lines: list[str], delimiter: str, first: int) -> int:
    """The line on which the last quoted value of a record was opened (`lines` hold the record)."""
    opened = first
    in_quotes = at_start = False
    for number, line in enumerate(lines, first):
        at_start = True if not in_quotes else at_start
        i = 0
        while i < len(line):
            char = line[i]
            if in_quotes:
                if char == '"' and line[i + 1:i + 2] == '"':
                    i += 1
                elif char == '"':
                    in_quotes = at_start = False
            elif char == '"' and at_start:
                in_quotes, opened = True, number
            else:
                at_start = char == delimiter
            i += 1
    return opened


def _from_comma(value: str) -> float:
    return float(value.replace(".", "").replace(",", "."))


def _number_kinds(present: list[str]) -> set[str | None]:
    """The kinds of number among the values (None: one is not a number; the scan stops there)."""
    kinds: set[str | None] = set()
    for value in present:
        match = _NUMBER_KINDS.fullmatch(value)
        kinds.add(match.lastgroup if match else None)
        if match is None:
            break
    return kinds


def _numbers(present: list[str], decimal: str, guessed: bool) -> tuple[str, Any] | str | None:
    """How the present values read as numbers: (type, converter), a warning, or None.

    `guessed`: the decimal comma was assumed (from ';' delimiters), not chosen, so a column that
    can only mean a decimal point ("2.5") is read with the point.
    """
    kinds = _number_kinds(present)
    if None in kinds:
        return None
    if kinds == {"int"}:
        return "integer", int
    if decimal == ".":
        return ("number", float) if kinds <= {"int", "grouped", "point"} else None
    if "comma" in kinds:
        return ("number", _from_comma) if kinds <= {"int", "grouped", "comma"} else None
    if kinds <= {"int", "grouped"}:
        example = next(v for v in present if _NUMBER_KINDS.fullmatch(v).lastgroup == "grouped")  # type: ignore[union-attr]
        return (f"values such as '{example}' have a point but no decimal comma, so the point may "
                f"group thousands ({example.replace('.', '')}) or be a decimal point")
    return ("number", float) if guessed else None


def _convert(values: list[str], decimal: str, guessed: bool) -> tuple[str, list[Any]] | str | None:
    """The column's type and converted values; a warning when it is ambiguous; None for text."""
    present = [v.strip() for v in values if v.strip()]
    if not present:
        return None
    found = _numbers(present, decimal, guessed)
    if isinstance(found, str):
        return found
    if found is None and all(v.lower() in _BOOLEANS for v in present):
        found = "boolean", lambda v: _BOOLEANS[v.lower()]
    if found is None:
        return None
    kind, convert = found
    try:
        converted = [convert(v.strip()) if v.strip() else None for v in values]
    except ValueError:  # an integer with more digits than Python converts
        return None
    if kind == "number" and not all(v is None or math.isfinite(v) for v in converted):
        return None  # 1e400 would become infinity: keep the text
    return kind, converted


def infer_columns(names: list[str], rows: list[dict[str, Any]], decimal: str = ".", *,
                  guessed: bool = False) -> tuple[dict[str, str], list[str]]:
    """Convert, in place, each column whose every non-empty cell is an int, number or true/false.

    Text with leading zeros ("00123") or comma thousands separators stays text. With
    `decimal=","` European numbers are read ("1.234,50", "830,50") when at least one value
    has the decimal comma; a column of only "1.500"-like values is ambiguous and stays text
    (with a warning). When that comma was only `guessed`, a column that can only be read with
    a decimal point ("2.5") is. Numbers too large for a float ("1e400") stay text. Returns the
    column types ("text" for columns left alone) and warnings about ambiguous columns.
    """
    types: dict[str, str] = {}
    warnings: list[str] = []
    for name in names:
        converted = _convert([r[name] for r in rows], decimal, guessed)
        if isinstance(converted, str):
            warnings.append(f"column '{name}' is kept as text: {converted}; if they are decimals, set "
                            "'Decimal separator' to '.'")
            converted = None
        if converted is None:
            types[name] = "text"
            continue
        types[name], values = converted
        for row, value in zip(rows, values, strict=True):
            row[name] = value
    return types, warnings
