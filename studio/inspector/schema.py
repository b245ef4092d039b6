"""From a node type's config JSON Schema to field descriptions the inspector builds widgets for.

Qt-free: resolves `$ref`/`$defs`, treats `anyOf [X, null]` as an optional X, picks a widget
kind for each property, and sorts pydantic validation errors by field.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MISSING",
    "FieldSpec",
    "ValidationIssue",
    "empty_value",
    "errors_by_field",
    "fill_hidden",
    "format_number",
    "humanize",
    "item_noun",
    "object_fields",
    "parse_field",
    "same",
    "validation_issues",
]


class _Missing:
    """A value that is not in the config at all."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

WIDGET_KINDS = {
    "multiline": "multiline", "code": "code", "file": "file", "folder": "folder", "flow_file": "flow_file",
    "credential": "credential", "key_value": "key_value", "json_or_text": "json", "json": "json",
    "flow_input": "flow_input", "flow_output": "flow_output", "hidden": "hidden", "text": "text",
    "locator": "locator",
}
"""`json_schema_extra={"widget": ...}` hints and the widget kind each one selects."""

SCALAR_KINDS = frozenset({"text", "number", "integer", "boolean", "enum", "json", "file", "folder",
                          "flow_file", "credential", "flow_input", "flow_output"})


@dataclass(slots=True)
class FieldSpec:
    """One field of a form: what to show and how to edit it."""

    name: str
    title: str
    kind: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False
    nullable: bool = False
    default: Any = MISSING
    enum: list[Any] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    items: FieldSpec | None = None
    properties: list[FieldSpec] = field(default_factory=list)


def item_noun(title: str) -> str:
    """"Cases" -> "case", "Conditions" -> "condition"; "item" when the title is not one plural word."""
    word = title.strip()
    if " " in word or len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
        return "item"
    return word[:-1].lower()


def humanize(name: str) -> str:
    """`retry_delay_s` -> "Retry delay s" (a title for fields that have none)."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _resolve(schema: dict[str, Any], root: dict[str, Any], depth: int = 0) -> tuple[dict[str, Any], bool]:
    """The schema with `$ref`, single `allOf` and `anyOf [X, null]` resolved; and whether null is allowed."""
    if depth > 20:
        return {}, False
    nullable = False
    if "$ref" in schema:
        ref = schema["$ref"]
        name = ref.rsplit("/", 1)[-1]
        target = root.get("$defs", {}).get(name) or root.get("definitions", {}).get(name) or {}
        outer = {k: v for k, v in schema.items() if k != "$ref"}
        inner, nullable = _resolve(target, root, depth + 1)
        return {**inner, **outer}, nullable
    if len(schema.get("allOf", ())) == 1:
        outer = {k: v for k, v in schema.items() if k != "allOf"}
        inner, nullable = _resolve(schema["allOf"][0], root, depth + 1)
        return {**inner, **outer}, nullable
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if not options:
            continue
        others = [o for o in options if o.get("type") != "null"]
        nullable = len(others) != len(options)
        outer = {k: v for k, v in schema.items() if k != key}
        if len(others) == 1:
            inner, inner_null = _resolve(others[0], root, depth + 1)
            return {**inner, **outer}, nullable or inner_null
        return {**outer, "x-union": others}, nullable
    if isinstance(schema.get("type"), list):
        types = [t for t in schema["type"] if t != "null"]
        nullable = len(types) != len(schema["type"])
        return {**schema, "type": types[0] if len(types) == 1 else None}, nullable
    return schema, nullable


def _kind(schema: dict[str, Any]) -> str:
    widget = schema.get("widget")
    if isinstance(widget, str) and widget in WIDGET_KINDS:
        return WIDGET_KINDS[widget]
    if "enum" in schema or "const" in schema:
        return "enum"
    if "x-union" in schema:
        return "json"
    kind = schema.get("type")
    if kind == "string":
        return "text"
    if kind in ("integer", "number", "boolean"):
        return str(kind)
    if kind == "array":
        return "list"
    if kind == "object":
        if schema.get("properties"):
            return "object"
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("type") == "string":
            return "key_value"
    return "json"


def parse_field(name: str, schema: dict[str, Any], root: dict[str, Any], required: bool = False) -> FieldSpec:
    """Describe one property (`schema` as found under `properties`, `root` the whole schema)."""
    resolved, nullable = _resolve(schema, root)
    kind = _kind(resolved)
    spec = FieldSpec(name=name, title=str(resolved.get("title") or humanize(name)), kind=kind,
                     schema=resolved, description=str(resolved.get("description") or ""),
                     required=required, nullable=nullable, default=resolved.get("default", MISSING))
    if kind == "enum":
        spec.enum = list(resolved["enum"]) if "enum" in resolved else [resolved["const"]]
    for key, attr in (("minimum", "minimum"), ("maximum", "maximum")):
        if isinstance(resolved.get(key), (int, float)):
            setattr(spec, attr, float(resolved[key]))
    for key, attr, flag in (("exclusiveMinimum", "minimum", "exclusive_minimum"),
                            ("exclusiveMaximum", "maximum", "exclusive_maximum")):
        if isinstance(resolved.get(key), (int, float)):
            setattr(spec, attr, float(resolved[key]))
            setattr(spec, flag, True)
    if kind == "list":
        items = parse_field("item", resolved.get("items") or {}, root, required=True)
        items.title = ""
        if items.kind not in SCALAR_KINDS and items.kind not in ("object", "multiline", "code"):
            spec.kind = "json"  # lists of lists and the like: edit as JSON
        else:
            spec.items = items
    if kind in ("object", "locator"):
        spec.properties = object_fields(resolved, root)
    return spec


def object_fields(schema: dict[str, Any], root: dict[str, Any] | None = None) -> list[FieldSpec]:
    """The fields of an object schema, in declaration order (hidden ones included)."""
    root = schema if root is None else root
    resolved, _ = _resolve(schema, root)
    required = set(resolved.get("required", ()))
    return [parse_field(name, prop, root, name in required)
            for name, prop in (resolved.get("properties") or {}).items()]


def empty_value(spec: FieldSpec) -> Any:
    """The value of a new item / field: its default, else an empty value of its kind."""
    if spec.default is not MISSING:
        return json.loads(json.dumps(spec.default))
    if spec.nullable:
        return None
    if spec.kind in ("object", "locator"):
        return {p.name: empty_value(p) for p in spec.properties if p.default is not MISSING or p.required}
    return {"number": 0, "integer": 0, "boolean": False, "list": [], "key_value": {},
            "enum": spec.enum[0] if spec.enum else ""}.get(spec.kind, "")


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal, telling `True` from `1` and `1` from `1.0`."""
    if a is MISSING or b is MISSING:
        return a is b
    try:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
    except (TypeError, ValueError):
        return bool(a == b)


def format_number(value: float | int) -> str:
    """A number as a person writes it: `30.0` -> "30", `0.25` -> "0.25"."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


# ----- validation -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One problem: where (a path of field names and list positions) and what."""

    loc: tuple[str | int, ...]
    message: str


def _message(error: dict[str, Any]) -> str:
    msg = str(error.get("msg", "invalid value"))
    if error.get("type") == "missing":
        return "This field is required"
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def validation_issues(model: Any, config: dict[str, Any]) -> list[ValidationIssue]:
    """Validate `config` with the pydantic `model`; the problems, or [] when it is valid."""
    from pydantic import ValidationError

    try:
        model.model_validate(config)
    except ValidationError as exc:
        return [ValidationIssue(tuple(e.get("loc", ())), _message(e)) for e in exc.errors()]
    except Exception as exc:  # a validator that raised something else still explains itself
        return [ValidationIssue((), str(exc))]
    return []


def errors_by_field(
        issues: list[ValidationIssue]) -> tuple[dict[str | int, list[ValidationIssue]], list[str]]:
    """Issues keyed by their first path element (with that element removed), and the ones
    that belong to the whole object."""
    by_field: dict[str | int, list[ValidationIssue]] = {}
    general: list[str] = []
    for issue in issues:
        if issue.loc:
            by_field.setdefault(issue.loc[0], []).append(ValidationIssue(issue.loc[1:], issue.message))
        elif issue.message not in general:
            general.append(issue.message)
    return by_field, general


def fill_hidden(raw: Any, validated: Any, specs: list[FieldSpec]) -> Any:
    """`raw` with empty hidden fields (ids the model sets itself) taken from `validated`,
    so that they are written once and stay stable (e.g. a switch case's output id)."""
    if not isinstance(raw, dict) or not isinstance(validated, dict):
        return raw
    out = dict(raw)
    for spec in specs:
        have, got = out.get(spec.name, MISSING), validated.get(spec.name, MISSING)
        if spec.kind == "hidden":
            if have in (MISSING, "", None) and got not in (MISSING, "", None):
                out[spec.name] = got
        elif spec.kind == "object" and have is not MISSING:
            out[spec.name] = fill_hidden(have, got, spec.properties)
        elif spec.kind == "list" and spec.items is not None and spec.items.kind == "object" \
                and isinstance(have, list) and isinstance(got, list) and len(have) == len(got):
            props = spec.items.properties
            out[spec.name] = [fill_hidden(h, g, props) for h, g in zip(have, got, strict=True)]
    return out
