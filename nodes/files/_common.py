"""Helpers shared by the file nodes: picking and checking paths, encodings, OS errors."""

from __future__ import annotations

import codecs
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

from runtime.api import FileRef, NodeContext, NodeError, PortType, Table

__all__ = [
    "PathInput",
    "Text",
    "check_encoding",
    "decode_text",
    "file_ref",
    "os_error",
    "pick_path",
    "prepare_target",
    "read_bytes",
    "to_jsonable",
]

PathInput = Annotated[str | FileRef | None, PortType.ANY]
"""An optional input that overrides a path typed in the config: text or a file reference."""


def _to_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return value


Text = Annotated[str, BeforeValidator(_to_text)]
"""A text input that also takes numbers, true/false and dates (the port widenings)."""


def check_encoding(value: str, *, allow_auto: bool) -> str:
    """Config validator: a known encoding name (or "auto" where detection is offered)."""
    value = value.strip() or ("auto" if allow_auto else "utf-8")
    if allow_auto and value.lower() == "auto":
        return "auto"
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(f"'{value}' is not a known text encoding (try utf-8, utf-8-sig or cp1252)") from None
    return value


def pick_path(ctx: NodeContext, configured: str, given: str | FileRef | None, field: str,
              port: str = "path") -> Path:
    """The input's path if one arrived, else the configured one, resolved against the flow folder."""
    raw = given.path if isinstance(given, FileRef) else given
    if raw is None or not str(raw).strip():
        raw = configured
    if not raw or not raw.strip():
        raise NodeError(f"{field}: no path given; type one in or connect the '{port}' input")
    return ctx.resolve_path(raw.strip())


def os_error(exc: OSError, path: Path, action: str) -> NodeError:
    """A user-facing error for a failed file operation (`action`: "read", "write", …)."""
    if isinstance(exc, FileNotFoundError):
        return NodeError(f"cannot {action} {path}: it does not exist")
    if isinstance(exc, IsADirectoryError):
        return NodeError(f"cannot {action} {path}: it is a folder, not a file")
    if isinstance(exc, NotADirectoryError):
        return NodeError(f"cannot {action} {path}: part of the path is a file, not a folder")
    if isinstance(exc, PermissionError):
        return NodeError(f"cannot {action} {path}: permission denied (is it open in another program?)")
    if isinstance(exc, FileExistsError):
        return NodeError(f"cannot {action} {path}: it already exists")
    reason = exc.strerror or str(exc) or type(exc).__name__
    return NodeError(f"cannot {action} {path}: {reason}")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a NodeError naming the file."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise os_error(exc, path, "read") from None


def decode_text(data: bytes, encoding: str, path: Path) -> tuple[str, str]:
    """Decode a file's bytes; "auto" honours a BOM, then tries UTF-8, then Windows-1252."""
    if encoding == "auto":
        for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                          (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
            if data.startswith(bom):
                return data.decode(name), name
        candidates = ["utf-8", "cp1252", "latin-1"]
    else:
        candidates = [encoding]
    for name in candidates:
        try:
            return data.decode(name).removeprefix("\ufeff"), name
        except UnicodeDecodeError as exc:
            last = exc
    raise NodeError(f"cannot read {path} as {encoding} text: byte {last.start + 1} does not fit "
                    "that encoding; choose another encoding (or 'auto')")


def prepare_target(path: Path, *, create_folders: bool, overwrite: bool = True) -> None:
    """Check (and with `create_folders` make) the folder a file is about to be written into."""
    if path.is_dir():
        raise NodeError(f"cannot write {path}: it is a folder, not a file")
    if not overwrite and os.path.lexists(path):
        raise NodeError(f"{path} already exists; turn on 'Replace an existing file' to overwrite it")
    folder = path.parent
    if not folder.is_dir():
        if not create_folders:
            raise NodeError(f"cannot write {path}: the folder {folder} does not exist")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_error(exc, folder, "create the folder") from None


def file_ref(path: Path, media_type: str = "application/octet-stream") -> FileRef:
    resolved = path.resolve()
    return FileRef(path=str(resolved), name=resolved.name, media_type=media_type)


def to_jsonable(value: Any) -> Any:
    """`json.dumps` default: tables become lists of rows, dates ISO text, refs records."""
    if isinstance(value, Table):
        return value.to_dict()["rows"]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"a {type(value).__name__} value cannot be sent as JSON")
