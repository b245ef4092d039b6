"""Extract with text rules: reads named values (invoice number, date, total …) out of text by
the label printed before each one, or by a regular expression, into one typed record."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from nodes._shared.compare import check_pattern
from nodes._shared.text_values import DateOrder, DecimalMark, find_date, find_number
from nodes._shared.values import as_text
from runtime.api import NodeContext, NodeError, NodeType, Table

_GAP = re.compile(r"[ \t\u00a0]{2,}|\t")
_AFTER_LABEL = r"[ \t]*[.:#\-–]*[ \t]*(?:\n[ \t]*(?=\S))?"
_QUOTE = 60
_NOUN = {"number": "number", "integer": "whole number", "date": "date"}


class TextRule(BaseModel):
    """One value to find: where it is (a label or a pattern) and what kind of value it is."""

    name: str = Field(min_length=1, title="Field", description="The name of the value in the record "
                      "(and the column name in a table), e.g. Invoice")
    label: str = Field(default="", title="Label",
                       description="The words printed just before the value, e.g. Invoice no. — several ways "
                                   "of writing it separated by | (Total due | Amount due). The value is what "
                                   "follows on the same line, or on the next line when the label ends its "
                                   "line.")
    pattern: str = Field(default="", title="Pattern (instead of a label)",
                         description="A regular expression; the value is its group named 'value', else its "
                                     "first group in brackets, else the whole match",
                         json_schema_extra={"widget": "code"})
    type: Literal["text", "number", "integer", "date"] = Field(
        default="text", title="Kind of value",
        description="text: up to the end of the line, a wide gap or another field's label; number: the "
                    "first amount (currency marks skipped, 1.234,56 and 1,234.56 both read); date: the "
                    "first date (03.11.2026, 2026-11-03, 3 Nov 2026, November 3, 2026)")
    occurrence: Literal["first", "last"] = Field(default="first",
                                                 title="Where it appears several times, take")
    required: bool = Field(default=True, title="Required",
                           description="When on, the step fails if the value is not found; when off, the "
                                       "field is empty")

    @field_validator("name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give the field a name")
        return value.strip()

    @model_validator(mode="after")
    def _where(self) -> TextRule:
        if bool(self.label.strip()) == bool(self.pattern.strip()):
            raise ValueError(f"field '{self.name}': give either a label or a pattern (not both)")
        if self.pattern.strip():
            check_pattern(self.pattern)
        elif not any(part.strip() for part in self.label.split("|")):
            raise ValueError(f"field '{self.name}': the label is empty")
        return self


class ExtractPatternsConfig(BaseModel):
    fields: list[TextRule] = Field(min_length=1, title="Fields")
    ignore_case: bool = Field(default=True, title="Ignore upper/lower case")
    decimal_mark: DecimalMark = Field(
        default="auto", title="Decimal mark in numbers",
        description="auto: the last of . and , when both appear; a single mark followed by exactly three "
                    "digits groups thousands (1,234 and 1.234 are both 1234)")
    date_order: DateOrder = Field(default="day_first", title="Numeric dates",
                                  description="How to read 03/11/2026: day first (3 November) or month "
                                              "first (11 March)")

    @model_validator(mode="after")
    def _unique_names(self) -> ExtractPatternsConfig:
        seen: set[str] = set()
        for rule in self.fields:
            key = rule.name.casefold()
            if key in seen:
                raise ValueError(f"two fields are named '{rule.name}'; each needs its own name")
            seen.add(key)
        return self


class ExtractPatternsInputs(BaseModel):
    text: Any = Field(title="Text", description="The text to read: a PDF's or web page's text, OCR output, "
                                                 "an e-mail body")


class ExtractPatternsOutputs(BaseModel):
    record: dict[str, Any] | None = Field(default=None, title="Record",
                                          description="One value per field (empty for an optional field "
                                                      "that was not found)")
    table: Table | None = Field(default=None, title="As a table row",
                                description="The same values as a one-row table")
    missing: list[str] | None = Field(default=None, title="Not found",
                                      description="The optional fields that were not found")


@dataclass(frozen=True, slots=True)
class _Hit:
    value: Any
    line: int
    seen: str


class _Rules:
    """The compiled fields of one config."""

    def __init__(self, config: ExtractPatternsConfig) -> None:
        self.config = config
        flags = re.MULTILINE | (re.IGNORECASE if config.ignore_case else 0)
        self.labels = [re.compile(_label_source(rule, "label"), flags) if rule.label.strip() else None
                       for rule in config.fields]
        self.finders = [re.compile(rule.pattern if label is None else
                                   label.pattern + _AFTER_LABEL + r"(?P<value>[^\n]*)", flags)
                        for rule, label in zip(config.fields, self.labels, strict=True)]
        sources = [_label_source(rule) for rule in config.fields if rule.label.strip()]
        self.any_label = re.compile("|".join(sources), flags) if sources else None

    def find(self, index: int, text: str) -> tuple[_Hit | None, str | None]:
        """The field's value, or None and why it was not found."""
        rule = self.config.fields[index]
        matches = [m for m in self._matches(index, text) if not self._inside_longer_label(index, m)]
        if not matches:
            if rule.label.strip():
                labels = " | ".join(p.strip() for p in rule.label.split("|") if p.strip())
                return None, f"the label '{labels}' is not in the text"
            return None, f"the pattern '{rule.pattern}' matches nothing in the text"
        if rule.occurrence == "last":
            matches.reverse()
        for match in matches:
            value = self._value(index, match)
            if value is not None:
                return _Hit(value, text.count("\n", 0, match.start()) + 1, _quote(match.group(0))), None
        seen = _quote(matches[0].group(0))
        if rule.type == "text":
            return None, f"found {seen} but nothing after it"
        return None, f"found {seen} but no {_NOUN[rule.type]} in it"

    def _matches(self, index: int, text: str) -> Iterator[re.Match[str]]:
        """A pattern's matches; a label's places — each one, even inside another's value
        ("Customer: Total Energies SE Total: 1.290,56" has two places for the label Total)."""
        finder = self.finders[index]
        if self.labels[index] is None:
            yield from finder.finditer(text)
            return
        match = finder.search(text)
        while match is not None:
            yield match
            match = finder.search(text, match.end("label"))

    def _inside_longer_label(self, index: int, match: re.Match[str]) -> bool:
        """Whether another field's label is what is written here ("Invoice date" is not "Invoice")."""
        if self.labels[index] is None:
            return False
        end = match.end("label")
        return any(other is not None and i != index and (hit := other.match(match.string, match.start()))
                   and hit.end() > end for i, other in enumerate(self.labels))

    def _value(self, index: int, match: re.Match[str]) -> Any:
        rule = self.config.fields[index]
        if self.labels[index] is None:  # a pattern: its group, else the whole match
            found = self._convert(rule, _captured(match))
            if found is None and rule.type != "text" and _captured(match) != match.group(0):
                found = self._convert(rule, match.group(0))
            return found if rule.type == "text" or found is None else found[0]
        raw = self._cut(match["value"])
        below = "\n" in match.string[match.end("label"):match.start("value")]
        if below and self.any_label is not None and self.any_label.match(raw):
            return None  # the next line is another label, not this one's value
        value = self._convert(rule, raw)
        if below and rule.type != "text" and value is not None and not raw.startswith(value[1]):
            return None  # a heading alone on its line: the value must begin the next line
        return value if rule.type == "text" or value is None else value[0]

    def _cut(self, raw: str) -> str:
        """A label's value ends at a wide gap or where another field's label starts."""
        value = raw.strip()
        gap = _GAP.search(value)
        if gap:
            value = value[:gap.start()]
        if self.any_label is not None:
            other = self.any_label.search(value, 1)
            if other:
                value = value[:other.start()]
        return value.strip(" \t,;")

    def _convert(self, rule: TextRule, raw: str) -> Any:
        """Text as is; a number or date as (value, the text it was read from)."""
        if rule.type == "text":
            return raw.strip() or None
        if rule.type == "date":
            found_date = find_date(raw, self.config.date_order)
            return (found_date.value, found_date.text) if found_date else None
        found = find_number(raw, self.config.decimal_mark)
        if found is None:
            return None
        if rule.type == "integer":
            if isinstance(found.value, float) and not found.value.is_integer():
                return None
            return int(found.value), found.text
        return found.value, found.text


def _label_source(rule: TextRule, group: str = "") -> str:
    """A field's labels as one regex: whole words (a label ending in a letter is not the start of a
    longer word), spaces that may be missing or wider (OCR drops them), a closing . or : optional."""
    words = [r"\s*".join(_label_word(w) for w in part.split())
             for part in (p.strip() for p in rule.label.split("|")) if part]
    opening = f"(?P<{group}>" if group else "(?:"
    return r"(?<!\w)" + opening + "|".join(words) + r")(?:(?<=[.:#])|(?![^\W\d_]))"


def _label_word(word: str) -> str:
    bare = word.rstrip(".:")
    return re.escape(bare) + r"[.:]?" if bare and bare != word else re.escape(word)


def _captured(match: re.Match[str]) -> str:
    if "value" in match.re.groupindex:
        return match["value"] or ""
    if match.re.groups:
        return next((g for g in match.groups() if g is not None), "")
    return match.group(0)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return f"'{flat[:_QUOTE]}…'" if len(flat) > _QUOTE else f"'{flat}'"


def _input_text(value: Any) -> str:
    if isinstance(value, Table):  # e.g. Read PDF's pages: their text one after another
        column = "text" if "text" in value.column_names else None
        if column is None:
            raise NodeError(f"the table given as Text has no 'text' column (its columns: "
                            f"{', '.join(value.column_names) or 'none'}); connect a text")
        text = "\n\n".join(as_text(row.get(column)) for row in value.rows)
    else:
        text = as_text(value)
    return text.replace("\r\n", "\n").replace("\r", "\n")  # e-mail bodies end lines with CR LF


def extract(config: ExtractPatternsConfig, text: str) -> Iterator[tuple[TextRule, _Hit | None, str | None]]:
    """Each field with what was found for it (or why not)."""
    rules = _Rules(config)
    for i, rule in enumerate(config.fields):
        hit, why = rules.find(i, text)
        yield rule, hit, why


class ExtractPatterns(NodeType):
    type_id = "core.extract_patterns"
    title = "Extract with text rules"
    category = "Text"
    description = ("Reads named values out of text — for example the invoice number, date and total from a "
                   "PDF's text — into one record. For each field, give the label printed before the value "
                   "(Invoice no. | Invoice #) or a regular expression, and the kind of value: numbers are "
                   "read with their currency marks and either decimal mark (EUR 1.290,56 or $1,290.56), "
                   "dates in numeric or written form. Labels match even when OCR dropped the spaces "
                   "(InvoiceNo:). A required field that is not found fails the step and names the field.")
    keywords = ("regex", "regular expression", "pattern", "parse", "invoice", "fields", "label", "match",
                "text rules", "extract")
    icon = "text-search"
    Config = ExtractPatternsConfig
    Inputs = ExtractPatternsInputs
    Outputs = ExtractPatternsOutputs

    async def run(self, ctx: NodeContext, config: ExtractPatternsConfig,
                  inputs: ExtractPatternsInputs) -> ExtractPatternsOutputs:
        text = _input_text(inputs.text)
        if not text.strip():
            raise NodeError("the text is empty: nothing to extract (a scanned PDF without a text layer needs "
                            "OCR — set Read PDF's OCR to 'auto')")
        record: dict[str, Any] = {}
        missing: list[str] = []
        failures: list[str] = []
        for rule, hit, why in extract(config, text):
            if hit is None:
                record[rule.name] = None
                if rule.required:
                    failures.append(f"{rule.name}: {why}")
                else:
                    missing.append(rule.name)
                    ctx.log.warning("%s: %s; left empty", rule.name, why)
                continue
            record[rule.name] = hit.value
            ctx.log.info("%s = %r (line %d: %s)", rule.name, hit.value, hit.line, hit.seen)
        if failures:
            start = _quote(text)
            raise NodeError("; ".join(failures) + f" (the text has {len(text):,} characters and starts "
                            f"{start})")
        names = [rule.name for rule in config.fields]
        return ExtractPatternsOutputs(record=record, table=Table.from_records([record], columns=names),
                                      missing=missing)
