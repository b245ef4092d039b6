"""Helpers shared by the document nodes: picking the source file, telling its kind, page ranges.

Nothing here imports a document library: the node modules stay light to import, and the
heavy engines (pdfium, pypdf, python-docx, rapidocr, Pillow) load when a node first runs.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator

from nodes.files._common import os_error
from runtime.api import DocumentRef, FileRef, ImageRef, NodeContext, NodeError, PortType

__all__ = [
    "IMAGE_KINDS",
    "MEDIA_TYPES",
    "DocInput",
    "PageSpec",
    "artifact_path",
    "check_page_spec",
    "check_source",
    "document_ref",
    "page_list",
    "parse_pages",
    "password_for",
    "sniff_kind",
    "source_fingerprint",
    "source_path",
]

DocInput = Annotated[str | FileRef | DocumentRef | ImageRef | None, PortType.ANY]
"""An optional input that overrides the configured file: a path or a file/document/image reference."""

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "webp": "image/webp",
}
IMAGE_KINDS = frozenset({"png", "jpeg", "tiff", "gif", "bmp", "webp"})

_DESCRIBED = {
    "pdf": "a PDF file",
    "docx": "a Word (.docx) document",
    "xlsx": "an Excel workbook",
    "pptx": "a PowerPoint presentation",
    "odf": "an OpenDocument file (LibreOffice)",
    "zip": "a ZIP archive",
    "ole": "an old-format Office file (.doc/.xls, Office 97-2003)",
    "encrypted-office": "a password-protected Office file",
    "rtf": "an RTF document",
    "html": "a web page (HTML)",
    "text": "a plain text file",
    "empty": "an empty file",
}


def source_path(ctx: NodeContext, configured: str, given: object, field: str = "File",
                port: str = "path") -> Path:
    """The input's path if one arrived, else the configured one, resolved against the flow folder."""
    raw = given.path if isinstance(given, (FileRef, DocumentRef, ImageRef)) else given
    if raw is None or not str(raw).strip():
        raw = configured
    if not raw or not str(raw).strip():
        raise NodeError(f"{field}: no file given; choose one or connect the '{port}' input")
    return ctx.resolve_path(str(raw).strip())


def source_fingerprint(ctx: NodeContext, configured: str, given: object) -> str | None:
    """What a reader's cached result depends on: resolved path, identity, size and modification time."""
    try:
        resolved = source_path(ctx, configured, given).resolve()
        info = resolved.stat()
    except (NodeError, OSError, RuntimeError):
        return None
    return "\0".join((str(resolved), str(info.st_ino), str(info.st_size), str(info.st_mtime_ns)))


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    if any(n.startswith("ppt/") for n in names):
        return "pptx"
    if "mimetype" in names:
        return "odf"
    return "zip"


def sniff_kind(path: Path, head: bytes) -> str:
    """The file's kind from its first bytes (never from its name): pdf, docx, png, jpeg, tiff, …"""
    if not head:
        return "empty"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "encrypted-office" if "EncryptedPackage".encode("utf-16-le") in head else "ole"
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lstrip()[:64].lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    try:
        head[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown"
    return "text"


def check_source(path: Path, accepted: frozenset[str] | set[str], what: str) -> str:
    """Check that `path` is a readable, non-empty file of an accepted kind; returns the kind.

    `what` names the expected kind for messages ("a PDF file", "an image (PNG, JPEG or TIFF)").
    """
    if path.is_dir():
        raise os_error(IsADirectoryError(), path, "read")
    try:
        with open(path, "rb") as handle:
            head = handle.read(64 * 1024)
    except OSError as exc:
        raise os_error(exc, path, "read") from None
    kind = sniff_kind(path, head)
    if kind in accepted:
        return kind
    if kind == "empty":
        raise NodeError(f"cannot read {path}: the file is empty (0 bytes)")
    if kind == "encrypted-office":
        raise NodeError(f"cannot read {path}: it is a password-protected Office file; open it in Word, "
                        "remove the password (File > Info > Protect Document) and save it again")
    if kind == "ole" and "docx" in accepted:
        raise NodeError(f"cannot read {path}: it is an old Word .doc file (Word 97-2003); open it in "
                        "Word or LibreOffice and save it as .docx")
    if kind in IMAGE_KINDS:
        seems = f"it is a {kind.upper()} image"
    elif kind in _DESCRIBED:
        seems = f"it is {_DESCRIBED[kind]}"
    else:
        seems = "its content is not in a format this node reads"
    raise NodeError(f"cannot read {path}: expected {what}, but {seems}")


def document_ref(path: Path, doc_kind: str, pages: int | None) -> DocumentRef:
    """A reference to a document file, by its resolved absolute path."""
    resolved = path.resolve()
    return DocumentRef(path=str(resolved), name=resolved.name, pages=pages, doc_kind=doc_kind,
                       media_type=MEDIA_TYPES.get(doc_kind, "application/octet-stream"))


def artifact_path(folder: Path, name: str) -> Path:
    """A path in `folder` (created if needed) that no file takes yet: name.ext, name-2.ext, …"""
    folder.mkdir(parents=True, exist_ok=True)
    candidate = folder / name
    stem, suffix = os.path.splitext(name)
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def password_for(ctx: NodeContext, credential: str) -> str | None:
    """The password stored under the credential name (None when no name is configured)."""
    name = credential.strip()
    return ctx.secret(name) if name else None


# Page ranges -------------------------------------------------------------------------------------

_PART = re.compile(r"^\s*(\d+|last)\s*(?:(-)\s*(\d+|last)?\s*)?$")


def check_page_spec(spec: str) -> str:
    """Config validator for a page selection such as "1-3,7", "2-", "last" or "all"."""
    text = spec.strip()
    if text.lower() in ("", "all"):
        return "all"
    for part in text.split(","):
        if not part.strip():
            continue
        match = _PART.match(part.lower())
        if match is None:
            raise ValueError(f"'{part.strip()}' is not a page or a range: write e.g. 1-3,7 or 2- or last")
        first, dash, last = match.groups()
        if first == "0" or last == "0":
            raise ValueError("pages are counted from 1")
        if first.isdigit() and last and last.isdigit() and int(last) < int(first):
            raise ValueError(f"the range {part.strip()} runs backwards: write {last}-{first}")
        if dash is None and last is not None:  # pragma: no cover - the pattern forbids it
            raise ValueError(f"'{part.strip()}' is not a page or a range")
    return text


PageSpec = Annotated[str, AfterValidator(check_page_spec)]
"""A config field holding a page selection ("1-3,7", "2-", "last", "all"), checked when set."""


def parse_pages(spec: str, count: int, name: str) -> list[int]:
    """Zero-based page indexes selected by `spec` in a document of `count` pages, in the order given.

    A range that runs past the end stops at the last page ("1-3" of a 2-page file is 1-2); a single
    page, or a range starting, past the end is an error naming the file and its page count.
    """
    text = check_page_spec(spec)
    if text == "all":
        return list(range(count))
    chosen: list[int] = []
    seen: set[int] = set()
    for part in text.split(","):
        if not part.strip():
            continue
        first, dash, last = _PART.match(part.lower()).groups()  # type: ignore[union-attr]
        start = count if first == "last" else int(first)
        end = start if dash is None else (count if last in (None, "last") else int(last))
        if start > count or count == 0:
            pages = "no pages" if count == 0 else f"only {count} page{'s' if count != 1 else ''}"
            raise NodeError(f"{name} has {pages}: page {start} does not exist (pages asked for: {text})")
        if end < start:
            raise NodeError(f"the range {part.strip()} runs backwards in {name} ({count} pages)")
        for page in range(start, min(end, count) + 1):
            if page not in seen:
                seen.add(page)
                chosen.append(page - 1)
    if not chosen:
        raise NodeError(f"no pages selected in {name} (pages asked for: {text})")
    return chosen


def page_list(indexes: list[int]) -> str:
    """1-based page numbers as compact ranges for log lines: [0,1,2,6] → "1-3, 7"."""
    parts: list[str] = []
    run: list[int] = []
    for index in indexes:
        if run and index == run[-1] + 1:
            run.append(index)
            continue
        if run:
            parts.append(f"{run[0] + 1}-{run[-1] + 1}" if len(run) > 1 else str(run[0] + 1))
        run = [index]
    if run:
        parts.append(f"{run[0] + 1}-{run[-1] + 1}" if len(run) > 1 else str(run[0] + 1))
    return ", ".join(parts)
