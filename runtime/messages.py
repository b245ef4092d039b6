"""Error messages for people: pydantic's validation errors in plain words, one place.

Every part of the runtime that reports a `ValidationError` (flow files, node configs,
inputs and outputs, flow inputs) goes through `validation_items`.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

__all__ = ["describe_exception", "friendly", "validation_items", "validation_message"]

_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in (
        (r"^Value error, ", ""),
        (r"^Assertion failed, ", ""),
        (r"^Extra inputs are not permitted$", "unknown setting"),
        (r"^Field required$", "is required"),
        (r"^Input should be a valid (\w+)(?:, .*)?$", r"must be a \1"),
        (r"^Input should be (greater|less) than or equal to (.+)$", r"must be \1 than or equal to \2"),
        (r"^Input should be (greater|less) than (.+)$", r"must be \1 than \2"),
        (r"^Input should be (.+)$", r"must be \1"),
        (r"^String should have at least 1 character$", "must not be empty"),
        (r"^String should have (.+)$", r"must have \1"),
        (r"^List should have (.+)$", r"must have \1"),
        (r"^Unable to parse input string as an? (\w+)$", r"must be a \1"),
    )
)


def friendly(message: str) -> str:
    """Pydantic's wording made plain ("Input should be greater than 0" → "must be …")."""
    for pattern, replacement in _REWRITES:
        message = pattern.sub(replacement, message)
    return message


def validation_items(exc: ValidationError, limit: int = 10) -> list[tuple[str, str]]:
    """(field path, message) for each problem; the path is "" for the whole object."""
    items = []
    for error in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in error["loc"])
        items.append((loc, friendly(error["msg"])))
    return items


def validation_message(exc: ValidationError, what: str = "") -> str:
    """One line: "input 'text' must be a string; …" (`what` names the kind of field)."""
    parts = []
    for loc, msg in validation_items(exc, 5):
        name = f"{what} '{loc}'" if what and loc else (f"'{loc}'" if loc else what)
        parts.append(f"{name} {msg}".strip() if name else msg)
    more = exc.error_count() - 5
    if more > 0:
        parts.append(f"and {more} more problem{'s' if more != 1 else ''}")
    return "; ".join(parts)


def describe_exception(exc: BaseException | None) -> str:
    """A node failure in one line: the message of expected errors, else "Type: message"."""
    from runtime.node import NodeError

    if exc is None:
        return "unknown error"
    if isinstance(exc, NodeError):
        return str(exc)
    if isinstance(exc, ValidationError):
        return validation_message(exc)
    text = str(exc)
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
