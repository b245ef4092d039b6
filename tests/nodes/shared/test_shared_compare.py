"""One rule set for comparing values, used alike by If, Switch, Filter rows, Sort rows and Join."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from nodes._shared.compare import describe, equal, equality_key, evaluate, sort_key
from runtime.api import Table

RULES: list[tuple[Any, str, Any, bool | None]] = [
    ("100", "=", 100, True),  # numbers written as text are numbers
    (" 1.50 ", "=", 1.5, True),
    ("1,234", "=", 1234, True),  # commas between thousands
    ("1,234.50", ">", 1000, True),
    ("00123", "=", 123, False),  # codes with leading zeros stay text for equality
    ("00123", "=", "123", False),
    ("00123", "=", "00123", True),
    ("00123", "<", 200, True),  # …but order as numbers
    ("10", ">", "9", True),
    ("2024-03-01", "=", dt.date(2024, 3, 1), True),
    ("2024-03-01T10:00+02:00", "<", dt.datetime(2024, 3, 1, 9), True),  # zoned times in UTC
    (True, "=", "TRUE", True),
    (True, "=", "yes", False),
    ("Paid", "=", "paid", False),
    ("", "<", 5, False),  # empty never orders (and is no error)
    (None, ">", 5, False),
    ("", "=", None, True),  # empty equals empty
    ("1e400", "=", "1e400", True),  # stays text, never infinity
    ("n/a", ">", 100, None),  # cannot be compared
    ("2024-03-01", "<", 5, None),
    (True, ">", 0, None),
    ("10", "<", "abc", None),
    ("abc", "<", "abd", True),  # text orders against text
    (1234, "contains", "23", True),
    ("Acme GmbH", "starts_with", "Acme", True),
    ("", "contains", "", False),  # an empty value contains nothing
]


@pytest.mark.parametrize(("value", "op", "constant", "expected"), RULES)
def test_rules(value: Any, op: str, constant: Any, expected: bool | None) -> None:
    assert evaluate(value, op, constant) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "op", "constant", "expected"),
                         [r for r in RULES if r[1] not in ("starts_with",)])
def test_if_and_filter_rows_agree(run_node, value: Any, op: str, constant: Any,
                                  expected: bool | None) -> None:
    """The regression: "00123" = 123 was true in If but false in Filter rows, "1,234" = 1234 only
    in If, and an impossible comparison failed the run in If but only warned in Filter rows."""
    branch = run_node("control.if", {"field": "x", "operator": op, "value": constant},
                      {"value": {"x": value}})
    table = Table.from_records([{"x": value}])
    kept = run_node("core.filter_rows", {"conditions": [{"column": "x", "op": op, "value": constant}]},
                    {"table": table})
    took_true = "true" in branch.ok()
    passed = len(kept.ok()["table"]) == 1
    assert took_true is passed is bool(expected)
    if expected is None:  # both: does not match, one warning naming the field and the kinds
        for warning in (branch.logs("warning"), kept.logs("warning")):
            assert len(warning) == 1
            assert "'x'" in warning[0] and describe(value) in warning[0] and describe(constant) in warning[0]
    else:
        assert not branch.logs("warning") and not kept.logs("warning")


def test_switch_equals_follows_the_same_rules(run_node) -> None:
    cases = [{"id": "case_1", "value": 123}, {"id": "case_2", "value": 1234}]
    config = {"field": "x", "cases": cases}
    routed = {v: next(iter(run_node("control.switch", config, {"value": {"x": v}}).ok()))
              for v in ("00123", "1,234", "123")}
    assert routed == {"00123": "default", "1,234": "case_2", "123": "case_1"}


def test_join_keys_match_exactly_when_equal_says_so() -> None:
    values = ["100", 100, 100.0, " 100 ", "1,00", "00100", "1e2", True, "true", "2024-03-01",
              dt.date(2024, 3, 1), {"a": 1}, ["a"]]
    for a in values:
        for b in values:
            assert (equality_key(a) == equality_key(b)) is equal(a, b), (a, b)


def test_sort_key_orders_numbers_dates_text_then_the_rest() -> None:
    values = ["pear", "1,500", True, dt.date(2024, 1, 2), "Apple", "00123", 7.5, {"x": 1}]
    assert sorted(values, key=sort_key) == [7.5, "00123", "1,500", dt.date(2024, 1, 2), "Apple", "pear",
                                            True, {"x": 1}]
