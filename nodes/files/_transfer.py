"""What copy and move share: their config, working out the destination, copying a file safely."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from nodes._shared.offload import BYTES_INLINE, Stop, offload
from nodes.files._common import PathInput, file_size, os_error, pick_path, prepare_target
from runtime.api import FileRef, NodeContext, NodeError

__all__ = ["TransferConfig", "TransferInputs", "TransferOutputs", "carry_out", "copy_file", "plan_transfer"]

_CHUNK = 1 << 20


class TransferConfig(BaseModel):
    source: str = Field(default="", title="From", description="The file or folder (relative to the flow's "
                        "folder)", json_schema_extra={"widget": "file"})
    destination: str = Field(default="", title="To",
                             description="A new file name, or an existing folder to put it in "
                                         "(end with / to create the folder)",
                             json_schema_extra={"widget": "file"})
    overwrite: bool = Field(default=False, title="Replace an existing file")
    create_folders: bool = Field(default=True, title="Create missing folders")


class TransferInputs(BaseModel):
    source: PathInput = Field(default=None, title="From", description="Overrides the configured source")
    destination: PathInput = Field(default=None, title="To",
                                   description="Overrides the configured destination")


class TransferOutputs(BaseModel):
    file: FileRef | None = Field(default=None, title="File", description="The file at its new place")


def _as_folder(raw: str | FileRef | None, configured: str) -> bool:
    text = raw.path if isinstance(raw, FileRef) else (raw or configured)
    return text.rstrip() != text.rstrip().rstrip("/\\")


def plan_transfer(ctx: NodeContext, config: TransferConfig, inputs: TransferInputs,
                  verb: str, *, keep_existing: bool = False) -> tuple[Path, Path]:
    """Source and final destination, checked: the source exists, the destination may be written
    (or, with `keep_existing`, is an existing file to leave as it is)."""
    source = pick_path(ctx, config.source, inputs.source, "From", "source")
    target = pick_path(ctx, config.destination, inputs.destination, "To", "destination")
    if not os.path.lexists(source):
        raise NodeError(f"cannot {verb} {source}: it does not exist")
    if target.is_dir() or _as_folder(inputs.destination, config.destination):
        if not target.is_dir() and config.create_folders:
            try:
                target.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise os_error(exc, target, "create the folder") from None
        target = target / source.name
    if os.path.abspath(source) == os.path.abspath(target):
        raise NodeError(f"cannot {verb} {source} onto itself; choose another destination")
    if source.is_dir() and Path(os.path.abspath(target)).is_relative_to(os.path.abspath(source)):
        raise NodeError(f"cannot {verb} the folder {source} into itself ({target})")
    if os.path.lexists(target):
        if keep_existing and target.is_file():
            return source, target
        if not config.overwrite:
            raise NodeError(f"cannot {verb} to {target}: it already exists; turn on 'Replace an existing "
                            "file' to replace it")
        if target.is_dir() and not target.is_symlink():
            raise NodeError(f"cannot {verb} to {target}: a folder of that name is in the way")
        if source.is_dir():
            raise NodeError(f"cannot {verb} the folder {source} onto the file {target}")
    prepare_target(target, create_folders=config.create_folders)
    return source, target


async def carry_out(work: Callable[[Path, Path, Stop], None], source: Path, target: Path, verb: str) -> None:
    """`work(source, target, stop)`, in a worker thread unless it is a small file; OS errors
    become messages naming the file that caused them."""

    def guarded(stop: Stop) -> None:
        try:
            work(source, target, stop)
        except OSError as exc:  # shutil.Error (a folder copy) gathers several: keep its text
            error = OSError(str(exc)) if isinstance(exc, shutil.Error) else exc
            if error.filename == str(source) and error.filename2 is None:
                raise os_error(error, source, "read") from None
            raise os_error(error, target, f"{verb} {source} to", writing=True) from None

    size = BYTES_INLINE + 1 if source.is_dir() else file_size(source)
    await offload(guarded, size=size, limit=BYTES_INLINE)


def copy_file(source: Path, target: Path, stop: Stop) -> None:
    """Copy a file's content and dates over `target` atomically: into a temporary file beside it,
    flushed to disk (fsync), then renamed over it, so `target` is never half-written."""
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while chunk := src.read(_CHUNK):
                stop.check()
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        shutil.copystat(source, temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        with contextlib.suppress(OSError):
            folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
