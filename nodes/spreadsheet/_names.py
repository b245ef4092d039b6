"""Sheet names: Excel's rules for them, and renaming a sheet inside formulas and names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodes.spreadsheet._cells import quote_sheet
from runtime.api import NodeError

__all__ = ["check_sheet_name", "rename_in_formula", "rename_references"]

_FORBIDDEN = set("[]:*?/\\")


def check_sheet_name(name: str, existing: list[str], path: Path) -> str:
    """`name` if Excel accepts it as a new sheet's name beside `existing`, else a NodeError."""
    name = name.strip()
    if not name:
        raise NodeError("a sheet name cannot be empty")
    if len(name) > 31:
        raise NodeError(f"the sheet name '{name}' is too long: Excel allows at most 31 characters")
    bad = sorted(_FORBIDDEN & set(name))
    if bad or name.startswith("'") or name.endswith("'"):
        shown = " ".join(bad) if bad else "'"
        raise NodeError(f"the sheet name '{name}' contains characters Excel does not allow ({shown})")
    if name.casefold() == "history":
        raise NodeError("Excel reserves the sheet name 'History'")
    if any(n.casefold() == name.casefold() for n in existing):
        raise NodeError(f"{path.name} already has a sheet named '{name}'")
    return name


def rename_in_formula(formula: str, old: str, new: str) -> str:
    """The formula with references to sheet `old` pointing at `new` (text in quotes is left alone)."""
    from openpyxl.formula.tokenizer import Token, Tokenizer

    if old.casefold() not in formula.casefold():
        return formula
    tokens = Tokenizer(formula).items
    changed = False
    for token in tokens:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE or "!" not in token.value:
            continue
        sheet, _, ref = token.value.rpartition("!")
        workbook_part = ""
        quoted = len(sheet) >= 2 and sheet.startswith("'") and sheet.endswith("'")
        bare = sheet[1:-1].replace("''", "'") if quoted else sheet
        if bare.startswith("[") and "]" in bare:  # another workbook: [Book.xlsx]Sheet
            continue
        first, colon, last = bare.partition(":")  # 3-D reference Sheet1:Sheet3!A1
        names = [first, last] if colon else [first]
        if not any(n.casefold() == old.casefold() for n in names):
            continue
        names = [new if n.casefold() == old.casefold() else n for n in names]
        joined = ":".join(names)
        token.value = f"{workbook_part}{quote_sheet(joined) if not colon else _quote_3d(names)}!{ref}"
        changed = True
    if not changed:
        return formula
    return "=" + "".join(t.value for t in tokens)


def _quote_3d(names: list[str]) -> str:
    plain = all(quote_sheet(n) == n for n in names)
    joined = ":".join(n.replace("'", "''") for n in names)
    return joined if plain else f"'{joined}'"


def rename_references(book: Any, old: str, new: str) -> int:
    """Point every formula, defined name and print title that names sheet `old` at `new`;
    returns how many were changed."""
    changed = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" and isinstance(value, str):
                    fixed = rename_in_formula(value, old, new)
                    if fixed != value:
                        cell.value = fixed
                        changed += 1
        for validation in getattr(sheet.data_validations, "dataValidation", []):
            for attr in ("formula1", "formula2"):
                value = getattr(validation, attr)
                if value:
                    fixed = rename_in_formula("=" + value, old, new)[1:]
                    if fixed != value:
                        setattr(validation, attr, fixed)
                        changed += 1
        for defined in list(getattr(sheet, "defined_names", {}).values()):
            changed += _rename_defined(defined, old, new)
    for defined in list(book.defined_names.values()):
        changed += _rename_defined(defined, old, new)
    return changed


def _rename_defined(defined: Any, old: str, new: str) -> int:
    value = defined.attr_text
    if not value:
        return 0
    fixed = rename_in_formula("=" + value, old, new)[1:]
    if fixed == value:
        return 0
    defined.attr_text = fixed
    return 1
