"""Helpers shared by the file nodes: picking and checking paths, encodings, OS errors."""

from __future__ import annotations

import codecs
import errno
import os
from pathlib import Path
from typing import Annotated

from nodes._shared.offload import Stop
from runtime.api import FileRef, NodeContext, NodeError, PortType, atomic_write_bytes

__all__ = [
    "PathInput",
    "check_encoding",
    "decode_text",
    "encode_text",
    "file_fingerprint",
    "file_size",
    "os_error",
    "pick_path",
    "prepare_target",
    "read_bytes",
    "replace_file",
]

PathInput = Annotated[str | FileRef | None, PortType.ANY]
"""An optional input that overrides a path typed in the config: text or a file reference."""


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


def file_fingerprint(ctx: NodeContext, configured: str, given: str | FileRef | None) -> str | None:
    """What a file reader's cached result depends on: the file's resolved absolute path (the
    same relative path in another flow's folder is another file), its identity, size and
    modification time. None when there is no file to look at (the node then always runs)."""
    try:
        resolved = pick_path(ctx, configured, given, "File").resolve()
        info = resolved.stat()
    except (NodeError, OSError, RuntimeError):
        return None
    return "\0".join((str(resolved), str(info.st_ino), str(info.st_size), str(info.st_mtime_ns)))


def file_size(path: Path) -> int:
    """The file's size in bytes; 0 when it cannot be seen (reading it will then say why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing folder-to-be above `path` when it is a file (so nothing fits below it)."""
    for parent in path.parents:
        if os.path.lexists(parent):
            return None if parent.is_dir() else parent
    return None


def os_error(exc: OSError, path: Path, action: str, *, writing: bool = False) -> NodeError:
    """A user-facing error for a failed file operation (`action`: "read", "write", …) on `path`.

    `writing`: the operation creates or replaces `path`, so a missing or odd folder is named.
    """
    where = f"cannot {action} {path}"
    folder = path.parent
    blocker = _file_in_the_way(path) if isinstance(exc, (FileNotFoundError, NotADirectoryError)) else None
    if blocker is not None:
        return NodeError(f"{where}: {blocker} is a file, not a folder")
    if isinstance(exc, FileNotFoundError):
        if not writing:
            return NodeError(f"{where}: it does not exist")
        if not folder.is_dir():
            return NodeError(f"{where}: the folder {folder} does not exist")
        return NodeError(f"{where}: new files cannot be created in {folder} ({exc.strerror or exc})")
    if isinstance(exc, IsADirectoryError):
        return NodeError(f"{where}: it is a folder, not a file")
    if isinstance(exc, NotADirectoryError):
        return NodeError(f"{where}: part of the path is a file, not a folder")
    if isinstance(exc, PermissionError):
        if writing and not os.path.lexists(path):
            return NodeError(f"{where}: permission denied: you may not create files in {folder}")
        if writing:
            return NodeError(f"{where}: permission denied: the file is read-only or open in another program")
        return NodeError(f"{where}: permission denied (is it open in another program?)")
    if isinstance(exc, FileExistsError):
        return NodeError(f"{where}: it already exists")
    if exc.errno == errno.EROFS:
        return NodeError(f"{where}: {folder if writing else path} is on a read-only file system")
    if exc.errno == errno.ENOSPC:
        return NodeError(f"{where}: the disk is full")
    reason = exc.strerror or str(exc) or type(exc).__name__
    return NodeError(f"{where}: {reason}")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a NodeError naming the file."""
    if path.is_dir():
        raise os_error(IsADirectoryError(), path, "read")
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


def encode_text(text: str, encoding: str, path: Path, suggestion: str = "utf-8") -> bytes:
    """The text in `encoding`, or a NodeError naming the first character it cannot hold."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start:exc.end]
        raise NodeError(f"cannot write {path} in {encoding}: the character {bad!r} does not exist in "
                        f"that encoding; choose {suggestion}") from None


def replace_file(path: Path, data: bytes, stop: Stop) -> None:
    """Write `data` atomically (temporary file, fsync, rename) unless the node was cancelled:
    the file is then left alone; once begun, it is replaced whole or not at all."""
    stop.check()
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise os_error(exc, path, "write", writing=True) from None


def prepare_target(path: Path, *, create_folders: bool, overwrite: bool = True) -> None:
    """Check (and with `create_folders` make) the folder a file is about to be written into."""
    if path.is_dir():
        raise NodeError(f"cannot write {path}: it is a folder, not a file")
    if not overwrite and os.path.lexists(path):
        raise NodeError(f"{path} already exists; turn on 'Replace an existing file' to overwrite it")
    folder = path.parent
    if folder.is_dir():
        return
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise NodeError(f"cannot write {path}: {blocker} is a file, not a folder")
    if not create_folders:
        raise NodeError(f"cannot write {path}: the folder {folder} does not exist (turn on 'Create missing "
                        "folders' to create it)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_error(exc, folder, "create the folder", writing=True) from None
