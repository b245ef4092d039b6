"""What the spreadsheet nodes share: file kinds, the workbook reference, path config."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field

from nodes.files._common import pick_path
from runtime.api import FileRef, NodeContext, PortType, WorkbookRef

__all__ = ["EDITABLE", "MEDIA_TYPES", "PathField", "SheetField", "WorkbookField", "WorkbookInput",
           "given_path", "input_path", "workbook_ref"]

WorkbookInput = Annotated[str | WorkbookRef | FileRef | None, PortType.ANY]
"""An optional input that overrides the configured workbook: text, a file or a workbook reference."""

EDITABLE = (".xlsx", ".xlsm", ".xltx", ".xltm")
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xltm": "application/vnd.ms-excel.template.macroEnabled.12",
    ".xlsb": "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def PathField(description: str = "The workbook (relative to the flow's folder)") -> str:
    """The `path` config field every spreadsheet node has."""
    return Field(default="", title="Workbook", description=description,  # type: ignore[no-any-return]
                 json_schema_extra={"widget": "file"})


def SheetField(description: str = "The sheet's name, or its number (1 = first); empty: the first "
               "visible sheet") -> str:
    return Field(default="", title="Sheet", description=description)  # type: ignore[no-any-return]


def WorkbookField() -> None:
    """The optional `path` input every spreadsheet node has."""
    return Field(default=None, title="Workbook",  # type: ignore[no-any-return]
                 description="Overrides the configured workbook")


def workbook_ref(path: Path, sheet: str | None) -> WorkbookRef:
    """A reference to the workbook (and sheet) for nodes downstream."""
    resolved = path.resolve()
    return WorkbookRef(path=str(resolved), name=resolved.name,
                       media_type=MEDIA_TYPES.get(resolved.suffix.lower(), "application/octet-stream"),
                       sheet=sheet)


def input_path(ctx: NodeContext, configured: str, given: str | WorkbookRef | FileRef | None) -> Path:
    """The workbook to work on: the input's (text, file or workbook reference), else the config's."""
    return pick_path(ctx, configured, given.path if isinstance(given, WorkbookRef) else given, "Workbook")


def given_path(given: str | WorkbookRef | FileRef | None) -> str | FileRef | None:
    """The input as `file_fingerprint` takes it."""
    return given.path if isinstance(given, WorkbookRef) else given
