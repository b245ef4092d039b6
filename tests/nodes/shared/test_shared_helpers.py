"""The text and JSON helpers exist once, in nodes/_shared, and every pack uses that one."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from nodes._shared.values import Text, as_text, to_jsonable

NODES = Path(__file__).resolve().parents[3] / "nodes"
HELPERS = {"Text", "_to_text", "to_jsonable", "_text", "as_text", "_Scrubber", "file_ref"}


def test_no_pack_defines_its_own_text_or_json_helpers() -> None:
    """Regression: core/_common, files/_common and http_request each had their own copy."""
    found = []
    for path in sorted(NODES.rglob("*.py")):
        if path.relative_to(NODES).parts[0] == "_shared":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            found += [f"{path.relative_to(NODES)}: {n}" for n in names if n in HELPERS]
    assert not found


@pytest.mark.parametrize(("value", "text"), [(None, ""), (True, "true"), (False, "false"), (12, "12"),
                                             (1.5, "1.5"), (Decimal("2.50"), "2.50"),
                                             (dt.date(2024, 1, 31), "2024-01-31"),
                                             (dt.datetime(2024, 1, 31, 8, 30), "2024-01-31T08:30:00")])
def test_as_text(value: object, text: str) -> None:
    assert as_text(value) == text


def test_text_ports_take_numbers_true_false_and_dates_but_not_records() -> None:
    from pydantic import TypeAdapter, ValidationError

    adapter = TypeAdapter(Text)
    assert adapter.validate_python(3) == "3" and adapter.validate_python(True) == "true"
    with pytest.raises(ValidationError):
        adapter.validate_python({"a": 1})


def test_to_jsonable_refuses_unknown_values() -> None:
    assert to_jsonable((1, 2)) == [1, 2]
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        to_jsonable(object())
