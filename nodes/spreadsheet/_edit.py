"""Opening a workbook for editing and saving it back safely (openpyxl, MIT).

openpyxl is the one well-kept pure-Python library that edits .xlsx/.xlsm while keeping
styles, number formats, column widths, merged cells, defined names, data validation and
(with `keep_vba`) macros. It cannot keep everything Excel can store (shapes, slicers, some
Excel 2010+ extensions), so `open_for_edit` refuses a workbook that holds such things unless
the user allows the loss. Saving writes a temporary file in the same folder and renames it
over the original: the workbook is replaced whole or not at all. openpyxl is imported inside
the functions only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import io
import os
import shutil
import stat
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from nodes._shared.offload import Stop
from nodes.files._common import os_error
from nodes.spreadsheet._common import EDITABLE
from runtime.api import NodeError, atomic_write_bytes

__all__ = ["EditedBook", "SaveOptions", "create_workbook", "edit", "get_sheet", "open_for_edit",
           "save_workbook"]

T = TypeVar("T")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LOSSY_PARTS = {
    "xl/slicers/": "slicers", "xl/slicerCaches/": "slicers", "xl/timelines/": "timelines",
    "xl/timelineCaches/": "timelines", "xl/ctrlProps/": "form controls", "xl/activeX/": "ActiveX controls",
    "xl/embeddings/": "embedded objects", "xl/threadedComments/": "threaded comments",
}
_SHAPES = (b"<xdr:sp>", b"<xdr:sp ", b"<xdr:grpSp", b"<xdr:cxnSp")


class SaveOptions(BaseModel):
    """How an editing node saves: every editing node's config includes these fields."""

    backup: bool = Field(default=False, title="Keep a backup copy",
                         description="Before saving, copy the workbook to name.bak.xlsx (or a "
                                     "time-stamped copy)")
    backup_naming: Literal["bak", "timestamp"] = Field(
        default="bak", title="Backup name",
        description="bak: one name.bak.xlsx, replaced each time; timestamp: name.20240331-153000.xlsx "
                    "each time")
    allow_loss: bool = Field(
        default=False, title="Edit even if some Excel features would be lost",
        description="Workbooks with shapes, slicers, form controls or some newer Excel features cannot be "
                    "saved without losing those; by default such a workbook is left untouched and the node "
                    "says what would be lost")


@dataclass
class EditedBook:
    """An openpyxl workbook loaded for editing, and where it came from."""

    book: Any
    path: Path
    notes: list[str] = field(default_factory=list)
    new: bool = False
    """Created by this node (not yet on disk)."""


def _kind_check(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in EDITABLE:
        what = {".xls": "old Excel 97-2003 (.xls)", ".xlsb": "Excel binary (.xlsb)",
                ".ods": "LibreOffice (.ods)", ".csv": "CSV"}.get(suffix, f"'{suffix or 'no extension'}'")
        extra = " (use the CSV nodes for CSV files)" if suffix == ".csv" else \
            "; open it in Excel or LibreOffice and save it as .xlsx, or read it with 'Read sheet'"
        raise NodeError(f"cannot edit {path.name}: editing needs an .xlsx or .xlsm workbook, this is a "
                        f"{what} "
                        f"file{extra}")


def lock_file(path: Path) -> Path | None:
    """The lock file Excel or LibreOffice keeps next to a workbook it has open, if present."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(path.stem) > 6:
        candidates.append(f"~${name[2:]}")
    for candidate in candidates:
        if (path.parent / candidate).exists():
            return path.parent / candidate
    return None


def check_writable(path: Path) -> None:
    """Refuse a workbook that is open in Excel/LibreOffice or read-only, naming the file."""
    lock = lock_file(path)
    if lock is not None:
        program = "LibreOffice" if lock.name.startswith(".~lock.") else "Excel"
        raise NodeError(f"cannot save {path.name}: it is open in {program} (lock file {lock.name}); close it "
                        "there and run again. Nothing was changed")
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise os_error(exc, path, "open") from None
    if not mode & stat.S_IWUSR or not os.access(path, os.W_OK):
        raise NodeError(f"cannot save {path.name}: the file is read-only; remove the read-only mark "
                        "(file properties) and run again. Nothing was changed")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise NodeError(f"cannot save {path.name}: you may not create files in {path.parent}, so it "
                        "cannot be "
                        "replaced safely")


def _lossy_features(path: Path) -> list[str]:
    found: set[str] = set()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        for name in names:
            for prefix, what in _LOSSY_PARTS.items():
                if name.startswith(prefix):
                    found.add(what)
            if name.startswith("xl/drawings/") and name.endswith(".xml") and "/_rels/" not in name:
                data = zf.read(name)
                if any(tag in data for tag in _SHAPES):
                    found.add("shapes or text boxes")
            if name.startswith("xl/media/") and importlib.util.find_spec("PIL") is None:
                found.add("pictures (the Pillow package is not installed)")
    return sorted(found)


def open_for_edit(path: Path, options: SaveOptions, *, create: bool = False) -> EditedBook:
    """Load `path` for editing (or a new workbook when it does not exist and `create`)."""
    _kind_check(path)
    if create and not os.path.lexists(path):
        return create_workbook(path)
    if path.is_dir():
        raise NodeError(f"cannot edit {path}: it is a folder, not a file")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise os_error(exc, path, "open") from None
    if size == 0:
        raise NodeError(f"cannot edit {path}: the file is empty (0 bytes), not a workbook")
    if head == _OLE:
        from nodes.spreadsheet._reader import check_readable

        check_readable(path)  # names a password-protected workbook
        raise NodeError(f"cannot edit {path}: it is not an .xlsx workbook inside")
    check_writable(path)
    try:
        lossy = _lossy_features(path)
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise NodeError(f"cannot edit {path}: the file is damaged or not an .xlsx workbook ({exc})") from None
    book, dropped = _load(path)
    lossy += dropped
    if lossy and not options.allow_loss:
        raise NodeError(f"{path.name} was left untouched: saving it here would lose {', '.join(lossy)}. "
                        "Turn on 'Edit even if some Excel features would be lost' to edit it anyway")
    notes = [f"{path.name}: these were dropped when saving: {', '.join(lossy)}"] if lossy else []
    return EditedBook(book, path, notes)


def _load(path: Path) -> tuple[Any, list[str]]:
    import openpyxl

    macros = path.suffix.lower() in (".xlsm", ".xltm")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            book = openpyxl.load_workbook(path, keep_vba=macros, keep_links=True, rich_text=True)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise NodeError(f"cannot edit {path}: the file is damaged or not an .xlsx workbook ({reason})") \
                from None
    dropped = sorted({str(w.message).split(" extension")[0] + " (Excel extension)"
                      for w in seen if "will be removed" in str(w.message) and "extension" in str(w.message)})
    dropped += sorted({"pictures that cannot be read" for w in seen if "image" in str(w.message).lower()})
    return book, dropped


def create_workbook(path: Path) -> EditedBook:
    """A new, empty workbook that will be saved as `path`."""
    import openpyxl

    if not path.parent.is_dir():
        raise NodeError(f"cannot create {path}: the folder {path.parent} does not exist")
    return EditedBook(openpyxl.Workbook(), path, [f"created the new workbook {path.name}"], new=True)


def get_sheet(edited: EditedBook, wanted: str, *, create: bool = False) -> Any:
    """A worksheet by name (exact, then ignoring case) or 1-based number; "" → the active sheet."""
    book = edited.book
    names = book.sheetnames
    wanted = wanted.strip()
    if not wanted:
        return book.active if book.active is not None and book.active.title in names else book.worksheets[0]
    if wanted in names:
        sheet = book[wanted]
    else:
        folded = [n for n in names if n.casefold() == wanted.casefold()]
        if len(folded) == 1:
            sheet = book[folded[0]]
        elif wanted.isdigit() and 1 <= int(wanted) <= len(names):
            sheet = book[names[int(wanted) - 1]]
        elif create:
            from nodes.spreadsheet._names import check_sheet_name

            if edited.new and len(names) == 1:  # a new workbook: name its one empty sheet
                book.worksheets[0].title = check_sheet_name(wanted, [], edited.path)
                return book.worksheets[0]
            return book.create_sheet(check_sheet_name(wanted, names, edited.path))
        else:
            listed = ", ".join(f"'{n}'" for n in names)
            raise NodeError(f"{edited.path.name} has no sheet '{wanted}'; its sheets are: {listed}")
    if not hasattr(sheet, "iter_rows"):
        raise NodeError(f"'{sheet.title}' in {edited.path.name} is a chart sheet, not a worksheet")
    return sheet


def _backup_path(path: Path, naming: str) -> Path:
    if naming == "timestamp":
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        candidate, n = path.with_name(f"{path.stem}.{stamp}{path.suffix}"), 2
        while candidate.exists():
            candidate, n = path.with_name(f"{path.stem}.{stamp}-{n}{path.suffix}"), n + 1
        return candidate
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def save_workbook(edited: EditedBook, options: SaveOptions, stop: Stop) -> Path | None:
    """Save atomically (temporary file + rename); with a backup copy first when asked.
    Returns the backup's path. Nothing is written when the node was cancelled."""
    book, path = edited.book, edited.path
    book.calculation.fullCalcOnLoad = True  # cached results are gone: Excel recalculates on open
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except Exception as exc:
        raise NodeError(f"cannot save {path.name}: {exc}; the file was not changed") from None
    stop.check()
    backup = None
    if os.path.exists(path):
        check_writable(path)
        if options.backup:
            backup = _backup_path(path, options.backup_naming)
            try:
                shutil.copy2(path, backup)
            except OSError as exc:
                raise os_error(exc, backup, "write the backup copy", writing=True) from None
    stop.check()
    try:
        atomic_write_bytes(path, buffer.getvalue())
    except OSError as exc:
        raise os_error(exc, path, "write", writing=True) from None
    return backup


def edit(path: Path, options: SaveOptions, change: Callable[[EditedBook], T], stop: Stop, *,
         create: bool = False) -> tuple[T, list[str]]:
    """Open, change (unless `change` raises) and save a workbook; the result and notes to log."""
    edited = open_for_edit(path, options, create=create)
    try:
        result = change(edited)
        backup = save_workbook(edited, options, stop)
    finally:
        archive = getattr(edited.book, "vba_archive", None)  # macros: openpyxl keeps a zip open
        if archive is not None:
            with contextlib.suppress(Exception):
                archive.close()
    notes = list(edited.notes)
    if backup is not None:
        notes.append(f"kept a backup copy: {backup.name}")
    return result, notes
