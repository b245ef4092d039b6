"""Extract with text rules: reads named values (invoice number, date, total …) out of text by
the label printed before each one, or by a regular expression, into one typed record."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from nodes._shared.compare import check_pattern
from nodes._shared.text_values import DateOrder, DecimalMark, Found, find_date, find_numbers
from nodes._shared.values import as_text
from runtime.api import NodeContext, NodeError, NodeType, Table

_GAP = re.compile(r"[ \t\u00a0]{2,}|\t")
_AFTER_LABEL = r"[ \t]*(?:[.:#]|[-–](?![ \t]*[\d€$£¥(]))*[ \t]*(?:(?:\n[ \t]*){1,2}(?=\S))?"
"""After a label: its punctuation (a dash only when no amount follows: "Total -250.00" is
negative), then the value on the same line or one or two lines below."""
_LABEL_END = re.compile(r"[ \t]*[.:#]|[ \t]*$")
"""How a label ends where it stands as a label (not as a word of a value such as "Total Energies")."""
_QUOTE = 60
_NOUN = {"number": "number", "integer": "whole number", "date": "date"}


class TextRule(BaseModel):
    """One value to find: where it is (a label or a pattern) and what kind of value it is."""

    model_config = ConfigDict(json_schema_extra={"x-summary": "name"})

    name: str = Field(default="", title="Name",
                      description="What the value is called in the record and in a table's column, "
                                  "e.g. Invoice")
    label: str = Field(default="", title="Label printed before it",
                       description="e.g. Invoice no. — several ways of writing it, most specific first, "
                                   "separated by | (Invoice date | Date)")
    type: Literal["text", "number", "integer", "date"] = Field(
        default="text", title="Kind of value", json_schema_extra={"x-enum-labels": {
            "text": "Text (to the end of the line)", "number": "Amount or number", "integer": "Whole number",
            "date": "Date"}})
    occurrence: Literal["first", "last"] = Field(
        default="first", title="If it appears more than once",
        json_schema_extra={"x-enum-labels": {"first": "Take the first", "last": "Take the last"}})
    required: bool = Field(default=True, title="Required",
                           description="Off: the field is left empty when it is not found")
    pattern: str = Field(default="", title="Pattern (advanced, instead of a label)",
                         description="A regular expression; the value is its group named 'value', else its "
                                     "first group, else the whole match")

    @field_validator("name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give the field a name, e.g. Invoice")
        return value.strip()

    @model_validator(mode="after")
    def _where(self) -> TextRule:
        has_label, has_pattern = bool(self.label.strip()), bool(self.pattern.strip())
        if has_label and has_pattern:
            raise ValueError(f"field '{self.name}': give a label or a pattern, not both")
        if not has_label and not has_pattern:
            raise ValueError(f"field '{self.name}': give the label printed before the value (or a pattern)")
        if has_pattern:
            check_pattern(self.pattern)
        elif not any(part.strip() for part in self.label.split("|")):
            raise ValueError(f"field '{self.name}': the label is empty")
        return self


class ExtractPatternsConfig(BaseModel):
    fields: list[TextRule] = Field(min_length=1, title="Fields")
    ignore_case: bool = Field(default=True, title="Ignore upper/lower case")
    decimal_mark: DecimalMark = Field(
        default="auto", title="Decimal mark in numbers",
        description="Automatic: the last of . and , when both appear; one mark before exactly three digits "
                    "groups thousands (1,234 and 1.234 are both 1234)",
        json_schema_extra={"x-enum-labels": {"auto": "Automatic", ".": "Point (1,234.56)",
                                             ",": "Comma (1.234,56)"}})
    date_order: DateOrder = Field(default="day_first", title="Numeric dates (03/11/2026)",
                                  json_schema_extra={"x-enum-labels": {
                                      "day_first": "Day first (3 November)",
                                      "month_first": "Month first (11 March)"}})

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
    note: str = ""
    """Something the user should check (a numeric date that could be read the other way)."""


class _Rules:
    """The compiled fields of one config."""

    def __init__(self, config: ExtractPatternsConfig) -> None:
        self.config = config
        flags = re.MULTILINE | (re.IGNORECASE if config.ignore_case else 0)
        self.labels = [re.compile(_label_source(_alternatives(rule), "label"), flags) if rule.label.strip()
                       else None for rule in config.fields]
        self.finders = [self._finders(rule, flags) for rule in config.fields]
        sources = [_label_source(_alternatives(rule)) for rule in config.fields if rule.label.strip()]
        self.any_label = re.compile("|".join(sources), flags) if sources else None

    @staticmethod
    def _finders(rule: TextRule, flags: int) -> list[tuple[str, re.Pattern[str]]]:
        """(way of writing the label, its regex) in the user's order; a pattern: ("", the pattern)."""
        if not rule.label.strip():
            return [("", re.compile(rule.pattern, flags))]
        value = _AFTER_LABEL + r"(?P<value>[^\n]*)"
        return [(part, re.compile(_label_source([part], "label") + value, flags))
                for part in _alternatives(rule)]

    def find(self, index: int, text: str) -> tuple[_Hit | None, str | None]:
        """The field's value, or None and why it was not found. A label's ways of writing are tried
        in the order given, and where one is written exactly as given (upper/lower case too) first."""
        rule = self.config.fields[index]
        tried: list[re.Match[str]] = []
        for written, finder in self.finders[index]:
            matches = [m for m in self._matches(index, finder, text)
                       if not self._inside_longer_label(index, m)]
            if rule.occurrence == "last":
                matches.reverse()
            if written:
                exact = [m for m in matches if _same_words(m["label"], written)]
                matches = exact + [m for m in matches if m not in exact]
            tried += matches
            for match in matches:
                found = self._value(index, match)
                if found is not None:
                    value, note = found
                    line = text.count("\n", 0, match.start()) + 1
                    return _Hit(value, line, _quote(match.group(0)), note), None
        return None, self._why_not(rule, tried)

    def _why_not(self, rule: TextRule, tried: list[re.Match[str]]) -> str:
        if not tried:
            if rule.label.strip():
                return f"the label '{' | '.join(_alternatives(rule))}' is not in the text"
            return f"the pattern '{rule.pattern}' matches nothing in the text"
        seen = _quote(tried[0].group(0))
        if rule.type == "text":
            return f"found {seen} but nothing after it"
        if rule.type == "date":
            other: DateOrder = "month_first" if self.config.date_order == "day_first" else "day_first"
            raw = tried[0]["value"] if "value" in tried[0].re.groupindex else tried[0].group(0)
            swapped = find_date(raw or "", other)
            if swapped is not None:
                first = "day" if self.config.date_order == "day_first" else "month"
                return (f"found {seen} but {swapped.text} is not a date with the {first} first; if this "
                        f"supplier writes the {'month' if first == 'day' else 'day'} first, change "
                        "'Numeric dates'")
        return f"found {seen} but no {_NOUN[rule.type]} in it"

    def _matches(self, index: int, finder: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
        """A pattern's matches; a label's places — each one, even inside another's value
        ("Customer: Total Energies SE Total: 1.290,56" has two places for the label Total)."""
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

    def _value(self, index: int, match: re.Match[str]) -> tuple[Any, str] | None:
        """The value at one match and a note about it, or None when there is none here."""
        rule = self.config.fields[index]
        if self.labels[index] is None:  # a pattern: its group, else the whole match
            found = self._convert(rule, _captured(match))
            if found is None and rule.type != "text" and _captured(match) != match.group(0):
                found = self._convert(rule, match.group(0))
            return _with_note(rule, found)
        raw = self._cut(match["value"])
        other = self.any_label.match(raw) if self.any_label is not None else None
        if other is not None and _LABEL_END.match(raw, other.end()):
            return None  # what follows is another label (a row of column headings), not a value
        found = self._convert(rule, raw)
        below = "\n" in match.string[match.end("label"):match.start("value")]
        if below and isinstance(found, Found) and not raw.startswith(found.text):
            return None  # a heading alone on its line: the value must begin the next line
        return _with_note(rule, found)

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

    def _convert(self, rule: TextRule, raw: str) -> Found | str | None:
        """Text as is; a number or date as what was found (the amount-like number of several)."""
        if rule.type == "text":
            return raw.strip() or None
        if rule.type == "date":
            return find_date(raw, self.config.date_order)
        numbers = find_numbers(raw, self.config.decimal_mark)
        if rule.type == "integer":
            numbers = [n for n in numbers if not isinstance(n.value, float) or n.value.is_integer()]
            return Found(int(numbers[0].value), numbers[0].text) if numbers else None
        # "Total due within 30 days: EUR 5.00": an amount written as one wins over a bare count
        return next((n for n in numbers if n.marked), numbers[0] if numbers else None)


def _with_note(rule: TextRule, found: Found | str | None) -> tuple[Any, str] | None:
    if found is None:
        return None
    if isinstance(found, str):
        return found, ""
    note = ""
    if found.ambiguous and rule.type == "date":
        note = (f"{found.text} was read as {found.value:%d %B %Y}; if this supplier writes day and month "
                "the other way round, change 'Numeric dates'")
    return found.value, note


def _alternatives(rule: TextRule) -> list[str]:
    return [part.strip() for part in rule.label.split("|") if part.strip()]


def _same_words(seen: str, written: str) -> bool:
    """Whether a label in the text is written as the user wrote it (spacing and a closing . or : aside)."""
    def bare(text: str) -> str:
        return re.sub(r"[\s.:]", "", text)

    return bare(seen) == bare(written)


def _label_source(alternatives: list[str], group: str = "") -> str:
    """Labels as one regex: whole words (a label ending in a letter is not the start of a longer
    word), spaces that may be missing or wider (OCR drops them), a closing . or : optional."""
    words = [r"\s*".join(_label_word(w) for w in part.split()) for part in alternatives]
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
            if hit.note:
                ctx.log.warning("%s: %s", rule.name, hit.note)
        if failures:
            start = _quote(text)
            raise NodeError("; ".join(failures) + f" (the text has {len(text):,} characters and starts "
                            f"{start})")
        names = [rule.name for rule in config.fields]
        return ExtractPatternsOutputs(record=record, table=Table.from_records([record], columns=names),
                                      missing=missing)
